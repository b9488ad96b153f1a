import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callApi, lambdaUri, startTestServer, TEST_ROLE, zipOf, type TestServer } from '../helpers/server.js';
import { awsCli } from '../helpers/aws-cli.js';

let server: TestServer;
let home: string;

before(async () => {
  server = await startTestServer();
  home = mkdtempSync(join(tmpdir(), 'preflight-awscli-'));
});
after(() => server.close());

/** The real AWS CLI against the emulator, as a user would run it (test/helpers/aws-cli.ts). */
const aws = (...args: string[]) => awsCli(server.url, home, ...args);

test('the AWS CLI creates an API and a function, enables CORS call by call, deploys and invokes', async () => {
  const zip = join(home, 'fn.zip');
  writeFileSync(
    zip,
    zipOf({ 'index.js': "exports.handler = async (e) => ({ statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ hello: e.queryStringParameters?.name ?? 'world' }) });" }),
  );
  const fn = await aws('lambda', 'create-function', '--function-name', 'cli-hello', '--runtime', 'nodejs20.x', '--role', TEST_ROLE, '--handler', 'index.handler', '--zip-file', `fileb://${zip}`);
  assert.equal(fn['FunctionName'], 'cli-hello');

  const api = await aws('apigateway', 'create-rest-api', '--name', 'cli-api');
  const apiId = api['id'] as string;
  const resources = (await aws('apigateway', 'get-resources', '--rest-api-id', apiId))['items'] as { id: string; path: string }[];
  const root = resources.find((r) => r.path === '/')!;
  const hello = await aws('apigateway', 'create-resource', '--rest-api-id', apiId, '--parent-id', root.id, '--path-part', 'hello');
  const rid = hello['id'] as string;
  await aws('apigateway', 'put-method', '--rest-api-id', apiId, '--resource-id', rid, '--http-method', 'GET', '--authorization-type', 'NONE');
  await aws('apigateway', 'put-integration', '--rest-api-id', apiId, '--resource-id', rid, '--http-method', 'GET', '--type', 'AWS_PROXY', '--integration-http-method', 'POST', '--uri', lambdaUri('cli-hello'));

  // Enable CORS the way the console does it, one call at a time.
  await aws('apigateway', 'put-method', '--rest-api-id', apiId, '--resource-id', rid, '--http-method', 'OPTIONS', '--authorization-type', 'NONE', '--no-api-key-required');
  await aws('apigateway', 'put-integration', '--rest-api-id', apiId, '--resource-id', rid, '--http-method', 'OPTIONS', '--type', 'MOCK', '--request-templates', '{"application/json":"{\\"statusCode\\": 200}"}');
  await aws(
    'apigateway', 'put-method-response', '--rest-api-id', apiId, '--resource-id', rid, '--http-method', 'OPTIONS', '--status-code', '200',
    '--response-models', '{"application/json":"Empty"}',
    '--response-parameters', 'method.response.header.Access-Control-Allow-Headers=false,method.response.header.Access-Control-Allow-Methods=false,method.response.header.Access-Control-Allow-Origin=false',
  );
  await aws(
    'apigateway', 'put-integration-response', '--rest-api-id', apiId, '--resource-id', rid, '--http-method', 'OPTIONS', '--status-code', '200',
    '--response-parameters',
    JSON.stringify({
      'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
      'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'",
      'method.response.header.Access-Control-Allow-Origin': "'*'",
    }),
  );
  const deployment = await aws('apigateway', 'create-deployment', '--rest-api-id', apiId, '--stage-name', 'dev');
  assert.match(deployment['id'] as string, /^[a-z0-9]{6}$/);
  const stage = await aws('apigateway', 'get-stage', '--rest-api-id', apiId, '--stage-name', 'dev');
  assert.equal(stage['deploymentId'], deployment['id']);

  const embedded = (await aws('apigateway', 'get-resources', '--rest-api-id', apiId, '--embed', 'methods'))['items'] as { path: string; resourceMethods?: Record<string, { methodIntegration?: { type: string } }> }[];
  const helloRes = embedded.find((r) => r.path === '/hello')!;
  assert.deepEqual(Object.keys(helloRes.resourceMethods!).sort(), ['GET', 'OPTIONS']);
  assert.equal(helloRes.resourceMethods!['OPTIONS']!.methodIntegration!.type, 'MOCK');

  const preflight = await callApi(server, apiId, '/dev/hello', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' } });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers['access-control-allow-methods'], 'GET,OPTIONS');
  const get = await callApi(server, apiId, '/dev/hello?name=cli');
  assert.equal(get.status, 200);
  assert.deepEqual(JSON.parse(get.body), { hello: 'cli' });

  const out = join(home, 'out.json');
  const invoked = await aws('lambda', 'invoke', '--function-name', 'cli-hello', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"queryStringParameters":{"name":"invoke"}}', out);
  assert.equal(invoked['StatusCode'], 200);
  assert.equal(invoked['ExecutedVersion'], '$LATEST');
  assert.deepEqual(JSON.parse(JSON.parse(readFileSync(out, 'utf8')).body), { hello: 'invoke' });

  await assert.rejects(aws('apigateway', 'get-rest-api', '--rest-api-id', 'nonexistent'), /NotFoundException/);
});

test('aws apigatewayv2: quick create, CORS from the command line, routes, invoke', async () => {
  const zip = join(home, 'v2.zip');
  writeFileSync(zip, zipOf({ 'index.js': 'exports.handler = async (e) => ({ route: e.routeKey, path: e.rawPath });' }));
  await aws('lambda', 'create-function', '--function-name', 'cli-v2', '--runtime', 'nodejs20.x', '--role', TEST_ROLE, '--handler', 'index.handler', '--zip-file', `fileb://${zip}`);
  const api = await aws('apigatewayv2', 'create-api', '--name', 'cli-http', '--protocol-type', 'HTTP', '--target', 'arn:aws:lambda:us-east-1:000000000000:function:cli-v2');
  const apiId = api['ApiId'] as string;
  assert.match(apiId, /^[a-z0-9]{10}$/);
  // The CLI's shorthand for CorsConfiguration, as AWS documents it (http-api-cors "Configure CORS ... AWS CLI").
  const updated = await aws('apigatewayv2', 'update-api', '--api-id', apiId, '--cors-configuration', 'AllowOrigins=https://www.example.com');
  assert.deepEqual((updated['CorsConfiguration'] as { AllowOrigins: string[] }).AllowOrigins, ['https://www.example.com']);
  const stages = (await aws('apigatewayv2', 'get-stages', '--api-id', apiId))['Items'] as { StageName: string; AutoDeploy?: boolean }[];
  assert.deepEqual(stages.map((s) => [s.StageName, s.AutoDeploy]), [['$default', true]]);

  const r = await callApi(server, apiId, '/hello/world', { headers: { Origin: 'https://www.example.com' } });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { route: '$default', path: '/hello/world' });
  assert.equal(r.headers['access-control-allow-origin'], 'https://www.example.com');

  await assert.rejects(aws('apigatewayv2', 'create-route', '--api-id', apiId, '--route-key', 'GET items'), /BadRequestException/);
  await assert.rejects(aws('apigatewayv2', 'update-api', '--api-id', apiId, '--cors-configuration', 'AllowOrigins=*,AllowCredentials=true'), /allow-credentials is not supported if 'allow-origin' is \*/);
});
