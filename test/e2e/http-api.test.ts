import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiGatewayV2Client,
  BadRequestException,
  ConflictException,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  GetApiCommand,
  GetRoutesCommand,
  GetStagesCommand,
  NotFoundException,
  UpdateApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import { callApi, startTestServer, type TestServer, nodeFunction } from '../helpers/server.js';

let server: TestServer;
let v2: ApiGatewayV2Client;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

before(async () => {
  server = await startTestServer();
  v2 = new ApiGatewayV2Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  await fn('echo', 'export const handler = async (event) => ({ statusCode: 200, headers: { "x-echo": "1", "Access-Control-Allow-Origin": "*" }, body: JSON.stringify(event) });');
  await fn('plain', 'export const handler = async (event) => ({ hello: "world", path: event.rawPath });');
  await fn('text', 'export const handler = async () => "Hello from Lambda!";');
  await fn('cookies', 'export const handler = async () => ({ statusCode: 201, cookies: ["a=1; Path=/", "b=2"], body: "ok", headers: { "content-type": "text/plain" } });');
  await fn('broken', 'export const handler = async () => { throw new Error("nope"); };');
});
after(() => server.close());

const fn = (name: string, source: string) => nodeFunction(server, name, source);

describe('control plane through the SDK', () => {
  test('quick create makes an integration, the $default route and an auto-deploying $default stage', async () => {
    const api = await v2.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: fnArn('echo') }));
    assert.match(api.ApiId!, /^[a-z0-9]{10}$/);
    assert.equal(api.ApiEndpoint, `https://${api.ApiId}.execute-api.us-east-1.amazonaws.com`);
    assert.equal(api.RouteSelectionExpression, '$request.method $request.path');
    assert.ok(api.CreatedDate instanceof Date);
    const routes = await v2.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    assert.deepEqual(routes.Items?.map((r) => [r.RouteKey, r.ApiGatewayManaged]), [['$default', true]]);
    const stages = await v2.send(new GetStagesCommand({ ApiId: api.ApiId }));
    assert.deepEqual(stages.Items?.map((s) => [s.StageName, s.AutoDeploy]), [['$default', true]]);
    const r = await callApi(server, api.ApiId!, '/anything/here?x=1&x=2');
    assert.equal(r.status, 200);
    const event = JSON.parse(r.body);
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, '$default');
    assert.equal(event.rawPath, '/anything/here');
    assert.equal(event.rawQueryString, 'x=1&x=2');
    assert.deepEqual(event.queryStringParameters, { x: '1,2' });
    assert.equal(event.requestContext.stage, '$default');
    assert.equal(event.requestContext.http.method, 'GET');
    assert.ok(r.headers['apigw-requestid']);
  });

  test('validation errors as AWS words them', async () => {
    // Real service text quoted in aws/aws-cdk#9076.
    await assert.rejects(
      v2.send(new CreateApiCommand({ Name: 'bad-cors', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'], AllowCredentials: true } })),
      (e: unknown) => e instanceof BadRequestException && e.message === "allow-credentials is not supported if 'allow-origin' is *",
    );
    const api = await v2.send(new CreateApiCommand({ Name: 'routes', ProtocolType: 'HTTP' }));
    for (const bad of ['GET items', 'GET /a/{proxy+}/b', 'FETCH /x']) {
      await assert.rejects(v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: bad })), BadRequestException, bad);
    }
    await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /items' }));
    await assert.rejects(v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /items' })), ConflictException);
    await assert.rejects(v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /other', Target: 'integrations/nope123' })), NotFoundException);
    await assert.rejects(v2.send(new GetApiCommand({ ApiId: 'nope' })), NotFoundException);
  });
});

