import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { consoleRoot } from '../../src/server/console-static.js';
import { lambdaUri, putMockMethod, rawRequest, startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/seed/${name}`, import.meta.url));

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

const host = () => `127.0.0.1:${server.port}`;
const get = (path: string, headers: Record<string, string> = {}) => rawRequest(server.port, { method: 'GET', path, headers: { Host: host(), ...headers } });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(server.port, { method: 'POST', path, headers: { Host: host(), 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

function seedApi() {
  const { apis } = server.control;
  const api = apis.createRestApi({ name: 'console-e2e' });
  const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
  putMockMethod(server.control, api.id, users.id, 'GET', '{"users":[]}');
  return { api, users };
}

test('the console is served from dist/console with content types, SPA fallback and cache headers', { skip: consoleRoot() ? false : 'console not built (npm run build)' }, async () => {
  const index = await get('/_preflight/console/');
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(String(index.headers['content-security-policy']), /frame-ancestors 'none'/);
  const script = /src="(\/_preflight\/console\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
  assert.ok(script, 'index.html loads the bundle from /_preflight/console/assets/');
  const js = await get(script);
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  // Client-side routes get the app; missing files do not.
  const route = await get('/_preflight/console/apis/rest/abc123?tab=stages');
  assert.equal(route.status, 200);
  assert.equal(route.body, index.body);
  assert.equal((await get('/_preflight/console/assets/missing.js')).status, 404);
  assert.equal((await get('/_preflight/console/missing.css')).status, 404);
  // A route whose last segment has dots (a custom domain's page) is the app, not a missing file.
  const deepLink = await get('/_preflight/console/domains/api.myapp.localhost');
  assert.equal(deepLink.status, 200);
  assert.match(deepLink.headers['content-type'] ?? '', /^text\/html/);
  assert.equal((await get('/_preflight/console/../../package.json')).status, 404);
  const bare = await get('/_preflight/console');
  assert.equal(bare.status, 308);
  assert.equal(bare.headers.location, '/_preflight/console/');
});

test('console surfaces are local-only: foreign Host or Origin refused, no CORS headers', async () => {
  for (const path of ['/_preflight/console/', '/_preflight/api/info', '/_preflight/events']) {
    const rebinding = await rawRequest(server.port, { method: 'GET', path, headers: { Host: `evil.example:${server.port}` } });
    assert.equal(rebinding.status, 403, `${path} with a foreign Host`);
    const crossSite = await get(path, { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' });
    assert.equal(crossSite.status, 403, `${path} from a foreign page`);
    assert.equal(crossSite.headers['access-control-allow-origin'], undefined);
  }
  // The playground's sandbox origin is a page like any other: it cannot reach the console API either.
  const fromSandbox = await post('/_preflight/api/playground/predict', {}, { Origin: `http://app.localhost:${server.port}`, 'Sec-Fetch-Site': 'same-site' });
  assert.equal(fromSandbox.status, 403);
  const sameOrigin = await get('/_preflight/api/info', { Origin: `http://${host()}`, 'Sec-Fetch-Site': 'same-origin' });
  assert.equal(sameOrigin.status, 200);
  assert.equal(JSON.parse(sameOrigin.body).sandboxOrigin, `http://app.localhost:${server.port}`);
});

test('sandbox pages: any *.localhost name on this port, framed only by the console', async () => {
  const page = await rawRequest(server.port, { method: 'GET', path: '/', headers: { Host: `app.localhost:${server.port}` } });
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), new RegExp(`frame-ancestors http://127\\.0\\.0\\.1:${server.port} http://localhost:${server.port}`));
  assert.match(page.body, /preflight-fetch/);
  const other = await rawRequest(server.port, { method: 'GET', path: '/restapis', headers: { Host: `app.localhost:${server.port}` } });
  assert.equal(other.status, 404, 'the sandbox host serves its page only, never the control plane');
});

test('Enable CORS plan (dry run) changes nothing; apply does; stage status and diff show it', async () => {
  const { api, users } = seedApi();
  server.control.deployments.createDeployment(api.id, { stageName: 'dev' });
  const plan = await post(`/_preflight/api/restapis/${api.id}/resources/${users.id}/cors?dryRun=true`, { allowOrigin: 'http://localhost:3000' });
  assert.equal(plan.status, 200);
  const planned = JSON.parse(plan.body);
  assert.equal(planned.allowMethods, 'GET,OPTIONS');
  assert.ok(planned.changes.some((c: { target: string }) => c.target === 'OPTIONS /users method'));
  assert.equal(server.control.apis.findMethod(api.id, users.id, 'OPTIONS'), undefined, 'a dry run writes nothing');
  let status = JSON.parse((await get(`/_preflight/api/restapis/${api.id}/stages/status`)).body);
  assert.equal(status.items[0].undeployedChanges, false);

  const bad = await post(`/_preflight/api/restapis/${api.id}/resources/${users.id}/cors`, { allowOrigin: "it's" });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers['x-amzn-errortype'], 'BadRequestException');
  assert.match(JSON.parse(bad.body).message, /Access-Control-Allow-Origin value must not contain single quotes/);

  assert.equal((await post(`/_preflight/api/restapis/${api.id}/resources/${users.id}/cors`, { allowOrigin: 'http://localhost:3000' })).status, 200);
  status = JSON.parse((await get(`/_preflight/api/restapis/${api.id}/stages/status`)).body);
  assert.equal(status.items[0].undeployedChanges, true);
  const diff = JSON.parse((await get(`/_preflight/api/restapis/${api.id}/stages/dev/diff`)).body);
  const targets = diff.changes.map((c: { kind: string; target: string }) => `${c.kind} ${c.target}`);
  assert.ok(targets.includes('added OPTIONS /users'), targets.join('\n'));
  assert.ok(targets.includes('added GET /users › method responses › 200 › responseParameters'), targets.join('\n'));
  assert.equal((await get(`/_preflight/api/restapis/${api.id}/stages/nope/diff`)).status, 404);
});

