/**
 * Hot reload: watches the directory a function is served from and reports, once edits settle, that its code
 * changed. Directories that hold dependencies, tooling or caches are not watched: installing packages would fire
 * thousands of events, and Python's __pycache__ is rewritten by merely running the code.
 */
import { type Dirent, existsSync, type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.venv', 'venv', '.aws-sam', '.preflight']);
const IGNORED_FILE = /(\.pyc|\.swp|\.swx|~)$|^\.#|^4913$/; // bytecode and editor temp files (vim writes "4913")
/** Enough for any function's own sources; a larger tree is watched up to here. */
const MAX_DIRS = 2000;
export const DEFAULT_DEBOUNCE_MS = 100;

interface Watched {
  dir: string;
  watchers: Map<string, FSWatcher>;
  timer: NodeJS.Timeout | undefined;
  onChange: () => void;
  closed: boolean;
}

export class CodeWatcher {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly debounceMs = DEFAULT_DEBOUNCE_MS) {}

  /** Starts watching `dir` under `key` (a function name); watching the same directory again does nothing. */
  watch(key: string, dir: string, onChange: () => void): void {
    const existing = this.watched.get(key);
    if (existing?.dir === dir) return;
    if (existing) this.unwatch(key);
    const w: Watched = { dir, watchers: new Map(), timer: undefined, onChange, closed: false };
    this.watched.set(key, w);
    this.scan(w, dir);
  }

  unwatch(key: string): void {
    const w = this.watched.get(key);
    if (!w) return;
    w.closed = true;
    clearTimeout(w.timer);
    for (const watcher of w.watchers.values()) watcher.close();
    this.watched.delete(key);
  }

  close(): void {
    for (const key of [...this.watched.keys()]) this.unwatch(key);
  }

  /** Adds a watcher for every directory under `dir` not watched yet (new directories appear after renames). */
  private scan(w: Watched, dir: string): void {
    if (!w.watchers.has(dir)) {
      if (w.watchers.size >= MAX_DIRS) return;
      let watcher: FSWatcher;
      try {
        watcher = watch(dir, { persistent: false }, (_event, filename) => this.changed(w, filename));
      } catch {
        return; // vanished, or not readable
      }
      watcher.on('error', () => {
        watcher.close();
        w.watchers.delete(dir);
      });
      w.watchers.set(dir, watcher);
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) this.scan(w, join(dir, e.name));
    }
  }

  private changed(w: Watched, filename: string | Buffer | null): void {
    const name = filename === null ? '' : String(filename);
    if (name !== '' && (IGNORED_FILE.test(name) || SKIP_DIRS.has(name))) return;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = undefined;
      if (w.closed) return;
      for (const [d, watcher] of w.watchers) {
        if (!existsSync(d)) {
          watcher.close();
          w.watchers.delete(d);
        }
      }
      this.scan(w, w.dir);
      w.onChange();
    }, this.debounceMs);
    w.timer.unref();
  }
}
