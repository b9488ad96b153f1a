// npm run bench (after the load scenarios): how preflight scales, from the built package (dist/), as users run it.
//  1. routing cost for a REST API of 10 / 1,000 / 10,000 resources (a compiled trie: it must stay flat);
//  2. deployment time of 1,000 resources (CreateDeployment, then the first request, which compiles the deployment);
//  3. startup to first served request: `preflight start --ephemeral template.yaml` with a 200-function SAM template
//     (the shape bench/iac.ts loads in-process), until a route answers 200 through a cold Lambda environment;
//  4. RSS idle, after warm-up and after a soak of 1,000,000 requests (bounded: BENCH_SOAK_REQUESTS, at most
//     BENCH_SOAK_SECONDS), a mix of REST MOCK, REST Lambda proxy, unknown route and HTTP API Lambda requests.
// Cold start and RSS per Lambda environment are bench/lambda.ts's (run before this one by npm run bench).
// Writes bench/results/scale-latest.json.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

type ServerModule = typeof import('../src/server/server.js');
type CompileModule = typeof import('../src/gateway/rest/compile.js');
const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;
const { startServer } = (await import(dist('server/server.js'))) as ServerModule;
const { compileApi, matchRoute } = (await import(dist('gateway/rest/compile.js'))) as CompileModule;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const SOAK_REQUESTS = Number(process.env['BENCH_SOAK_REQUESTS'] ?? 1_000_000);
const SOAK_SECONDS = Number(process.env['BENCH_SOAK_SECONDS'] ?? 240);
const quiet = { info() {}, warn() {}, error: (m: string) => console.error(m), execution() {}, lambda() {} };
const results: Record<string, unknown> = {};
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

// ---- 1 and 2: routing and deployment ------------------------------------------------------------------------------

/** An API of `n` resources: n/2 literal parents /r{i}, each with a {id} child, each child with a MOCK GET. */
async function buildApi(n: number): Promise<{ server: Awaited<ReturnType<ServerModule['startServer']>>; apiId: string; createMs: number }> {
  const server = await startServer({ port: 0, ephemeral: true, logger: quiet });
  const { apis } = server.control;
  const t0 = performance.now();
  const api = apis.createRestApi({ name: `scale-${n}` });
  for (let i = 0; i < n / 2; i++) {
    const parent = apis.createResource(api.id, api.rootResourceId, { pathPart: `r${i}` });
    const child = apis.createResource(api.id, parent.id, { pathPart: '{id}' });
    apis.putMethod(api.id, child.id, 'GET', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, child.id, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    apis.putMethodResponse(api.id, child.id, 'GET', '200', {});
    apis.putIntegrationResponse(api.id, child.id, 'GET', '200', { selectionPattern: '' });
  }
  return { server, apiId: api.id, createMs: performance.now() - t0 };
}

/** ns per call of fn, the best of `batches` batches (the least disturbed by other processes). */
function nsPerCall(fn: (i: number) => unknown, calls: number, batches = 7): number {
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn(i);
    best = Math.min(best, ((performance.now() - t0) * 1e6) / calls);
  }
  return best;
}

