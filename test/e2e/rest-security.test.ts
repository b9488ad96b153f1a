import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { callApi, lambdaUri, startTestServer, type SimpleResponse, type TestServer, nodeFunction } from '../helpers/server.js';
import { mintToken } from '../../src/auth/local-issuer.js';
import { signedCall, type SignedInit } from '../helpers/sigv4.js';

let server: TestServer;

const POOL_ID = 'us-east-1_Local1';
const POOL_ARN = `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${POOL_ID}`;
const POOL_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;
// A pool whose keys live at a URL that is down: the authorizer must refuse, not crash.
const DOWN_POOL_ARN = 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Down';
const DOWN_POOL_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Down';

before(async () => {
  server = await startTestServer({
    jwks: { [DOWN_POOL_ISSUER]: 'http://127.0.0.1:9/jwks.json' },
    iamUsers: [{ name: 'alice', accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' }],
  });
  // Echoes what API Gateway tells the integration about the caller.
  await fn(
    'echo',
    `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ authorizer: event.requestContext.authorizer ?? null, identity: event.requestContext.identity }) });`,
  );
  await fn(
    'token-auth',
    `let calls = 0;
     export const handler = async (event) => {
       calls++;
       const t = event.authorizationToken;
       const stageArn = event.methodArn.split('/').slice(0, 2).join('/');
       const stmt = (Effect, Resource) => ({ principalId: 'user-' + t, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect, Resource }] }, context: { calls, tier: 'gold', n: 5, ok: true } });
       if (t === 'allow') return stmt('Allow', stageArn + '/*');
       if (t === 'allow-get-only') return stmt('Allow', stageArn + '/GET/*');
       if (t === 'deny') return stmt('Deny', event.methodArn);
       if (t === 'allow-and-deny') return { principalId: 'x', policyDocument: { Version: '2012-10-17', Statement: [
         { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }, { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }] } };
       if (t === 'garbage') return 'not a policy';
       if (t === 'nested-context') return { ...stmt('Allow', '*'), context: { user: { id: 1 } } };
       if (t === 'crash') throw new Error('database unreachable');
       if (t.startsWith('key:')) return { ...stmt('Allow', '*'), usageIdentifierKey: t.slice(4) };
       throw new Error('Unauthorized');
     };`,
  );
  await fn(
    'request-auth',
    `let calls = 0;
     export const handler = async (event) => {
       calls++;
       const ok = event.headers?.['X-Team'] === 'core' && event.queryStringParameters?.v === '1';
       return { principalId: 'team', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: ok ? 'Allow' : 'Deny', Resource: event.methodArn }] },
                context: { calls, type: event.type, stage: event.requestContext.stage, fromStage: event.stageVariables?.team ?? '' } };
     };`,
  );
});
after(async () => {
  await server.close();
});

const fn = (name: string, source: string) => nodeFunction(server, name, source);

interface MethodOptions {
  method?: string;
  authorizationType?: string;
  authorizerId?: string;
  apiKeyRequired?: boolean;
  authorizationScopes?: string[];
  requestValidatorId?: string;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  /** AWS_PROXY to the echo function instead of a MOCK answering {"ok":true}. */
  echo?: boolean;
  /** MOCK response template (VTL), default {"ok":true}. */
  template?: string;
}

function newApi(name: string, input: Record<string, unknown> = {}) {
  const { apis } = server.control;
  const a = apis.createRestApi({ name, ...input });
  const api = {
    id: a.id,
    root: a.rootResourceId,
    /** Adds `path` (one level below the root) with a method. */
    route(pathPart: string, o: MethodOptions = {}): string {
      const existing = apis.getResources(a.id).items.find((r) => r.pathPart === pathPart);
      const res = existing ?? apis.createResource(a.id, a.rootResourceId, { pathPart });
      const m = o.method ?? 'GET';
      apis.putMethod(a.id, res.id, m, {
        authorizationType: o.authorizationType ?? 'NONE',
        ...(o.authorizerId ? { authorizerId: o.authorizerId } : {}),
        ...(o.apiKeyRequired ? { apiKeyRequired: true } : {}),
        ...(o.authorizationScopes ? { authorizationScopes: o.authorizationScopes } : {}),
        ...(o.requestValidatorId ? { requestValidatorId: o.requestValidatorId } : {}),
        ...(o.requestParameters ? { requestParameters: o.requestParameters } : {}),
        ...(o.requestModels ? { requestModels: o.requestModels } : {}),
      });
      if (o.echo) {
        apis.putIntegration(a.id, res.id, m, { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') });
      } else {
        apis.putIntegration(a.id, res.id, m, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
        apis.putMethodResponse(a.id, res.id, m, '200', {});
        apis.putIntegrationResponse(a.id, res.id, m, '200', { responseTemplates: { 'application/json': o.template ?? '{"ok":true}' } });
      }
      return res.id;
    },
    tokenAuthorizer(extra: Record<string, unknown> = {}): string {
      return server.control.parts.createAuthorizer(a.id, { name: 'tok', type: 'TOKEN', authorizerUri: lambdaUri('token-auth'), identitySource: 'method.request.header.Authorization', ...extra }).id;
    },
    deploy(stageName = 'dev', variables?: Record<string, string>): void {
      server.control.deployments.createDeployment(a.id, { stageName, ...(variables ? { variables } : {}) });
    },
    call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SimpleResponse> {
      return callApi(server, a.id, path, init);
    },
  };
  return api;
}

function expectGatewayError(r: SimpleResponse, status: number, body: string, errorType: string): void {
  assert.equal(r.status, status, r.body);
  assert.equal(r.body, body);
  assert.equal(r.headers['x-amzn-errortype'], errorType);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.ok(r.headers['x-amzn-requestid'], 'gateway responses carry x-amzn-RequestId');
}

describe('API keys and usage plans', () => {
  // Texts and types: AGDG api-gateway-api-usage-plans and supported-gateway-response-types (INVALID_API_KEY 403,
  // THROTTLED 429, QUOTA_EXCEEDED 429); bodies {"message":"Forbidden"}, {"message":"Too Many Requests"},
  // {"message":"Limit Exceeded"} as real responses quote them (research notes rest-security §1).
  test('a method that requires a key: missing, unknown, disabled or unplanned keys → 403 Forbidden; a planned key passes', async () => {
    const api = newApi('keys');
    api.route('items', { apiKeyRequired: true });
    api.deploy();
    const keys = server.control.apiKeys;
    const good = keys.createApiKey({ name: 'good', enabled: true, value: 'good-key-value-0123456789' });
    const off = keys.createApiKey({ name: 'off', enabled: false, value: 'disabled-key-value-012345' });
    const lonely = keys.createApiKey({ name: 'lonely', enabled: true, value: 'unplanned-key-value-01234' });
    const plan = keys.createUsagePlan({ name: 'basic', apiStages: [{ apiId: api.id, stage: 'dev' }] });
    keys.createUsagePlanKey(plan.id, { keyId: good.id, keyType: 'API_KEY' });
    keys.createUsagePlanKey(plan.id, { keyId: off.id, keyType: 'API_KEY' });

    const forbidden = '{"message":"Forbidden"}';
    expectGatewayError(await api.call('/dev/items'), 403, forbidden, 'ForbiddenException');
    expectGatewayError(await api.call('/dev/items', { headers: { 'x-api-key': 'no-such-key' } }), 403, forbidden, 'ForbiddenException');
    expectGatewayError(await api.call('/dev/items', { headers: { 'x-api-key': 'disabled-key-value-012345' } }), 403, forbidden, 'ForbiddenException');
    expectGatewayError(await api.call('/dev/items', { headers: { 'x-api-key': lonely.value! } }), 403, forbidden, 'ForbiddenException');
    const ok = await api.call('/dev/items', { headers: { 'X-API-Key': good.value! } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '{"ok":true}');

    // Keys are not deployed: disabling one applies at once.
    keys.updateApiKey(good.id, [{ op: 'replace', path: '/enabled', value: 'false' }]);
    expectGatewayError(await api.call('/dev/items', { headers: { 'x-api-key': good.value! } }), 403, forbidden, 'ForbiddenException');
  });

  test('throttling: a token bucket of burstLimit tokens refilled at rateLimit per second → 429 Too Many Requests', async () => {
    const api = newApi('throttle');
    api.route('items', { apiKeyRequired: true });
    api.deploy();
    const keys = server.control.apiKeys;
    const key = keys.createApiKey({ name: 'burst', enabled: true });
    const plan = keys.createUsagePlan({ name: 'slow', throttle: { rateLimit: 2, burstLimit: 3 }, apiStages: [{ apiId: api.id, stage: 'dev' }] });
    keys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
    const headers = { 'x-api-key': key.value! };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.call('/dev/items', { headers })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429], 'the burst of 3 is spent, the 4th waits for a token');
    expectGatewayError(await api.call('/dev/items', { headers }), 429, '{"message":"Too Many Requests"}', 'TooManyRequestsException');
    await new Promise((r) => setTimeout(r, 600)); // 2 tokens per second: one is back after 500 ms
    assert.equal((await api.call('/dev/items', { headers })).status, 200);
  });

  test('per-method throttling in the plan overrides the plan-wide limits for that method only', async () => {
    const api = newApi('method-throttle');
    api.route('hot', { apiKeyRequired: true });
    api.route('cold', { apiKeyRequired: true });
    api.deploy();
    const keys = server.control.apiKeys;
    const key = keys.createApiKey({ name: 'm', enabled: true });
    const plan = keys.createUsagePlan({ name: 'per-method', throttle: { rateLimit: 100, burstLimit: 100 }, apiStages: [{ apiId: api.id, stage: 'dev', throttle: { '/hot/GET': { rateLimit: 0.1, burstLimit: 1 } } }] });
    keys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
    const headers = { 'x-api-key': key.value! };
    assert.equal((await api.call('/dev/hot', { headers })).status, 200);
    assert.equal((await api.call('/dev/hot', { headers })).status, 429);
    for (let i = 0; i < 5; i++) assert.equal((await api.call('/dev/cold', { headers })).status, 200);
  });

  test('quota: the period\'s limit spent → 429 Limit Exceeded; the count survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'preflight-quota-'));
    let s = await startTestServer({ dataDir, ephemeral: false });
    const { apis, apiKeys, deployments } = s.control;
    const a = apis.createRestApi({ name: 'quota' });
    const res = apis.createResource(a.id, a.rootResourceId, { pathPart: 'q' });
    apis.putMethod(a.id, res.id, 'GET', { authorizationType: 'NONE', apiKeyRequired: true });
    apis.putIntegration(a.id, res.id, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    apis.putMethodResponse(a.id, res.id, 'GET', '200', {});
    apis.putIntegrationResponse(a.id, res.id, 'GET', '200', {});
    deployments.createDeployment(a.id, { stageName: 'dev' });
    const key = apiKeys.createApiKey({ name: 'q', enabled: true });
    const plan = apiKeys.createUsagePlan({ name: 'three-a-day', quota: { limit: 3, period: 'DAY' }, apiStages: [{ apiId: a.id, stage: 'dev' }] });
    apiKeys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
    const headers = { 'x-api-key': key.value! };
    assert.equal((await callApi(s, a.id, '/dev/q', { headers })).status, 200);
    assert.equal((await callApi(s, a.id, '/dev/q', { headers })).status, 200);
    await s.close();

    s = await startTestServer({ dataDir, ephemeral: false });
    try {
      assert.equal((await callApi(s, a.id, '/dev/q', { headers })).status, 200, 'one request of the quota is left after the restart');
      expectGatewayError(await callApi(s, a.id, '/dev/q', { headers }), 429, '{"message":"Limit Exceeded"}', 'LimitExceededException');
      // Raising the limit applies at once.
      s.control.apiKeys.updateUsagePlan(plan.id, [{ op: 'replace', path: '/quota/limit', value: '10' }]);
      assert.equal((await callApi(s, a.id, '/dev/q', { headers })).status, 200);
    } finally {
      await s.close();
    }
  });

  test('apiKeySource AUTHORIZER: the key is the authorizer\'s usageIdentifierKey, x-api-key is ignored', async () => {
    const api = newApi('key-from-authorizer', { apiKeySource: 'AUTHORIZER' });
    const authorizerId = api.tokenAuthorizer({ authorizerResultTtlInSeconds: 0 });
    api.route('items', { apiKeyRequired: true, authorizationType: 'CUSTOM', authorizerId });
    api.deploy();
    const keys = server.control.apiKeys;
    const key = keys.createApiKey({ name: 'auth-key', enabled: true });
    const plan = keys.createUsagePlan({ name: 'auth-plan', apiStages: [{ apiId: api.id, stage: 'dev' }] });
    keys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
    assert.equal((await api.call('/dev/items', { headers: { Authorization: `key:${key.value}` } })).status, 200);
    const viaHeader = await api.call('/dev/items', { headers: { Authorization: 'allow', 'x-api-key': key.value! } });
    expectGatewayError(viaHeader, 403, '{"message":"Forbidden"}', 'ForbiddenException');
  });

  test('a usage plan naming a stage that does not exist is refused with AWS\'s error', () => {
    const api = newApi('no-stage');
    assert.throws(
      () => server.control.apiKeys.createUsagePlan({ name: 'bad', apiStages: [{ apiId: api.id, stage: 'prod' }] }),
      // AWS's usage-plan text for an unknown stage (LocalStack AWS-validated snapshot test_usage_plan_crud
      // update-wrong-api-stages-wrong-stage; test/e2e/sdk-security.test.ts covers it on the wire).
      (e: Error & { type?: string }) => e.type === 'NotFoundException' && /^Invalid API Stage \{api: \w+, stage: prod\} specified for usageplan \w+$/.test(e.message),
    );
  });
});

describe('Lambda authorizers', () => {
  // AGDG apigateway-use-lambda-authorizer: 401 {"message":"Unauthorized"} (UNAUTHORIZED) when the token is missing
  // or the function says "Unauthorized"; 403 with the policy text when the policy does not allow; 500
  // AUTHORIZER_CONFIGURATION_ERROR {"message": null} when the function fails or answers garbage (real responses
  // quoted in auth0-samples/jwt-rsa-aws-custom-authorizer#6 and serverless#11808).
  test('TOKEN: allow passes principalId and context to the Lambda as strings; the decision is cached per token', async () => {
    const api = newApi('token');
    const authorizerId = api.tokenAuthorizer();
    api.route('me', { authorizationType: 'CUSTOM', authorizerId, echo: true });
    api.route('other', { authorizationType: 'CUSTOM', authorizerId, echo: true });
    api.deploy();
    const first = await api.call('/dev/me', { headers: { Authorization: 'allow' } });
    assert.equal(first.status, 200, first.body);
    const a1 = JSON.parse(first.body).authorizer;
    assert.equal(a1.principalId, 'user-allow');
    assert.equal(a1.tier, 'gold');
    assert.equal(a1.n, '5', 'context values reach the integration as strings');
    assert.equal(a1.ok, 'true');
    assert.equal(typeof a1.integrationLatency, 'number');
    // The cached decision answers the other method too: the function is not called again.
    const second = await api.call('/dev/other', { headers: { Authorization: 'allow' } });
    assert.equal(JSON.parse(second.body).authorizer.calls, a1.calls, 'served from the authorizer cache');
  });

  test('TOKEN: TTL 0 disables the cache; identityValidationExpression refuses without calling the function', async () => {
    const api = newApi('token-nocache');
    const authorizerId = api.tokenAuthorizer({ authorizerResultTtlInSeconds: 0, identityValidationExpression: '^(allow|deny|crash)$' });
    api.route('me', { authorizationType: 'CUSTOM', authorizerId, echo: true });
    api.deploy();
    const one = JSON.parse((await api.call('/dev/me', { headers: { Authorization: 'allow' } })).body).authorizer.calls;
    const two = JSON.parse((await api.call('/dev/me', { headers: { Authorization: 'allow' } })).body).authorizer.calls;
    assert.notEqual(one, two, 'every request calls the authorizer');
    expectGatewayError(await api.call('/dev/me', { headers: { Authorization: 'Bearer nope' } }), 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
    assert.ok(server.logs.some((l) => l.includes('identityValidationExpression')), 'the log says why the function was not called');
  });

  test('TOKEN failures: no token 401, "Unauthorized" 401, deny 403, explicit deny wins over allow, crash and garbage 500', async () => {
    const api = newApi('token-fail');
    const authorizerId = api.tokenAuthorizer({ authorizerResultTtlInSeconds: 0 });
    api.route('me', { authorizationType: 'CUSTOM', authorizerId });
    api.route('edit', { method: 'POST', authorizationType: 'CUSTOM', authorizerId });
    api.deploy();
    const call = (token?: string, path = '/dev/me', method = 'GET') => api.call(path, { method, headers: token ? { Authorization: token } : {} });
    expectGatewayError(await call(), 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
    expectGatewayError(await call('who-knows'), 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
    expectGatewayError(await call('deny'), 403, '{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}', 'AccessDeniedException');
    expectGatewayError(await call('allow-and-deny'), 403, '{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}', 'AccessDeniedException');
    // A policy that allows only GET does not cover POST: not allowed, without an explicit deny.
    assert.equal((await call('allow-get-only')).status, 200);
    expectGatewayError(await call('allow-get-only', '/dev/edit', 'POST'), 403, '{"Message":"User is not authorized to access this resource"}', 'AccessDeniedException');
    expectGatewayError(await call('crash'), 500, '{"message": null}', 'AuthorizerConfigurationException');
    expectGatewayError(await call('garbage'), 500, '{"message": null}', 'AuthorizerConfigurationException');
    expectGatewayError(await call('nested-context'), 500, '{"message": null}', 'AuthorizerConfigurationException');
    assert.ok(server.logs.some((l) => l.includes('Invalid JSON in response from authorizer')), 'garbage is named in the execution log');
  });

  test('REQUEST: identity sources from headers, query and stage variables; a missing source → 401 without a call', async () => {
    const api = newApi('request');
    const auth = server.control.parts.createAuthorizer(api.id, {
      name: 'req',
      type: 'REQUEST',
      authorizerUri: lambdaUri('request-auth'),
      identitySource: 'method.request.header.X-Team, method.request.querystring.v, stageVariables.team',
      authorizerResultTtlInSeconds: 300,
    });
    api.route('r', { authorizationType: 'CUSTOM', authorizerId: auth.id, echo: true });
    api.deploy('dev', { team: 'core' });
    const ok = await api.call('/dev/r?v=1', { headers: { 'X-Team': 'core' } });
    assert.equal(ok.status, 200, ok.body);
    const a = JSON.parse(ok.body).authorizer;
    assert.deepEqual([a.principalId, a.type, a.stage, a.fromStage], ['team', 'REQUEST', 'dev', 'core']);
    expectGatewayError(await api.call('/dev/r', { headers: { 'X-Team': 'core' } }), 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
    expectGatewayError(await api.call('/dev/r?v=1', { headers: { 'X-Team': 'web' } }), 403, '{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}', 'AccessDeniedException');
    // Cached by all identity values together: the same values do not call again.
    const again = JSON.parse((await api.call('/dev/r?v=1', { headers: { 'X-Team': 'core' } })).body).authorizer;
    assert.equal(again.calls, a.calls);
  });

  test('$context.authorizer.* in mapping templates', async () => {
    const api = newApi('token-vtl');
    const authorizerId = api.tokenAuthorizer();
    api.route('vtl', { authorizationType: 'CUSTOM', authorizerId, template: '{"who":"$context.authorizer.principalId","tier":"$context.authorizer.tier"}' });
    api.deploy();
    const r = await api.call('/dev/vtl', { headers: { Authorization: 'allow' } });
    assert.equal(r.body, '{"who":"user-allow","tier":"gold"}');
  });

  test('an authorizer whose function does not exist → 500 AUTHORIZER_CONFIGURATION_ERROR, the server keeps serving', async () => {
    const api = newApi('token-missing-fn');
    const authorizerId = server.control.parts.createAuthorizer(api.id, { name: 'ghost', type: 'TOKEN', authorizerUri: lambdaUri('no-such-function'), identitySource: 'method.request.header.Authorization' }).id;
    api.route('me', { authorizationType: 'CUSTOM', authorizerId });
    api.route('open');
    api.deploy();
    expectGatewayError(await api.call('/dev/me', { headers: { Authorization: 'x' } }), 500, '{"message": null}', 'AuthorizerConfigurationException');
    assert.equal((await api.call('/dev/open')).status, 200);
  });
});

describe('Cognito user pool authorizers', () => {
  // AGDG apigateway-integrate-with-cognito: the raw ID token in the identity header; with OAuth scopes on the
  // method an access token carrying one of them. Claims arrive in requestContext.authorizer.claims as strings.
  test('ID token → claims; missing, expired, foreign-issuer or access tokens → 401', async () => {
    const api = newApi('cognito');
    const auth = server.control.parts.createAuthorizer(api.id, { name: 'pool', type: 'COGNITO_USER_POOLS', providerARNs: [POOL_ARN], identitySource: 'method.request.header.Authorization' });
    api.route('profile', { authorizationType: 'COGNITO_USER_POOLS', authorizerId: auth.id, echo: true });
    api.deploy();
    const store = server.control.store;
    const idToken = await mintToken(store, { sub: 'alice-sub', issuer: POOL_ISSUER, audience: 'client-1', claims: { token_use: 'id', email: 'alice@example.com', 'cognito:groups': ['admin', 'dev'] } });
    const r = await api.call('/dev/profile', { headers: { Authorization: idToken } });
    assert.equal(r.status, 200, r.body);
    const claims = JSON.parse(r.body).authorizer.claims;
    assert.equal(claims.sub, 'alice-sub');
    assert.equal(claims.email, 'alice@example.com');
    assert.equal(claims['cognito:groups'], 'admin,dev');
    assert.match(claims.exp, /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$/, 'exp as a Java date string, as AWS sends it');

    const unauthorized = '{"message":"Unauthorized"}';
    expectGatewayError(await api.call('/dev/profile'), 401, unauthorized, 'UnauthorizedException');
    const expired = await mintToken(store, { sub: 'a', issuer: POOL_ISSUER, expiresInSeconds: -60, claims: { token_use: 'id' } });
    expectGatewayError(await api.call('/dev/profile', { headers: { Authorization: expired } }), 401, unauthorized, 'UnauthorizedException');
    const otherPool = await mintToken(store, { sub: 'a', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other', claims: { token_use: 'id' } });
    expectGatewayError(await api.call('/dev/profile', { headers: { Authorization: otherPool } }), 401, unauthorized, 'UnauthorizedException');
    const access = await mintToken(store, { sub: 'a', issuer: POOL_ISSUER, scope: 'orders/read', claims: { token_use: 'access' } });
    expectGatewayError(await api.call('/dev/profile', { headers: { Authorization: access } }), 401, unauthorized, 'UnauthorizedException');
    expectGatewayError(await api.call('/dev/profile', { headers: { Authorization: 'not.a.jwt' } }), 401, unauthorized, 'UnauthorizedException');
  });

  test('method OAuth scopes: an access token with one of them passes, an ID token does not', async () => {
    const api = newApi('cognito-scopes');
    const auth = server.control.parts.createAuthorizer(api.id, { name: 'pool', type: 'COGNITO_USER_POOLS', providerARNs: [POOL_ARN] });
    api.route('orders', { authorizationType: 'COGNITO_USER_POOLS', authorizerId: auth.id, authorizationScopes: ['orders/read', 'orders/admin'], echo: true });
    api.deploy();
    const store = server.control.store;
    const access = await mintToken(store, { sub: 'svc', issuer: POOL_ISSUER, scope: 'openid orders/read', clientId: 'client-1', claims: { token_use: 'access' } });
    const ok = await api.call('/dev/orders', { headers: { Authorization: access } });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(JSON.parse(ok.body).authorizer.claims.scope, 'openid orders/read');
    const wrongScope = await mintToken(store, { sub: 'svc', issuer: POOL_ISSUER, scope: 'profile', claims: { token_use: 'access' } });
    assert.equal((await api.call('/dev/orders', { headers: { Authorization: wrongScope } })).status, 401);
    const id = await mintToken(store, { sub: 'svc', issuer: POOL_ISSUER, claims: { token_use: 'id' } });
    assert.equal((await api.call('/dev/orders', { headers: { Authorization: id } })).status, 401);
  });

  test('a pool whose JWKS URL is down → 401 and a log line naming the URL; the server keeps serving', async () => {
    const api = newApi('cognito-down');
    const auth = server.control.parts.createAuthorizer(api.id, { name: 'down', type: 'COGNITO_USER_POOLS', providerARNs: [DOWN_POOL_ARN] });
    api.route('p', { authorizationType: 'COGNITO_USER_POOLS', authorizerId: auth.id });
    api.route('open');
    api.deploy();
    const token = await mintToken(server.control.store, { sub: 'a', issuer: DOWN_POOL_ISSUER, claims: { token_use: 'id' } });
    expectGatewayError(await api.call('/dev/p', { headers: { Authorization: token } }), 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
    assert.ok(server.logs.some((l) => l.includes('127.0.0.1:9')), 'the log names the JWKS location that failed');
    assert.equal((await api.call('/dev/open')).status, 200);
  });
});

/** A request signed for execute-api by the AWS SDK's own signer (test/helpers/sigv4.ts). */
const signed = (apiId: string, path: string, creds: { accessKeyId: string; secretAccessKey: string }, init: SignedInit = {}) => signedCall(server, apiId, path, creds, init);

describe('IAM authorization (AWS_IAM)', () => {
  // Failure texts as real responses quote them (mhart/aws4#33, aws-amplify/amplify-flutter#1539): unsigned →
  // 403 "Missing Authentication Token"; unknown key → "The security token included in the request is invalid.";
  // wrong secret → "The request signature we calculated does not match the signature you provided. ..."
  test('a signed request passes with requestContext.identity filled; unsigned, unknown key and wrong secret → 403', async () => {
    const api = newApi('iam');
    api.route('private', { authorizationType: 'AWS_IAM', echo: true });
    api.route('write', { method: 'POST', authorizationType: 'AWS_IAM', echo: true });
    api.deploy();
    const ok = await signed(api.id, '/dev/private', { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' }, { query: { b: '2', a: 'x y' } });
    assert.equal(ok.status, 200, ok.body);
    const identity = JSON.parse(ok.body).identity;
    assert.equal(identity.userArn, 'arn:aws:iam::000000000000:user/alice');
    assert.equal(identity.accessKey, 'AKIDALICE');
    assert.equal(identity.accountId, '000000000000');
    assert.match(identity.user, /^AIDA[0-9A-F]{17}$/);
    const post = await signed(api.id, '/dev/write', { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' }, { method: 'POST', body: '{"a":1}' });
    assert.equal(post.status, 200, post.body);

    expectGatewayError(await api.call('/dev/private'), 403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException');
    expectGatewayError(
      await signed(api.id, '/dev/private', { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }),
      403,
      '{"message":"The security token included in the request is invalid."}',
      'UnrecognizedClientException',
    );
    const wrong = await signed(api.id, '/dev/private', { accessKeyId: 'AKIDALICE', secretAccessKey: 'not-her-secret' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers['x-amzn-errortype'], 'InvalidSignatureException');
    assert.match(JSON.parse(wrong.body).message, /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\./);
  });
});

describe('resource policies', () => {
  // AGDG apigateway-resource-policies-examples and -authorization-flow: an explicit Deny wins before any authorizer
  // runs; with a policy and no authorizer the policy must Allow. Message texts: research notes rest-security §5.
  const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const allowAll = { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };

  test('a Deny on our source IP → 403 with AWS\'s explicit-deny message, the account masked', async () => {
    const api = newApi('policy-ip', {
      policy: policy([allowAll, { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/blocked', Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8'] } } }]),
    });
    api.route('blocked');
    api.route('open');
    api.deploy();
    expectGatewayError(
      await api.call('/dev/blocked'),
      403,
      JSON.stringify({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:${api.id}/dev/GET/blocked with an explicit deny` }),
      'AccessDeniedException',
    );
    assert.equal((await api.call('/dev/open')).status, 200);
  });

  test('no statement allows → 403 implicit deny; aws:Referer conditions; aws:SourceVpc never matches locally', async () => {
    const api = newApi('policy-referer', {
      policy: policy([
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringLike: { 'aws:Referer': 'https://app.example.com/*' } } },
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1234' } } },
      ]),
    });
    api.route('page');
    api.deploy();
    assert.equal((await api.call('/dev/page', { headers: { Referer: 'https://app.example.com/home' } })).status, 200);
    expectGatewayError(
      await api.call('/dev/page', { headers: { Referer: 'https://evil.example/' } }),
      403,
      JSON.stringify({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:${api.id}/dev/GET/page because no resource-based policy allows the execute-api:Invoke action` }),
      'AccessDeniedException',
    );
  });

  test('the policy\'s Deny applies before the authorizer runs; the authorizer\'s Allow admits when the policy is silent', async () => {
    const api = newApi('policy-and-authorizer', {
      policy: policy([{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/DELETE/*' }]),
    });
    const authorizerId = api.tokenAuthorizer({ authorizerResultTtlInSeconds: 0 });
    api.route('thing', { authorizationType: 'CUSTOM', authorizerId });
    api.route('thing', { method: 'DELETE', authorizationType: 'CUSTOM', authorizerId });
    api.deploy();
    assert.equal((await api.call('/dev/thing', { headers: { Authorization: 'allow' } })).status, 200);
    const del = await api.call('/dev/thing', { method: 'DELETE', headers: { Authorization: 'allow' } });
    assert.equal(del.status, 403);
    assert.match(JSON.parse(del.body).Message, /with an explicit deny$/);
  });

  test('IAM callers are named in the denial', async () => {
    const api = newApi('policy-iam', {
      policy: policy([{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::000000000000:user/alice' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }]),
    });
    api.route('x', { authorizationType: 'AWS_IAM' });
    api.deploy();
    const r = await signed(api.id, '/dev/x', { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' });
    assert.equal(r.status, 403);
    assert.match(JSON.parse(r.body).Message, /^User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: execute-api:Invoke on resource: .* with an explicit deny$/);
  });

  test('a malformed policy document is refused by CreateRestApi and UpdateRestApi', async () => {
    await assert.rejects(
      server.apigw.send(new (await import('@aws-sdk/client-api-gateway')).CreateRestApiCommand({ name: 'bad-policy', policy: '{"Statement": [' })),
      (e: Error & { name: string }) => e.name === 'BadRequestException' && /Invalid policy document/.test(e.message),
    );
    const api = newApi('bad-policy-update');
    assert.throws(() => server.control.apis.updateRestApi(api.id, [{ op: 'replace', path: '/policy', value: '"just a string"' }]), /Invalid policy document/);
  });
});

describe('request validators', () => {
  // AGDG api-gateway-method-request-validation: 400 "Missing required request parameters: [...]" and "Invalid request
  // body" (LocalStack AWS-validated test_api_gateway_request_validator), rendered by the BAD_REQUEST_PARAMETERS and
  // BAD_REQUEST_BODY gateway responses' default template {"message":$context.error.messageString}.
  test('required parameters and a body model, with validationErrorString in a custom gateway response', async () => {
    const api = newApi('validate');
    const all = server.control.parts.createRequestValidator(api.id, { name: 'all', validateRequestBody: true, validateRequestParameters: true });
    server.control.parts.createModel(api.id, {
      name: 'Pet',
      contentType: 'application/json',
      schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'], properties: { name: { type: 'string' }, kind: { enum: ['cat', 'dog'] } } }),
    });
    api.route('pets', {
      method: 'POST',
      requestValidatorId: all.id,
      requestParameters: { 'method.request.querystring.owner': true, 'method.request.header.X-Trace': true, 'method.request.querystring.page': false },
      requestModels: { 'application/json': 'Pet' },
    });
    api.deploy();
    const post = (path: string, body: string, headers: Record<string, string> = { 'X-Trace': 't' }) => api.call(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    expectGatewayError(await post('/dev/pets', '{"name":"Rex"}', {}), 400, '{"message":"Missing required request parameters: [X-Trace, owner]"}', 'BadRequestException');
    expectGatewayError(await post('/dev/pets?owner=', '{"name":"Rex"}'), 400, '{"message":"Missing required request parameters: [owner]"}', 'BadRequestException');
    expectGatewayError(await post('/dev/pets?owner=me', '{"kind":"cat"}'), 400, '{"message":"Invalid request body"}', 'BadRequestException');
    assert.equal((await post('/dev/pets?owner=me', '{"name":"Rex","kind":"dog"}')).status, 200);

    server.control.apis.putGatewayResponse(api.id, 'BAD_REQUEST_BODY', { statusCode: '422', responseTemplates: { 'application/json': '{"error":"$context.error.validationErrorString"}' } });
    api.deploy();
    const r = await post('/dev/pets?owner=me', '{"name":"Rex","kind":"fish"}');
    assert.equal(r.status, 422);
    assert.equal(r.body, '{"error":"[instance value ("fish") not found in enum (possible values: ["cat","dog"])]"}');
  });
});

describe('gateway responses', () => {
  test('customised UNAUTHORIZED: status, headers from method.request, stageVariables and context, and a template', async () => {
    const api = newApi('gr-custom');
    const authorizerId = api.tokenAuthorizer();
    api.route('me', { authorizationType: 'CUSTOM', authorizerId });
    server.control.apis.putGatewayResponse(api.id, 'UNAUTHORIZED', {
      statusCode: '401',
      responseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.X-Env': 'stageVariables.env',
        'gatewayresponse.header.X-Request': 'context.requestId',
        'gatewayresponse.header.WWW-Authenticate': "'Bearer realm=\"api\"'",
      },
      responseTemplates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' },
    });
    api.deploy('dev', { env: 'local' });
    const r = await api.call('/dev/me', { headers: { Origin: 'http://localhost:3000' } });
    assert.equal(r.status, 401);
    assert.equal(r.body, '{"error":"Unauthorized","type":"UNAUTHORIZED"}');
    assert.equal(r.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal(r.headers['x-env'], 'local');
    assert.equal(r.headers['x-request'], r.headers['x-amzn-requestid']);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="api"');
  });

  test('DEFAULT_4XX with CORS headers covers 401, 403 and 429 responses; DEFAULT_5XX covers authorizer failures', async () => {
    const api = newApi('gr-default');
    const authorizerId = api.tokenAuthorizer({ authorizerResultTtlInSeconds: 0 });
    api.route('me', { authorizationType: 'CUSTOM', authorizerId });
    api.route('keyed', { apiKeyRequired: true });
    const cors = { 'gatewayresponse.header.Access-Control-Allow-Origin': "'http://localhost:3000'" };
    server.control.apis.putGatewayResponse(api.id, 'DEFAULT_4XX', { responseParameters: cors });
    server.control.apis.putGatewayResponse(api.id, 'DEFAULT_5XX', { responseParameters: cors });
    api.deploy();
    for (const [path, token, status] of [['/dev/me', undefined, 401], ['/dev/me', 'deny', 403], ['/dev/keyed', undefined, 403], ['/dev/me', 'crash', 500]] as const) {
      const r = await api.call(path, token ? { headers: { Authorization: token } } : {});
      assert.equal(r.status, status, `${path} ${token}`);
      assert.equal(r.headers['access-control-allow-origin'], 'http://localhost:3000', `${path} ${token}: inherits DEFAULT_4XX/5XX headers`);
    }
  });
});
