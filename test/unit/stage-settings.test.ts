import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../src/store/db.js';
import { ControlPlane } from '../../src/control/index.js';
import { parseMethodSettingKey, parseMethodSettingPath } from '../../src/control/method-settings.js';
import { TokenBuckets } from '../../src/gateway/token-bucket.js';
import { compileApi, matchRoute } from '../../src/gateway/rest/compile.js';
import { RestRequestContext } from '../../src/gateway/rest/context.js';
import { StageCache, MAX_CACHEABLE_BYTES } from '../../src/gateway/rest/stage-cache.js';
import { AuthorizerCache } from '../../src/gateway/http/authorize.js';
import { methodSettingFor, stageSettingsView } from '../../src/gateway/rest/stage-settings.js';
import type { GatewayResult } from '../../src/gateway/types.js';

describe('token buckets (AGDG api-gateway-request-throttling: burst = bucket size, refilled at the rate)', () => {
  test('a full bucket of burst tokens, refilled per second, never above burst', () => {
    const b = new TokenBuckets();
    assert.equal(b.take('k', 2, 3, 0), true);
    assert.equal(b.take('k', 2, 3, 0), true);
    assert.equal(b.take('k', 2, 3, 0), true);
    assert.equal(b.take('k', 2, 3, 0), false);
    assert.equal(b.take('k', 2, 3, 499), false, 'just under one token after 499 ms at 2/s');
    assert.equal(b.take('k', 2, 3, 500), true);
    assert.equal(b.take('k', 2, 3, 60_000), true);
    assert.equal(b.take('k', 2, 3, 60_000), true);
    assert.equal(b.take('k', 2, 3, 60_000), true);
    assert.equal(b.take('k', 2, 3, 60_000), false, 'a long pause refills to burst, not beyond');
    assert.equal(b.take('other', 2, 3, 60_000), true, 'keys have their own buckets');
  });

  test('burst 0 refuses everything; the number of buckets is capped', () => {
    const b = new TokenBuckets(2);
    assert.equal(b.take('zero', 100, 0, 0), false);
    b.take('a', 1, 1, 0);
    b.take('b', 1, 1, 0);
    assert.equal(b.size, 2);
  });
});

