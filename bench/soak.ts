// npm run soak: the long versions of the hardening tests (test/e2e/hardening-*.test.ts, crash-consistency.test.ts),
// with figures. Loopback only, seeded. Four parts, each can be chosen with SOAK_PARTS (comma list):
//
//   kill   SIGKILL at every kill point of the control-plane workload (every SQLite statement of a round: BEGIN, each
//          write, COMMIT), restart, verify: integrity, foreign keys, every acknowledged write present as acknowledged.
//   load   mixed traffic while deploying, in rounds, for SOAK_SECONDS: requests served, 5xx, rule violations, quota
//          exactness, heap after each round.
//   faults Lambda runtimes killed mid-invocation, hanging handlers, HTTP backends that reset or hang, in a loop.
//   fuzz   garbage and assembled requests against a running server.
//
// Environment: SOAK_SECONDS (load part, default 60), SOAK_KILL_POINTS (how many kill points, default all),
// SOAK_FAULT_ROUNDS (default 20), SOAK_FUZZ_REQUESTS (default 5000), SOAK_SEED (default 20261125).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../src/server/server.js';
import type { Logger } from '../src/server/logger.js';
import { lambdaUri, rawRequest, zipOf, TEST_ROLE } from '../test/helpers/server.js';
import { deployEchoApi, rawExchange, seededRandom, settledHeap } from '../test/helpers/hardening.js';
import { runWorkload, verifyState, type Acknowledged } from '../test/helpers/crash-workload.js';
import { createScenarioFunctions, mixedLoad } from '../test/helpers/load-scenario.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PARTS = new Set((process.env['SOAK_PARTS'] ?? 'kill,load,faults,fuzz').split(','));
const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 60);
const KILL_POINTS = process.env['SOAK_KILL_POINTS'] ? Number(process.env['SOAK_KILL_POINTS']) : Infinity;
const FAULT_ROUNDS = Number(process.env['SOAK_FAULT_ROUNDS'] ?? 20);
const FUZZ_REQUESTS = Number(process.env['SOAK_FUZZ_REQUESTS'] ?? 5000);
const SEED = Number(process.env['SOAK_SEED'] ?? 20261125);

const figures: Record<string, Record<string, unknown>> = {};
let failures = 0;
function fail(part: string, message: string): void {
  failures++;
  console.error(`  ✗ ${part}: ${message}`);
}
const log = (m: string) => console.log(m);

/** Keeps only errors: a soak sends far too many requests to keep every execution log line in memory. */
function errorLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const drop = () => undefined;
  return { lines, info: drop, warn: drop, execution: drop, lambda: drop, error: (m) => void (lines.length < 1000 && lines.push(`error ${m}`)) };
}

// ---------------------------------------------------------------------------------------------------------------
// kill points

function startCrashServer(dataDir: string, killAt?: number): Promise<{ child: ChildProcess; port: number; apiId: string; lines: AsyncIterator<string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-server.ts', dataDir, '300'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(killAt ? { PREFLIGHT_KILL_AT: String(killAt) } : {}) },
    });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    lines.next().then((first) => (first.done ? reject(new Error('server exited early')) : resolve({ child, lines, ...(JSON.parse(first.value) as { port: number; apiId: string }) })), reject);
    child.once('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal})`)));
  });
}

const CODE = 'export const handler = async () => "ok";';

