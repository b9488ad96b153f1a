import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { callApi, rawRequest, startTestServer, TEST_ROLE, type TestServer, nodeFunction } from '../helpers/server.js';
import { lambdaUri } from '../helpers/server.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

let server: TestServer;
let codeDir: string;

before(async () => {
  server = await startTestServer();
  codeDir = mkdtempSync(join(tmpdir(), 'preflight-dp-'));
});
after(() => server.close());

/** Writes a handler file and creates a function serving it from that directory. */
const fn = (name: string, source: string, handler?: string) => nodeFunction(server, name, source, handler);

function api(name: string) {
  const { apis } = server.control;
  const a = apis.createRestApi({ name });
  const res = (parentId: string, pathPart: string) => apis.createResource(a.id, parentId, { pathPart }).id;
  const mock = (resourceId: string, method: string, body: string, status = '200') => {
    apis.putMethod(a.id, resourceId, method, { authorizationType: 'NONE' });
    apis.putIntegration(a.id, resourceId, method, { type: 'MOCK', requestTemplates: { 'application/json': `{"statusCode": ${status}}` } });
    apis.putMethodResponse(a.id, resourceId, method, status, {});
    apis.putIntegrationResponse(a.id, resourceId, method, status, { responseTemplates: { 'application/json': body } });
  };
  const proxy = (resourceId: string, method: string, fnName: string) => {
    apis.putMethod(a.id, resourceId, method, { authorizationType: 'NONE' });
    apis.putIntegration(a.id, resourceId, method, { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri(fnName) });
  };
  const deploy = (stageName = 'dev') => server.control.deployments.createDeployment(a.id, { stageName });
  return { id: a.id, root: a.rootResourceId, res, mock, proxy, deploy };
}

