import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiGatewayV2Client, ResetAuthorizersCacheCommand } from '@aws-sdk/client-apigatewayv2';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { LOCAL_ISSUER, mintToken } from '../../src/auth/local-issuer.js';
import { callApi, startTestServer, type TestServer, nodeFunction } from '../helpers/server.js';

let server: TestServer;
let issuerServer: http.Server;
let externalIssuer: string;
let externalKey: CryptoKey;
let jwksUp = true;

before(async () => {
  server = await startTestServer();
  await fn('whoami', 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer ?? null) });');
  await fn(
    'gatekeeper',
    `let calls = 0;
     export const handler = async (event) => {
       calls++;
       const token = event.version === '1.0' ? event.authorizationToken : event.identitySource[0];
       if (token === 'boom') throw new Error('authorizer crashed');
       if (event.version === '1.0') {
         return { principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: token === 'allow' ? 'Allow' : 'Deny', Resource: event.methodArn }] }, context: { calls } };
       }
       return { isAuthorized: token === 'allow', context: { calls, user: 'alice' } };
     };`,
  );
  // An external OIDC issuer on loopback: discovery document and JWKS.
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  externalKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'ext-1', alg: 'RS256', use: 'sig' };
  issuerServer = http.createServer((req, res) => {
    if (!jwksUp) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: externalIssuer, jwks_uri: `${externalIssuer}/jwks.json` }));
    else res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', () => r()));
  externalIssuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
});
after(async () => {
  issuerServer.closeAllConnections();
  issuerServer.close();
  await server.close();
});

const fn = (name: string, source: string) => nodeFunction(server, name, source);

