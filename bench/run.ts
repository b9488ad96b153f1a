// npm run bench: each scenario against a bare node:http server (the limit on this machine), preflight, and the most
// used peer, serverless-offline, side by side in one run. Servers run in their own processes, load comes from this
// one (autocannon), loopback only, bounded in time. The machine is shared and noisy, so every scenario runs in
// several rounds with the targets interleaved (their order rotates per round), ratios are taken within a round, and
// the table shows medians with the spread across rounds. Server CPU time per request (user + system, all threads, from
// /proc) is shown too: it is far less sensitive than req/s to other processes taking the cores.
//
// Environment: BENCH_SECONDS (per run, default 3), BENCH_ROUNDS (default 5), BENCH_CONNECTIONS (default 50),
// BENCH_ONLY (scenarios whose name contains it), BENCH_PEER=0 (skip serverless-offline),
// BENCH_PARTS (comma list of load, lambda, iac, scale; default all).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

// More, shorter rounds rather than fewer, longer ones: on a shared machine the CPU time the same work takes swings
// by half from one round to the next (MOCK preflight 24, 28, 39 us per request in three rounds of one run), and a
// median of five per-round ratios is steadier than one of three.
const DURATION = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
// The first time a target sees a scenario it gets longer: serverless-offline starts a worker per concurrent
// invocation of a function it has not run yet, which takes it seconds under 50 connections.
const WARMUP_SECONDS = 1;
const FIRST_WARMUP_SECONDS = 3;
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'load,lambda,iac,scale').split(','));
const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

type TargetName = 'node:http (bare)' | 'node:http + worker' | 'node:http + worker, shared memory' | 'preflight' | 'serverless-offline';

/** The yardsticks (bench/worker-prototype*.ts) run only the scenario they were written for. */
const PROTOTYPE_SCENARIO = 'REST Lambda proxy GET';
const YARDSTICKS: TargetName[] = ['node:http + worker', 'node:http + worker, shared memory'];
const runsScenario = (t: { name: TargetName }, s: { name: string }): boolean => !YARDSTICKS.includes(t.name) || s.name === PROTOTYPE_SCENARIO;

interface Target {
  name: TargetName;
  child: ChildProcess;
  port: number;
  restHost?: string;
  httpHost?: string;
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST' | 'OPTIONS';
  path: string;
  api: 'rest' | 'http';
  headers: Record<string, string>;
  body?: Buffer;
  /** The status AWS answers with (bare and preflight); the peer's is noted where it differs. */
  status: number;
  peer: { status: number; note?: string } | { na: string };
}

