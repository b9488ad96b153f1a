// Lambda runtime benchmarks (run by `npm run bench` after the HTTP scenarios, in a process of their own so the RSS
// figures are the runtime's alone). Uses the built package (dist/), as users run it:
//  1. warm invoke overhead of a no-op Node handler: LambdaRuntime.invoke vs calling the handler in-process;
//  2. warm Python invoke (our bootstrap over the Runtime API);
//  3. cold start of a Node environment, without the user's module load (a no-op module);
//  4. extra RSS per idle Node environment.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

type RuntimeModule = typeof import('../src/lambda/runtime.js');
type Spec = import('../src/lambda/spec.js').FunctionSpec;
const { LambdaRuntime } = (await import(new URL('../dist/lambda/runtime.js', import.meta.url).href)) as RuntimeModule;

const WARM_ITERATIONS = Number(process.env['BENCH_LAMBDA_ITERATIONS'] ?? 5000);
const COLD_STARTS = 20;
const IDLE_ENVIRONMENTS = 20;

const dir = mkdtempSync(join(tmpdir(), 'preflight-bench-lambda-'));
writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
writeFileSync(join(dir, 'noop.js'), 'exports.handler = async () => null;\n');
writeFileSync(join(dir, 'slow.js'), 'exports.handler = (e) => new Promise((r) => setTimeout(r, e.ms));\n');
writeFileSync(join(dir, 'noop.py'), 'def handler(event, context):\n    return None\n');

function spec(name: string, runtime: string, handler: string, codeVersion = '1'): Spec {
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime,
    handler,
    codeDirectory: dir,
    codeVersion,
    timeoutSeconds: 30,
    memoryMb: 128,
    environment: {},
    region: 'us-east-1',
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

const runtime = new LambdaRuntime({ idleTimeoutMs: 10 * 60_000 });
const results: Record<string, number> = {};
try {
  // 1. Warm invoke overhead vs the same handler called in-process.
  const noop = spec('bench-noop', 'nodejs20.x', 'noop.handler');
  const payload = { payload: '{}' };
  await timeEach(500, () => runtime.invoke(noop, payload));
  const viaRuntime = await timeEach(WARM_ITERATIONS, () => runtime.invoke(noop, payload));
  const { handler } = (await import(pathToFileURL(join(dir, 'noop.js')).href)) as { handler: (e: unknown) => Promise<unknown> };
  await timeEach(500, () => handler(JSON.parse('{}')));
  // In-process: what a test harness calling the function directly does (parse the event, await the handler, serialize).
  const direct = await timeEach(WARM_ITERATIONS, async () => JSON.stringify((await handler(JSON.parse('{}'))) ?? null));
  results['node warm invoke p50 ms'] = percentile(viaRuntime, 50);
  results['node warm invoke p99 ms'] = percentile(viaRuntime, 99);
  results['node in-process call p50 ms'] = percentile(direct, 50);
  results['node warm invoke overhead p50 ms'] = percentile(viaRuntime, 50) - percentile(direct, 50);

  // 2. Warm Python invoke.
  const py = spec('bench-python', 'python3.12', 'noop.handler');
  await timeEach(200, () => runtime.invoke(py, payload));
  const python = await timeEach(Math.min(WARM_ITERATIONS, 2000), () => runtime.invoke(py, payload));
  results['python warm invoke p50 ms'] = percentile(python, 50);
  results['python warm invoke p99 ms'] = percentile(python, 99);

  // 3. Cold start of a Node environment: a new code version each time sends the invocation to a fresh one.
  // The previous environment is stopped first, so no start competes with a shutdown.
  const cold: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const r = await runtime.invoke(spec('bench-cold', 'nodejs20.x', 'noop.handler', `cold-${i}`), payload);
    cold.push(r.initDurationMs ?? NaN);
    await runtime.retire('bench-cold');
  }
  cold.sort((a, b) => a - b);
  results['node cold start p50 ms'] = percentile(cold, 50);
  results['node cold start p90 ms'] = percentile(cold, 90);
  const pyCold: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await runtime.invoke(spec('bench-python-cold', 'python3.12', 'noop.handler', `cold-${i}`), payload);
    pyCold.push(r.initDurationMs ?? NaN);
    await runtime.retire('bench-python-cold');
  }
  pyCold.sort((a, b) => a - b);
  results['python cold start p50 ms'] = percentile(pyCold, 50);
  // The floor: a bare worker thread that starts and says so, with nothing of ours in it.
  const bare: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const t = performance.now();
    const w = new Worker('require("node:worker_threads").parentPort.postMessage(0)', { eval: true });
    await new Promise((r) => w.once('message', r));
    bare.push(performance.now() - t);
    await w.terminate();
  }
  bare.sort((a, b) => a - b);
  results['bare worker thread start p50 ms'] = percentile(bare, 50);

  // 4. Extra RSS per idle Node environment: N environments started at once, measured once all are idle.
  const many = new LambdaRuntime({ eagerEnvironments: IDLE_ENVIRONMENTS, maxEnvironmentsPerFunction: IDLE_ENVIRONMENTS, idleTimeoutMs: 10 * 60_000 });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const before = process.memoryUsage().rss;
    const slow = spec('bench-idle', 'nodejs20.x', 'slow.handler');
    await Promise.all(Array.from({ length: IDLE_ENVIRONMENTS }, () => many.invoke(slow, { payload: '{"ms":300}' })));
    const stats = many.stats('bench-idle');
    await new Promise((r) => setTimeout(r, 1000));
    const after = process.memoryUsage().rss;
    results['idle node environments'] = stats.environments;
    results['extra RSS per idle node environment MB'] = (after - before) / stats.environments / 1024 / 1024;
  } finally {
    await many.close();
  }
} finally {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log('\nLambda runtime (built package, loopback, sequential invocations)\n');
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(44)}${v.toFixed(3).padStart(10)}`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/lambda-latest.json', JSON.stringify({ date: new Date().toISOString(), iterations: WARM_ITERATIONS, results }, null, 2));