describe('method setting paths and keys', () => {
  test('the key is the path as written before the method; the setting the last two segments', () => {
    assert.deepEqual(parseMethodSettingPath('/*/*/caching/enabled'), { key: '*/*', setting: 'caching/enabled' });
    assert.deepEqual(parseMethodSettingPath('/~1pets/GET/throttling/rateLimit'), { key: '~1pets/GET', setting: 'throttling/rateLimit' });
    assert.deepEqual(parseMethodSettingPath('/~1pets~1{id}/DELETE/logging/loglevel'), { key: '~1pets~1{id}/DELETE', setting: 'logging/loglevel' });
    // Terraform's unescaped method_path ("path1/GET", multi-segment paths included).
    assert.deepEqual(parseMethodSettingPath('/a/b/GET/metrics/enabled'), { key: 'a/b/GET', setting: 'metrics/enabled' });
    assert.equal(parseMethodSettingPath('/*/*/caching/color'), undefined);
    assert.equal(parseMethodSettingPath('/GET/caching/enabled'), undefined);
    assert.equal(parseMethodSettingPath('//GET/caching/enabled'), undefined);
    assert.equal(parseMethodSettingPath('/description'), undefined);
    assert.equal(parseMethodSettingKey('/*/*'), '*/*');
    assert.equal(parseMethodSettingKey('/~1pets/GET'), '~1pets/GET');
    assert.equal(parseMethodSettingKey('/description'), undefined);
  });

  test('the data plane reads escaped and unescaped keys as the same resource; its own entry beats the wildcard', () => {
    const all = { metricsEnabled: false, dataTraceEnabled: false, throttlingBurstLimit: 1, throttlingRateLimit: 1, cachingEnabled: true, cacheTtlInSeconds: 300, cacheDataEncrypted: false, requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' as const };
    const own = { ...all, throttlingBurstLimit: 2 };
    const view = stageSettingsView({
      stageName: 's', deploymentId: 'd', cacheClusterEnabled: true, cacheClusterStatus: 'AVAILABLE', tracingEnabled: false, createdDate: 0, lastUpdatedDate: 0,
      methodSettings: { '*/*': all, '~1pets~1{id}/GET': own, 'users/list/POST': { ...all, throttlingBurstLimit: 3 }, '~1/GET': { ...all, throttlingBurstLimit: 4 } },
    });
    assert.equal(methodSettingFor(view, '/pets/{id}', 'GET')?.setting.throttlingBurstLimit, 2);
    assert.equal(methodSettingFor(view, '/pets/{id}', 'GET')?.own, true);
    assert.equal(methodSettingFor(view, '/users/list', 'POST')?.setting.throttlingBurstLimit, 3);
    assert.equal(methodSettingFor(view, '/', 'GET')?.setting.throttlingBurstLimit, 4);
    assert.deepEqual(methodSettingFor(view, '/pets/{id}', 'PUT'), { setting: all, own: false });
  });
});

describe('stage cache bounds', () => {
  function setup() {
    const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/preflight-unit-code' });
    const api = control.apis.createRestApi({ name: 'c' });
    const res = control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'items' });
    control.apis.putMethod(api.id, res.id, 'GET', { authorizationType: 'NONE', requestParameters: { 'method.request.querystring.q': false } });
    control.apis.putIntegration(api.id, res.id, 'GET', { type: 'MOCK', cacheKeyParameters: ['method.request.querystring.q'] });
    const d = control.deployments.createDeployment(api.id, { stageName: 'dev' });
    control.deployments.updateStage(api.id, 'dev', [
      { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
      { op: 'replace', path: '/*/*/caching/enabled', value: 'true' },
      { op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '10' },
    ]);
    const compiled = compileApi(control.deployments.snapshot(api.id), d.id);
    const stage = control.deployments.getStage(api.id, 'dev');
    const view = { name: 'dev', deploymentId: d.id, variables: {}, settings: stageSettingsView(stage) };
    const ctx = (q: string) => {
      const c = new RestRequestContext(
        { method: 'GET', path: '/items', rawQuery: `q=${q}`, rawHeaders: [], body: Buffer.alloc(0), sourceIp: '127.0.0.1', host: 'h', port: 1, receivedAt: 0 },
        compiled,
        view,
        '/dev/items',
      );
      c.match = matchRoute(compiled.routes, '/items', 'GET')!;
      return c;
    };
    return { ctx, control, apiId: api.id };
  }
  const ok = (body: string): GatewayResult => ({ status: 200, headers: [['Content-Type', 'text/plain']], body });

  test('least recently used entries go first past the entry cap; TTL expiry by the clock', () => {
    let now = 0;
    const { ctx } = setup();
    const cache = new StageCache(undefined, undefined, { maxEntries: 2, now: () => now });
    cache.open(ctx('a'), 'us-east-1')!.complete(ok('A'));
    cache.open(ctx('b'), 'us-east-1')!.complete(ok('B'));
    assert.equal(cache.open(ctx('a'), 'us-east-1')!.answer?.body, 'A', 'a is now the most recent');
    cache.open(ctx('c'), 'us-east-1')!.complete(ok('C'));
    assert.equal(cache.size, 2);
    assert.equal(cache.open(ctx('b'), 'us-east-1')!.answer, undefined, 'b was evicted');
    now = 9_999;
    assert.equal(cache.open(ctx('c'), 'us-east-1')!.answer?.body, 'C');
    now = 10_000;
    assert.equal(cache.open(ctx('c'), 'us-east-1')!.answer, undefined, 'expired after ttlInSeconds');
  });

  test('responses over 1048576 bytes (AGDG api-gateway-caching) or over the byte cap are not kept; gateway errors are not cached', () => {
    const { ctx } = setup();
    const cache = new StageCache(undefined, undefined, { maxBytes: 1000 });
    cache.open(ctx('big'), 'us-east-1')!.complete(ok('x'.repeat(2000)));
    assert.equal(cache.size, 0);
    const huge = new StageCache();
    huge.open(ctx('huge'), 'us-east-1')!.complete(ok('x'.repeat(MAX_CACHEABLE_BYTES + 1)));
    assert.equal(huge.size, 0);
    huge.open(ctx('err'), 'us-east-1')!.complete({ status: 504, headers: [['x-amzn-ErrorType', 'InternalServerErrorException']], body: '{"message": "Endpoint request timed out"}' });
    assert.equal(huge.size, 0);
    cache.open(ctx('s1'), 'us-east-1')!.complete(ok('x'.repeat(400)));
    cache.open(ctx('s2'), 'us-east-1')!.complete(ok('x'.repeat(400)));
    cache.open(ctx('s3'), 'us-east-1')!.complete(ok('x'.repeat(400)));
    assert.equal(cache.size, 2, 'the oldest made room');
  });

  test('the control plane empties a stage through FlushStageCache', () => {
    const { ctx, control, apiId } = setup();
    const cache = new StageCache(control.events, control.deployments);
    cache.open(ctx('a'), 'us-east-1')!.complete(ok('A'));
    assert.equal(cache.size, 1);
    control.deployments.flushStageCache(apiId, 'dev');
    assert.equal(cache.size, 0);
  });
});