test('the SDK builds authorizers, HTTP_PROXY integrations, deployments and named stages', async () => {
  const api = await v2.send(new CreateApiCommand({ Name: 'shapes', ProtocolType: 'HTTP' }));
  const jwt = await v2.send(
    new CreateAuthorizerCommand({ ApiId: api.ApiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.preflight.localhost', Audience: ['app'] } }),
  );
  assert.match(jwt.AuthorizerId!, /^[a-z0-9]+$/);
  const lambdaAuth = await v2.send(
    new CreateAuthorizerCommand({
      ApiId: api.ApiId,
      Name: 'lambda',
      AuthorizerType: 'REQUEST',
      IdentitySource: ['$request.header.X-Key'],
      AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('echo')}/invocations`,
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
    }),
  );
  assert.equal(lambdaAuth.EnableSimpleResponses, true);
  const proxy = await v2.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://127.0.0.1:1/backend', IntegrationMethod: 'ANY' }));
  assert.equal(proxy.PayloadFormatVersion, '1.0');
  assert.equal(proxy.TimeoutInMillis, 30000);
  assert.equal(proxy.ConnectionType, 'INTERNET');
  const route = await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /secure', Target: `integrations/${proxy.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'] }));
  assert.deepEqual(route.AuthorizationScopes, ['read']);
  const deployment = await v2.send(new CreateDeploymentCommand({ ApiId: api.ApiId, Description: 'first' }));
  assert.equal(deployment.DeploymentStatus, 'DEPLOYED');
  assert.equal(deployment.AutoDeployed, false);
  const stage = await v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: 'prod', DeploymentId: deployment.DeploymentId, StageVariables: { mode: 'live' } }));
  assert.equal(stage.AutoDeploy, undefined, 'left out when false, as AWS does');
  assert.deepEqual(stage.DefaultRouteSettings, { DetailedMetricsEnabled: false });
  const r = await callApi(server, api.ApiId!, '/prod/secure');
  assert.equal(r.status, 401);
  await assert.rejects(
    v2.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'HTTP', IntegrationUri: 'http://x', IntegrationMethod: 'GET' })),
    (e: unknown) => e instanceof BadRequestException && e.message === 'Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)',
  );
});