describe('routing', () => {
  /**
   * Tree measured on real AWS in floci-io/floci#3399 (us-west-2, MOCK integrations): the most specific resource
   * that has the method wins, falling back to less specific ones; 403 only when nothing has the method.
   */
  test('literal before {param} before {proxy+}, with fallback when the method is missing', async () => {
    const a = api('routing');
    const users = a.res(a.root, 'users');
    const userId = a.res(users, '{userId}');
    const me = a.res(users, 'me');
    a.mock(userId, 'GET', '{"by":"/users/{userId}","id":"$input.params(\'userId\')"}');
    a.mock(me, 'PATCH', '{"by":"/users/me"}');
    const things = a.res(a.root, 'things');
    const real = a.res(things, 'real');
    const proxyRes = a.res(things, '{proxy+}');
    a.mock(real, 'GET', '{"by":"/things/real"}');
    a.mock(proxyRes, 'ANY', '{"by":"/things/{proxy+}","proxy":"$input.params(\'proxy\')"}');
    a.deploy();

    const get = async (method: string, path: string) => {
      const r = await callApi(server, a.id, `/dev${path}`, { method });
      return { status: r.status, body: r.status === 200 ? JSON.parse(r.body) : r.body };
    };
    assert.deepEqual(await get('GET', '/users/me'), { status: 200, body: { by: '/users/{userId}', id: 'me' } });
    assert.deepEqual(await get('PATCH', '/users/me'), { status: 200, body: { by: '/users/me' } });
    assert.deepEqual(await get('POST', '/users/me'), { status: 403, body: '{"message":"Missing Authentication Token"}' });
    assert.deepEqual(await get('GET', '/things/real'), { status: 200, body: { by: '/things/real' } });
    assert.deepEqual(await get('POST', '/things/real'), { status: 200, body: { by: '/things/{proxy+}', proxy: 'real' } });
    assert.deepEqual(await get('DELETE', '/things/a/b/c/'), { status: 200, body: { by: '/things/{proxy+}', proxy: 'a/b/c' } });
    // A trailing slash routes to the same resource (aws/chalice#65, AWS maintainer).
    assert.deepEqual(await get('GET', '/users/42/'), { status: 200, body: { by: '/users/{userId}', id: '42' } });
    // {proxy+} does not match its parent path itself (AGDG api-gateway-method-settings-method-request).
    assert.equal((await get('GET', '/things')).status, 403);
  });

  test('unknown stage → 403 Forbidden; unknown path → 403 Missing Authentication Token; unknown API → 404', async () => {
    const a = api('errors');
    const ping = a.res(a.root, 'ping');
    a.mock(ping, 'GET', '{}');
    a.deploy('prod');

    // Real responses quoted in OWASP/Serverless-Goat#14: a wrong or missing stage gets {"message":"Forbidden"}.
    const noStage = await callApi(server, a.id, '/dev/ping');
    assert.equal(noStage.status, 403);
    assert.equal(noStage.body, '{"message":"Forbidden"}');
    const root = await callApi(server, a.id, '/');
    assert.equal(root.status, 403);
    assert.equal(root.body, '{"message":"Forbidden"}');

    // LocalStack AWS-validated snapshot test_apigateway_common test_routing_not_found: body and x-amzn-ErrorType.
    const unknown = await callApi(server, a.id, '/prod/pong');
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body, '{"message":"Missing Authentication Token"}');
    assert.equal(unknown.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.equal(unknown.headers['content-type'], 'application/json');
    assert.ok(unknown.headers['x-amzn-requestid']);
    const wrongMethod = await callApi(server, a.id, '/prod/ping', { method: 'DELETE' });
    assert.equal(wrongMethod.status, 403);
    // Stage root with no method on "/" (AGDG amazon-api-gateway-using-stage-variables).
    assert.equal((await callApi(server, a.id, '/prod')).status, 403);

    const noApi = await callApi(server, 'zzzzzzzzzz', '/prod/ping');
    assert.equal(noApi.status, 404);
    assert.match(noApi.body, /zzzzzzzzzz/);
  });

  test('the path form reaches the same API', async () => {
    const a = api('path-form');
    const ping = a.res(a.root, 'ping');
    a.mock(ping, 'GET', '{"pong":true}');
    a.deploy();
    const r = await rawRequest(server.port, { method: 'GET', path: `/restapis/${a.id}/dev/_user_request_/ping` });
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"pong":true}');
  });
});

describe('deployments', () => {
  test('a stage serves its deployment; edits are not live until the next deployment', async () => {
    const a = api('snapshots');
    const ping = a.res(a.root, 'ping');
    a.mock(ping, 'GET', '{"v":1}');
    a.deploy();
    const { apis, deployments } = server.control;
    apis.putIntegrationResponse(a.id, ping, 'GET', '200', { responseTemplates: { 'application/json': '{"v":2}' } });
    assert.equal((await callApi(server, a.id, '/dev/ping')).body, '{"v":1}');
    assert.deepEqual(
      deployments.stageStatuses(a.id).map((s) => [s.stageName, s.undeployedChanges]),
      [['dev', true]],
    );
    a.deploy();
    assert.equal((await callApi(server, a.id, '/dev/ping')).body, '{"v":2}');
    assert.deepEqual(
      deployments.stageStatuses(a.id).map((s) => [s.stageName, s.undeployedChanges]),
      [['dev', false]],
    );
  });
});

