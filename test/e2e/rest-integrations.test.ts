import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callApi, lambdaUri, startTestServer, type TestServer, nodeFunction } from '../helpers/server.js';

let server: TestServer;
let backend: http.Server;
let backendUrl: string;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  server = await startTestServer();
  backend = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 500);
      const status = req.url?.startsWith('/teapot') ? 418 : 200;
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Backend': 'yes', Server: 'echo' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
after(async () => {
  backend.closeAllConnections();
  backend.close();
  await server.close();
});

function newApi(name: string) {
  const { apis } = server.control;
  const a = apis.createRestApi({ name });
  return { id: a.id, root: a.rootResourceId, apis, deploy: () => server.control.deployments.createDeployment(a.id, { stageName: 'dev' }) };
}

const fn = (name: string, source: string) => nodeFunction(server, name, source);

describe('HTTP_PROXY', () => {
  test('forwards method, path, query, headers and body; passes status and headers back, remapping clashing ones', async () => {
    const a = newApi('http-proxy');
    const proxy = a.apis.createResource(a.id, a.root, { pathPart: '{proxy+}' });
    a.apis.putMethod(a.id, proxy.id, 'ANY', { authorizationType: 'NONE', requestParameters: { 'method.request.path.proxy': true } });
    a.apis.putIntegration(a.id, proxy.id, 'ANY', {
      type: 'HTTP_PROXY',
      integrationHttpMethod: 'ANY',
      uri: `${backendUrl}/{proxy}`,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    });
    a.deploy();
    const r = await callApi(server, a.id, '/dev/teapot/x?q=1', { method: 'PUT', headers: { 'X-Custom': 'c', 'Content-Type': 'text/plain' }, body: 'hello' });
    assert.equal(r.status, 418, 'HTTP_PROXY passes the backend status through');
    assert.deepEqual(JSON.parse(r.body), { method: 'PUT', url: '/teapot/x?q=1', body: 'hello' });
    assert.equal(r.headers['x-backend'], 'yes');
    // Server clashes with the gateway's own header and comes back renamed (LocalStack AWS-validated header_remapping).
    assert.equal(r.headers['x-amzn-remapped-server'], 'echo');
    const got = seen.at(-1)!;
    assert.equal(got.headers['x-custom'], 'c');
    assert.equal(got.headers['host'], backendUrl.slice('http://'.length));
    assert.equal(got.headers['x-amzn-apigateway-api-id'], a.id);
  });

  test('a backend that does not answer in time → 504 Endpoint request timed out; one that is down → 504 network error', async () => {
    const a = newApi('http-timeout');
    const slow = a.apis.createResource(a.id, a.root, { pathPart: 'slow' });
    a.apis.putMethod(a.id, slow.id, 'GET', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, slow.id, 'GET', { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: `${backendUrl}/slow`, timeoutInMillis: 100 });
    const down = a.apis.createResource(a.id, a.root, { pathPart: 'down' });
    a.apis.putMethod(a.id, down.id, 'GET', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, down.id, 'GET', { type: 'HTTP_PROXY', integrationHttpMethod: 'GET', uri: 'http://127.0.0.1:1/nothing' });
    a.deploy();
    const timedOut = await callApi(server, a.id, '/dev/slow');
    assert.equal(timedOut.status, 504);
    // Body with a space after the colon, as AWS sends it (ks888/LambStatus#36, aws/chalice#537).
    assert.equal(timedOut.body, '{"message": "Endpoint request timed out"}');
    const unreachable = await callApi(server, a.id, '/dev/down');
    assert.equal(unreachable.status, 504);
    assert.equal(unreachable.body, '{"message": "Network error communicating with endpoint"}');
  });
});

