import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaUri, startTestServer, type TestServer } from '../helpers/server.js';
import { seededRandom, settledHeap } from '../helpers/hardening.js';
import { createScenarioFunctions, mixedLoad, pool, send as sendOn } from '../helpers/load-scenario.js';

// Load on loopback, bounded and seeded: mixed traffic (CORS preflights, Lambda proxy calls, authorizer refusals,
// API-key quota refusals, unknown routes) while deployments happen, and authorization under concurrency. What is
// checked: no 5xx that the scenario did not cause, no request served by a half-applied deployment, memory flat,
// authorizer decisions never handed to another token (or another stage), quotas exact. Nothing is timed.

let server: TestServer;
let codeDir: string;
const agent = new http.Agent({ keepAlive: true, maxSockets: 24 });

before(async () => {
  server = await startTestServer();
  codeDir = mkdtempSync(join(tmpdir(), 'preflight-load-'));
  await createScenarioFunctions(server, codeDir);
});
after(async () => {
  agent.destroy();
  await server?.close();
  rmSync(codeDir, { recursive: true, force: true });
});

const send = (host: string, path: string, method = 'GET', headers: Record<string, string> = {}) => sendOn(agent, server.port, host, path, method, headers);

describe('mixed traffic while deploying', () => {
  test('zero unexpected 5xx, every response from one whole deployment, quota exact, heap flat', async () => {
    const scenario = mixedLoad(server, agent, 57);
    // Warm-up (environments started, caches filled), then the heap baseline.
    const warm = await scenario.run(64, 1, 1);
    const heapBefore = await settledHeap();
    const round = await scenario.run(2400, 24, 20261125);
    const heapAfter = await settledHeap();
    assert.deepEqual([...warm.violations, ...round.violations], [], 'every response as its kind requires');
    assert.ok(round.deployed >= 10, `deployments happened during the traffic (${round.deployed})`);
    assert.ok(warm.keyedTotal + round.keyedTotal > scenario.quota, 'the quota was exceeded');
    assert.equal(warm.keyedOk + round.keyedOk, scenario.quota, 'exactly the quota was served, no more, no less');
    assert.ok(heapAfter - heapBefore < 40 * 1024 * 1024, `heap grew by ${Math.round((heapAfter - heapBefore) / 1048576)} MB`);
    assert.deepEqual(server.logs.filter((l) => l.includes('unexpected error')), []);
  });
});

describe('authorizers under concurrency', () => {
  test('REST TOKEN and REQUEST caches: 600 concurrent requests, each gets its own identity\'s decision', async () => {
    const { apis, deployments, parts } = server.control;
    const api = apis.createRestApi({ name: 'auth-stress' });
    const proxy = (path: string, authorizerId: string) => {
      const r = apis.createResource(api.id, api.rootResourceId, { pathPart: path });
      apis.putMethod(api.id, r.id, 'GET', { authorizationType: 'CUSTOM', authorizerId });
      apis.putIntegration(api.id, r.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') });
    };
    proxy('tok', parts.createAuthorizer(api.id, { name: 'tok', type: 'TOKEN', authorizerUri: lambdaUri('token-auth'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300 }).id);
    proxy('pair', parts.createAuthorizer(api.id, { name: 'pair', type: 'REQUEST', authorizerUri: lambdaUri('pair-auth'), identitySource: 'method.request.header.X-User,method.request.querystring.user', authorizerResultTtlInSeconds: 300 }).id);
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const host = `${api.id}.execute-api.localhost:${server.port}`;
    const random = seededRandom(99);
    const tasks = Array.from({ length: 600 }, (_, i) => async () => {
      const n = Math.floor(random() * 50);
      if (i % 2 === 0) {
        const token = `${random() < 0.7 ? 'allow' : 'deny'}-${n}`;
        const r = await send(host, '/dev/tok', 'GET', { Authorization: token });
        if (token.startsWith('allow')) assert.deepEqual([r.status, JSON.parse(r.body)], [200, { principal: token, token }]);
        else assert.equal(r.status, 403, token);
      } else {
        // Same header, same or different query value: the cache key holds both identity sources.
        const h = `u${n}`;
        const q = random() < 0.5 ? h : `u${n + 1}`;
        const r = await send(host, `/dev/pair?user=${q}`, 'GET', { 'X-User': h });
        if (h === q) assert.deepEqual([r.status, JSON.parse(r.body)], [200, { principal: `${h}|${q}`, token: `${h}|${q}` }]);
        else assert.equal(r.status, 403, `${h} ${q}`);
      }
    });
    await pool(tasks, 24);
  });

  test('REST: one stage\'s cached decision is never used by another stage serving a different authorizer', async () => {
    const { apis, deployments, parts } = server.control;
    const api = apis.createRestApi({ name: 'auth-stages' });
    const r = apis.createResource(api.id, api.rootResourceId, { pathPart: 'me' });
    // A policy for every method and stage ("Resource": "*"): a decision cached for dev would let the token into prod.
    const authorizerId = parts.createAuthorizer(api.id, { name: 'tok', type: 'TOKEN', authorizerUri: lambdaUri('allow-any'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300 }).id;
    apis.putMethod(api.id, r.id, 'GET', { authorizationType: 'CUSTOM', authorizerId });
    apis.putIntegration(api.id, r.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') });
    deployments.createDeployment(api.id, { stageName: 'dev' });
    // prod gets a deployment whose authorizer (same id) calls a function that denies everyone.
    parts.updateAuthorizer(api.id, authorizerId, [{ op: 'replace', path: '/authorizerUri', value: lambdaUri('deny-all') }]);
    deployments.createDeployment(api.id, { stageName: 'prod' });
    const host = `${api.id}.execute-api.localhost:${server.port}`;
    const token = { Authorization: 'allow-stage' };
    assert.equal((await send(host, '/dev/me', 'GET', token)).status, 200, 'dev: allowed, and cached');
    assert.equal((await send(host, '/prod/me', 'GET', token)).status, 403, 'prod has its own authorizer and its own cache');
    assert.equal((await send(host, '/dev/me', 'GET', token)).status, 200);
  });

  test('HTTP API Lambda authorizer (simple responses, cached): each token gets its own context', async () => {
    const h = server.control.httpApis;
    const api = h.createApi({ name: 'http-auth', protocolType: 'HTTP' });
    const integration = h.createIntegration(api.apiId, { integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:echo', payloadFormatVersion: '2.0' });
    const a = h.createAuthorizer(api.apiId, { name: 'simple', authorizerType: 'REQUEST', authorizerUri: lambdaUri('simple-auth'), identitySource: ['$request.header.Authorization'], authorizerPayloadFormatVersion: '2.0', enableSimpleResponses: true, authorizerResultTtlInSeconds: 300 });
    h.createRoute(api.apiId, { routeKey: 'GET /me', target: `integrations/${integration.integrationId}`, authorizationType: 'CUSTOM', authorizerId: a.authorizerId });
    h.createStage(api.apiId, { stageName: '$default', autoDeploy: true });
    const host = `${api.apiId}.execute-api.localhost:${server.port}`;
    const random = seededRandom(5);
    await pool(
      Array.from({ length: 300 }, () => async () => {
        const token = `${random() < 0.7 ? 'allow' : 'deny'}-${Math.floor(random() * 40)}`;
        const r = await send(host, '/me', 'GET', { Authorization: token });
        if (token.startsWith('allow')) assert.deepEqual([r.status, (JSON.parse(r.body) as { principal: string }).principal], [200, token]);
        else assert.equal(r.status, 403, token);
      }),
      24,
    );
  });
});