async function routing(): Promise<void> {
  const sizes = [10, 1_000, 10_000];
  const routing: Record<string, { resources: number; matchNs: number; matchAllNs: number; requestUs: number }> = {};
  const built: { n: number; server: Awaited<ReturnType<ServerModule['startServer']>>; apiId: string; routes: ReturnType<CompileModule['compileApi']>['routes'] }[] = [];
  for (const n of sizes) {
    const { server, apiId, createMs } = await buildApi(n);
    const t0 = performance.now();
    server.control.deployments.createDeployment(apiId, { stageName: 'bench' });
    const deployMs = performance.now() - t0;
    const host = `${apiId}.execute-api.localhost:${server.port}`;
    const req = (path: string) => ({ method: 'GET', path, rawQuery: '', rawHeaders: ['Host', host, 'Content-Type', 'application/json'], body: Buffer.alloc(0), sourceIp: '127.0.0.1', host, port: server.port, receivedAt: Date.now(), urlPath: path });
    const t1 = performance.now();
    const first = await server.dataPlane.handle(apiId, '/bench/r3/x', req('/bench/r3/x'));
    const firstMs = performance.now() - t1;
    if (first.status !== 200) throw new Error(`scale API of ${n} answered ${first.status}`);
    if (n === 1_000) {
      results['deployment of 1,000 resources'] = { createResourcesMs: createMs, createDeploymentMs: deployMs, firstRequestCompileMs: firstMs };
      say(`deployment, 1,000 resources: CreateDeployment ${deployMs.toFixed(0)} ms, first request (compiles the deployment) ${firstMs.toFixed(0)} ms; creating them through the control layer took ${createMs.toFixed(0)} ms`);
    }
    const snapshot = server.control.deployments.loadSnapshot(apiId, server.control.deployments.findStage(apiId, 'bench')!.deploymentId)!.snapshot;
    built.push({ n, server, apiId, routes: compileApi(snapshot, 'x').routes });
  }
  // The same ten paths in every API (they exist in all sizes): the cost of routing itself, sizes interleaved.
  const paths = Array.from({ length: 10 }, (_, i) => `/r${i % 5}/item-${i}`);
  // Seven rounds, best of each: a difference of 10% is about 13 ns here, the size of the machine's noise per round.
  for (let round = 0; round < 7; round++) {
    for (const b of built) {
      const matchNs = nsPerCall((i) => matchRoute(b.routes, paths[i % 10]!, 'GET'), 400_000);
      // Every resource of the API in turn: adds the memory traffic of a large tree.
      const all = Array.from({ length: b.n / 2 }, (_, i) => `/r${i}/item`);
      const matchAllNs = nsPerCall((i) => matchRoute(b.routes, all[i % all.length]!, 'GET'), 200_000);
      const host = `${b.apiId}.execute-api.localhost:${b.server.port}`;
      const reqs = paths.map((p) => ({ method: 'GET', path: `/bench${p}`, rawQuery: '', rawHeaders: ['Host', host, 'Content-Type', 'application/json'], body: Buffer.alloc(0), sourceIp: '127.0.0.1', host, port: b.server.port, receivedAt: Date.now(), urlPath: `/bench${p}` }));
      let best = Infinity;
      for (let k = 0; k < 5; k++) {
        const t0 = performance.now();
        for (let i = 0; i < 20_000; i++) await b.server.dataPlane.handle(b.apiId, `/bench${paths[i % 10]}`, reqs[i % 10]!);
        best = Math.min(best, ((performance.now() - t0) * 1000) / 20_000);
      }
      const prev = routing[String(b.n)];
      // Best of the rounds, as for each batch: the figure least disturbed by the rest of the machine.
      routing[String(b.n)] = {
        resources: b.n,
        matchNs: Math.min(prev?.matchNs ?? Infinity, matchNs),
        matchAllNs: Math.min(prev?.matchAllNs ?? Infinity, matchAllNs),
        requestUs: Math.min(prev?.requestUs ?? Infinity, best),
      };
    }
  }
  for (const b of built) await b.server.close();
  results['routing'] = routing;
  for (const r of Object.values(routing)) {
    say(`routing, ${String(r.resources).padStart(6)} resources: match ${r.matchNs.toFixed(0)} ns (same 10 paths), ${r.matchAllNs.toFixed(0)} ns (cycling through all resources); whole MOCK request in-process ${r.requestUs.toFixed(2)} µs`);
  }
  const small = routing['10']!;
  const large = routing['10000']!;
  const ratio = large.matchNs / small.matchNs;
  results['routing 10,000 vs 10'] = ratio;
  say(`routing: 10,000 resources cost ${((ratio - 1) * 100).toFixed(0)}% more than 10 per match (target within 10%): ${ratio <= 1.1 ? 'met' : 'NOT met'}`);
}

