// npx tsx bench/cors.ts — speed of the CORS engine and of doctor (a benchmark, not a test).
// 1. The pure model: scenarios (request + server answers) decided per second on one core.
// 2. doctor against a local URL: an emulator REST API with Enable CORS and a MOCK method, in-process and as the CLI.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { browserRequest, simulate, type BrowserRequest, type HttpResponse } from '../src/cors/index.js';
import { parseInput } from '../src/doctor/input.js';
import { runDoctor } from '../src/doctor/live.js';
import { closeConnections } from '../src/doctor/network.js';
import { startServer } from '../src/server/server.js';
import { memoryLogger } from '../src/server/logger.js';
import { respond, sampleScenarios, type Hosts } from '../test/conformance/scenario.js';

const ORIGIN = 'http://localhost:3000';
const hosts: Hosts = { page: ORIGIN, api: 'http://api.localhost:4010', other: 'http://other.localhost:4010', port: 4010 };

interface Prepared {
  request: BrowserRequest;
  /** The server's answers in the order the model asks for them (the same every run). */
  answers: HttpResponse[];
}

function prepare(count: number): Prepared[] {
  // The conformance generator's scenarios, with every server answer computed up front so that only the model runs.
  return sampleScenarios(count, 7).map((s, i) => {
    const r = s.requests[0]!;
    const url = `${hosts.api}/s/${i}/h0`;
    const request = browserRequest({ initiator: r.initiator, url, method: r.method, headers: r.headers, body: r.body ?? undefined, credentials: r.credentials ?? 'same-origin', uploadListeners: r.uploadListeners });
    const answers: HttpResponse[] = [];
    simulate(request, (w) => {
      const a = respond(s, hosts, String(i), w);
      answers.push({ status: a.status, headers: a.headers });
      return a;
    }, { origin: ORIGIN });
    return { request, answers };
  });
}

function benchModel(): number {
  const pool = prepare(2000);
  let allowed = 0;
  const runFor = (ms: number) => {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) {
        const p = pool[(n + i) % pool.length]!;
        let k = 0;
        if (simulate(p.request, () => p.answers[k++]!, { origin: ORIGIN }).allowed) allowed++;
      }
      n += 1000;
    }
    return n;
  };
  runFor(1000); // warm-up
  const ms = 3000;
  const n = runFor(ms);
  return (n / ms) * 1000 + allowed * 0;
}

async function benchDoctor(): Promise<{ p50: number; p99: number; cli: number | null }> {
  const server = await startServer({ port: 0, ephemeral: true, logger: memoryLogger() });
  try {
    const { apis, deployments } = server.control;
    const api = apis.createRestApi({ name: 'bench' });
    const r = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    apis.putMethod(api.id, r.id, 'POST', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, r.id, 'POST', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    apis.putMethodResponse(api.id, r.id, 'POST', '200', {});
    apis.putIntegrationResponse(api.id, r.id, 'POST', '200', {});
    server.control.enableCors(api.id, r.id, {});
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const url = `${server.restApiUrl(api.id, 'dev')}/users`;
    const { input } = parseInput(url, { origin: ORIGIN, method: 'POST', header: ['Content-Type: application/json'], data: '{}' });
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const report = await runDoctor(input);
      times.push(performance.now() - t);
      if (report.verdict !== 'allowed') throw new Error(`expected allowed, got ${report.cause}`);
    }
    times.sort((a, b) => a - b);
    closeConnections();
    let cli: number | null = null;
    const bin = fileURLToPath(new URL('../bin/preflight.js', import.meta.url));
    if (existsSync(fileURLToPath(new URL('../dist/cli/doctor-command.js', import.meta.url)))) {
      // The CLI runs in a child process; this process's event loop must stay free to serve it, so time it async.
      const t = performance.now();
      await new Promise<void>((resolve) => {
        import('node:child_process').then(({ execFile }) => execFile(process.execPath, [bin, 'doctor', url, '--origin', ORIGIN, '--method', 'POST', '--header', 'Content-Type: application/json', '--data', '{}', '--json'], () => resolve()));
      });
      cli = performance.now() - t;
    }
    return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]!, cli };
  } finally {
    await server.close();
  }
}

const rate = benchModel();
console.log(`model: ${Math.round(rate).toLocaleString('en-US')} scenarios/s on one core (target ≥ 1,000,000)`);
const d = await benchDoctor();
console.log(`doctor (in-process) against a local URL: p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms (target < 100 ms)`);
if (d.cli !== null) console.log(`doctor CLI (node bin/preflight.js, process start included): ${d.cli.toFixed(0)} ms`);
