import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callApi, rawRequest, startTestServer, type TestServer } from '../helpers/server.js';
import { loadFile, type LoadResult } from '../../src/iac/load.js';
import { exportRestApi } from '../../src/iac/openapi/export-rest.js';
import { exportHttpApi } from '../../src/iac/openapi/export-http.js';
import { exportSam } from '../../src/iac/export-sam.js';
import { importRestApi } from '../../src/iac/openapi/import-rest.js';
import { importHttpApi } from '../../src/iac/openapi/import-http.js';
import { parseSource } from '../../src/iac/source.js';
import { mintToken } from '../../src/auth/local-issuer.js';
import { writeFileSync } from 'node:fs';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/iac/${p}`, import.meta.url));
let server: TestServer;
const workDir = mkdtempSync(join(tmpdir(), 'pf-iac-test-'));

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

async function load(p: string): Promise<LoadResult> {
  return loadFile(server.control, fixture(p), { workDir });
}
const api = (r: LoadResult, id: string) => r.apis.find((a) => a.logicalId === id)!;
const restPath = (apiId: string, stage: string, path: string) => `/restapis/${apiId}/${stage}/_user_request_${path}`;

/** The parts of a REST API that a round trip must keep, without generated ids. */
function restShape(apiId: string): unknown {
  const c = server.control;
  const snap = c.deployments.snapshot(apiId);
  const authorizers = new Map((snap.authorizers ?? []).map((a) => [a.id, a.name]));
  const validators = new Map((snap.requestValidators ?? []).map((v) => [v.id, v.name]));
  return {
    resources: snap.resources.map((r) => ({
      path: r.path,
      methods: Object.values(r.resourceMethods ?? {}).map((m) => {
        const { authorizerId, requestValidatorId, methodIntegration, ...rest } = m;
        const { cacheNamespace: _c, ...integration } = methodIntegration ?? ({} as Record<string, unknown>);
        return { ...rest, authorizer: authorizerId && authorizers.get(authorizerId), validator: requestValidatorId && validators.get(requestValidatorId), integration };
      }),
    })),
    gatewayResponses: snap.gatewayResponses,
    authorizers: (snap.authorizers ?? []).map(({ id: _i, ...a }) => a),
    validators: (snap.requestValidators ?? []).map(({ id: _i, ...v }) => v),
    models: (snap.models ?? []).map(({ id: _i, schema, ...m }) => ({ ...m, schema: schema?.replace(/restapis\/[a-z0-9]+\//g, 'restapis/ID/') })),
    binary: c.apis.getRestApi(apiId).binaryMediaTypes,
    keySource: c.apis.getRestApi(apiId).apiKeySource,
  };
}

function httpShape(apiId: string): unknown {
  const c = server.control.httpApis;
  const snap = c.snapshot(apiId);
  const integrations = new Map(snap.integrations.map((i) => [i.integrationId, i]));
  const authorizers = new Map(snap.authorizers.map((a) => [a.authorizerId, a.name]));
  return {
    cors: snap.api.corsConfiguration,
    routes: snap.routes
      .map((r) => ({ key: r.routeKey, auth: r.authorizationType, authorizer: r.authorizerId && authorizers.get(r.authorizerId), scopes: r.authorizationScopes, integration: r.target && (({ integrationId: _i, ...i }) => i)(integrations.get(r.target.slice(13))!) }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    authorizers: snap.authorizers.map(({ authorizerId: _i, ...a }) => a),
  };
}

/** import → export → import is lossless, for both export formats (and SAM for the first). */
function assertRestRoundTrip(apiId: string) {
  const before = restShape(apiId);
  for (const format of ['oas30', 'swagger'] as const) {
    const doc = exportRestApi(server.control, apiId, format);
    const again = importRestApi(server.control, JSON.parse(JSON.stringify(doc)));
    assert.deepEqual(restShape(again), before, `${format} round trip of ${apiId}`);
  }
}

test('SAM Api with a Cors object: OPTIONS mock with SAM\'s headers, Lambda responses, stage variables, Globals', async () => {
  const r = await load('sam-rest-cors/template.yaml');
  const notes = api(r, 'NotesApi');
  // SAM keeps StageName "Stage" on the Deployment, so AWS has a "Stage" stage besides "dev"
  // (samtranslator 1.110 model/api/api_generator.py _construct_deployment).
  assert.deepEqual(notes.stages.sort(), ['Stage', 'dev']);
  const pre = await rawRequest(server.port, { method: 'OPTIONS', path: restPath(notes.apiId, 'dev', '/notes/7'), headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'DELETE' } });
  assert.equal(pre.status, 200);
  // swagger.py _options_method_response_for_cors: the Cors values as given, Allow-Credentials 'true' when set.
  assert.equal(pre.headers['access-control-allow-origin'], 'http://localhost:3000');
  assert.equal(pre.headers['access-control-allow-methods'], 'GET,POST,DELETE,OPTIONS');
  assert.equal(pre.headers['access-control-allow-headers'], 'Content-Type,Authorization,X-Requested-With');
  assert.equal(pre.headers['access-control-max-age'], '600');
  assert.equal(pre.headers['access-control-allow-credentials'], 'true');
  assert.equal(pre.body, '{}\n');
  const get = await rawRequest(server.port, { method: 'GET', path: restPath(notes.apiId, 'dev', '/notes') });
  assert.equal(get.status, 200);
  const body = JSON.parse(get.body);
  assert.deepEqual({ stage: body.stage, table: body.table, log: body.log, vars: body.stageVariables }, { stage: 'dev', table: 'notes_dev', log: 'debug', vars: { tableName: 'notes_dev' } });
  const fn = server.control.functions.get('notes-dev').configuration;
  assert.equal(fn.MemorySize, 256);
  assert.equal(fn.Timeout, 10);
  assert.equal(fn.Description, 'Notes handler (development)');
  assert.deepEqual({ zone: fn.Environment?.Variables?.['FIRST_ZONE'], part: fn.Environment?.Variables?.['REGION_PART'], b64: fn.Environment?.Variables?.['GREETING'] }, { zone: 'us-east-1a', part: 'east', b64: 'aGVsbG8=' });
  assert.deepEqual(server.control.apis.getRestApi(notes.apiId).binaryMediaTypes, ['image/png']);
  assert.equal(server.control.apis.getGatewayResponse(notes.apiId, 'DEFAULT_4XX').responseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin'], "'http://localhost:3000'");
  assertRestRoundTrip(notes.apiId);
  // SAM export loads back into the same shape.
  const sam = exportSam(server.control, notes.apiId, 'dev');
  const file = join(workDir, 'exported-notes.yaml');
  writeFileSync(file, sam);
  const again = await loadFile(server.control, file, { workDir });
  assert.deepEqual(restShape(again.apis[0]!.apiId), restShape(notes.apiId));
});

test('SAM Api with auth: authorizers, API key and usage plan created as SAM describes them', async () => {
  const r = await load('sam-rest-auth/template.yaml');
  const orders = api(r, 'OrdersApi');
  const c = server.control;
  const authorizers = c.parts.getAuthorizers(orders.apiId);
  const byName = Object.fromEntries(authorizers.map((a) => [a.name, a]));
  assert.equal(byName['TokenAuth']?.type, 'TOKEN');
  assert.equal(byName['TokenAuth']?.identitySource, 'method.request.header.Authorization');
  assert.equal(byName['TokenAuth']?.identityValidationExpression, '^Bearer .+$');
  assert.equal(byName['TokenAuth']?.authorizerResultTtlInSeconds, 60);
  assert.equal(byName['RequestAuth']?.identitySource, 'method.request.header.X-Tenant, method.request.querystring.tenant');
  assert.deepEqual(byName['UserPool']?.providerARNs, ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Example']);
  const resources = c.apis.getResources(orders.apiId, { embedMethods: true }).items;
  const m = (path: string, method: string) => resources.find((x) => x.path === path)!.resourceMethods![method]!;
  assert.equal(m('/orders', 'GET').authorizerId, byName['TokenAuth']!.id);
  assert.equal(m('/orders', 'GET').apiKeyRequired, true);
  assert.equal(m('/orders', 'POST').authorizerId, byName['RequestAuth']!.id);
  assert.equal(m('/orders/{id}', 'GET').authorizationType, 'COGNITO_USER_POOLS');
  assert.deepEqual(m('/orders/{id}', 'GET').authorizationScopes, ['orders/read']);
  assert.equal(m('/health', 'GET').authorizationType, 'NONE');
  assert.equal(m('/health', 'GET').apiKeyRequired, false);
  // AddDefaultAuthorizerToCorsPreflight: false keeps the authorizer off OPTIONS, but SAM still puts the API key on
  // it (AddApiKeyRequiredToCorsPreflight defaults to true: swagger.py set_path_default_apikey_required).
  assert.equal(m('/orders', 'OPTIONS').authorizationType, 'NONE');
  assert.equal(m('/orders', 'OPTIONS').apiKeyRequired, true);
  const plan = c.apiKeys.getUsagePlans().items.find((p) => p.apiStages.some((s) => s.apiId === orders.apiId))!;
  assert.deepEqual(plan.apiStages, [{ apiId: orders.apiId, stage: 'prod' }]);
  assert.deepEqual(plan.quota, { limit: 5000, offset: 0, period: 'MONTH' });
  assert.deepEqual(plan.throttle, { rateLimit: 10, burstLimit: 20 });
  assert.equal(c.apiKeys.getUsagePlanKeys(plan.id).length, 1);
  const unauthorized = c.apis.getGatewayResponse(orders.apiId, 'UNAUTHORIZED');
  assert.equal(unauthorized.statusCode, '401');
  assert.equal(unauthorized.responseParameters?.['gatewayresponse.header.WWW-Authenticate'], "'Bearer'");
  assertRestRoundTrip(orders.apiId);
});

test('implicit APIs: ServerlessRestApi (Prod) and ServerlessHttpApi ($default), inline code, a zip, an unknown type', async () => {
  const r = await load('sam-implicit/template.yaml');
  assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && d.message.includes('AWS::SQS::Queue') && d.location?.line === 51));
  const rest = api(r, 'ServerlessRestApi');
  const http = api(r, 'ServerlessHttpApi');
  assert.ok(rest.stages.includes('Prod'));
  assert.deepEqual(http.stages, ['$default']);
  let res = await rawRequest(server.port, { method: 'GET', path: restPath(rest.apiId, 'Prod', '/hello') });
  assert.deepEqual(JSON.parse(res.body), { hello: '/hello', version: '1.0' });
  res = await callApi(server, http.apiId, '/hello');
  assert.deepEqual(JSON.parse(res.body), { hello: '/hello', version: '2.0' });
  res = await rawRequest(server.port, { method: 'PUT', path: restPath(rest.apiId, 'Prod', '/ping') });
  assert.deepEqual(JSON.parse(res.body), { pong: true, method: 'PUT' });
  res = await callApi(server, http.apiId, '/ping/a/b', { method: 'DELETE' });
  assert.deepEqual(JSON.parse(res.body), { pong: true, method: 'DELETE' });
  assertRestRoundTrip(rest.apiId);
  const before = httpShape(http.apiId);
  const again = importHttpApi(server.control, exportHttpApi(server.control, http.apiId));
  assert.deepEqual(httpShape(again), before);
});

test('SAM HttpApi: CorsConfiguration answered by the gateway, JWT and Lambda authorizers enforced, named stage', async () => {
  const r = await load('sam-httpapi/template.yaml');
  const tasks = api(r, 'TasksApi');
  assert.deepEqual(tasks.stages, ['v1']);
  const pre = await callApi(server, tasks.apiId, '/v1/tasks', { method: 'OPTIONS', headers: { Origin: 'https://tasks.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
  assert.equal(pre.headers['access-control-allow-origin'], 'https://tasks.example.com');
  assert.equal(pre.headers['access-control-allow-credentials'], 'true');
  let res = await callApi(server, tasks.apiId, '/v1/tasks');
  assert.equal(res.status, 401);
  const token = await mintToken(server.control.store, { sub: 'ada', audience: 'tasks-app', scope: 'tasks:read', expiresInSeconds: 300, claims: {} });
  res = await callApi(server, tasks.apiId, '/v1/tasks', { headers: { Authorization: `Bearer ${token}`, Origin: 'http://localhost:3000' } });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { route: 'GET /tasks', claims: 'ada', tenant: null });
  // API Gateway ignores the function's own CORS header and sends the configured one (AGDG http-api-cors.md).
  assert.equal(res.headers['access-control-allow-origin'], 'http://localhost:3000');
  res = await callApi(server, tasks.apiId, '/v1/tasks', { method: 'POST', headers: { 'x-tenant': 'evil' } });
  assert.equal(res.status, 403);
  res = await callApi(server, tasks.apiId, '/v1/tasks', { method: 'POST', headers: { 'x-tenant': 'acme' } });
  assert.equal(res.status, 201);
  assert.equal(JSON.parse(res.body).tenant, 'acme');
  res = await callApi(server, tasks.apiId, '/v1/health');
  assert.equal(res.status, 200);
  const before = httpShape(tasks.apiId);
  assert.deepEqual(httpShape(importHttpApi(server.control, exportHttpApi(server.control, tasks.apiId))), before);
});

test('raw CloudFormation REST API (JSON): MOCK, Lambda proxy, gateway response, parts, keys', async () => {
  const r = await load('cfn-rest/template.json');
  const a = api(r, 'Api');
  assert.deepEqual(a.stages, ['v1']);
  let res = await rawRequest(server.port, { method: 'GET', path: restPath(a.apiId, 'v1', '/items') });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { items: ['a', 'b'] });
  assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
  res = await rawRequest(server.port, { method: 'OPTIONS', path: restPath(a.apiId, 'v1', '/items') });
  assert.equal(res.headers['access-control-allow-methods'], 'GET,OPTIONS,POST');
  res = await rawRequest(server.port, { method: 'GET', path: restPath(a.apiId, 'v1', '/echo?q=1') });
  assert.deepEqual(JSON.parse(res.body), { echo: { q: '1' } });
  res = await rawRequest(server.port, { method: 'GET', path: restPath(a.apiId, 'v1', '/nothing') });
  assert.equal(res.status, 403);
  assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
  const c = server.control;
  assert.equal(c.deployments.getStage(a.apiId, 'v1').variables?.['color'], 'blue');
  assert.equal(c.parts.getAuthorizers(a.apiId)[0]?.name, 'token');
  assert.equal(c.parts.getRequestValidators(a.apiId)[0]?.validateRequestBody, true);
  assert.ok(c.parts.findModel(a.apiId, 'Item'));
  const key = c.apiKeys.getApiKeys({ includeValues: true }).items.find((k) => k.name === 'partner')!;
  assert.deepEqual(key.stageKeys, [`${a.apiId}/v1`]);
  const plan = c.apiKeys.getUsagePlans().items.find((p) => p.name === 'partners')!;
  assert.deepEqual(c.apiKeys.getUsagePlanKeys(plan.id).map((k) => k.id), [key.id]);
  assertRestRoundTrip(a.apiId);
});

test('raw AWS::ApiGatewayV2 HTTP API (YAML): JWT route enforced, named stage from an explicit deployment', async () => {
  const r = await load('cfn-httpapi/template.yaml');
  const a = api(r, 'Api');
  let res = await callApi(server, a.apiId, '/live/hello');
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body).route, 'GET /hello');
  res = await callApi(server, a.apiId, '/live/me');
  assert.equal(res.status, 401);
  const token = await mintToken(server.control.store, { sub: 'grace', audience: 'cfn-http', expiresInSeconds: 300, claims: {} });
  res = await callApi(server, a.apiId, '/live/me', { headers: { Authorization: token } });
  assert.equal(JSON.parse(res.body).sub, 'grace');
  const before = httpShape(a.apiId);
  assert.deepEqual(httpShape(importHttpApi(server.control, exportHttpApi(server.control, a.apiId))), before);
});

test('custom domains in CloudFormation: DomainName, BasePathMapping and ApiMapping served by Host; reload keeps them; removal in order', async () => {
  const r = await load('cfn-domain/template.yaml');
  assert.deepEqual(r.diagnostics, []);
  const a = api(r, 'Api');
  const d = server.control.domains.getDomainName('api.fixture.localhost');
  assert.match(d.regionalDomainName ?? '', /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
  assert.equal(r.state['Domain']?.attrs['RegionalDomainName'], d.regionalDomainName, 'Fn::GetAtt Domain.RegionalDomainName');
  const viaDomain = (path: string) => rawRequest(server.port, { method: 'GET', path, headers: { Host: `api.fixture.localhost:${server.port}` } });
  for (const path of ['/v1/health', '/services/status/health']) {
    const res = await viaDomain(path);
    assert.equal(res.status, 200, path);
    assert.equal(res.body, '{"healthy": true}');
  }
  // Loaded again with what the first load made: updated in place, the mappings still there.
  const again = await loadFile(server.control, fixture('cfn-domain/template.yaml'), { workDir, previous: r.state });
  assert.deepEqual(again.diagnostics, []);
  assert.equal(server.control.domains.getDomainName('api.fixture.localhost').regionalDomainName, d.regionalDomainName);
  assert.equal((await viaDomain('/v1/health')).status, 200);
  // A template without any of it: the mappings go first, so the API (which AWS will not delete while mapped) goes too.
  const empty = join(workDir, 'empty.yaml');
  writeFileSync(empty, 'Resources:\n  Nothing:\n    Type: AWS::CloudFormation::WaitConditionHandle\n');
  await loadFile(server.control, empty, { workDir, previous: again.state });
  assert.equal(server.control.domains.find('api.fixture.localhost'), undefined);
  assert.equal(server.control.apis.hasRestApi(a.apiId), false);
});

test('SAM Domain: the API answers by its custom name under the base path, at the stage SAM maps', async () => {
  const file = join(workDir, 'sam-domain.yaml');
  writeFileSync(
    file,
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Shop:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: shop.sam.localhost
        CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/local
        BasePath: /store
      DefinitionBody:
        openapi: 3.0.1
        info: { title: shop, version: '1' }
        paths:
          /ping:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates: { application/json: '{"statusCode": 200}' }
                responses: { default: { statusCode: '200', responseTemplates: { application/json: '{"pong": true}' } } }
              responses: { '200': { description: ok } }
`,
  );
  const r = await loadFile(server.control, file, { workDir });
  assert.deepEqual(r.diagnostics, []);
  const res = await rawRequest(server.port, { method: 'GET', path: '/store/ping', headers: { Host: `shop.sam.localhost:${server.port}` } });
  assert.equal(res.status, 200, res.body);
  assert.equal(res.body, '{"pong": true}');
  assert.deepEqual(server.control.domains.getBasePathMappings('shop.sam.localhost').items, [{ basePath: 'store', restApiId: api(r, 'Shop').apiId, stage: 'prod' }]);
});

