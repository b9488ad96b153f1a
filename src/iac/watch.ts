import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ControlPlane } from '../control/index.js';
import { CodeWatcher } from '../lambda/code-watcher.js';
import { isIacError } from './diagnostics.js';
import { loadFile, type LoadOptions, type LoadResult } from './load.js';

export interface WatchEvents {
  /** A line for the user: what changed and what was done. */
  info(message: string): void;
  error(message: string): void;
  /** After a template reload succeeded (tests wait on it). */
  reloaded?(result: LoadResult): void;
  codeUpdated?(functionName: string): void;
}

const DEBOUNCE_MS = 50;

/**
 * --watch: a template edit reloads that template (only the APIs and functions whose definitions changed are
 * rebuilt, in place); an edit under a function's CodeUri updates that function's code through the control layer
 * (UpdateFunctionCode), so its next invocation runs the new code in a fresh environment.
 */
export class TemplateWatcher {
  private readonly templates = new Map<string, { result: LoadResult; watcher: FSWatcher; timer?: NodeJS.Timeout; loading: boolean; again: boolean }>();
  private readonly code = new CodeWatcher(DEBOUNCE_MS);
  private closed = false;

  constructor(
    private readonly control: ControlPlane,
    private readonly options: Omit<LoadOptions, 'previous'>,
    private readonly events: WatchEvents,
  ) {}

  add(result: LoadResult): void {
    const file = resolve(result.file);
    // Editors replace files by rename: watch the directory and filter by name.
    const watcher = watch(dirname(file), { persistent: false }, (_e, name) => {
      if (name === null || String(name) === basename(file)) this.schedule(file);
    });
    this.templates.set(file, { result, watcher, loading: false, again: false });
    this.watchCode(result);
  }

  private watchCode(result: LoadResult): void {
    for (const fn of result.functions) {
      if (!fn.local) continue;
      const local = fn.local;
      const dir = local.kind === 'directory' ? local.path : dirname(local.path);
      this.code.watch(fn.name, dir, () => void this.codeChanged(fn.name, local));
    }
  }

  private async codeChanged(name: string, local: { kind: 'directory' | 'zip'; path: string }): Promise<void> {
    if (this.closed || !this.control.functions.find(name)) return;
    const started = performance.now();
    try {
      await this.control.functions.updateFunctionCode(name, local.kind === 'directory' ? { Directory: local.path } : { ZipFile: readFileSync(local.path) });
      this.events.info(`function ${name}: code changed under ${local.path}; the next invocation runs it (${(performance.now() - started).toFixed(0)} ms)`);
      this.events.codeUpdated?.(name);
    } catch (e) {
      this.events.error(`function ${name}: could not update its code: ${(e as Error).message}`);
    }
  }

  private schedule(file: string): void {
    const entry = this.templates.get(file);
    if (!entry || this.closed) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.reload(file), DEBOUNCE_MS);
    entry.timer.unref();
  }

  private async reload(file: string): Promise<void> {
    const entry = this.templates.get(file);
    if (!entry || this.closed) return;
    if (entry.loading) {
      entry.again = true;
      return;
    }
    entry.loading = true;
    try {
      const result = await loadFile(this.control, file, { ...this.options, previous: entry.result.state });
      entry.result = result;
      this.watchCode(result);
      this.events.info(result.changes.length ? `${file} changed: ${result.changes.join('; ')}` : `${file} changed: nothing to update`);
      this.events.reloaded?.(result);
    } catch (e) {
      this.events.error(isIacError(e) ? `${e.describe()}\n  (still serving the previous version of ${basename(file)})` : `reloading ${file} failed: ${(e as Error).message}`);
    } finally {
      entry.loading = false;
      if (entry.again) {
        entry.again = false;
        this.schedule(file);
      }
    }
  }

  close(): void {
    this.closed = true;
    this.code.close();
    for (const t of this.templates.values()) {
      clearTimeout(t.timer);
      t.watcher.close();
    }
  }
}