const PREFLIGHT_HEADERS = { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' };
const BODY_100KB = Buffer.from(JSON.stringify({ items: 'x'.repeat(100 * 1024 - 13) }));
const SCENARIOS: Scenario[] = [
  {
    name: 'REST MOCK preflight (OPTIONS)', method: 'OPTIONS', path: '/bench/items', api: 'rest', headers: PREFLIGHT_HEADERS, status: 200,
    peer: { status: 204, note: 'no MOCK integrations: it answers every preflight itself (here from provider.httpApi.cors, 204)' },
  },
  { name: 'REST Lambda proxy GET', method: 'GET', path: '/bench/items', api: 'rest', headers: {}, status: 200, peer: { status: 200 } },
  {
    name: 'REST Lambda proxy POST 100 KB', method: 'POST', path: '/bench/items', api: 'rest', headers: { 'Content-Type': 'application/json' },
    body: BODY_100KB, status: 200, peer: { status: 200 },
  },
  {
    name: 'REST GET + authorizer (cached)', method: 'GET', path: '/bench/secure', api: 'rest', headers: { Authorization: 'bench-token' }, status: 200,
    peer: { status: 200, note: 'no authorizer cache: it runs the authorizer Lambda on every request' },
  },
  {
    name: 'REST GET + API key and plan', method: 'GET', path: '/bench/keyed', api: 'rest', headers: { 'x-api-key': 'bench-api-key-0123456789abcdef' }, status: 200,
    peer: { status: 200, note: 'checks the key only: no usage plans or throttling' },
  },
  { name: 'HTTP API auto preflight', method: 'OPTIONS', path: '/http/items', api: 'http', headers: PREFLIGHT_HEADERS, status: 204, peer: { status: 204 } },
  { name: 'HTTP API Lambda 2.0 GET', method: 'GET', path: '/http/items', api: 'http', headers: {}, status: 200, peer: { status: 200 } },
  {
    name: 'REST unknown route (403)', method: 'GET', path: '/bench/nope', api: 'rest', headers: {}, status: 403,
    peer: { status: 404, note: 'answers 404 with its route list, not AWS 403 Missing Authentication Token' },
  },
];

// ---- servers ------------------------------------------------------------------------------------------------------

/** A bench server of ours: it announces {port, ...} on descriptor 3; its stdout (logs) goes to /dev/null. */
function startOwn(script: string, name: TargetName): Promise<Target> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
      env: { ...process.env, BENCH_ANNOUNCE_FD: '3' },
      detached: true,
    });
    groups.add(child.pid!);
    const rl = createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
    rl.once('line', (line) => {
      const info = JSON.parse(line) as { port: number; host?: string; httpHost?: string };
      resolve({ name, child, port: info.port, ...(info.host ? { restHost: info.host } : {}), ...(info.httpHost ? { httpHost: info.httpHost } : {}) });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

// Targets lead their own process groups (so they can be stopped whole); they must not outlive the runner.
const groups = new Set<number>();
process.on('exit', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGCONT');
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

/** A signal to a target's whole process group (each target is spawned as the leader of its own). */
function signal(t: Target, sig: NodeJS.Signals): void {
  try {
    process.kill(-t.child.pid!, sig);
  } catch {
    // already gone
  }
}

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

/**
 * serverless-offline as its users run it (`serverless offline start`, worker threads, its own request log), with
 * the framework's telemetry, notifications and update checks off and dummy credentials so nothing looks for AWS.
 */
async function startPeer(): Promise<Target | string> {
  const bin = `${ROOT}node_modules/serverless/bin/serverless.js`;
  if (!existsSync(bin) || !existsSync(`${ROOT}node_modules/serverless-offline/package.json`)) {
    return 'not installed (npm install: serverless and serverless-offline are devDependencies)';
  }
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [bin, 'offline', 'start', '--host', '127.0.0.1', '--httpPort', String(httpPort), '--lambdaPort', String(lambdaPort)], {
    cwd: BENCH_DIR,
    stdio: 'ignore',
    detached: true,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_DEPRECATION_DISABLE: '*',
      SLS_INTERACTIVE_SETUP_DISABLE: '1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  groups.add(child.pid!);
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    const status = await probe(httpPort, { name: '', method: 'GET', path: '/http/items', api: 'http', headers: {}, status: 200, peer: { status: 200 } }).catch(() => 0);
    if (status === 200) return { name: 'serverless-offline', child, port: httpPort };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  return `did not start within 60 s (run \`cd bench && npx serverless offline start\` to see why)`;
}

function probe(port: number, s: Scenario, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: s.method, path: s.path, headers: { ...s.headers, ...(host ? { Host: host } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(s.body);
  });
}

/** utime + stime of a process, all its threads, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

// ---- load ---------------------------------------------------------------------------------------------------------

interface Run {
  scenario: string;
  target: TargetName;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Responses whose status was not the expected one. */
  wrongStatus: number;
  cpuUsPerRequest: number;
  /** Cores kept busy during the run: the server's threads, and this process generating the load. */
  serverCores: number;
  loadCores: number;
}

function hostFor(t: Target, s: Scenario): string | undefined {
  return s.api === 'rest' ? t.restHost : t.httpHost;
}

async function load(t: Target, s: Scenario, round: number, expected: number): Promise<Run> {
  const host = hostFor(t, s);
  const opts = {
    url: `http://127.0.0.1:${t.port}${s.path}`,
    method: s.method,
    headers: { ...s.headers, ...(host ? { Host: host } : {}) },
    ...(s.body ? { body: s.body } : {}),
    connections: CONNECTIONS,
  };
  // Warm-up: JIT, Lambda environments, keep-alive sockets.
  await autocannon({ ...opts, duration: round === 0 ? FIRST_WARMUP_SECONDS : WARMUP_SECONDS });
  const cpu0 = cpuSeconds(t.child.pid!);
  const own0 = process.cpuUsage();
  const r = await autocannon({ ...opts, duration: DURATION });
  const cpu = cpuSeconds(t.child.pid!) - cpu0;
  const own = process.cpuUsage(own0);
  const ok = r.statusCodeStats?.[String(expected) as `${number}`]?.count ?? 0;
  return {
    scenario: s.name,
    target: t.name,
    round,
    rps: r.requests.total / DURATION,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    wrongStatus: r.requests.total - ok,
    cpuUsPerRequest: r.requests.total ? (cpu * 1e6) / r.requests.total : NaN,
    serverCores: cpu / DURATION,
    loadCores: (own.user + own.system) / 1e6 / DURATION,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const spread = (xs: number[], f: (x: number) => string): string => (xs.length > 1 ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : '');
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const times = (x: number) => `${x.toFixed(1)}×`;

interface Summary {
  scenario: string;
  target: TargetName;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  p99Max: number;
  errors: number;
  wrongStatus: number;
  cpuUsPerRequest: number;
  serverCores: number;
  loadCores: number;
  /** Per-round req/s ratio to bare node:http: median, min, max. */
  ofBare?: { median: number; min: number; max: number };
  /** Per-round req/s ratio of preflight to serverless-offline. */
  overPeer?: { median: number; min: number; max: number };
}

async function runLoad(): Promise<void> {
  const startedLoad = loadavg()[0]!;
  const only = process.env['BENCH_ONLY'];
  const scenarios = SCENARIOS.filter((s) => !only || s.name.includes(only));
  const bare = await startOwn('bench/bare-server.ts', 'node:http (bare)');
  const prototype = scenarios.some((s) => s.name === PROTOTYPE_SCENARIO)
    ? [await startOwn('bench/worker-prototype.ts', 'node:http + worker'), await startOwn('bench/worker-prototype-shared.ts', 'node:http + worker, shared memory')]
    : [];
  const pf = await startOwn('bench/preflight-server.ts', 'preflight');
  const peer = process.env['BENCH_PEER'] === '0' ? 'skipped (BENCH_PEER=0)' : await startPeer();
  const targets: Target[] = [bare, ...prototype, pf, ...(typeof peer === 'string' ? [] : [peer])];
  const runs: Run[] = [];
  const notes: string[] = [];
  try {
    // Each target answers each scenario as expected before any load.
    for (const s of scenarios) {
      for (const t of targets) {
        if (!runsScenario(t, s)) continue;
        const expected = t.name === 'serverless-offline' ? ('status' in s.peer ? s.peer.status : 0) : s.status;
        const got = await probe(t.port, s, hostFor(t, s));
        if (got !== expected) notes.push(`${s.name}: ${t.name} answered ${got}, expected ${expected}`);
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        // Rotate the order per round, so no target always runs first (or right after a heavy one).
        const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
        for (const t of order) {
          if (t.name === 'serverless-offline' && !('status' in s.peer)) continue;
          if (!runsScenario(t, s)) continue;
          const expected = t.name === 'serverless-offline' && 'status' in s.peer ? s.peer.status : s.status;
          // The others are stopped while one is measured: serverless-offline keeps a few percent of a core busy for
          // seconds after its own load, which the next target measured paid for (up to 20% of its req/s).
          for (const o of targets) signal(o, o === t ? 'SIGCONT' : 'SIGSTOP');
          const r = await load(t, s, round, expected);
          // What the target still has in flight when the load stops finishes before it is stopped: frozen mid-way,
          // an invocation's timeout would fire on waking (its clock ran on) and cost the next run a cold start.
          await new Promise((resolve) => setTimeout(resolve, 500));
          runs.push(r);
          process.stderr.write(`round ${round + 1}/${ROUNDS} ${s.name.padEnd(32)} ${t.name.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} req/s  p99 ${r.p99} ms  ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req\n`);
        }
      }
    }
  } finally {
    for (const t of targets) {
      signal(t, 'SIGCONT');
      signal(t, 'SIGTERM');
    }
  }

  const summaries: Summary[] = [];
  for (const s of scenarios) {
    for (const t of targets) {
      const mine = runs.filter((r) => r.scenario === s.name && r.target === t.name);
      if (mine.length === 0) continue;
      const sum: Summary = {
        scenario: s.name,
        target: t.name,
        rps: median(mine.map((r) => r.rps)),
        rpsMin: Math.min(...mine.map((r) => r.rps)),
        rpsMax: Math.max(...mine.map((r) => r.rps)),
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        p99Max: Math.max(...mine.map((r) => r.p99)),
        errors: mine.reduce((a, r) => a + r.errors, 0),
        wrongStatus: mine.reduce((a, r) => a + r.wrongStatus, 0),
        cpuUsPerRequest: median(mine.map((r) => r.cpuUsPerRequest)),
        serverCores: median(mine.map((r) => r.serverCores)),
        loadCores: median(mine.map((r) => r.loadCores)),
      };
      const ratioTo = (other: TargetName): Summary['ofBare'] => {
        const xs = mine
          .map((r) => [r, runs.find((o) => o.scenario === s.name && o.target === other && o.round === r.round)] as const)
          .filter(([, o]) => o)
          .map(([r, o]) => r.rps / o!.rps);
        return xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : undefined;
      };
      if (t.name !== 'node:http (bare)') {
        const b = ratioTo('node:http (bare)');
        if (b) sum.ofBare = b;
      }
      if (t.name === 'preflight') {
        const p = ratioTo('serverless-offline');
        if (p) sum.overPeer = p;
      }
      summaries.push(sum);
    }
  }

  const lines: string[] = [];
  lines.push(`${CONNECTIONS} connections, ${DURATION} s per run (after a ${WARMUP_SECONDS} s warm-up, ${FIRST_WARMUP_SECONDS} s in the first round), ${ROUNDS} rounds, loopback; ${cpus().length} cores, Node ${process.versions.node}; load average ${startedLoad.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  lines.push('req/s: median of the rounds [min–max]; ratios: median of per-round ratios [min–max]; CPU: server CPU time per request');
  lines.push('');
  lines.push(`| scenario | target | req/s | p50 ms | p99 ms | errors | CPU µs/req | of bare | preflight ÷ peer |`);
  lines.push(`|---|---|---|---|---|---|---|---|---|`);
  for (const s of scenarios) {
    for (const t of targets) {
      const sum = summaries.find((x) => x.scenario === s.name && x.target === t.name);
      if (!runsScenario(t, s)) continue;
      if (!sum) {
        lines.push(`| ${s.name} | ${t.name} | n/a | | | | | | ${'na' in s.peer ? s.peer.na : ''} |`);
        continue;
      }
      const errors = sum.errors + sum.wrongStatus ? `${sum.errors}${sum.wrongStatus ? ` (+${sum.wrongStatus} wrong status)` : ''}` : '0';
      lines.push(
        `| ${s.name} | ${t.name} | ${sum.rps.toFixed(0)} [${spread([sum.rpsMin, sum.rpsMax], (x) => x.toFixed(0))}] | ${sum.p50} | ${sum.p99} | ${errors} | ${sum.cpuUsPerRequest.toFixed(1)} | ${
          sum.ofBare ? `${pct(sum.ofBare.median)} [${spread([sum.ofBare.min, sum.ofBare.max], pct)}]` : ''
        } | ${sum.overPeer ? `${times(sum.overPeer.median)} [${spread([sum.overPeer.min, sum.overPeer.max], times)}]` : ''} |`,
      );
    }
  }
  if (typeof peer === 'string') lines.push(`\nserverless-offline: n/a, ${peer}`);
  for (const s of scenarios) if (typeof peer !== 'string' && 'status' in s.peer && s.peer.note) lines.push(`- ${s.name}, serverless-offline: ${s.peer.note}`);
  for (const n of notes) lines.push(`- unexpected: ${n}`);
  // Whether a second data-plane process (--workers) would have a core to run on: what was busy while preflight ran.
  const busy = summaries
    .filter((x) => x.target === 'preflight')
    .map((x) => `${x.scenario} ${x.serverCores.toFixed(2)} + ${x.loadCores.toFixed(2)}`);
  lines.push(`\nCores busy while preflight was measured (its threads + the load generator, of ${cpus().length}): ${busy.join('; ')}`);

  // The issue's targets, as measured in this run.
  const pfOf = (name: string) => summaries.find((x) => x.scenario === name && x.target === 'preflight');
  const targetsMet: { target: string; value: string; met: boolean }[] = [];
  const mock = pfOf('REST MOCK preflight (OPTIONS)');
  const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (mock?.ofBare) targetsMet.push({ target: 'REST MOCK preflight ≥ 75% of bare', value: `${pct1(mock.ofBare.median)} [${spread([mock.ofBare.min, mock.ofBare.max], pct)}]`, met: mock.ofBare.median >= 0.75 });
  const get = pfOf('REST Lambda proxy GET');
  const yardsticks = YARDSTICKS.flatMap((name) => {
    const ofBare = summaries.find((x) => x.scenario === PROTOTYPE_SCENARIO && x.target === name)?.ofBare;
    return ofBare ? [`${name}: ${pct1(ofBare.median)}`] : [];
  });
  if (get?.ofBare) {
    targetsMet.push({
      target: 'REST Lambda proxy GET ≥ 50% of bare',
      value: `${pct1(get.ofBare.median)} [${spread([get.ofBare.min, get.ofBare.max], pct)}]${yardsticks.length > 0 ? ` (${yardsticks.join('; ')})` : ''}`,
      met: get.ofBare.median >= 0.5,
    });
  }
  const pfs = summaries.filter((x) => x.target === 'preflight');
  for (const x of pfs) {
    targetsMet.push({ target: `p99 < 5 ms at ${CONNECTIONS} connections: ${x.scenario}`, value: `${x.p99} ms (worst round ${x.p99Max} ms)`, met: x.p99 < 5 });
  }
  const withPeer = pfs.filter((x) => x.overPeer);
  if (withPeer.length) {
    for (const x of withPeer) {
      targetsMet.push({ target: `≥ 5× serverless-offline: ${x.scenario}`, value: `${times(x.overPeer!.median)} [${spread([x.overPeer!.min, x.overPeer!.max], times)}]`, met: x.overPeer!.median >= 5 });
    }
  }
  lines.push('');
  for (const t of targetsMet) lines.push(`- ${t.met ? 'met' : 'NOT met'}: ${t.target}: ${t.value}`);
  console.log(`\n${lines.join('\n')}`);

  mkdirSync(`${BENCH_DIR}results`, { recursive: true });
  writeFileSync(
    `${BENCH_DIR}results/latest.json`,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.versions.node,
        cores: cpus().length,
        loadAverage: { start: startedLoad, end: loadavg()[0] },
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        rounds: ROUNDS,
        peer: typeof peer === 'string' ? { available: false, why: peer } : { available: true, name: 'serverless-offline', versions: peerVersions() },
        summaries,
        targets: targetsMet,
        notes,
        runs,
        table: lines.join('\n'),
      },
      null,
      2,
    ),
  );
}

function peerVersions(): Record<string, string> {
  const v = (p: string) => (JSON.parse(readFileSync(`${ROOT}node_modules/${p}/package.json`, 'utf8')) as { version: string }).version;
  return { serverless: v('serverless'), 'serverless-offline': v('serverless-offline') };
}

function runScript(script: string): Promise<void> {
  // Each in a process of its own, so its RSS and timing figures are its alone.
  return new Promise((resolve) => spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: 'inherit' }).on('exit', () => resolve()));
}

if (PARTS.has('load')) await runLoad();
if (PARTS.has('lambda')) await runScript('bench/lambda.ts');
if (PARTS.has('iac')) await runScript('bench/iac.ts');
if (PARTS.has('scale')) await runScript('bench/scale.ts');
