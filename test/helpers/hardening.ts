// Shared pieces of the hardening tests: raw sockets (for what http.request refuses to send), a deployed catch-all
// API, and a seeded random source so every run of a "random" test is the same run.
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { RunningServer } from '../../src/server/server.js';

export interface RawExchange {
  /** Everything the server sent, as latin1 (bytes preserved). */
  text: string;
  /** Whether the server closed the connection (as opposed to our timeout ending the wait). */
  closedByServer: boolean;
}

/**
 * Writes bytes to the server and collects what comes back until the server closes the connection or `waitMs` passes
 * (then we close). `chunks` are written one after the other with `gapMs` between them (slow clients).
 */
export function rawExchange(port: number, chunks: (string | Buffer)[] | string | Buffer, options: { waitMs?: number; gapMs?: number; endAfterWrite?: boolean } = {}): Promise<RawExchange> {
  const list = Array.isArray(chunks) ? chunks : [chunks];
  const waitMs = options.waitMs ?? 2000;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(received).toString('latin1'), closedByServer });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (let i = 0; i < list.length; i++) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(list[i]!);
      }
      if (options.endAfterWrite) socket.end();
    });
  });
}

/** Status codes of every response in a raw exchange, in order (pipelined responses included). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

/**
 * A REST API with a MOCK `ANY /{proxy+}` that answers 200 with the path it saw, and `ANY /` likewise, deployed to
 * stage `dev`. Returns the API id.
 */
export function deployEchoApi(server: RunningServer, name = 'echo'): string {
  const { apis, deployments } = server.control;
  const api = apis.createRestApi({ name });
  const proxy = apis.createResource(api.id, api.rootResourceId, { pathPart: '{proxy+}' });
  for (const resourceId of [api.rootResourceId, proxy.id]) {
    apis.putMethod(api.id, resourceId, 'ANY', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, resourceId, 'ANY', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    apis.putMethodResponse(api.id, resourceId, 'ANY', '200', {});
    apis.putIntegrationResponse(api.id, resourceId, 'ANY', '200', { responseTemplates: { 'application/json': '{"path":"$util.escapeJavaScript($context.path)"}' } });
  }
  deployments.createDeployment(api.id, { stageName: 'dev' });
  return api.id;
}

/** mulberry32: a small seeded generator, so a failing "random" run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Forces a full garbage collection (when available) and returns the heap in use, for "memory stays flat" checks. */
export async function settledHeap(): Promise<number> {
  // The test runner does not pass --expose-gc; the flag can still be turned on and gc() taken from a fresh context.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}