describe('data plane', () => {
  async function apiWith(routes: [string, string, string?][], cors?: Record<string, unknown>) {
    const api = await v2.send(new CreateApiCommand({ Name: 'dp', ProtocolType: 'HTTP', ...(cors ? { CorsConfiguration: cors } : {}) }));
    const ids = new Map<string, string>();
    for (const [key, fnName, version] of routes) {
      const k = `${fnName}/${version ?? '2.0'}`;
      if (!ids.has(k)) {
        const i = await v2.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: fnArn(fnName), PayloadFormatVersion: version ?? '2.0' }));
        ids.set(k, i.IntegrationId!);
      }
      await v2.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: key, Target: `integrations/${ids.get(k)}` }));
    }
    await v2.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: '$default', AutoDeploy: true }));
    return api.ApiId!;
  }

  test('routing: full match, then greedy, then ANY, then $default; 404 Not Found otherwise', async () => {
    // The examples of AGDG http-api-develop-routes ("Routing API requests").
    const id = await apiWith([
      ['GET /pets/dog/1', 'echo'],
      ['GET /pets/dog/{id}', 'echo'],
      ['GET /pets/{proxy+}', 'echo'],
      ['ANY /{proxy+}', 'echo'],
    ]);
    const routeOf = async (method: string, path: string) => {
      const r = await callApi(server, id, path, { method });
      return r.status === 200 ? JSON.parse(r.body).routeKey : r.status;
    };
    assert.equal(await routeOf('GET', '/pets/dog/1'), 'GET /pets/dog/1');
    assert.equal(await routeOf('GET', '/pets/dog/2'), 'GET /pets/dog/{id}');
    assert.equal(await routeOf('GET', '/pets/cat/1'), 'GET /pets/{proxy+}');
    assert.equal(await routeOf('POST', '/test/5'), 'ANY /{proxy+}');
    const none = await apiWith([['GET /only', 'echo']]);
    const r = await callApi(server, none, '/other');
    assert.equal(r.status, 404);
    assert.equal(r.body, '{"message":"Not Found"}');
  });

  test('payload 2.0 inference, cookies, errors; payload 1.0 events', async () => {
    const id = await apiWith([
      ['GET /plain', 'plain'],
      ['GET /text', 'text'],
      ['GET /cookies', 'cookies'],
      ['GET /broken', 'broken'],
      ['GET /v1/{id}', 'echo', '1.0'],
    ]);
    const plain = await callApi(server, id, '/plain');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(plain.body), { hello: 'world', path: '/plain' });
    const text = await callApi(server, id, '/text');
    assert.equal(text.body, 'Hello from Lambda!');
    const cookies = await callApi(server, id, '/cookies');
    assert.equal(cookies.status, 201);
    assert.deepEqual(cookies.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
    const broken = await callApi(server, id, '/broken');
    assert.equal(broken.status, 500);
    assert.equal(broken.body, '{"message":"Internal Server Error"}');
    const v1 = JSON.parse((await callApi(server, id, '/v1/7?a=1')).body);
    assert.equal(v1.version, '1.0');
    assert.equal(v1.httpMethod, 'GET');
    assert.deepEqual(v1.pathParameters, { id: '7' });
    assert.deepEqual(v1.queryStringParameters, { a: '1' });
  });

  test('a large body reaches the handler whole, in its place in the 2.0 and 1.0 events', async () => {
    // Bodies from 4 KB on travel to the environment apart from the event (InvokeRequest.body).
    await fn('keys', 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ keys: Object.keys(event), body: event.body }) });');
    const id = await apiWith([
      ['POST /v2', 'keys'],
      ['POST /v1', 'keys', '1.0'],
    ]);
    const large = JSON.stringify({ text: `"quoted" é ✓ 😀 ${'y'.repeat(50_000)}` });
    const small = '{"small":true}';
    const keysOf = async (path: string, body: string) => {
      const r = await callApi(server, id, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(r.status, 200, r.body.slice(0, 200));
      const seen = JSON.parse(r.body) as { keys: string[]; body: string };
      assert.equal(seen.body, body);
      return seen.keys;
    };
    assert.deepEqual(await keysOf('/v2', large), await keysOf('/v2', small));
    assert.deepEqual(await keysOf('/v1', large), await keysOf('/v1', small));
  });

  test('CorsConfiguration: the gateway answers preflights, adds its headers and drops the integration\'s', async () => {
    const id = await apiWith([['POST /items', 'echo']], { AllowOrigins: ['http://localhost:3000', 'https://app.example.com'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['content-type', 'authorization'], MaxAge: 300 });
    const preflight = await callApi(server, id, '/items', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(preflight.headers['access-control-max-age'], '300');
    const foreign = await callApi(server, id, '/items', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    const post = await callApi(server, id, '/items', { method: 'POST', headers: { Origin: 'http://localhost:3000' }, body: '{}' });
    assert.equal(post.status, 200);
    assert.equal(post.headers['access-control-allow-origin'], 'http://localhost:3000', 'the Lambda\'s * is replaced');
    assert.equal(post.headers['x-echo'], '1');
    const other = await callApi(server, id, '/items', { method: 'POST', headers: { Origin: 'https://evil.example' }, body: '{}' });
    assert.equal(other.headers['access-control-allow-origin'], undefined, 'no CORS headers for an origin that is not allowed');
    // UpdateApi changes CORS; the auto-deploying stage serves it at once.
    await v2.send(new UpdateApiCommand({ ApiId: id, CorsConfiguration: { AllowOrigins: ['*'] } }));
    const star = await callApi(server, id, '/items', { method: 'POST', headers: { Origin: 'https://evil.example' }, body: '{}' });
    assert.equal(star.headers['access-control-allow-origin'], '*');
  });
});
