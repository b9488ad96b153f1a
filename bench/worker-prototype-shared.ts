// The yardstick again (bench/worker-prototype.ts), with the cheapest hand-off between threads we know of instead of
// postMessage: events and results as UTF-8 in two rings of shared memory, the sleeping side woken with
// Atomics.notify / Atomics.waitAsync, nothing serialized or dispatched as a message event. What it reaches is the
// most any transport between node:http and a worker thread could give on this machine; preflight keeps postMessage
// (issue 10's closing note: -7% to +13% over the postMessage yardstick in three runs, and a worker's crash, large
// payloads and log ordering would all need a second channel).
import { isMainThread, workerData } from 'node:worker_threads';
import { startModuleWorker } from '../src/util/worker.js';
import { servePrototype } from './prototype-http.js';

/**
 * One producer, one consumer. ctl: [0] write offset, [1] read offset, [2] wake counter, [3] consumer asleep.
 * A record is its UTF-8 length, an id, and the bytes, 4-aligned; a length of 0xffffffff sends the reader back to 0.
 * Sized for the bench (50 requests in flight of about 1 KB): a full ring is not handled.
 */
class Ring {
  static readonly BYTES = 4 << 20;
  private readonly ctl: Int32Array;
  private readonly bytes: Buffer;
  private readonly words: Uint32Array;
  constructor(shared: SharedArrayBuffer) {
    this.ctl = new Int32Array(shared, 0, 4);
    this.bytes = Buffer.from(shared, 64, Ring.BYTES);
    this.words = new Uint32Array(shared, 64, Ring.BYTES / 4);
  }
  static create(): SharedArrayBuffer {
    return new SharedArrayBuffer(64 + Ring.BYTES);
  }
  write(id: number, text: string): void {
    let at = this.ctl[0]!;
    if (at + 12 + text.length * 3 > Ring.BYTES) {
      this.words[at >> 2] = 0xffffffff;
      at = 0;
    }
    const n = this.bytes.write(text, at + 8);
    this.words[at >> 2] = n;
    this.words[(at >> 2) + 1] = id;
    Atomics.store(this.ctl, 0, at + 8 + ((n + 3) & ~3));
    if (Atomics.load(this.ctl, 3) === 1) {
      Atomics.add(this.ctl, 2, 1);
      Atomics.notify(this.ctl, 2);
    }
  }
  /** Reads records as they come, for ever. */
  async read(onRecord: (id: number, text: string) => void): Promise<never> {
    for (;;) {
      let at = this.ctl[1]!;
      const end = Atomics.load(this.ctl, 0);
      if (at !== end) {
        while (at !== end) {
          const n = this.words[at >> 2]!;
          if (n === 0xffffffff) {
            at = 0;
            continue;
          }
          onRecord(this.words[(at >> 2) + 1]!, this.bytes.toString('utf8', at + 8, at + 8 + n));
          at += 8 + ((n + 3) & ~3);
        }
        Atomics.store(this.ctl, 1, at);
        await null;
        continue;
      }
      Atomics.store(this.ctl, 3, 1);
      const wakes = Atomics.load(this.ctl, 2);
      if (Atomics.load(this.ctl, 0) === at) {
        const wait = Atomics.waitAsync(this.ctl, 2, wakes);
        if (wait.async) await wait.value;
      }
      Atomics.store(this.ctl, 3, 0);
    }
  }
}

const handler = async (_event: unknown) => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });

if (isMainThread) {
  const events = Ring.create();
  const results = Ring.create();
  startModuleWorker(new URL(import.meta.url), { workerData: { events, results } });
  const toWorker = new Ring(events);
  const respond = servePrototype((id, event) => toWorker.write(id, event));
  void new Ring(results).read(respond);
} else {
  const { events, results } = workerData as { events: SharedArrayBuffer; results: SharedArrayBuffer };
  const toServer = new Ring(results);
  void new Ring(events).read(async (id, event) => toServer.write(id, JSON.stringify(await handler(JSON.parse(event)))));
  setInterval(() => {}, 1 << 30); // waitAsync alone does not keep a thread's loop alive
}