// ---- 3: startup to first served request ---------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startup(): Promise<void> {
  const FUNCTIONS = 200;
  const ROUTES = 500;
  const dir = mkdtempSync(join(tmpdir(), 'pf-bench-scale-'));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'index.mjs'), 'export const handler = async () => ({ statusCode: 200, body: "ok" });\n');
    const t = ['Transform: AWS::Serverless-2016-10-31', 'Resources:', '  Api:', '    Type: AWS::Serverless::Api', '    Properties:', '      StageName: dev'];
    for (let f = 0; f < FUNCTIONS; f++) {
      t.push(`  Fn${f}:`, '    Type: AWS::Serverless::Function', '    Properties:', '      Runtime: nodejs20.x', '      Handler: index.handler', '      CodeUri: src/', '      Events:');
      for (let r = f; r < ROUTES; r += FUNCTIONS) t.push(`        E${r}: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/r${r}/{id}", Method: get}}`);
    }
    writeFileSync(join(dir, 'template.yaml'), t.join('\n'));
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const started = performance.now();
      const child = spawn(process.execPath, [join(ROOT, 'bin/preflight.js'), 'start', '--ephemeral', '--port', String(port), join(dir, 'template.yaml')], {
        cwd: dir,
        stdio: 'ignore',
      });
      try {
        let apiId: string | undefined;
        const deadline = started + 60_000;
        for (;;) {
          if (performance.now() > deadline) throw new Error('preflight start did not serve within 60 s');
          try {
            if (!apiId) {
              const list = (await (await fetch(`http://127.0.0.1:${port}/restapis`)).json()) as { item?: { id: string }[] };
              apiId = list.item?.[0]?.id;
            }
            if (apiId) {
              const r = await fetch(`http://127.0.0.1:${port}/restapis/${apiId}/dev/_user_request_/r7/x`);
              if (r.status === 200 && (await r.text()) === 'ok') break;
            }
          } catch {
            // Not listening yet.
          }
          await new Promise((r) => setTimeout(r, 10));
        }
        samples.push(performance.now() - started);
      } finally {
        child.kill('SIGINT');
        await new Promise((r) => child.once('exit', r));
      }
    }
    samples.sort((a, b) => a - b);
    results['startup to first served request, 200-function template'] = { samplesMs: samples, medianMs: samples[1] };
    say(`startup: \`preflight start --ephemeral\` with a ${FUNCTIONS}-function, ${ROUTES}-route SAM template, to the first 200 through a cold Lambda: median ${samples[1]!.toFixed(0)} ms (${samples.map((s) => s.toFixed(0)).join(', ')})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 4: memory under a soak --------------------------------------------------------------------------------------

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Threads of the server process: the main thread, V8's and libuv's, and one per Lambda environment. */
function threads(pid: number): number {
  const m = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function soak(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/preflight-server.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    env: { ...process.env, BENCH_ANNOUNCE_FD: '3' },
  });
  const info = await new Promise<{ port: number; host: string; httpHost: string }>((resolve, reject) => {
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).once('line', (l) => resolve(JSON.parse(l) as { port: number; host: string; httpHost: string }));
    child.once('exit', (code) => reject(new Error(`bench/preflight-server.ts exited with ${code}`)));
  });
  try {
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMb(pid);
    const requests: autocannon.Request[] = [
      { method: 'OPTIONS', path: '/bench/items', headers: { Host: info.host, Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' } },
      { method: 'GET', path: '/bench/items', headers: { Host: info.host } },
      { method: 'GET', path: '/bench/nope', headers: { Host: info.host } },
      { method: 'GET', path: '/http/items', headers: { Host: info.httpHost } },
    ];
    const run = (amount: number, seconds: number) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        const inst = autocannon({ url: `http://127.0.0.1:${info.port}`, requests, connections: 50, amount }, (err, r) => (err ? reject(err) : resolve(r)));
        // Bounded in time whatever the machine's speed: stop early, and report how far it got.
        const timer = setTimeout(() => inst.stop(), seconds * 1000);
        inst.on('done', () => clearTimeout(timer));
      });
    const warm = await run(100_000, 60);
    await new Promise((r) => setTimeout(r, 2000));
    const afterWarmup = rssMb(pid);
    const threadsAfterWarmup = threads(pid);
    const t0 = performance.now();
    // RSS through the soak, every second. The heap's sawtooth swings a single reading by 10-20% (an idle reading after
    // the warm-up landed low and one after the soak high, or the other way round, from run to run), so growth is
    // measured under load at both ends: the median of the soak's first quarter against that of its last quarter.
    // A leak climbs all along; a heap at its working size does not.
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(pid)), 1000);
    const r = await run(SOAK_REQUESTS, SOAK_SECONDS);
    clearInterval(sampler);
    const soakSeconds = (performance.now() - t0) / 1000;
    await new Promise((res) => setTimeout(res, 2000));
    const afterSoak = rssMb(pid);
    const threadsAfterSoak = threads(pid);
    const quarter = Math.max(1, samples.length >> 2);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
    const early = med(samples.slice(0, quarter));
    const late = med(samples.slice(-quarter));
    const growth = late / early - 1;
    const errors = r.errors + r.timeouts + r.non2xx - (r.statusCodeStats?.['403']?.count ?? 0);
    results['memory'] = {
      idleMb: idle, afterWarmupMb: afterWarmup, warmupRequests: warm.requests.total, afterSoakMb: afterSoak, soakRequests: r.requests.total, soakSeconds,
      soakFirstQuarterMedianMb: early, soakLastQuarterMedianMb: late, growth,
      unexpectedResponses: errors, rssDuringSoakMb: samples.map((x) => Math.round(x)), threadsAfterWarmup, threadsAfterSoak,
    };
    say(`memory: RSS each second of the soak (MB): ${samples.map((x) => x.toFixed(0)).join(' ')}; threads ${threadsAfterWarmup} after warm-up, ${threadsAfterSoak} after the soak`);
    say(`memory: RSS idle ${idle.toFixed(0)} MB, ${afterWarmup.toFixed(0)} MB idle after ${warm.requests.total.toLocaleString('en-US')} warm-up requests and ${afterSoak.toFixed(0)} MB idle after a soak of ${r.requests.total.toLocaleString('en-US')} more (${soakSeconds.toFixed(0)} s, ${(r.requests.total / soakSeconds).toFixed(0)} req/s, ${errors} unexpected responses); under load ${early.toFixed(0)} MB at the start of the soak, ${late.toFixed(0)} MB at its end: ${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}% (target within 10%): ${Math.abs(growth) <= 0.1 ? 'met' : 'NOT met'}`);
  } finally {
    child.kill();
  }
}

const only = process.env['BENCH_SCALE_ONLY'];
console.log('\nScale (built package)\n');
if (!only || only.includes('routing')) await routing();
if (!only || only.includes('startup')) await startup();
if (!only || only.includes('soak')) await soak();
const lambdaFile = `${BENCH_DIR}results/lambda-latest.json`;
if (existsSync(lambdaFile)) {
  const l = JSON.parse(readFileSync(lambdaFile, 'utf8')) as { results: Record<string, number> };
  const pick = ['node cold start p50 ms', 'python cold start p50 ms', 'extra RSS per idle node environment MB'];
  results['environments (bench/lambda.ts)'] = Object.fromEntries(pick.map((k) => [k, l.results[k]]));
  say(`environments (bench/lambda.ts): Node cold start p50 ${l.results['node cold start p50 ms']?.toFixed(1)} ms, Python ${l.results['python cold start p50 ms']?.toFixed(1)} ms, RSS per idle Node environment ${l.results['extra RSS per idle node environment MB']?.toFixed(1)} MB`);
}
mkdirSync(`${BENCH_DIR}results`, { recursive: true });
writeFileSync(`${BENCH_DIR}results/scale-latest.json`, JSON.stringify({ date: new Date().toISOString(), results, summary: lines }, null, 2));