describe('HTTP (non-proxy)', () => {
  test('request template, integration httpMethod, selection by status and response mapping', async () => {
    const a = newApi('http');
    const r = a.apis.createResource(a.id, a.root, { pathPart: 'teapot' });
    a.apis.putMethod(a.id, r.id, 'GET', { authorizationType: 'NONE', requestParameters: { 'method.request.querystring.name': false } });
    a.apis.putIntegration(a.id, r.id, 'GET', {
      type: 'HTTP',
      integrationHttpMethod: 'POST',
      uri: `${backendUrl}/teapot`,
      requestTemplates: { 'application/json': '{"greeting": "hello $input.params(\'name\')"}' },
    });
    a.apis.putMethodResponse(a.id, r.id, 'GET', '200', { responseParameters: { 'method.response.header.X-From-Backend': false } });
    a.apis.putMethodResponse(a.id, r.id, 'GET', '400', {});
    a.apis.putIntegrationResponse(a.id, r.id, 'GET', '200', {
      responseParameters: { 'method.response.header.X-From-Backend': 'integration.response.header.X-Backend' },
      responseTemplates: { 'application/json': '{"echoed": $input.json(\'$.body\')}' },
    });
    a.apis.putIntegrationResponse(a.id, r.id, 'GET', '400', { selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"failed": true}' } });
    a.deploy();
    const res = await callApi(server, a.id, '/dev/teapot?name=ada');
    // The backend said 418, which the 4\d{2} pattern maps to the 400 method response.
    assert.equal(res.status, 400);
    assert.equal(res.body, '{"failed": true}');
    const got = seen.at(-1)!;
    assert.equal(got.method, 'POST', 'the integration method, not the client method');
    assert.equal(got.body, '{"greeting": "hello ada"}');
    assert.equal(got.headers['user-agent'], `AmazonAPIGateway_${a.id}`);
  });
});

describe('AWS (Lambda, non-proxy)', () => {
  test('errorMessage selects the integration response; unmatched errors take the default 200', async () => {
    // AWS-validated in LocalStack's test_lambda_selection_patterns: 200 "", 405 ".*four hundred.*", 502 ".+".
    await fn(
      'selector',
      `export const handler = async (event) => {
        if (event.kind === 'four') throw new Error('Raising four hundred from within the Lambda function');
        if (event.kind === 'other') throw new Error('something else');
        return { greeting: 'Pass', got: event };
      };`,
    );
    const a = newApi('aws-lambda');
    const r = a.apis.createResource(a.id, a.root, { pathPart: 'run' });
    a.apis.putMethod(a.id, r.id, 'POST', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, r.id, 'POST', { type: 'AWS', integrationHttpMethod: 'POST', uri: lambdaUri('selector') });
    for (const code of ['200', '405', '502']) a.apis.putMethodResponse(a.id, r.id, 'POST', code, {});
    a.apis.putIntegrationResponse(a.id, r.id, 'POST', '200', { selectionPattern: '' });
    a.apis.putIntegrationResponse(a.id, r.id, 'POST', '405', { selectionPattern: '.*four hundred.*' });
    a.apis.putIntegrationResponse(a.id, r.id, 'POST', '502', { selectionPattern: 'something.*' });
    a.deploy();
    const ok = await callApi(server, a.id, '/dev/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"kind":"ok"}' });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { greeting: 'Pass', got: { kind: 'ok' } });
    const four = await callApi(server, a.id, '/dev/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"kind":"four"}' });
    assert.equal(four.status, 405);
    assert.equal(JSON.parse(four.body).errorMessage, 'Raising four hundred from within the Lambda function');
    const other = await callApi(server, a.id, '/dev/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"kind":"other"}' });
    assert.equal(other.status, 502);
  });

  test('a Lambda slower than the integration timeout → 504', async () => {
    await fn('sleepy', 'export const handler = async () => { await new Promise((r) => setTimeout(r, 1000)); return {}; };');
    const a = newApi('lambda-timeout');
    a.apis.putMethod(a.id, a.root, 'GET', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, a.root, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('sleepy'), timeoutInMillis: 100 });
    a.deploy();
    const r = await callApi(server, a.id, '/dev/');
    assert.equal(r.status, 504);
    assert.equal(r.body, '{"message": "Endpoint request timed out"}');
  });
});

describe('MOCK and mapping', () => {
  test('responseOverride set in the request template wins, even without a method response for it', async () => {
    // LocalStack AWS-validated test_integration_mock_with_response_override_in_request_template: 444 and header foo.
    const a = newApi('override');
    a.apis.putMethod(a.id, a.root, 'GET', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, a.root, 'GET', {
      type: 'MOCK',
      requestTemplates: { 'application/json': '#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = "bar")\n{"statusCode": 200}' },
    });
    a.apis.putMethodResponse(a.id, a.root, 'GET', '200', {});
    a.apis.putIntegrationResponse(a.id, a.root, 'GET', '200', {});
    a.deploy();
    const r = await callApi(server, a.id, '/dev/');
    assert.equal(r.status, 444);
    assert.equal(r.headers['foo'], 'bar');
    assert.equal(r.body, '');
  });

  test('passthrough behaviours: NEVER refuses unmapped content types with 415', async () => {
    const a = newApi('passthrough');
    a.apis.putMethod(a.id, a.root, 'POST', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, a.root, 'POST', { type: 'MOCK', passthroughBehavior: 'NEVER', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    a.apis.putMethodResponse(a.id, a.root, 'POST', '200', {});
    a.apis.putIntegrationResponse(a.id, a.root, 'POST', '200', {});
    a.deploy();
    const ok = await callApi(server, a.id, '/dev/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(ok.status, 200);
    const refused = await callApi(server, a.id, '/dev/', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    assert.equal(refused.status, 415);
    assert.equal(refused.body, '{"message":"Unsupported Media Type"}');
  });

  test('a 502 from a broken Lambda carries the CORS headers of a customised DEFAULT_5XX', async () => {
    await fn('broken', 'export const handler = async () => "not a proxy response";');
    const a = newApi('cors-5xx');
    const r = a.apis.createResource(a.id, a.root, { pathPart: 'x' });
    a.apis.putMethod(a.id, r.id, 'GET', { authorizationType: 'NONE' });
    a.apis.putIntegration(a.id, r.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('broken') });
    server.control.enableCors(a.id, r.id, { gatewayResponses: ['DEFAULT_4XX', 'DEFAULT_5XX'] });
    a.deploy();
    const res = await callApi(server, a.id, '/dev/x');
    assert.equal(res.status, 502);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.body, '{"message":"Internal server error"}', 'a customised gateway response renders its template');
    const missing = await callApi(server, a.id, '/dev/nothing');
    assert.equal(missing.status, 403);
    assert.equal(missing.headers['access-control-allow-origin'], '*');
  });
});