describe('Lambda proxy', () => {
  test('the v1 event as AWS builds it', async () => {
    await fn('echo-event', 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });');
    const a = api('proxy-event');
    const items = a.res(a.root, 'items');
    const item = a.res(items, '{id}');
    a.proxy(item, 'POST', 'echo-event');
    a.deploy();
    const r = await callApi(server, a.id, '/dev/items/42?a=1&a=2&b=x+y', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'tEsT-HEADeR': 'aValUE', authorization: 'token' },
      body: '{"hello":"world"}',
    });
    assert.equal(r.status, 200);
    const event = JSON.parse(r.body);
    assert.equal(event.resource, '/items/{id}');
    assert.equal(event.path, '/items/42');
    assert.equal(event.httpMethod, 'POST');
    // Client casing is kept, except Authorization (LocalStack AWS-validated test_lambda_aws_proxy_integration).
    assert.equal(event.headers['tEsT-HEADeR'], 'aValUE');
    assert.equal(event.headers['Authorization'], 'token');
    assert.deepEqual(event.multiValueHeaders['tEsT-HEADeR'], ['aValUE']);
    assert.equal(event.headers['Content-Length'], undefined);
    // Last value wins in the single-value map; '+' is a space.
    assert.deepEqual(event.queryStringParameters, { a: '2', b: 'x y' });
    assert.deepEqual(event.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x y'] });
    assert.deepEqual(event.pathParameters, { id: '42' });
    assert.equal(event.stageVariables, null);
    assert.equal(event.body, '{"hello":"world"}');
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.stage, 'dev');
    assert.equal(event.requestContext.path, '/dev/items/42');
    assert.equal(event.requestContext.resourcePath, '/items/{id}');
    assert.equal(event.requestContext.httpMethod, 'POST');
    assert.equal(event.requestContext.apiId, a.id);
    assert.equal(event.requestContext.accountId, '000000000000');
    assert.equal(event.requestContext.identity.sourceIp, '127.0.0.1');
    assert.equal(event.requestContext.identity.user, null);
    assert.match(event.requestContext.requestTime, /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);

    const bare = JSON.parse((await callApi(server, a.id, '/dev/items/7', { method: 'POST' })).body);
    // Absent maps are null, not {} (AGDG set-up-lambda-proxy-integrations "Input format").
    assert.equal(bare.queryStringParameters, null);
    assert.equal(bare.multiValueQueryStringParameters, null);
    assert.equal(bare.body, null);
  });

  test('a large body reaches Node and Python handlers whole, in its place in the event', async () => {
    // Bodies from 4 KB on travel to the environment apart from the rest of the event (InvokeRequest.body); the
    // handler must not be able to tell: same text, same key order, same event for a process environment.
    await fn('echo-keys', 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ keys: Object.keys(event), body: event.body }) });');
    const pyDir = mkdtempSync(join(tmpdir(), 'preflight-py-keys-'));
    writeFileSync(join(pyDir, 'app.py'), 'import json\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps({"keys": list(event.keys()), "body": event["body"]})}\n');
    await server.control.functions.createFunction({ FunctionName: 'py-echo-keys', Runtime: 'python3.12', Role: TEST_ROLE, Handler: 'app.handler', Code: { Directory: pyDir } });
    const a = api('large-body');
    a.proxy(a.res(a.root, 'node'), 'POST', 'echo-keys');
    a.proxy(a.res(a.root, 'python'), 'POST', 'py-echo-keys');
    a.deploy();
    const keys = ['resource', 'path', 'httpMethod', 'headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'pathParameters', 'stageVariables', 'requestContext', 'body', 'isBase64Encoded'];
    const body = JSON.stringify({ text: `"quoted" \\ é ✓ 😀 \u0001 ${'x'.repeat(100 * 1024)}` });
    for (const path of ['/dev/node', '/dev/python']) {
      for (const sent of [body, body.slice(0, 4095 - 2) + '"}', '{"small":true}']) {
        const r = await callApi(server, a.id, path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: sent });
        assert.equal(r.status, 200, `${path}: ${r.body.slice(0, 200)}`);
        const seen = JSON.parse(r.body) as { keys: string[]; body: string };
        assert.deepEqual(seen.keys, keys, path);
        assert.equal(seen.body, sent, `${path}, a body of ${sent.length} characters`);
      }
    }
  });

  test('malformed proxy responses → 502 {"message": "Internal server error"} and a log line that says why', async () => {
    // Cases recorded on AWS in LocalStack's test_aws_proxy_response_payload_format_validation (2024-11-15).
    await fn(
      'shapes',
      `export const handler = async (event) => {
        const q = event.queryStringParameters?.case;
        if (q === 'extra-key') return { statusCode: 200, wrongValue: 'value' };
        if (q === 'string') return 'justAString';
        if (q === 'bad-status') return { statusCode: 'test' };
        if (q === 'string-status') return { statusCode: '201', body: 'created' };
        if (q === 'no-status') return { headers: { 'x-a': 'b' } };
        if (q === 'bool-header') return { statusCode: 200, headers: { 'header-bool': true } };
        if (q === 'multi') return { statusCode: 200, multiValueHeaders: { 'tesT-Multi': ['value-multi'] }, headers: { 'test-multi': 'value-solo' } };
        if (q === 'mvh-not-list') return { statusCode: 200, multiValueHeaders: { a: 'b' } };
        if (q === 'throw') throw new Error('boom');
        return { statusCode: 200 };
      };`,
    );
    const a = api('proxy-shapes');
    const r = a.res(a.root, 'r');
    a.proxy(r, 'GET', 'shapes');
    a.deploy();
    const call = (c: string) => callApi(server, a.id, `/dev/r?case=${c}`);

    for (const bad of ['extra-key', 'string', 'bad-status', 'mvh-not-list', 'throw']) {
      const res = await call(bad);
      assert.equal(res.status, 502, bad);
      assert.equal(res.body, '{"message": "Internal server error"}', bad);
      assert.equal(res.headers['x-amzn-errortype'], 'InternalServerErrorException', bad);
    }
    assert.ok(server.logs.some((l) => l.includes('Malformed Lambda proxy response') && l.includes("unexpected field 'wrongValue'")));
    assert.ok(server.logs.some((l) => l.includes('customer function error') && l.includes('boom')));

    const ok = await call('ok');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '');
    assert.equal(ok.headers['content-type'], 'application/json');
    assert.equal((await call('string-status')).status, 201);
    const noStatus = await call('no-status');
    assert.equal(noStatus.status, 200);
    assert.equal(noStatus.headers['x-a'], 'b');
    assert.equal((await call('bool-header')).headers['header-bool'], 'true');
    const multi = await call('multi');
    const multiValues = [];
    for (let i = 0; i < multi.rawHeaders.length; i += 2) if (multi.rawHeaders[i]!.toLowerCase() === 'test-multi') multiValues.push([multi.rawHeaders[i], multi.rawHeaders[i + 1]]);
    assert.deepEqual(multiValues, [['tesT-Multi', 'value-multi'], ['tesT-Multi', 'value-solo']]);
  });

  test('a handler file or export that does not exist → 502, the reason in the log, the server stays up', async () => {
    const dir = join(codeDir, 'missing');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    await server.control.functions.createFunction({ FunctionName: 'no-file', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'nothere.handler', Code: { Directory: dir } });
    await fn('no-export', 'export const other = async () => ({ statusCode: 200 });');
    const a = api('broken-handlers');
    a.proxy(a.res(a.root, 'nofile'), 'GET', 'no-file');
    a.proxy(a.res(a.root, 'noexport'), 'GET', 'no-export');
    a.proxy(a.res(a.root, 'nofunction'), 'GET', 'does-not-exist');
    a.deploy();
    const noFile = await callApi(server, a.id, '/dev/nofile');
    assert.equal(noFile.status, 502);
    assert.ok(server.logs.some((l) => l.includes('Runtime.ImportModuleError')));
    const noExport = await callApi(server, a.id, '/dev/noexport');
    assert.equal(noExport.status, 502);
    assert.ok(server.logs.some((l) => l.includes('Runtime.HandlerNotFound')));
    const noFunction = await callApi(server, a.id, '/dev/nofunction');
    assert.equal(noFunction.status, 500);
    assert.ok(server.logs.some((l) => l.includes('does-not-exist does not exist')));
    // Still serving.
    assert.equal((await rawRequest(server.port, { method: 'GET', path: '/_preflight/health' })).status, 200);
  });
});
