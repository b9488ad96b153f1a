import { test, describe, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../src/store/db.js';
import { ControlPlane } from '../../src/control/index.js';
import { AwsError } from '../../src/control/errors.js';

let control: ControlPlane;
beforeEach(() => {
  control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/preflight-unit-code' });
});

function rejects(fn: () => unknown, status: number, type: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected an AwsError, got ${String(e)}`);
    assert.equal(e.status, status);
    assert.equal(e.type, type);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('REST API control operations', () => {
  test('create: AWS defaults and id shapes', () => {
    const api = control.apis.createRestApi({ name: 'a' });
    assert.match(api.id, /^[a-z0-9]{10}$/);
    assert.match(api.rootResourceId, /^[a-z0-9]{10}$/);
    assert.equal(api.apiKeySource, 'HEADER');
    // test_apigateway_api test_create_rest_api_verify_defaults (LocalStack, recorded on AWS).
    assert.deepEqual(api.endpointConfiguration, { types: ['EDGE'], ipAddressType: 'ipv4' });
    assert.equal(api.disableExecuteApiEndpoint, false);
    const child = control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    assert.match(child.id, /^[a-z0-9]{6}$/);
    rejects(() => control.apis.createRestApi({ name: 'b', description: '' }), 400, 'BadRequestException', 'Description cannot be an empty string');
  });

  // Six random characters meet by the birthday bound (an API of 10,000 resources: about 2%); the second insert of a
  // taken id failed with a raw SQLite UNIQUE constraint error (seen building the bench's 10,000-resource API).
  test('a generated id that names an existing row is drawn again; other APIs do not count', () => {
    const store = new Store({ ephemeral: true });
    const plane = new ControlPlane(store, { codeRoot: '/tmp/preflight-unit-code' });
    const api = plane.apis.createRestApi({ name: 'a' });
    const other = plane.apis.createRestApi({ name: 'b' });
    const taken = plane.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' }).id;
    const draws = [taken, taken, 'zzzzzz'];
    assert.equal(store.freshId('resources', api.id, () => draws.shift()!), 'zzzzzz');
    assert.equal(draws.length, 0);
    assert.equal(store.freshId('resources', other.id, () => taken), taken);
    const key = plane.apiKeys.createApiKey({ name: 'k' });
    const keyDraws = [key.id, 'k'.repeat(10)];
    assert.equal(store.freshId('api_keys', undefined, () => keyDraws.shift()!), 'k'.repeat(10));
  });

  // Messages from LocalStack's AWS-validated snapshots (test_apigateway_api) and real AWS logs quoted in issues.
  test('errors as AWS words them', () => {
    const api = control.apis.createRestApi({ name: 'a' });
    rejects(() => control.apis.getRestApi('nope'), 404, 'NotFoundException', 'Invalid API identifier specified 000000000000:nope');
    rejects(() => control.apis.getResource(api.id, 'nope'), 404, 'NotFoundException', 'Invalid Resource identifier specified');
    rejects(() => control.apis.putMethod('nope', 'x', 'GET', { authorizationType: 'NONE' }), 404, 'NotFoundException', 'Invalid Resource identifier specified');
    rejects(() => control.apis.getMethod(api.id, api.rootResourceId, 'GET'), 404, 'NotFoundException', 'Invalid Method identifier specified');
    rejects(() => control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'a b' }), 400, 'BadRequestException', /^Resource's path part only allow a-zA-Z0-9._-/);
    control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    rejects(() => control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' }), 409, 'ConflictException', 'Another resource with the same parent already has this name: users');
    const proxy = control.apis.createResource(api.id, api.rootResourceId, { pathPart: '{proxy+}' });
    rejects(() => control.apis.createResource(api.id, api.rootResourceId, { pathPart: '{id}' }), 400, 'BadRequestException', 'A sibling ({proxy+}) of this resource already has a variable path part -- only one is allowed');
    rejects(() => control.apis.createResource(api.id, proxy.id, { pathPart: 'x' }), 400, 'BadRequestException', 'Cannot create a child of a resource with a greedy path variable: {proxy+}');
    control.apis.putMethod(api.id, proxy.id, 'ANY', { authorizationType: 'NONE' });
    rejects(() => control.apis.putMethod(api.id, proxy.id, 'ANY', { authorizationType: 'NONE' }), 409, 'ConflictException', 'Method already exists for this resource');
    rejects(() => control.apis.putMethod(api.id, proxy.id, 'FETCH', { authorizationType: 'NONE' }), 400, 'BadRequestException', 'Invalid HttpMethod specified. Valid options are GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,ANY');
    rejects(
      () => control.apis.putIntegration(api.id, proxy.id, 'ANY', { type: 'HTTPS_PROXY' }),
      400,
      'ValidationException',
      "1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]",
    );
    rejects(() => control.apis.putIntegration(api.id, proxy.id, 'ANY', { type: 'HTTP', uri: 'http://x' }), 400, 'BadRequestException', 'Enumeration value for HttpMethod must be non-empty');
    rejects(() => control.apis.putIntegration(api.id, proxy.id, 'ANY', { type: 'HTTP', integrationHttpMethod: 'GET', uri: 'not a url' }), 400, 'BadRequestException', 'Invalid HTTP endpoint specified for URI');
    rejects(() => control.apis.putIntegration(api.id, proxy.id, 'ANY', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: 'non-valid-arn' }), 400, 'BadRequestException', 'Invalid ARN specified in the request');
    rejects(
      () => control.apis.putIntegration(api.id, proxy.id, 'ANY', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: 'arn:aws:lambda:us-east-1:000000000000:function:f' }),
      400,
      'BadRequestException',
      'AWS ARN for integration must contain path or action',
    );
    rejects(() => control.apis.getIntegration(api.id, proxy.id, 'ANY'), 404, 'NotFoundException', 'Invalid Integration identifier specified');
    rejects(() => control.deployments.createDeployment(api.id, {}), 400, 'BadRequestException', 'No integration defined for method');
    const empty = control.apis.createRestApi({ name: 'empty' });
    rejects(() => control.deployments.createDeployment(empty.id, {}), 400, 'BadRequestException', "The REST API doesn't contain any methods");
    rejects(() => control.deployments.getStage(api.id, 'nope'), 404, 'NotFoundException', 'Invalid stage identifier specified');
  });

  test('integration defaults, and a MOCK drops its uri', () => {
    const api = control.apis.createRestApi({ name: 'a' });
    control.apis.putMethod(api.id, api.rootResourceId, 'GET', { authorizationType: 'NONE' });
    const mock = control.apis.putIntegration(api.id, api.rootResourceId, 'GET', { type: 'MOCK', uri: 'http://example.com' });
    // test_apigateway_integrations test_put_integration_validation (LocalStack, recorded on AWS).
    assert.deepEqual(mock, { type: 'MOCK', passthroughBehavior: 'WHEN_NO_MATCH', timeoutInMillis: 29000, cacheNamespace: api.rootResourceId, cacheKeyParameters: [] });
    const http = control.apis.putIntegration(api.id, api.rootResourceId, 'GET', { type: 'HTTP', integrationHttpMethod: 'post', uri: 'http://example.com' });
    assert.equal(http.connectionType, 'INTERNET');
    assert.equal(http.httpMethod, 'POST');
  });

  test('patch operations', () => {
    const api = control.apis.createRestApi({ name: 'a' });
    const r = control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    const moved = control.apis.updateResource(api.id, r.id, [{ op: 'replace', path: '/pathPart', value: 'people' }]);
    assert.equal(moved.path, '/people');
    rejects(() => control.apis.updateResource(api.id, r.id, [{ op: 'replace', path: '/invalid', value: 'x' }]), 400, 'BadRequestException', "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]");
    rejects(() => control.apis.updateResource(api.id, api.rootResourceId, [{ op: 'replace', path: '/pathPart', value: 'x' }]), 400, 'BadRequestException', 'Root resource cannot update its pathPart.');
    const child = control.apis.createResource(api.id, r.id, { pathPart: 'child' });
    rejects(() => control.apis.updateResource(api.id, r.id, [{ op: 'replace', path: '/parentId', value: child.id }]), 400, 'BadRequestException', 'Resources cannot be cyclical.');
    const updated = control.apis.updateRestApi(api.id, [
      { op: 'add', path: '/binaryMediaTypes/image~1png' },
      { op: 'replace', path: '/description', value: 'd' },
    ]);
    assert.deepEqual(updated.binaryMediaTypes, ['image/png']);
    assert.equal(updated.description, 'd');
    control.apis.putMethod(api.id, r.id, 'GET', { authorizationType: 'NONE' });
    rejects(() => control.apis.updateMethod(api.id, r.id, 'GET', [{ op: 'add', path: '/operationName', value: 'x' }]), 400, 'BadRequestException', 'Invalid patch operation specified. Must be one of: [replace]');
  });

  test('gateway responses: all 21 types, defaults and DEFAULT_4XX inheritance', () => {
    const api = control.apis.createRestApi({ name: 'a' });
    const all = control.apis.getGatewayResponses(api.id);
    assert.equal(all.length, 21);
    const missing = all.find((g) => g.responseType === 'MISSING_AUTHENTICATION_TOKEN')!;
    assert.deepEqual(missing, {
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      defaultResponse: true,
      statusCode: '403',
      responseParameters: {},
      responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
    });
    assert.equal(all.find((g) => g.responseType === 'DEFAULT_4XX')!.statusCode, undefined);
    control.apis.putGatewayResponse(api.id, 'DEFAULT_4XX', { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } });
    const inherited = control.apis.getGatewayResponse(api.id, 'UNAUTHORIZED');
    assert.equal(inherited.defaultResponse, true);
    assert.equal(inherited.statusCode, '401');
    assert.deepEqual(inherited.responseParameters, { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" });
    rejects(() => control.apis.deleteGatewayResponse(api.id, 'UNAUTHORIZED'), 404, 'NotFoundException', 'Gateway response type not defined on api');
    rejects(() => control.apis.getGatewayResponse(api.id, 'FAKE_RESPONSE_TYPE'), 400, 'ValidationException', /^1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType'/);
  });
});

describe('Enable CORS', () => {
  function apiWith(methods: { method: string; type: 'MOCK' | 'AWS_PROXY' }[]) {
    const api = control.apis.createRestApi({ name: 'a' });
    const r = control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    for (const m of methods) {
      control.apis.putMethod(api.id, r.id, m.method, { authorizationType: 'NONE' });
      if (m.type === 'MOCK') {
        control.apis.putIntegration(api.id, r.id, m.method, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
        control.apis.putMethodResponse(api.id, r.id, m.method, '200', {});
        control.apis.putIntegrationResponse(api.id, r.id, m.method, '200', {});
      } else {
        control.apis.putIntegration(api.id, r.id, m.method, {
          type: 'AWS_PROXY',
          integrationHttpMethod: 'POST',
          uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations',
        });
      }
    }
    return { api, r };
  }

  test('creates the OPTIONS mock exactly as the console does', () => {
    const { api, r } = apiWith([
      { method: 'GET', type: 'MOCK' },
      { method: 'POST', type: 'AWS_PROXY' },
    ]);
    const result = control.enableCors(api.id, r.id, {});
    // Selected methods plus OPTIONS, alphabetical (console exports: 'GET,OPTIONS,POST').
    assert.equal(result.allowMethods, 'GET,OPTIONS,POST');
    assert.deepEqual(result.proxyMethods, ['POST']);
    const options = control.apis.getMethod(api.id, r.id, 'OPTIONS');
    assert.equal(options.authorizationType, 'NONE');
    assert.equal(options.apiKeyRequired, false);
    assert.deepEqual(options.methodIntegration?.requestTemplates, { 'application/json': '{"statusCode": 200}' });
    assert.deepEqual(options.methodIntegration?.integrationResponses?.['200']?.responseParameters, {
      'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
      'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS,POST'",
      'method.response.header.Access-Control-Allow-Origin': "'*'",
    });
    const get = control.apis.getMethod(api.id, r.id, 'GET');
    assert.deepEqual(get.methodIntegration?.integrationResponses?.['200']?.responseParameters, { 'method.response.header.Access-Control-Allow-Origin': "'*'" });
    const post = control.apis.getMethod(api.id, r.id, 'POST');
    assert.equal(post.methodResponses, undefined, 'proxy methods are left alone');
  });

  test('ANY expands to every method; applied again it replaces the values; gateway responses get the headers', () => {
    const { api, r } = apiWith([{ method: 'ANY', type: 'AWS_PROXY' }]);
    assert.equal(control.enableCors(api.id, r.id, {}).allowMethods, 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
    control.enableCors(api.id, r.id, { allowOrigin: 'http://localhost:3000', gatewayResponses: ['DEFAULT_4XX', 'DEFAULT_5XX'] });
    const ir = control.apis.getIntegrationResponse(api.id, r.id, 'OPTIONS', '200');
    assert.equal(ir.responseParameters?.['method.response.header.Access-Control-Allow-Origin'], "'http://localhost:3000'");
    const g4 = control.apis.getGatewayResponse(api.id, 'DEFAULT_4XX');
    assert.equal(g4.defaultResponse, false);
    assert.equal(g4.responseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin'], "'http://localhost:3000'");
    assert.equal(control.apis.getGatewayResponse(api.id, 'DEFAULT_5XX').responseParameters?.['gatewayresponse.header.Access-Control-Allow-Methods'], "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'");
  });

  test('dry run changes nothing; unknown methods are refused with what exists', () => {
    const { api, r } = apiWith([{ method: 'GET', type: 'MOCK' }]);
    const plan = control.enableCors(api.id, r.id, {}, { dryRun: true });
    assert.ok(plan.changes.some((c) => c.target === 'OPTIONS /users method' && c.action === 'create'));
    rejects(() => control.apis.getMethod(api.id, r.id, 'OPTIONS'), 404, 'NotFoundException', 'Invalid Method identifier specified');
    rejects(() => control.enableCors(api.id, r.id, { methods: ['DELETE'] }), 400, 'BadRequestException', 'Cannot enable CORS for DELETE on /users: the resource has no DELETE method (it has: GET)');
  });
});