async function killPart(): Promise<void> {
  log('kill points: SIGKILL at every SQLite statement of a control-plane workload');
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-soak-kill-'));
  const zip = Buffer.from(zipOf({ 'index.mjs': CODE })).toString('base64');
  const acknowledged: Acknowledged[] = [];
  let survived = 0;
  let requests = 0;
  try {
    const dry = await startCrashServer(dataDir);
    requests += await runWorkload(dry.port, dry.apiId, 'dry', zip, acknowledged);
    const exited = new Promise<void>((r) => dry.child.once('exit', () => r()));
    dry.child.kill('SIGTERM');
    const total = (JSON.parse((await dry.lines.next()).value as string) as { statements: number }).statements;
    await exited;
    const points = Array.from({ length: total }, (_, i) => i + 1);
    const random = seededRandom(SEED);
    while (points.length > KILL_POINTS) points.splice(Math.floor(random() * points.length), 1);
    log(`  ${total} statements per round; ${points.length} kill points`);
    for (const [i, point] of points.entries()) {
      const s = await startCrashServer(dataDir, point);
      const ended = new Promise<string>((r) => s.child.once('exit', (code, signal) => r(String(signal ?? code))));
      requests += await runWorkload(s.port, s.apiId, `k${i}`, zip, acknowledged);
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await ended;
      try {
        verifyState(dataDir, acknowledged);
        survived++;
      } catch (e) {
        fail('kill', `kill point ${point}: ${(e as Error).message}`);
      }
      if ((i + 1) % 25 === 0) log(`  ${i + 1}/${points.length} kill points survived so far: ${survived}`);
    }
    // Bytes lost: of every acknowledged function's code, what is not on disk byte for byte after all the kills.
    let bytesLost = 0;
    for (const a of acknowledged) {
      if (a.kind !== 'function') continue;
      const text = a.codeFile && existsSync(a.codeFile) ? readFileSync(a.codeFile, 'utf8') : '';
      if (text !== CODE) bytesLost += CODE.length;
    }
    figures['kill'] = { statementsPerRound: total, killPoints: points.length, survived, requests, acknowledgedWrites: acknowledged.length, bytesLost };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// load

async function loadPart(): Promise<void> {
  log(`load: mixed traffic while deploying, ${SECONDS} s`);
  const codeDir = mkdtempSync(join(tmpdir(), 'preflight-soak-load-'));
  const server = await startServer({ port: 0, ephemeral: true, logger: errorLogger() });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    await createScenarioFunctions(server, codeDir);
    const QUOTA = 500;
    const scenario = mixedLoad(server, agent, QUOTA);
    const warm = await scenario.run(200, 1, SEED);
    const heap: number[] = [await settledHeap()];
    const rss: number[] = [process.memoryUsage().rss];
    let requests = 0;
    let deployments = 0;
    let fiveXX = 0;
    let violations = 0;
    let keyedOk = 0;
    let keyedTotal = 0;
    const deadline = Date.now() + SECONDS * 1000;
    const started = Date.now();
    for (let round = 0; Date.now() < deadline; round++) {
      const r = await scenario.run(3000, 30, SEED + round + 1);
      requests += r.requests;
      deployments += r.deployed;
      keyedOk += r.keyedOk;
      keyedTotal += r.keyedTotal;
      violations += r.violations.length;
      for (const [k, n] of r.statuses) if (/ 5\d\d$/.test(k)) fiveXX += n;
      for (const v of r.violations.slice(0, 3)) fail('load', v);
      heap.push(await settledHeap());
      rss.push(process.memoryUsage().rss);
    }
    const seconds = (Date.now() - started) / 1000;
    // The warm-up round spent part of the quota too; across all rounds exactly QUOTA keyed requests passed.
    const mb = (n: number) => Math.round(n / 1048576);
    figures['load'] = {
      requests,
      requestsPerSecond: Math.round(requests / seconds),
      deployments,
      fiveXX,
      violations,
      quota: QUOTA,
      keyedServed: warm.keyedOk + keyedOk,
      keyedRequests: warm.keyedTotal + keyedTotal,
      heapMbFirstLastMax: [mb(heap[0]!), mb(heap[heap.length - 1]!), mb(Math.max(...heap))],
      rssMbFirstLastMax: [mb(rss[0]!), mb(rss[rss.length - 1]!), mb(Math.max(...rss))],
    };
    if (fiveXX > 0) fail('load', `${fiveXX} responses were 5xx`);
    if (warm.keyedOk + keyedOk !== QUOTA && warm.keyedTotal + keyedTotal > QUOTA) fail('load', `${warm.keyedOk + keyedOk} keyed requests served for a quota of ${QUOTA}`);
    const growth = heap[heap.length - 1]! - heap[1]!;
    if (heap.length > 2 && growth > 64 * 1024 * 1024) fail('load', `heap grew by ${mb(growth)} MB after the first round`);
  } finally {
    agent.destroy();
    await server.close();
    rmSync(codeDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// faults

async function faultsPart(): Promise<void> {
  log(`faults: ${FAULT_ROUNDS} rounds of killed runtimes, hanging handlers, resetting and hanging backends`);
  const codeDir = mkdtempSync(join(tmpdir(), 'preflight-soak-faults-'));
  const server = await startServer({ port: 0, ephemeral: true, logger: errorLogger() });
  const backend = http.createServer((req, res) => {
    if (req.url === '/reset') return req.socket.destroy();
    if (req.url === '/hang') return;
    res.end('fine');
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const counts = { runtimeKills: 0, hangs: 0, resets: 0, backendHangs: 0, unexpected: 0 };
  try {
    const pidFile = join(codeDir, 'pid');
    const dir = join(codeDir, 'shell');
    mkdirSync(dir);
    copyFileSync(join(ROOT, 'test/fixtures/lambda/custom-shell/bootstrap'), join(dir, 'bootstrap'));
    chmodSync(join(dir, 'bootstrap'), 0o755);
    writeFileSync(join(dir, 'function.sh'), 'pid() { echo "$$" > "$PIDFILE"; sleep 30; printf \'{}\'; }\n');
    await server.control.functions.createFunction({ FunctionName: 'killed', Runtime: 'provided.al2023', Role: TEST_ROLE, Handler: 'function.pid', Timeout: 10, Code: { Directory: dir }, Environment: { Variables: { PIDFILE: pidFile } } });
    mkdirSync(join(codeDir, 'hang'));
    writeFileSync(join(codeDir, 'hang', 'index.mjs'), 'export const handler = async () => { setInterval(() => {}, 1000); await new Promise(() => {}); };');
    await server.control.functions.createFunction({ FunctionName: 'hang', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Timeout: 1, Code: { Directory: join(codeDir, 'hang') } });
    const { apis, deployments } = server.control;
    const api = apis.createRestApi({ name: 'faults' });
    const route = (path: string, integration: Record<string, unknown>) => {
      const r = apis.createResource(api.id, api.rootResourceId, { pathPart: path });
      apis.putMethod(api.id, r.id, 'GET', { authorizationType: 'NONE' });
      apis.putIntegration(api.id, r.id, 'GET', integration);
    };
    route('killed', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('killed') });
    route('hang', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('hang') });
    route('reset', { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backendUrl}/reset`, timeoutInMillis: 1000 });
    route('bhang', { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backendUrl}/hang`, timeoutInMillis: 1000 });
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const get = (p: string) => rawRequest(server.port, { method: 'GET', path: `/restapis/${api.id}/dev/_user_request_/${p}` });
    for (let round = 0; round < FAULT_ROUNDS; round++) {
      rmSync(pidFile, { force: true });
      const pending = get('killed');
      for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      const [killed, hang, reset, bhang] = await Promise.all([pending, get('hang'), get('reset'), get('bhang')]);
      counts.runtimeKills++;
      counts.hangs++;
      counts.resets++;
      counts.backendHangs++;
      if (killed.status !== 502 || hang.status !== 502 || reset.status !== 504 || bhang.status !== 504) {
        counts.unexpected++;
        fail('faults', `round ${round}: killed ${killed.status}, hang ${hang.status}, reset ${reset.status}, backend hang ${bhang.status}`);
      }
      if ((await rawRequest(server.port, { method: 'GET', path: '/_preflight/health' })).status !== 200) fail('faults', `round ${round}: server unhealthy`);
    }
    figures['faults'] = { ...counts, faultsInjected: counts.runtimeKills + counts.hangs + counts.resets + counts.backendHangs };
  } finally {
    backend.closeAllConnections();
    backend.close();
    await server.close();
    rmSync(codeDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// fuzz

async function fuzzPart(): Promise<void> {
  log(`fuzz: ${FUZZ_REQUESTS} garbage and assembled requests`);
  const logger = errorLogger();
  const server: RunningServer = await startServer({ port: 0, ephemeral: true, logger });
  const random = seededRandom(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const apiId = deployEchoApi(server);
  const host = `${apiId}.execute-api.localhost:${server.port}`;
  const segments = ['dev', '%', '%zz', '%2F', '..', '.', '', '%00', '%C0%AF', '~', 'x', '{id}', '_user_request_', 'restapis', '%E2%82'];
  let answered = 0;
  let fiveXX = 0;
  let closedWithout = 0;
  try {
    for (let i = 0; i < FUZZ_REQUESTS; i++) {
      let wire: Buffer;
      if (random() < 0.3) wire = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      else {
        const path = `/${Array.from({ length: Math.floor(random() * 5) }, () => pick(segments)).join('/')}`;
        const h = pick([host, `127.0.0.1:${server.port}`, 'evil.test', '']);
        const method = pick(['GET', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'BREW', 'G\tET']);
        wire = Buffer.from(`${method} ${pick(['/dev', '', `/restapis/${apiId}/dev/_user_request_`])}${path} HTTP/1.1\r\nHost: ${h}\r\n${pick(['', 'Origin: http://evil.test\r\n', 'Content-Length: 3\r\n', 'Transfer-Encoding: chunked\r\n', 'Expect: 100-continue\r\n'])}Connection: close\r\n\r\nabc`, 'latin1');
      }
      // Half-closed after the bytes: a request left incomplete ends at once instead of waiting for its timeout.
      const r = await rawExchange(server.port, wire, { waitMs: 5000, endAfterWrite: true });
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(r.text)?.[1];
      if (status === undefined) closedWithout++;
      else {
        answered++;
        if (Number(status) >= 500) {
          fiveXX++;
          fail('fuzz', `${status} for ${JSON.stringify(wire.toString('latin1').slice(0, 200))}`);
        }
      }
    }
    const unexpected = logger.lines.filter((l) => l.includes('unexpected error')).length;
    if (unexpected) fail('fuzz', `${unexpected} unexpected errors logged`);
    figures['fuzz'] = { requests: FUZZ_REQUESTS, answered, closedWithoutAnswer: closedWithout, fiveXX, unexpectedErrors: unexpected };
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const started = Date.now();
if (PARTS.has('kill')) await killPart();
if (PARTS.has('load')) await loadPart();
if (PARTS.has('faults')) await faultsPart();
if (PARTS.has('fuzz')) await fuzzPart();
log('');
log(`soak finished in ${Math.round((Date.now() - started) / 1000)} s (seed ${SEED})`);
for (const [part, f] of Object.entries(figures)) log(`  ${part.padEnd(7)} ${Object.entries(f).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('/') : String(v)}`).join('  ')}`);
console.log(JSON.stringify({ seed: SEED, figures, failures }));
log(failures === 0 ? 'soak: all checks held' : `soak: ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
