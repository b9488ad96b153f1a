import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callApi, lambdaUri, startTestServer, rawRequest, TEST_ROLE, type TestServer } from '../helpers/server.js';

// Faults from outside the request: functions killed mid-invocation, hanging, flooding their output, forking without
// end; HTTP backends that reset or hang or never stop sending. Each ends with API Gateway's answer for it, the server
// keeps serving everyone else, and nothing is left running. Timeouts are short (1-2 s) to keep the file fast; nothing
// asserts how long anything took.

const SHELL_BOOTSTRAP = fileURLToPath(new URL('../fixtures/lambda/custom-shell/bootstrap', import.meta.url));
// Handlers for the bash custom runtime (test/fixtures/lambda/custom-shell/bootstrap): event JSON in $1, response on stdout.
const SHELL_HANDLERS = `
pid() { echo "$$" > "$PIDFILE"; sleep 30; printf '{}'; }
ok() { printf '{"statusCode":200,"body":"ok"}'; }
bomb() { if [ "$1" -gt 0 ]; then bomb $(( $1 - 1 )) & bomb $(( $1 - 1 )) & wait; else sleep 29.71; fi; }
fork_bomb() { bomb 10; printf '{"statusCode":200,"body":"survived"}'; }
flood() { head -c 104857600 /dev/zero | tr '\\0' 'x' >&2; printf '{"statusCode":200,"body":"flooded"}'; }
`;

let server: TestServer;
let codeDir: string;
let apiId: string;
const pidFile = () => join(codeDir, 'pid');

async function fn(name: string, runtime: string, handler: string, files: Record<string, string>, timeout = 2, env: Record<string, string> = {}): Promise<void> {
  const dir = join(codeDir, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  if (runtime.startsWith('provided')) {
    copyFileSync(SHELL_BOOTSTRAP, join(dir, 'bootstrap'));
    chmodSync(join(dir, 'bootstrap'), 0o755);
  }
  await server.control.functions.createFunction({ FunctionName: name, Runtime: runtime, Role: TEST_ROLE, Handler: handler, Timeout: timeout, MemorySize: 128, Code: { Directory: dir }, ...(Object.keys(env).length ? { Environment: { Variables: env } } : {}) });
}

/** A REST API with one Lambda proxy method per function, at /{function}. */
function proxyApi(functions: string[]): string {
  const { apis, deployments } = server.control;
  const api = apis.createRestApi({ name: 'faults' });
  for (const f of functions) {
    const r = apis.createResource(api.id, api.rootResourceId, { pathPart: f });
    apis.putMethod(api.id, r.id, 'ANY', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, r.id, 'ANY', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri(f) });
  }
  deployments.createDeployment(api.id, { stageName: 'dev' });
  return api.id;
}

async function healthy(): Promise<void> {
  assert.equal((await rawRequest(server.port, { method: 'GET', path: '/_preflight/health' })).status, 200);
}

/** Polls (bounded) until no process runs `pattern`: what a function started must not outlive its environment. */
async function noProcess(pattern: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    let out = '';
    try {
      out = execFileSync('pgrep', ['-f', pattern]).toString();
    } catch {
      return; // pgrep exits 1 when nothing matches
    }
    if (out.trim() === '') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`processes matching ${pattern} are still running`);
}

before(async () => {
  server = await startTestServer();
  codeDir = mkdtempSync(join(tmpdir(), 'preflight-faults-'));
  const shell = { 'function.sh': SHELL_HANDLERS };
  await fn('killed', 'provided.al2023', 'function.pid', shell, 10, { PIDFILE: join(codeDir, 'pid') });
  await fn('bomb', 'provided.al2023', 'function.fork_bomb', shell, 5);
  await fn('shflood', 'provided.al2023', 'function.flood', shell, 2);
  await fn('hang', 'nodejs20.x', 'index.handler', { 'index.mjs': 'export const handler = async () => { setInterval(() => {}, 1000); await new Promise(() => {}); };' }, 1);
  await fn('nodeflood', 'nodejs20.x', 'index.handler', { 'index.mjs': "export const handler = async () => { const chunk = 'x'.repeat(1024 * 1024); for (let i = 0; i < 100; i++) process.stdout.write(chunk); return { statusCode: 200, body: 'flooded' }; };" }, 2);
  await fn('fine', 'nodejs20.x', 'index.handler', { 'index.mjs': "export const handler = async () => ({ statusCode: 200, body: 'fine' });" }, 2);
  apiId = proxyApi(['killed', 'bomb', 'shflood', 'hang', 'nodeflood', 'fine']);
});
after(async () => {
  await server?.close();
  rmSync(codeDir, { recursive: true, force: true });
});

