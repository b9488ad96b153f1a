// npm run bench: each scenario against a bare node:http server (the limit) and preflight, side by side in one run,
// servers in their own processes, load from this one, loopback only, bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

const DURATION = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);

interface Started {
  child: ChildProcess;
  info: { port: number; host?: string; httpHost?: string };
}

function startChild(script: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve({ child, info: JSON.parse(line) as Started['info'] }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

interface Row {
  scenario: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(url: string, method: string, headers: Record<string, string>): Promise<Omit<Row, 'scenario' | 'target'>> {
  // Warm-up: JIT, the Lambda environment pool, keep-alive sockets.
  await autocannon({ url, method: method as 'GET', headers, connections: CONNECTIONS, duration: 2 });
  const r = await autocannon({ url, method: method as 'GET', headers, connections: CONNECTIONS, duration: DURATION });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const bare = await startChild('bench/bare-server.ts');
const pf = await startChild('bench/preflight-server.ts');
const rows: Row[] = [];
try {
  const preflightHeaders = { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' };
  const scenarios = [
    { scenario: 'REST MOCK preflight (OPTIONS)', method: 'OPTIONS', headers: preflightHeaders, path: '/bench/items', host: pf.info.host! },
    { scenario: 'REST Lambda proxy GET', method: 'GET', headers: {} as Record<string, string>, path: '/bench/items', host: pf.info.host! },
    { scenario: 'REST GET + authorizer (cached)', method: 'GET', headers: { Authorization: 'bench-token' }, path: '/bench/secure', host: pf.info.host! },
    { scenario: 'REST GET + API key and plan', method: 'GET', headers: { 'x-api-key': 'bench-api-key-0123456789abcdef' }, path: '/bench/keyed', host: pf.info.host! },
    { scenario: 'HTTP API auto preflight', method: 'OPTIONS', headers: preflightHeaders, path: '/http/items', host: pf.info.httpHost! },
    { scenario: 'HTTP API Lambda 2.0 GET', method: 'GET', headers: {} as Record<string, string>, path: '/http/items', host: pf.info.httpHost! },
  ];
  // BENCH_ONLY=text runs just the scenarios whose name contains it.
  const only = process.env['BENCH_ONLY'];
  for (const s of scenarios.filter((x) => !only || x.scenario.includes(only))) {
    const b = await load(`http://127.0.0.1:${bare.info.port}${s.path}`, s.method, s.headers);
    rows.push({ scenario: s.scenario, target: 'node:http (bare)', ...b });
    const p = await load(`http://127.0.0.1:${pf.info.port}${s.path}`, s.method, { ...s.headers, Host: s.host });
    rows.push({ scenario: s.scenario, target: 'preflight', ...p });
  }
} finally {
  bare.child.kill();
  pf.child.kill();
}

console.log(`\n${CONNECTIONS} connections, ${DURATION} s per run, loopback\n`);
console.log('scenario                        target              req/s     p50 ms  p99 ms  errors  non-2xx  ratio');
for (let i = 0; i < rows.length; i += 2) {
  const base = rows[i]!;
  for (const r of [rows[i]!, rows[i + 1]!]) {
    const ratio = r === base ? '' : `${((r.rps / base.rps) * 100).toFixed(0)}%`;
    console.log(
      `${r.scenario.padEnd(32)}${r.target.padEnd(18)}${r.rps.toFixed(0).padStart(8)}${String(r.p50).padStart(10)}${String(r.p99).padStart(8)}${String(r.errors).padStart(8)}${String(r.non2xx).padStart(9)}  ${ratio}`,
    );
  }
}
// What the security gates add to a Lambda proxy request's cost (time per request), preflight against itself.
const plainRest = rows.find((r) => r.scenario === 'REST Lambda proxy GET' && r.target === 'preflight');
for (const scenario of ['REST GET + authorizer (cached)', 'REST GET + API key and plan']) {
  const gated = rows.find((r) => r.scenario === scenario && r.target === 'preflight');
  if (plainRest && gated) console.log(`${scenario}: adds ${((plainRest.rps / gated.rps - 1) * 100).toFixed(1)}% to the Lambda proxy GET's cost per request`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', JSON.stringify({ date: new Date().toISOString(), connections: CONNECTIONS, durationSeconds: DURATION, rows }, null, 2));

// The Lambda runtime's own figures (bench/lambda.ts), in a process of their own so its RSS numbers are its alone.
await new Promise((resolve) => spawn(process.execPath, ['--import', 'tsx', 'bench/lambda.ts'], { stdio: 'inherit' }).on('exit', resolve));
await import('./iac.js');