const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** A Lambda REQUEST authorizer on the Authorization header: payload 2.0, simple responses, decisions cached 300 s. */
const simpleAuthorizer = (name: string, fnName: string) => ({
  name,
  authorizerType: 'REQUEST',
  identitySource: ['$request.header.Authorization'],
  authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn(fnName)}/invocations`,
  authorizerPayloadFormatVersion: '2.0',
  enableSimpleResponses: true,
  authorizerResultTtlInSeconds: 300,
});

function apiWithAuthorizer(authorizer: Record<string, unknown>, routeExtra: Record<string, unknown> = {}, cors?: Record<string, unknown>) {
  const h = server.control.httpApis;
  const api = h.createApi({ name: 'auth', protocolType: 'HTTP', ...(cors ? { corsConfiguration: cors } : {}) });
  const integration = h.createIntegration(api.apiId, { integrationType: 'AWS_PROXY', integrationUri: arn('whoami'), payloadFormatVersion: '2.0' });
  const a = h.createAuthorizer(api.apiId, authorizer);
  const type = a.authorizerType === 'JWT' ? 'JWT' : 'CUSTOM';
  h.createRoute(api.apiId, { routeKey: 'GET /me', target: `integrations/${integration.integrationId}`, authorizationType: type, authorizerId: a.authorizerId, ...routeExtra });
  h.createStage(api.apiId, { stageName: '$default', autoDeploy: true });
  return api.apiId;
}

describe('JWT authorizers', () => {
  test('the built-in issuer: valid token → claims as strings, scopes; failures → 401 with AWS\'s challenges', async () => {
    const id = apiWithAuthorizer(
      { name: 'local', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: LOCAL_ISSUER, audience: ['my-app'] } },
      { authorizationScopes: ['items:read'] },
    );
    const good = await mintToken(server.control.store, { sub: 'alice', audience: 'my-app', scope: 'items:read profile', claims: { groups: ['admin', 'user'] } });
    const ok = await callApi(server, id, '/me', { headers: { Authorization: `Bearer ${good}` } });
    assert.equal(ok.status, 200, ok.body);
    const auth = JSON.parse(ok.body);
    assert.equal(auth.jwt.claims.sub, 'alice');
    assert.equal(typeof auth.jwt.claims.exp, 'string', 'claims arrive as strings (DefinitelyTyped#75458, a real event)');
    assert.equal(auth.jwt.claims.groups, '[admin user]');
    assert.deepEqual(auth.jwt.scopes, ['items:read', 'profile']);

    // Token without the "Bearer " prefix works too (AGDG http-api-jwt-authorizer).
    assert.equal((await callApi(server, id, '/me', { headers: { Authorization: good } })).status, 200);

    const none = await callApi(server, id, '/me');
    assert.equal(none.status, 401);
    assert.equal(none.body, '{"message":"Unauthorized"}');
    assert.equal(none.headers['www-authenticate'], 'Bearer');

    const garbage = await callApi(server, id, '/me', { headers: { Authorization: 'Bearer not-a-jwt' } });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.headers['www-authenticate'], 'Bearer scope="items:read" error="invalid_token" error_description="token contains an invalid number of segments"');

    const expired = await mintToken(server.control.store, { sub: 'alice', audience: 'my-app', scope: 'items:read', expiresInSeconds: -60 });
    const exp = await callApi(server, id, '/me', { headers: { Authorization: `Bearer ${expired}` } });
    assert.equal(exp.status, 401);
    assert.match(exp.headers['www-authenticate'] as string, /error_description="the token has expired"/);

    const otherAud = await mintToken(server.control.store, { sub: 'alice', audience: 'someone-else', scope: 'items:read' });
    const aud = await callApi(server, id, '/me', { headers: { Authorization: `Bearer ${otherAud}` } });
    assert.equal(aud.status, 401);
    // AGDG http-api-troubleshooting-jwt, verbatim.
    assert.match(aud.headers['www-authenticate'] as string, /error="invalid_token" error_description="the token does not have a valid audience"/);

    const noScope = await mintToken(server.control.store, { sub: 'alice', audience: 'my-app', scope: 'profile' });
    const scope = await callApi(server, id, '/me', { headers: { Authorization: `Bearer ${noScope}` } });
    assert.equal(scope.status, 403);
    assert.equal(scope.body, '{"message":"Forbidden"}');
  });

  test('an external issuer through OpenID discovery; another key or a JWKS that is down → 401, the reason logged', async () => {
    const id = apiWithAuthorizer({ name: 'ext', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: externalIssuer, audience: ['web'] } });
    const sign = (key: CryptoKey, kid: string) =>
      new SignJWT({ client_id: 'web' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(externalIssuer).setSubject('bob').setIssuedAt().setExpirationTime('5m').sign(key);
    // client_id stands in for aud when aud is absent (AWS docs, http-api-troubleshooting-jwt).
    const ok = await callApi(server, id, '/me', { headers: { Authorization: `Bearer ${await sign(externalKey, 'ext-1')}` } });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(JSON.parse(ok.body).jwt.claims.sub, 'bob');

    const { privateKey: stranger } = await generateKeyPair('RS256');
    const forged = await callApi(server, id, '/me', { headers: { Authorization: `Bearer ${await sign(stranger, 'ext-1')}` } });
    assert.equal(forged.status, 401);
    assert.ok(server.logs.some((l) => l.includes('signature verification failed')));

    jwksUp = false;
    try {
      const down = apiWithAuthorizer({ name: 'down', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: `${externalIssuer}/other`, audience: ['web'] } });
      const r = await callApi(server, down, '/me', { headers: { Authorization: `Bearer ${await sign(externalKey, 'ext-1')}` } });
      assert.equal(r.status, 401);
      assert.ok(server.logs.some((l) => l.includes("the issuer's signing keys are unavailable")));
    } finally {
      jwksUp = true;
    }
  });
});

describe('Lambda REQUEST authorizers', () => {
  test('simple responses (2.0): allow, deny 403, missing identity 401 without invoking, errors 500, cached by TTL', async () => {
    const id = apiWithAuthorizer(simpleAuthorizer('simple', 'gatekeeper'));
    const allowed = await callApi(server, id, '/me', { headers: { Authorization: 'allow' } });
    assert.equal(allowed.status, 200);
    assert.deepEqual(JSON.parse(allowed.body).lambda, { calls: 1, user: 'alice' });
    // Cached: the authorizer is not called again for the same identity.
    assert.equal(JSON.parse((await callApi(server, id, '/me', { headers: { Authorization: 'allow' } })).body).lambda.calls, 1);
    const denied = await callApi(server, id, '/me', { headers: { Authorization: 'deny' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body, '{"message":"Forbidden"}');
    const missing = await callApi(server, id, '/me');
    assert.equal(missing.status, 401);
    assert.equal(missing.body, '{"message":"Unauthorized"}');
    const crashed = await callApi(server, id, '/me', { headers: { Authorization: 'boom' } });
    assert.equal(crashed.status, 500);
    assert.equal(crashed.body, '{"message":"Internal Server Error"}');
  });

  test('ResetAuthorizersCache: the next request asks the authorizer again; 204, unknown stage 404', async () => {
    // The decision comes from a file the test rewrites, so a request shows whether the authorizer ran again.
    const decision = join(mkdtempSync(join(tmpdir(), 'preflight-reset-')), 'decision');
    writeFileSync(decision, 'allow');
    await fn('file-gate', `import { readFileSync } from 'node:fs';
      export const handler = async () => ({ isAuthorized: readFileSync(${JSON.stringify(decision)}, 'utf8') === 'allow' });`);
    const id = apiWithAuthorizer(simpleAuthorizer('reset', 'file-gate'));
    const token = { headers: { Authorization: 'same-token' } };
    assert.equal((await callApi(server, id, '/me', token)).status, 200);
    writeFileSync(decision, 'deny');
    assert.equal((await callApi(server, id, '/me', token)).status, 200, 'cached for the TTL');

    const v2 = new ApiGatewayV2Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    // 204 with no body (botocore apigatewayv2 model: ResetAuthorizersCache responseCode 204).
    const reset = await v2.send(new ResetAuthorizersCacheCommand({ ApiId: id, StageName: '$default' }));
    assert.equal(reset.$metadata.httpStatusCode, 204);
    const denied = await callApi(server, id, '/me', token);
    assert.equal(denied.status, 403);
    assert.equal(denied.body, '{"message":"Forbidden"}');
    // The same error as GetStage for a stage that does not exist.
    await assert.rejects(v2.send(new ResetAuthorizersCacheCommand({ ApiId: id, StageName: 'nope' })), (e: unknown) => {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      assert.equal(err.name, 'NotFoundException');
      assert.equal(err.$metadata?.httpStatusCode, 404);
      assert.equal(err.message, 'Invalid stage identifier specified nope');
      return true;
    });
  });

  test('IAM policy responses (1.0): Allow passes, Deny is 403', async () => {
    const id = apiWithAuthorizer({
      name: 'policy',
      authorizerType: 'REQUEST',
      identitySource: ['$request.header.Authorization'],
      authorizerUri: arn('gatekeeper'),
      authorizerPayloadFormatVersion: '1.0',
    });
    const allowed = await callApi(server, id, '/me', { headers: { Authorization: 'allow' } });
    assert.equal(allowed.status, 200, allowed.body);
    assert.equal(JSON.parse(allowed.body).lambda.principalId, 'user-1');
    assert.equal((await callApi(server, id, '/me', { headers: { Authorization: 'nope' } })).status, 403);
  });

  test('gateway-made 401s carry the CORS headers when the origin is allowed', async () => {
    const id = apiWithAuthorizer(
      { name: 'cors401', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: LOCAL_ISSUER, audience: ['my-app'] } },
      {},
      { allowOrigins: ['http://localhost:3000'], allowCredentials: true },
    );
    const r = await callApi(server, id, '/me', { headers: { Origin: 'http://localhost:3000' } });
    assert.equal(r.status, 401);
    // A real capture of a 401 from an HTTP API with CORS (research notes http-api §2.2).
    assert.equal(r.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal(r.headers['vary'], 'origin');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
  });
});

describe('stages and HTTP proxy', () => {
  test('named stages under /{stage} with stage variables; $default at the root', async () => {
    await fn('stagey', 'export const handler = async (event) => ({ stage: event.requestContext.stage, rawPath: event.rawPath, routeKey: event.routeKey, vars: event.stageVariables ?? null });');
    const h = server.control.httpApis;
    const api = h.createApi({ name: 'stages', protocolType: 'HTTP' });
    const i = h.createIntegration(api.apiId, { integrationType: 'AWS_PROXY', integrationUri: arn('stagey'), payloadFormatVersion: '2.0' });
    h.createRoute(api.apiId, { routeKey: 'GET /items', target: `integrations/${i.integrationId}` });
    const d = h.createDeployment(api.apiId, {});
    h.createStage(api.apiId, { stageName: 'prod', deploymentId: d.deploymentId, stageVariables: { table: 'items-prod' } });
    h.createStage(api.apiId, { stageName: '$default', autoDeploy: true });
    const prod = JSON.parse((await callApi(server, api.apiId, '/prod/items')).body);
    // rawPath keeps the stage prefix, the route key does not (real 2.0 event on stage "dev", research §3).
    assert.deepEqual(prod, { stage: 'prod', rawPath: '/prod/items', routeKey: 'GET /items', vars: { table: 'items-prod' } });
    const root = JSON.parse((await callApi(server, api.apiId, '/items')).body);
    assert.deepEqual(root, { stage: '$default', rawPath: '/items', routeKey: 'GET /items', vars: null });
    assert.equal((await callApi(server, api.apiId, '/items/')).status, 404, 'a trailing slash is significant on HTTP APIs');
    // A change reaches the auto-deploying $default stage at once, not the prod stage.
    h.createRoute(api.apiId, { routeKey: 'GET /new', target: `integrations/${i.integrationId}` });
    assert.equal((await callApi(server, api.apiId, '/new')).status, 200);
    assert.equal((await callApi(server, api.apiId, '/prod/new')).status, 404);
    assert.deepEqual(
      h.stageStatuses(api.apiId).map((s) => [s.stageName, s.undeployedChanges]),
      [['prod', true], ['$default', false]],
    );
  });

  test('HTTP_PROXY with the $default route sends the full path to the backend', async () => {
    const backend = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ url: req.url, method: req.method }));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
      const api = server.control.httpApis.createApi({ name: 'proxy', protocolType: 'HTTP', target: url, corsConfiguration: { allowOrigins: ['https://app.example.com'] } });
      const r = await callApi(server, api.apiId, '/store/checkout?x=1', { method: 'POST', headers: { Origin: 'https://evil.example' }, body: '{}' });
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { url: '/store/checkout?x=1', method: 'POST' });
      assert.equal(r.headers['access-control-allow-origin'], undefined, "the backend's CORS header is ignored");
    } finally {
      backend.closeAllConnections();
      backend.close();
    }
  });
});
