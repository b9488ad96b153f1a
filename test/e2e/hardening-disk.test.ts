import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawRequest, zipOf, TEST_ROLE } from '../helpers/server.js';
import { startServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';

// The disk under the state directory fills up or turns read-only while the user deploys: the control plane answers
// with a clear AWS-shaped error naming the cause (never a stack trace), SQLite's transaction leaves the previous state
// exactly as it was (the stage keeps serving the previous deployment), and once the disk is fixed the same request
// succeeds. Two ways: a real 32 MB tmpfs filled to the last byte (inside `unshare -m`, when this machine allows it),
// and SQLite's own failure modes injected at the store (max_page_count → SQLITE_FULL, query_only → SQLITE_READONLY).

type Json = Record<string, unknown>;

async function call(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json; text: string; type: string | undefined }> {
  const r = await rawRequest(port, { method, path, headers: { 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  let json: Json = {};
  try {
    json = JSON.parse(r.body) as Json;
  } catch {
    // not JSON (the data plane's MOCK text)
  }
  return { status: r.status, json, text: r.body, type: r.headers['x-amzn-errortype'] as string | undefined };
}

/** A REST API whose GET / answers `text`, with 200 resources so that a deployment needs fresh pages; deployed to dev. */
async function setUpApi(port: number, text: string): Promise<{ apiId: string; setText: (t: string) => Promise<void> }> {
  const api = await call(port, 'POST', '/restapis', { name: 'disk' });
  const apiId = api.json['id'] as string;
  const root = ((await call(port, 'GET', `/restapis/${apiId}/resources`)).json['item'] as { id: string }[])[0]!.id;
  for (let i = 0; i < 200; i++) assert.equal((await call(port, 'POST', `/restapis/${apiId}/resources/${root}`, { pathPart: `r${i}-${'x'.repeat(200)}` })).status, 201);
  const m = `/restapis/${apiId}/resources/${root}/methods/GET`;
  await call(port, 'PUT', m, { authorizationType: 'NONE' });
  await call(port, 'PUT', `${m}/integration`, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
  await call(port, 'PUT', `${m}/responses/200`, {});
  const setText = async (t: string) => {
    assert.equal((await call(port, 'PUT', `${m}/integration/responses/200`, { responseTemplates: { 'application/json': t } })).status, 201);
  };
  await setText(text);
  assert.equal((await call(port, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' })).status, 201);
  return { apiId, setText };
}

async function served(port: number, apiId: string): Promise<string> {
  return (await call(port, 'GET', `/restapis/${apiId}/dev/_user_request_/`)).text;
}

function unshareWorks(): boolean {
  if (process.platform !== 'linux') return false;
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d" && rmdir "$d"'], { stdio: 'ignore' });
  return r.status === 0;
}

test('a real disk that fills up while deploying: clear error, previous deployment still served, works once space is freed', { skip: unshareWorks() ? false : 'needs `unshare -m` and tmpfs mounts (root in a Linux container)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-disk-'));
  let child: ChildProcess | undefined;
  try {
    child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=32m tmpfs "$0" && exec "$1" --import tsx test/helpers/disk-server.ts "$0"', dir, process.execPath], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as Json;
    const command = async (c: string) => {
      child!.stdin!.write(`${c}\n`);
      return next();
    };
    const { port } = (await next()) as { port: number };
    const { apiId, setText } = await setUpApi(port, 'v1');
    assert.equal(await served(port, apiId), 'v1');
    await setText('v2');
    const before = (await call(port, 'GET', `/restapis/${apiId}/stages/dev`)).json['deploymentId'];

    const filled = await command('fill');
    assert.ok((filled['written'] as number) > 1_000_000, 'the disk was filled');
    const deploy = await call(port, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' });
    assert.equal(deploy.status, 503);
    assert.equal(deploy.type, 'ServiceUnavailableException');
    assert.match(deploy.json['message'] as string, /^preflight could not save this change: (the disk holding its state is full|the disk reported an I\/O error) \(SQLITE_[A-Z_]+, .*state\.db\)\. Nothing was changed; fix the disk and retry\.$/);
    assert.equal(await served(port, apiId), 'v1', 'the stage still serves the previous deployment');
    assert.equal((await call(port, 'GET', `/restapis/${apiId}/stages/dev`)).json['deploymentId'], before);
    // A function upload on a full disk: its code cannot be unpacked; nothing of it is kept.
    const fn = await call(port, 'POST', '/2015-03-31/functions', { FunctionName: 'full', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zipOf({ 'index.mjs': `export const handler = async () => '${'y'.repeat(100_000)}';` })).toString('base64') } });
    assert.ok(fn.status >= 500 && fn.status < 600, `${fn.status} ${fn.text}`);
    assert.match(fn.text, /could not save this change|disk/i);
    assert.equal((await call(port, 'GET', '/2015-03-31/functions/full')).status, 404);
    assert.equal((await call(port, 'GET', '/_preflight/health')).status, 200, 'the server is still up');

    await command('free');
    const retry = await call(port, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' });
    assert.equal(retry.status, 201);
    assert.equal(await served(port, apiId), 'v2');
    assert.deepEqual(await command('check'), { cmd: 'check', integrity: 'ok' });
    const logs = (await command('logs'))['errors'] as string[];
    assert.ok(logs.every((l) => !l.includes('unexpected error')), logs.join('\n'));
  } finally {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SQLite full or read-only at the store: 503 with the cause, nothing changed, and the write succeeds afterwards', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-store-fault-'));
  const logger = memoryLogger();
  const server = await startServer({ port: 0, dataDir, logger });
  try {
    const { apiId, setText } = await setUpApi(server.port, 'v1');
    await setText('v2');
    const db = server.control.store.db;
    const before = (await call(server.port, 'GET', `/restapis/${apiId}/stages/dev`)).json['deploymentId'];
    const deployments = () => (db.prepare('SELECT count(*) AS n FROM deployments').get() as { n: number }).n;
    const count = deployments();

    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const full = await call(server.port, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' });
    assert.equal(full.status, 503);
    assert.match(full.json['message'] as string, /the disk holding its state is full \(SQLITE_FULL, /);
    db.pragma('max_page_count = 1073741823');

    db.pragma('query_only = 1');
    const readOnly = await call(server.port, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' });
    assert.equal(readOnly.status, 503);
    assert.match(readOnly.json['message'] as string, /its state directory is read-only \(SQLITE_READONLY/);
    const lambda = await call(server.port, 'PUT', '/2015-03-31/functions/none/concurrency', { ReservedConcurrentExecutions: 1 });
    assert.ok(lambda.status === 404 || lambda.status === 500, 'Lambda paths answer in their own shape');
    db.pragma('query_only = 0');

    assert.equal(deployments(), count, 'no deployment row was written');
    assert.equal((await call(server.port, 'GET', `/restapis/${apiId}/stages/dev`)).json['deploymentId'], before);
    assert.equal(await served(server.port, apiId), 'v1');
    assert.equal((await call(server.port, 'POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' })).status, 201);
    assert.equal(await served(server.port, apiId), 'v2');
    assert.ok(logger.lines.some((l) => l.startsWith('error POST') && l.includes('SQLITE_FULL')), 'the server log names the cause');
    assert.ok(!logger.lines.some((l) => l.includes('unexpected error')));
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
