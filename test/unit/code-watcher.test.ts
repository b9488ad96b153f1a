/**
 * src/lambda/code-watcher.ts: the hot reload's file watching. Functions served from one directory (a template
 * whose functions share a CodeUri) share its watchers and its quiet period: a save, however many events the editor's
 * write makes, is reported once to each of them. Not an AWS feature (see test/unit/lambda-hot-reload.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CodeWatcher } from '../../src/lambda/code-watcher.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function codeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pf-code-watcher-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => 1;\n');
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('functions sharing a directory: one save, one report to each, however many events the write made', async () => {
  const dir = codeDir();
  const watcher = new CodeWatcher(30);
  const counts = { a: 0, b: 0, c: 0 };
  watcher.watch('a', dir, () => counts.a++);
  watcher.watch('b', dir, () => counts.b++);
  // Watching the same directory again under the same key changes nothing (the runtime does it on every invoke).
  watcher.watch('a', dir, () => (counts.a += 100));
  try {
    // An editor's save: write a temporary file, write again, rename it over the original.
    writeFileSync(join(dir, 'index.mjs.tmp'), 'export const handler = async () => 2;\n');
    writeFileSync(join(dir, 'index.mjs.tmp'), 'export const handler = async () => 3;\n');
    renameSync(join(dir, 'index.mjs.tmp'), join(dir, 'index.mjs'));
    await until('both reports', () => counts.a === 1 && counts.b === 1);
    await sleep(150);
    assert.deepEqual(counts, { a: 1, b: 1, c: 0 });

    // One of them stops watching: the other still hears; a new one on the same directory joins the same watchers.
    watcher.unwatch('a');
    watcher.watch('c', dir, () => counts.c++);
    writeFileSync(join(dir, 'index.mjs'), 'export const handler = async () => 4;\n');
    await until('b and c', () => counts.b === 2 && counts.c === 1);
    await sleep(150);
    assert.deepEqual(counts, { a: 1, b: 2, c: 1 });
  } finally {
    watcher.close();
  }
});

test('subdirectories are watched, new ones too; editor temp files and dependency trees are not', async () => {
  const dir = codeDir();
  mkdirSync(join(dir, 'lib'));
  const watcher = new CodeWatcher(30);
  let count = 0;
  watcher.watch('fn', dir, () => count++);
  try {
    writeFileSync(join(dir, 'lib', 'util.mjs'), 'export const x = 1;\n');
    await until('the edit in lib/', () => count === 1);
    mkdirSync(join(dir, 'lib', 'deeper'));
    await until('the new directory', () => count === 2);
    writeFileSync(join(dir, 'lib', 'deeper', 'more.mjs'), 'export const y = 1;\n');
    await until('the edit in the new directory', () => count === 3);
    // vim's swap and probe files, and anything under node_modules, change nothing.
    writeFileSync(join(dir, '.index.mjs.swp'), 'x');
    writeFileSync(join(dir, '4913'), '');
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'dep.js'), 'x');
    await sleep(200);
    assert.equal(count, 3);
  } finally {
    watcher.close();
  }
});

test('a key moved to another directory, and close(): no reports from what is no longer watched', async () => {
  const first = codeDir();
  const second = codeDir();
  const watcher = new CodeWatcher(30);
  let count = 0;
  watcher.watch('fn', first, () => count++);
  watcher.watch('fn', second, () => count++);
  writeFileSync(join(first, 'index.mjs'), 'export const handler = async () => 5;\n');
  await sleep(200);
  assert.equal(count, 0, 'the old directory is no longer watched');
  writeFileSync(join(second, 'index.mjs'), 'export const handler = async () => 6;\n');
  await until('the new directory', () => count === 1);
  watcher.close();
  writeFileSync(join(second, 'index.mjs'), 'export const handler = async () => 7;\n');
  await sleep(200);
  assert.equal(count, 1);
});