describe('authorizer cache (one per stage: FlushStageAuthorizersCache, ResetAuthorizersCache)', () => {
  test('a flush or a deleted stage drops that stage\'s decisions only, REST and HTTP alike', () => {
    const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/preflight-unit-code' });
    const rest = control.apis.createRestApi({ name: 'r' });
    control.apis.putMethod(rest.id, rest.rootResourceId, 'GET', { authorizationType: 'NONE' });
    control.apis.putIntegration(rest.id, rest.rootResourceId, 'GET', { type: 'MOCK' });
    control.deployments.createDeployment(rest.id, { stageName: 'dev' });
    control.deployments.createDeployment(rest.id, { stageName: 'dev2' });
    const http = control.httpApis.createApi({ name: 'h', protocolType: 'HTTP' });
    control.httpApis.createStage(http.apiId, { stageName: '$default' });
    const cache = new AuthorizerCache([control.deployments.authorizerCacheFlushes, control.httpApis.authorizerCacheFlushes]);
    const decision = () => ({ expires: Date.now() + 60_000, allow: true, context: {} });
    const keys = {
      dev: AuthorizerCache.key(rest.id, 'dev', 'd1', 'a1', ['token']),
      dev2: AuthorizerCache.key(rest.id, 'dev2', 'd1', 'a1', ['token']),
      http: AuthorizerCache.key(http.apiId, '$default', 'd2', 'a2', ['token']),
    };
    for (const k of Object.values(keys)) cache.set(k, decision());
    const held = () => Object.entries(keys).flatMap(([name, k]) => (cache.get(k) ? [name] : []));

    control.deployments.flushStageAuthorizersCache(rest.id, 'dev');
    assert.deepEqual(held(), ['dev2', 'http'], '"dev" is not a prefix of "dev2"');
    control.httpApis.resetAuthorizersCache(http.apiId, '$default');
    assert.deepEqual(held(), ['dev2']);
    control.deployments.deleteStage(rest.id, 'dev2');
    assert.deepEqual(held(), [], 'a new stage of the same name starts with an empty cache');
    assert.throws(() => control.deployments.flushStageAuthorizersCache(rest.id, 'dev2'), /Invalid stage identifier specified/);
  });
});
