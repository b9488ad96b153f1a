import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ControlPlane } from '../control/index.js';
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
 * rebuilt, in place); a new .zip at a function's CodeUri updates that function's code through the control layer
 * (UpdateFunctionCode: the zip is unpacked again), so its next invocation runs the new code in a fresh environment.
 *
 * Code served from a directory (CodeUri: src/, inline code) is not watched here: the Lambda runtime's own hot reload
 * (src/lambda/code-watcher.ts) already sends the next invocation after an edit to a fresh environment, for every
 * function served from a directory however it was created. Watching it here too made every save retire each warm
 * environment twice (a cold start more) and write every function sharing the directory to the store.
 */
export class TemplateWatcher {
  private readonly templates = new Map<string, { result: LoadResult; watcher: FSWatcher; timer?: NodeJS.Timeout; loading: boolean; again: boolean }>();
  /** Zip packages by path: the functions deployed from each, and the watcher of its directory. */
  private readonly zips = new Map<string, { functions: Set<string>; watcher: FSWatcher; timer?: NodeJS.Timeout }>();
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
      // A reload may have moved a function off its zip.
      for (const z of this.zips.values()) z.functions.delete(fn.name);
      if (fn.local?.kind !== 'zip') continue;
      const path = resolve(fn.local.path);
      let entry = this.zips.get(path);
      if (!entry) {
        // Build tools replace the zip by rename: watch its directory and filter by name, as for templates.
        const e: { functions: Set<string>; watcher: FSWatcher; timer?: NodeJS.Timeout } = {
          functions: new Set(),
          watcher: watch(dirname(path), { persistent: false }, (_e, name) => {
            if (name !== null && String(name) !== basename(path)) return;
            clearTimeout(e.timer);
            e.timer = setTimeout(() => void this.zipChanged(path), DEBOUNCE_MS);
            e.timer.unref();
          }),
        };
        e.watcher.on('error', (err) => {
          e.watcher.close();
          this.zips.delete(path);
          this.events.error(`${path}: no longer watched: ${err.message}`);
        });
        entry = e;
        this.zips.set(path, entry);
      }
      entry.functions.add(fn.name);
    }
  }

  private async zipChanged(path: string): Promise<void> {
    const entry = this.zips.get(path);
    if (this.closed || !entry) return;
    let zip: Buffer;
    try {
      zip = readFileSync(path);
    } catch (e) {
      this.events.error(`${path}: cannot read the new package: ${(e as Error).message}`);
      return;
    }
    for (const name of entry.functions) {
      if (!this.control.functions.find(name)) continue;
      const started = performance.now();
      try {
        await this.control.functions.updateFunctionCode(name, { ZipFile: zip });
        this.events.info(`function ${name}: new package ${path}; the next invocation runs it (${(performance.now() - started).toFixed(0)} ms)`);
        this.events.codeUpdated?.(name);
      } catch (e) {
        this.events.error(`function ${name}: could not update its code: ${(e as Error).message}`);
      }
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
    for (const z of this.zips.values()) {
      clearTimeout(z.timer);
      z.watcher.close();
    }
    for (const t of this.templates.values()) {
      clearTimeout(t.timer);
      t.watcher.close();
    }
  }
}
