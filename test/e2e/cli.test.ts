import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';
import { callApi } from '../helpers/server.js';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';

const BIN = fileURLToPath(new URL('../../bin/preflight.js', import.meta.url));

function preflight(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * The CLI is a thin wrapper over the control layer working on the same state directory as a running server;
 * the server notices its writes (SQLite data_version) and serves them.
 */
test('cors enable, deploy and apis on the state a running server serves', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
  const server = await startServer({ port: 0, dataDir, logger: memoryLogger() });
  try {
    const { apis, deployments } = server.control;
    const api = apis.createRestApi({ name: 'cli' });
    const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    apis.putMethod(api.id, users.id, 'GET', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, users.id, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    apis.putMethodResponse(api.id, users.id, 'GET', '200', {});
    apis.putIntegrationResponse(api.id, users.id, 'GET', '200', { responseTemplates: { 'application/json': '[]' } });
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const preflightRequest = { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' } };
    assert.equal((await callApi(server, api.id, '/dev/users', preflightRequest)).status, 403);

    const dry = await preflight('cors', 'enable', '--api', api.id, '--resource', '/users', '--dry-run', '--data', dataDir);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /Would enable CORS on \/users/);
    assert.match(dry.stdout, /create  OPTIONS \/users method/);

    const enabled = await preflight('cors', 'enable', '--api', api.id, '--resource', '/users', '--allow-origin', 'http://localhost:3000', '--data', dataDir);
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.match(enabled.stdout, /Deploy to make it live: preflight deploy --api/);

    const status = await preflight('apis', '--json', '--data', dataDir);
    assert.equal(status.code, 0, status.stderr);
    const listed = JSON.parse(status.stdout) as { id: string; stages: { stageName: string; undeployedChanges: boolean }[] }[];
    assert.deepEqual(listed.find((a) => a.id === api.id)?.stages.map((s) => [s.stageName, s.undeployedChanges]), [['dev', true]]);
    assert.equal((await callApi(server, api.id, '/dev/users', preflightRequest)).status, 403, 'not live before a deployment');

    const deployed = await preflight('deploy', '--api', api.id, '--stage', 'dev', '--data', dataDir);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, new RegExp(`Deployed ${api.id} to stage dev`));
    // The server sees the CLI's write within its data_version check interval.
    await new Promise((r) => setTimeout(r, 100));
    const live = await callApi(server, api.id, '/dev/users', preflightRequest);
    assert.equal(live.status, 200);
    assert.equal(live.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal(live.headers['access-control-allow-methods'], 'GET,OPTIONS');
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('errors: AWS errors exit 1 with the message, usage errors exit 2', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
  try {
    const missing = await preflight('cors', 'enable', '--api', 'nope', '--resource', 'abc123', '--data', dataDir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NotFoundException: Invalid API identifier specified 000000000000:nope/);
    const usage = await preflight('cors', 'enable', '--data', dataDir);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /required option '--api <id>' not specified/);
    const badPort = await preflight('start', '--port', 'x');
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port must be a number/);
    const unknown = await preflight('frobnicate');
    assert.equal(unknown.code, 2);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('token: the built-in issuer mints a JWT that verifies against the JWKS a server on the same state serves', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
  try {
    const minted = await preflight('token', '--sub', 'alice', '--aud', 'my-app', '--scope', 'items:read', '--claim', 'team=core', '--json', '--data', dataDir);
    assert.equal(minted.code, 0, minted.stderr);
    const { token, issuer } = JSON.parse(minted.stdout) as { token: string; issuer: string };
    const server = await startServer({ port: 0, dataDir, logger: memoryLogger() });
    try {
      const res = await fetch(`${server.url}/_preflight/issuer/jwks.json`);
      const jwks = createLocalJWKSet((await res.json()) as JSONWebKeySet);
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: 'my-app' });
      assert.equal(payload.sub, 'alice');
      assert.equal(payload['scope'], 'items:read');
      assert.equal(payload['team'], 'core');
    } finally {
      await server.close();
    }
    assert.equal((await preflight('token', '--data', dataDir)).code, 2, '--sub is required');
    assert.equal((await preflight('token', '--sub', 'a', '--ttl', '-5', '--data', dataDir)).code, 2);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
