/**
 * Asynchronous invocation (src/lambda/async-invoke.ts) and the per-function log store.
 *
 * LDG invocation-async-error-handling.md: "If the function returns an error, by default Lambda attempts to run it
 * two more times, with a one-minute wait between the first two attempts, and two minutes between the second and
 * third attempts. Function errors include errors returned by the function's code and errors returned by the
 * function's runtime, such as timeouts." and "For throttling errors (429) ... Lambda returns the event to the queue
 * and attempts to run the function again for up to 6 hours by default. The retry interval increases exponentially
 * from 1 second after the first attempt to a maximum of 5 minutes." The delays are shortened here; the defaults are
 * checked as values.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AWS_RETRY_DELAYS_MS } from '../../src/lambda/async-invoke.js';
import { FunctionLogStore } from '../../src/lambda/log-store.js';
import { LambdaRuntime } from '../../src/lambda/runtime.js';
import type { FunctionSpec } from '../../src/lambda/spec.js';

const logs = new Map<string, string[]>();
const messages: string[] = [];
const runtime = new LambdaRuntime({
  onLog: (fn, line) => {
    let lines = logs.get(fn);
    if (!lines) logs.set(fn, (lines = []));
    lines.push(line);
  },
  onMessage: (_level, m) => messages.push(m),
  asyncInvoke: { retryDelaysMs: [30, 60], throttleFirstDelayMs: 20 },
});
const dir = mkdtempSync(join(tmpdir(), 'preflight-async-'));
writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
// Attempts are counted in a file: retries may run in another environment than the first attempt.
writeFileSync(
  join(dir, 'index.js'),
  `const fs = require('node:fs');
exports.handler = async (event) => {
  const file = event.counter;
  const n = (fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0) + 1;
  fs.writeFileSync(file, String(n));
  console.log('attempt', n);
  if (n <= event.failures) throw new Error('attempt ' + n + ' failed');
  return 'done';
};`,
);
after(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

function spec(name: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    codeDirectory: dir,
    codeVersion: '1',
    timeoutSeconds: 5,
    memoryMb: 128,
    environment: {},
    region: 'us-east-1',
    ...extra,
  };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const starts = (name: string) => (logs.get(name) ?? []).filter((l) => l.startsWith('START RequestId: '));
const reports = (name: string) => (logs.get(name) ?? []).filter((l) => l.startsWith('REPORT RequestId: '));

describe('asynchronous invocation', () => {
  it("uses AWS's delays unless told otherwise: one and two minutes", () => {
    assert.deepEqual(AWS_RETRY_DELAYS_MS, [60_000, 120_000]);
  });

  it('retries a failing event twice under the same request id, then succeeds', async () => {
    const s = spec('async-ok');
    const requestId = runtime.invokeAsync(s.name, () => s, { payload: JSON.stringify({ counter: join(dir, 'ok.count'), failures: 2 }) });
    await until(() => reports('async-ok').length === 3);
    assert.deepEqual(starts('async-ok'), Array(3).fill(`START RequestId: ${requestId} Version: $LATEST`));
    assert.ok(messages.includes(`async invocation ${requestId} of async-ok failed (attempt 1 of 3); retrying in 30 ms, as Lambda does`));
    assert.ok(messages.includes(`async invocation ${requestId} of async-ok failed (attempt 2 of 3); retrying in 60 ms, as Lambda does`));
    assert.ok((logs.get('async-ok') ?? []).some((l) => l.endsWith('\tINFO\tattempt 3')));
  });

  it('gives up after the third failed attempt', async () => {
    const s = spec('async-fails');
    const requestId = runtime.invokeAsync(s.name, () => s, { payload: JSON.stringify({ counter: join(dir, 'fails.count'), failures: 99 }) });
    await until(() => messages.some((m) => m.startsWith(`async invocation ${requestId} of async-fails failed 3 times`)));
    assert.equal(starts('async-fails').length, 3);
  });

  it('retries a throttled event until it can run', async () => {
    let lookups = 0;
    const throttled = spec('async-throttled', { reservedConcurrency: 0 });
    const open = spec('async-throttled');
    const lookup = () => (++lookups <= 2 ? throttled : open);
    runtime.invokeAsync('async-throttled', lookup, { payload: JSON.stringify({ counter: join(dir, 'throttled.count'), failures: 0 }) });
    await until(() => reports('async-throttled').length === 1);
    assert.equal(lookups, 3, 'two throttled attempts, then the run');
  });

  it('drops the event when the function is deleted before a retry', async () => {
    let exists = true;
    const s = spec('async-deleted');
    const requestId = runtime.invokeAsync(s.name, () => (exists ? s : undefined), { payload: JSON.stringify({ counter: join(dir, 'deleted.count'), failures: 99 }) });
    await until(() => reports('async-deleted').length === 1);
    exists = false;
    await until(() => messages.includes(`async invocation ${requestId} of async-deleted dropped: the function no longer exists`));
  });
});

describe('function log store', () => {
  it('keeps the last N events per function, oldest first, with timestamps', () => {
    const store = new FunctionLogStore(3);
    for (const m of ['a', 'b', 'c', 'd', 'e']) store.append('f', m);
    store.append('g', 'other');
    assert.deepEqual(store.recent('f').map((e) => e.message), ['c', 'd', 'e']);
    assert.deepEqual(store.recent('f', 2).map((e) => e.message), ['d', 'e']);
    assert.ok(store.recent('f').every((e) => typeof e.timestamp === 'number' && e.timestamp > 0));
    store.clear('f');
    assert.deepEqual(store.recent('f'), []);
    assert.deepEqual(store.recent('g').map((e) => e.message), ['other']);
  });

  it('is what LambdaRuntime.recentLogs() returns', async () => {
    const s = spec('store-fn');
    const r = await runtime.invoke(s, { payload: JSON.stringify({ counter: join(dir, 'store.count'), failures: 0 }) });
    const events = runtime.recentLogs('store-fn').map((e) => e.message);
    assert.equal(events[0], `START RequestId: ${r.requestId} Version: $LATEST`);
    assert.match(events.at(-1) ?? '', new RegExp(`^REPORT RequestId: ${r.requestId}\\t`));
  });
});