test('OpenAPI 3 and Swagger 2 REST definitions, and an OpenAPI HTTP API definition', async () => {
  const pets = api(await load('openapi/rest-oas30.yaml'), 'Api');
  assert.deepEqual(pets.stages, ['test']);
  let res = await rawRequest(server.port, { method: 'GET', path: restPath(pets.apiId, 'test', '/pets?type=cat') });
  assert.deepEqual(JSON.parse(res.body), [{ id: 1, type: 'cat' }]);
  res = await rawRequest(server.port, { method: 'GET', path: restPath(pets.apiId, 'test', '/pets/0') });
  assert.equal(res.status, 404);
  assert.deepEqual(JSON.parse(res.body), { message: 'no such pet' });
  const post = server.control.apis.getResources(pets.apiId, { embedMethods: true }).items.find((x) => x.path === '/pets')!.resourceMethods!['POST']!;
  assert.equal(post.apiKeyRequired, true);
  assert.equal(post.authorizationType, 'CUSTOM');
  assert.deepEqual(post.requestModels, { 'application/json': 'Pet' });
  assertRestRoundTrip(pets.apiId);
  const health = api(await load('openapi/rest-swagger.json'), 'Api');
  res = await rawRequest(server.port, { method: 'GET', path: restPath(health.apiId, 'v2', '/health') });
  assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
  assertRestRoundTrip(health.apiId);
  const proxy = api(await load('openapi/http-oas30.yaml'), 'Api');
  assert.deepEqual(server.control.httpApis.getApi(proxy.apiId).corsConfiguration, { allowOrigins: ['https://web.example.com'], allowMethods: ['GET'], maxAge: 120 });
  assert.deepEqual(httpShape(importHttpApi(server.control, exportHttpApi(server.control, proxy.apiId))), httpShape(proxy.apiId));
});

test('GetExport and ImportRestApi on the wire', async () => {
  const r = await load('openapi/rest-swagger.json');
  const id = r.apis[0]!.apiId;
  let res = await rawRequest(server.port, { method: 'GET', path: `/restapis/${id}/stages/v2/exports/oas30?extensions=apigateway`, headers: { Accept: 'application/yaml' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'application/yaml');
  const doc = parseSource('x.yaml', res.body).value as Record<string, unknown>;
  assert.equal(doc['openapi'], '3.0.1');
  res = await rawRequest(server.port, { method: 'GET', path: `/restapis/${id}/stages/v2/exports/swagger`, headers: { Accept: 'application/json' } });
  assert.equal(JSON.parse(res.body).basePath, '/v2');
  res = await rawRequest(server.port, { method: 'POST', path: '/restapis?mode=import', headers: { 'Content-Type': 'application/json' }, body: res.body });
  assert.equal(res.status, 201);
  const imported = JSON.parse(res.body).id as string;
  assert.deepEqual(restShape(imported), restShape(id));
});
