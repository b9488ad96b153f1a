/**
 * Hot reload: watches the directory a function is served from and reports, once edits settle, that its code
 * changed. Directories that hold dependencies, tooling or caches are not watched: installing packages would fire
 * thousands of events, and Python's __pycache__ is rewritten by merely running the code.
 *
 * Functions served from the same directory (a template whose functions share one CodeUri) share one set of watchers
 * and one quiet period: a save is one burst of events, answered once for all of them.
 */
import { type Dirent, existsSync, type FSWatcher, readdirSync, watch } from 'node:fs';
import { join } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '__pycache__', '.git', '.hg', '.svn', '.venv', 'venv', '.aws-sam', '.preflight']);
const IGNORED_FILE = /(\.pyc|\.swp|\.swx|~)$|^\.#|^4913$/; // bytecode and editor temp files (vim writes "4913")
/** Enough for any function's own sources; a larger tree is watched up to here. */
const MAX_DIRS = 2000;
/**
 * Quiet time after the last event before a change counts. An editor's save (truncate and write, or write a temporary
 * file and rename it) is a burst well inside this; a build that writes for longer is picked up when it stops.
 */
export const DEFAULT_DEBOUNCE_MS = 50;

interface WatchedDir {
  dir: string;
  /** One fs.watch per directory of the tree (recursive watching is not available on Linux in Node 20). */
  watchers: Map<string, FSWatcher>;
  timer: NodeJS.Timeout | undefined;
  /** Who to tell, by key. */
  listeners: Map<string, () => void>;
}

export class CodeWatcher {
  private readonly dirs = new Map<string, WatchedDir>();
  private readonly dirOfKey = new Map<string, string>();

  constructor(private readonly debounceMs = DEFAULT_DEBOUNCE_MS) {}

  /** Starts watching `dir` under `key` (a function name); watching the same directory again does nothing. */
  watch(key: string, dir: string, onChange: () => void): void {
    const current = this.dirOfKey.get(key);
    if (current === dir) return;
    if (current !== undefined) this.unwatch(key);
    let d = this.dirs.get(dir);
    if (!d) {
      d = { dir, watchers: new Map(), timer: undefined, listeners: new Map() };
      this.dirs.set(dir, d);
      this.scan(d, dir);
    }
    d.listeners.set(key, onChange);
    this.dirOfKey.set(key, dir);
  }

  unwatch(key: string): void {
    const dir = this.dirOfKey.get(key);
    if (dir === undefined) return;
    this.dirOfKey.delete(key);
    const d = this.dirs.get(dir);
    if (!d) return;
    d.listeners.delete(key);
    if (d.listeners.size > 0) return;
    clearTimeout(d.timer);
    for (const watcher of d.watchers.values()) watcher.close();
    this.dirs.delete(dir);
  }

  close(): void {
    for (const key of [...this.dirOfKey.keys()]) this.unwatch(key);
  }

  /** Adds a watcher for every directory under `dir` not watched yet (new directories appear after renames). */
  private scan(d: WatchedDir, dir: string): void {
    if (!d.watchers.has(dir)) {
      if (d.watchers.size >= MAX_DIRS) return;
      let watcher: FSWatcher;
      try {
        watcher = watch(dir, { persistent: false }, (_event, filename) => this.changed(d, filename));
      } catch {
        return; // vanished, or not readable
      }
      watcher.on('error', () => {
        watcher.close();
        d.watchers.delete(dir);
      });
      d.watchers.set(dir, watcher);
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) this.scan(d, join(dir, e.name));
    }
  }

  private changed(d: WatchedDir, filename: string | Buffer | null): void {
    const name = filename === null ? '' : String(filename);
    if (name !== '' && (IGNORED_FILE.test(name) || SKIP_DIRS.has(name))) return;
    clearTimeout(d.timer);
    d.timer = setTimeout(() => {
      d.timer = undefined;
      if (this.dirs.get(d.dir) !== d) return; // no longer watched
      for (const [sub, watcher] of d.watchers) {
        if (!existsSync(sub)) {
          watcher.close();
          d.watchers.delete(sub);
        }
      }
      this.scan(d, d.dir);
      for (const onChange of [...d.listeners.values()]) onChange();
    }, this.debounceMs);
    d.timer.unref();
  }
}