describe('Lambda faults, through API Gateway', () => {
  test('a runtime process killed mid-invocation: 502 Internal server error, and the next invocation gets a fresh one', async () => {
    rmSync(pidFile(), { force: true });
    const pending = callApi(server, apiId, '/dev/killed');
    for (let i = 0; i < 200 && !existsSync(pidFile()); i++) await new Promise((r) => setTimeout(r, 25));
    const pid = Number(readFileSync(pidFile(), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const r = await pending;
    // A Lambda function error behind a proxy integration (LocalStack integrations/aws.py; AGDG): 502.
    assert.equal(r.status, 502);
    assert.equal(r.body, '{"message": "Internal server error"}');
    assert.ok(server.logs.some((l) => l.includes('lambda killed') && /Runtime\.ExitError|signal: killed/.test(l)), 'the function log says how it ended');
    await healthy();
  });

  test('a handler that never resolves ends at its timeout (502), while other functions keep answering', async () => {
    const hanging = Array.from({ length: 4 }, () => callApi(server, apiId, '/dev/hang'));
    const meanwhile = await callApi(server, apiId, '/dev/fine');
    assert.equal(meanwhile.status, 200);
    for (const r of await Promise.all(hanging)) assert.equal(r.status, 502);
    assert.ok(server.logs.some((l) => l.startsWith('lambda hang') && /timed out|timeout/i.test(l)), 'the function log records the timeout');
    await healthy();
  });

  test('100 MB on stdout (a child process and a worker thread): the server stays responsive and its memory bounded', async () => {
    for (const name of ['shflood', 'nodeflood']) {
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      try {
        const flood = callApi(server, apiId, `/dev/${name}`);
        assert.equal((await callApi(server, apiId, '/dev/fine')).status, 200, 'answered during the flood');
        const r = await flood;
        assert.ok(r.status === 200 || r.status === 502, `${r.status}`);
      } finally {
        clearInterval(sampler);
      }
      // Output is slowed and cut into bounded events (src/lambda/process-output.ts); a worker thread's heap is capped
      // at the function's MemorySize (128 MB here). What the server holds is bounded by those, not by the 100 MB.
      assert.ok(peak - baseline < 256 * 1024 * 1024, `${name}: rss grew by ${Math.round((peak - baseline) / 1048576)} MB`);
      const logged = server.logs.filter((l) => l.startsWith(`lambda ${name} `)).reduce((n, l) => n + l.length, 0);
      assert.ok(logged < 100 * 1024 * 1024, `${name}: not all of the flood was kept (${logged} chars logged)`);
    }
    await noProcess('head -c 104857600');
    await healthy();
  });

  test('a fork bomb is stopped by the environment limits, leaves no process behind, and the next invocation runs', async () => {
    const r = await callApi(server, apiId, '/dev/bomb');
    assert.equal(r.status, 502, 'killed by its memory limit (the process tree counts) before it completes');
    assert.ok(server.logs.some((l) => l.includes('lambda bomb') && /Runtime\.OutOfMemory|Runtime exited/.test(l)));
    await noProcess('sleep 29.71');
    assert.equal((await callApi(server, apiId, '/dev/fine')).status, 200);
    await healthy();
  });
});

describe('HTTP integration faults', () => {
  let backend: http.Server;
  let backendUrl: string;
  const sockets = new Set<import('node:net').Socket>();

  before(async () => {
    backend = http.createServer((req, res) => {
      if (req.url === '/reset-before') return req.socket.destroy();
      if (req.url === '/reset-during') {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (req.url === '/hang') return; // never answers
      if (req.url === '/trickle') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        const t = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      if (req.url === '/endless') {
        // Sends as fast as the socket takes it, forever.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        const chunk = Buffer.alloc(1024 * 1024, 0x7a);
        const pump = () => {
          while (res.write(chunk));
        };
        res.on('drain', pump);
        pump();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('fine');
    });
    backend.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => backend.close(() => r()));
  });

  test('reset, hang, trickle and endless backends: 504s as API Gateway answers them, bounded memory, server fine', async () => {
    const { apis, deployments } = server.control;
    const api = apis.createRestApi({ name: 'http-faults' });
    for (const path of ['reset-before', 'reset-during', 'hang', 'trickle', 'endless', 'fine']) {
      const r = apis.createResource(api.id, api.rootResourceId, { pathPart: path });
      apis.putMethod(api.id, r.id, 'GET', { authorizationType: 'NONE' });
      apis.putIntegration(api.id, r.id, 'GET', { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backendUrl}/${path}`, timeoutInMillis: 1000 });
    }
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const baseline = process.memoryUsage().rss;
    const results = Object.fromEntries(
      await Promise.all(['reset-before', 'reset-during', 'hang', 'trickle', 'endless'].map(async (p) => [p, await callApi(server, api.id, `/dev/${p}`)] as const)),
    );
    // Timeouts: 504 {"message": "Endpoint request timed out"} (ks888/LambStatus#36, aws/chalice#537); a backend that
    // fails the connection: 504 {"message": "Network error communicating with endpoint"} (rest-integrations.test.ts).
    assert.equal(results['hang']!.status, 504);
    assert.equal(results['hang']!.body, '{"message": "Endpoint request timed out"}');
    assert.equal(results['trickle']!.status, 504);
    for (const p of ['reset-before', 'reset-during', 'endless']) {
      assert.equal(results[p]!.status, 504, p);
      assert.match(results[p]!.body, /^\{"message": "(Network error communicating with endpoint|Endpoint request timed out)"\}$/, p);
    }
    assert.ok(process.memoryUsage().rss - baseline < 200 * 1024 * 1024, 'an endless body is not kept');
    assert.equal((await callApi(server, api.id, '/dev/fine')).body, 'fine');
    await healthy();
  });
});