test('Test tab: one request through the chain against the current API, with the execution log', async () => {
  const { api, users } = seedApi();
  const r = await post(`/_preflight/api/restapis/${api.id}/resources/${users.id}/methods/GET/test`, { pathWithQueryString: '/users?x=1', headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200);
  const result = JSON.parse(r.body);
  assert.equal(result.status, 200);
  assert.equal(result.body, '{"users":[]}');
  assert.match(result.log, /^Execution log for request test-invoke-request\n/);
  assert.match(result.log, /Method request query string: \{x=1\}/);
  assert.match(result.log, /Endpoint request body after transformations: \{"statusCode": 200\}/);
  assert.match(result.log, /Method completed with status: 200/);

  await server.control.functions.createFunction({ FunctionName: 'echo-users', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: fixture('no-headers') } });
  server.control.apis.putMethod(api.id, users.id, 'POST', { authorizationType: 'NONE' });
  server.control.apis.putIntegration(api.id, users.id, 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo-users') });
  const lambda = JSON.parse((await post(`/_preflight/api/restapis/${api.id}/resources/${users.id}/methods/POST/test`, { body: '{"name":"ada"}' })).body);
  assert.equal(lambda.status, 201);
  assert.match(lambda.log, /"stage":"test-invoke-stage"/, 'the event carries the test stage, as AWS test invocations do');
  assert.match(lambda.log, /"sourceIp":"test-invoke-source-ip"/);
  assert.match(lambda.log, /Endpoint response body before transformations: \{"statusCode":201/);

  const wrong = await post(`/_preflight/api/restapis/${api.id}/resources/${users.id}/methods/DELETE/test`, {});
  assert.equal(wrong.status, 404);
  assert.equal(JSON.parse(wrong.body).message, 'Invalid Method identifier specified');
});

test('template check answers with the parse error and where it is', async () => {
  assert.deepEqual(JSON.parse((await post('/_preflight/api/templates/check', { template: '{"a": "$input.body"}' })).body), { ok: true });
  const bad = JSON.parse((await post('/_preflight/api/templates/check', { template: '#if($x)\nno end' })).body);
  assert.equal(bad.ok, false);
  assert.ok(bad.line >= 1);
  assert.match(bad.message, /line \d+, column \d+/);
});

test('playground prediction: the doctor report, or the field a bad input belongs to', async () => {
  const noScheme = JSON.parse((await post('/_preflight/api/playground/predict', { url: `http://127.0.0.1:${server.port}/restapis/x/dev/_user_request_/`, origin: 'localhost:3000', method: 'GET', headers: [], credentials: false })).body);
  assert.equal(noScheme.kind, 'invalid');
  assert.equal(noScheme.field, 'origin');
  assert.match(noScheme.message, /^Origin 'localhost:3000' has no scheme/);

  const { api } = seedApi();
  server.control.deployments.createDeployment(api.id, { stageName: 'dev' });
  const report = JSON.parse(
    (await post('/_preflight/api/playground/predict', { url: `http://${api.id}.execute-api.localhost:${server.port}/dev/users`, origin: 'http://localhost:3000', method: 'PUT', headers: [['Content-Type', 'application/json']], credentials: false, body: '{}' })).body,
  );
  assert.equal(report.kind, 'report');
  assert.equal(report.report.verdict, 'blocked');
  assert.equal(report.report.cause, 'no-options-method');
});

test('function logs: the recent events of a function, and server-sent events carry new ones', async () => {
  await server.control.functions.createFunction({ FunctionName: 'logger-fn', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: fixture('no-headers') } });
  const events: string[] = [];
  const controller = new AbortController();
  const stream = fetch(`${server.url}/_preflight/events`, { signal: controller.signal }).then(async (res) => {
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      events.push(decoder.decode(value));
    }
  }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 100));
  await server.lambda.send(new (await import('@aws-sdk/client-lambda')).InvokeCommand({ FunctionName: 'logger-fn', Payload: Buffer.from('{}') }));
  const deadline = Date.now() + 5000;
  while (!events.join('').includes('event: log') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  controller.abort();
  await stream;
  const text = events.join('');
  assert.match(text, /^retry: 1000\nevent: hello\ndata: \{"serverId":"[0-9a-f-]+"\}/);
  assert.match(text, /event: log\ndata: \{"functionName":"logger-fn","timestamp":\d+,"message":"START RequestId/);
  const logs = JSON.parse((await get('/_preflight/api/functions/logger-fn/logs')).body);
  assert.ok(logs.events.some((e: { message: string }) => e.message.startsWith('REPORT RequestId')));
  assert.equal((await get('/_preflight/api/functions/nope/logs')).status, 404);
});
