// A preflight server whose state directory is a small tmpfs that the test can fill up or make read-only. Run inside
// `unshare -m` (its own mount namespace) by test/e2e/hardening-disk.test.ts, so the mount is private to it.
//
//   disk-server.ts DIR
//
// stdin commands, each answered with one JSON line on stdout: fill (write a filler file until ENOSPC), free (delete
// it), check (SQLite integrity check of DIR/state.db through a second connection), logs (what the server logged as
// errors). (A read-only remount is refused while SQLite holds its files open for writing; the read-only case is
// injected at the store instead, in the same test file.)
import { openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { startServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';

const dir = process.argv[2]!;
const logger = memoryLogger();
const server = await startServer({ port: 0, dataDir: dir, logger });
const filler = join(dir, 'filler');

function fill(): number {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch {
    // ENOSPC: the disk is full. Byte-sized writes take what is left.
    try {
      for (;;) written += writeSync(fd, Buffer.alloc(1, 1));
    } catch {
      // full to the last byte
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

const commands: Record<string, () => unknown> = {
  fill: () => ({ written: fill() }),
  free: () => rmSync(filler, { force: true }),
  check: () => {
    const db = new Database(join(dir, 'state.db'), { readonly: true, fileMustExist: true });
    try {
      return { integrity: db.pragma('integrity_check', { simple: true }) };
    } finally {
      db.close();
    }
  },
  logs: () => ({ errors: logger.lines.filter((l) => l.startsWith('error ')) }),
};

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = commands[line.trim()];
  let result: unknown;
  try {
    result = cmd ? (cmd() ?? {}) : { error: `unknown command ${line}` };
  } catch (e) {
    result = { error: String(e) };
  }
  console.log(JSON.stringify({ cmd: line.trim(), ...(result as object) }));
});
console.log(JSON.stringify({ port: server.port }));
