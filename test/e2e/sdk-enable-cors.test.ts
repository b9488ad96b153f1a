import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateMethodResponseCommand,
  UpdateIntegrationResponseCommand,
  PutGatewayResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { callApi, lambdaUri, startTestServer, TEST_ROLE, zipOf, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const ALLOW_HEADERS = "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'";

/**
 * The console's Enable CORS, replayed as the individual API calls it makes (AWS docs how-to-cors-console; the
 * resulting shapes as seen in console exports): OPTIONS with a MOCK integration and the three headers, and
 * Access-Control-Allow-Origin on the 200 responses of a non-proxy GET.
 */
test('the SDK builds an API, enables CORS call by call, deploys and invokes it', async () => {
  const { apigw, lambda } = server;
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'sdk-users',
      Runtime: 'nodejs20.x',
      Role: TEST_ROLE,
      Handler: 'index.handler',
      Code: {
        ZipFile: zipOf({
          'index.js': `exports.handler = async (event) => ({ statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ method: event.httpMethod, path: event.path }) });`,
        }),
      },
    }),
  );
  const api = await apigw.send(new CreateRestApiCommand({ name: 'sdk-api' }));
  assert.match(api.id!, /^[a-z0-9]{10}$/);
  const users = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'users' }));
  assert.equal(users.path, '/users');

  // POST: Lambda proxy.
  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: users.id, httpMethod: 'POST', authorizationType: 'NONE' }));
  await apigw.send(
    new PutIntegrationCommand({ restApiId: api.id, resourceId: users.id, httpMethod: 'POST', type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('sdk-users') }),
  );
  // GET: MOCK with a 200 method and integration response (non-proxy, so Enable CORS decorates it).
  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: users.id, httpMethod: 'GET', authorizationType: 'NONE' }));
  await apigw.send(
    new PutIntegrationCommand({ restApiId: api.id, resourceId: users.id, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }),
  );
  await apigw.send(new PutMethodResponseCommand({ restApiId: api.id, resourceId: users.id, httpMethod: 'GET', statusCode: '200' }));
  await apigw.send(
    new PutIntegrationResponseCommand({
      restApiId: api.id,
      resourceId: users.id,
      httpMethod: 'GET',
      statusCode: '200',
      responseTemplates: { 'application/json': '{"users": []}' },
    }),
  );

  // Enable CORS, as the console does it.
  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: users.id, httpMethod: 'OPTIONS', authorizationType: 'NONE', apiKeyRequired: false }));
  await apigw.send(
    new PutIntegrationCommand({
      restApiId: api.id,
      resourceId: users.id,
      httpMethod: 'OPTIONS',
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'WHEN_NO_MATCH',
    }),
  );
  await apigw.send(
    new PutMethodResponseCommand({
      restApiId: api.id,
      resourceId: users.id,
      httpMethod: 'OPTIONS',
      statusCode: '200',
      responseModels: { 'application/json': 'Empty' },
      responseParameters: {
        'method.response.header.Access-Control-Allow-Headers': false,
        'method.response.header.Access-Control-Allow-Methods': false,
        'method.response.header.Access-Control-Allow-Origin': false,
      },
    }),
  );
  await apigw.send(
    new PutIntegrationResponseCommand({
      restApiId: api.id,
      resourceId: users.id,
      httpMethod: 'OPTIONS',
      statusCode: '200',
      responseParameters: {
        'method.response.header.Access-Control-Allow-Headers': ALLOW_HEADERS,
        'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS,POST'",
        'method.response.header.Access-Control-Allow-Origin': "'*'",
      },
      responseTemplates: { 'application/json': '' },
    }),
  );
  const mr = await apigw.send(
    new UpdateMethodResponseCommand({
      restApiId: api.id,
      resourceId: users.id,
      httpMethod: 'GET',
      statusCode: '200',
      patchOperations: [{ op: 'add', path: '/responseParameters/method.response.header.Access-Control-Allow-Origin', value: 'false' }],
    }),
  );
  assert.deepEqual(mr.responseParameters, { 'method.response.header.Access-Control-Allow-Origin': false });
  await apigw.send(
    new UpdateIntegrationResponseCommand({
      restApiId: api.id,
      resourceId: users.id,
      httpMethod: 'GET',
      statusCode: '200',
      patchOperations: [{ op: 'add', path: '/responseParameters/method.response.header.Access-Control-Allow-Origin', value: "'*'" }],
    }),
  );
  await apigw.send(
    new PutGatewayResponseCommand({
      restApiId: api.id,
      responseType: 'DEFAULT_4XX',
      responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
    }),
  );

  const beforeDeploy = await callApi(server, api.id!, '/dev/users', { method: 'OPTIONS' });
  assert.equal(beforeDeploy.status, 403, 'no stage yet: Forbidden');

  await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'dev' }));
  const stages = await apigw.send(new GetStagesCommand({ restApiId: api.id }));
  assert.deepEqual(stages.item?.map((s) => s.stageName), ['dev']);

  // GetResources with embed=methods shows exactly what Enable CORS produced.
  const resources = await apigw.send(new GetResourcesCommand({ restApiId: api.id, embed: ['methods'] }));
  const usersRes = resources.items!.find((r) => r.path === '/users')!;
  assert.deepEqual(Object.keys(usersRes.resourceMethods!).sort(), ['GET', 'OPTIONS', 'POST']);
  const options = usersRes.resourceMethods!['OPTIONS']!;
  assert.equal(options.authorizationType, 'NONE');
  assert.equal(options.apiKeyRequired, false);
  assert.deepEqual(options.methodResponses?.['200'], {
    statusCode: '200',
    responseModels: { 'application/json': 'Empty' },
    responseParameters: {
      'method.response.header.Access-Control-Allow-Headers': false,
      'method.response.header.Access-Control-Allow-Methods': false,
      'method.response.header.Access-Control-Allow-Origin': false,
    },
  });
  assert.equal(options.methodIntegration?.type, 'MOCK');
  assert.deepEqual(options.methodIntegration?.requestTemplates, { 'application/json': '{"statusCode": 200}' });
  assert.equal(options.methodIntegration?.passthroughBehavior, 'WHEN_NO_MATCH');
  assert.deepEqual(options.methodIntegration?.integrationResponses?.['200']?.responseParameters, {
    'method.response.header.Access-Control-Allow-Headers': ALLOW_HEADERS,
    'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS,POST'",
    'method.response.header.Access-Control-Allow-Origin': "'*'",
  });
  const get = usersRes.resourceMethods!['GET']!;
  assert.deepEqual(get.methodResponses?.['200']?.responseParameters, { 'method.response.header.Access-Control-Allow-Origin': false });
  assert.deepEqual(get.methodIntegration?.integrationResponses?.['200']?.responseParameters, {
    'method.response.header.Access-Control-Allow-Origin': "'*'",
  });

  // Without embed, AWS lists methods by name with empty bodies.
  const plain = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
  assert.deepEqual(plain.items!.find((r) => r.path === '/users')!.resourceMethods, { GET: {}, OPTIONS: {}, POST: {} });

  // And it serves: preflight, MOCK GET, Lambda POST, and a 4XX with the gateway-response CORS header.
  const preflight = await callApi(server, api.id!, '/dev/users', {
    method: 'OPTIONS',
    headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers['access-control-allow-origin'], '*');
  assert.equal(preflight.headers['access-control-allow-methods'], 'GET,OPTIONS,POST');
  assert.equal(preflight.headers['access-control-allow-headers'], ALLOW_HEADERS.slice(1, -1));
  assert.equal(preflight.body, '');

  const mockGet = await callApi(server, api.id!, '/dev/users');
  assert.equal(mockGet.status, 200);
  assert.equal(mockGet.body, '{"users": []}');
  assert.equal(mockGet.headers['access-control-allow-origin'], '*');

  const post = await callApi(server, api.id!, '/dev/users', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(post.status, 200);
  assert.deepEqual(JSON.parse(post.body), { method: 'POST', path: '/users' });

  const missing = await callApi(server, api.id!, '/dev/nothing-here');
  assert.equal(missing.status, 403);
  assert.equal(missing.body, '{"message":"Missing Authentication Token"}');
  assert.equal(missing.headers['access-control-allow-origin'], '*');
});
