import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BadRequestException,
  CreateDeploymentCommand,
  CreateStageCommand,
  FlushStageCacheCommand,
  GetStageCommand,
  NotFoundException,
  UpdateStageCommand,
  type PatchOperation,
} from '@aws-sdk/client-api-gateway';
import { callApi, startTestServer, type SimpleResponse, type TestServer } from '../helpers/server.js';
import { signedCall } from '../helpers/sigv4.js';

let server: TestServer;
let backend: http.Server;
let backendUrl: string;
/** Calls the backend received, by path (without query). */
const calls = new Map<string, number>();

before(async () => {
  server = await startTestServer({ iamUsers: [{ name: 'alice', accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' }] });
  // An HTTP backend that counts its calls and says which call answered, so a cached answer is recognisable.
  backend = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    const n = (calls.get(url.pathname) ?? 0) + 1;
    calls.set(url.pathname, n);
    const status = url.pathname.endsWith('/fail') ? 503 : 200;
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Backend-Call': String(n) });
    res.end(JSON.stringify({ n, path: url.pathname, query: url.search, lang: req.headers['x-lang'] ?? null }));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
after(async () => {
  await server.close();
  await new Promise<void>((resolve) => backend.close(() => resolve()));
});

interface MethodOptions {
  method?: string;
  authorizationType?: string;
  requestParameters?: Record<string, boolean>;
  cacheKeyParameters?: string[];
  cacheNamespace?: string;
  /** Backend path; default /{pathPart}. */
  backendPath?: string;
  /** A MOCK answering 200 {"ok":true} instead of the backend. */
  mock?: boolean;
}

/** A REST API built through the control layer, with HTTP_PROXY methods to the counting backend. */
function newApi(name: string) {
  const { apis, deployments } = server.control;
  const a = apis.createRestApi({ name });
  const api = {
    id: a.id,
    root: a.rootResourceId,
    route(pathPart: string, o: MethodOptions = {}, parentId = a.rootResourceId): string {
      const existing = apis.getResources(a.id).items.find((r) => r.pathPart === pathPart && r.parentId === parentId);
      const res = existing ?? apis.createResource(a.id, parentId, { pathPart });
      const m = o.method ?? 'GET';
      apis.putMethod(a.id, res.id, m, {
        authorizationType: o.authorizationType ?? 'NONE',
        ...(o.requestParameters ? { requestParameters: o.requestParameters } : {}),
      });
      if (o.mock) {
        apis.putIntegration(a.id, res.id, m, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
        apis.putMethodResponse(a.id, res.id, m, '200', {});
        apis.putIntegrationResponse(a.id, res.id, m, '200', { responseTemplates: { 'application/json': '{"ok":true}' } });
      } else {
        const path = o.backendPath ?? `/${a.id}/${pathPart}`;
        apis.putIntegration(a.id, res.id, m, {
          type: 'HTTP_PROXY',
          integrationHttpMethod: m,
          uri: `${backendUrl}${path}`,
          ...(o.cacheKeyParameters ? { cacheKeyParameters: o.cacheKeyParameters } : {}),
          ...(o.cacheNamespace ? { cacheNamespace: o.cacheNamespace } : {}),
        });
      }
      return res.id;
    },
    deploy(stageName = 'dev'): string {
      return deployments.createDeployment(a.id, { stageName }).id;
    },
    async patch(ops: PatchOperation[], stageName = 'dev') {
      return server.apigw.send(new UpdateStageCommand({ restApiId: a.id, stageName, patchOperations: ops }));
    },
    call(path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<SimpleResponse> {
      return callApi(server, a.id, path, init);
    },
    /** How often the backend was called for a backend path. */
    calls(pathPart: string): number {
      return calls.get(`/${a.id}/${pathPart}`) ?? 0;
    },
  };
  return api;
}

const replace = (path: string, value: string): PatchOperation => ({ op: 'replace', path, value });

/** AWS's defaults for a method-settings entry created by one patch (AWS CLI update-stage example output). */
const DEFAULTS = {
  metricsEnabled: false,
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000.0,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
};

async function rejectsBadRequest(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BadRequestException, `expected BadRequestException, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, 400);
    return true;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('UpdateStage method settings (control plane, AWS SDK)', () => {
  test('a new stage has no method settings and no cache (LocalStack AWS-validated snapshot create-stage)', async () => {
    const api = newApi('settings-new');
    api.route('x', { mock: true });
    api.deploy();
    const s = await server.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'dev' }));
    assert.deepEqual(s.methodSettings, {});
    assert.equal(s.cacheClusterEnabled, false);
    assert.equal(s.cacheClusterStatus, 'NOT_AVAILABLE');
    assert.equal(s.cacheClusterSize, undefined);
  });

  test('entries are keyed as written, filled with AWS defaults, and a new key starts from the wildcard entry', async () => {
    // LocalStack AWS-validated snapshot test_apigateway_common::TestStages::test_create_update_stages (2024-03-05):
    // the same patch list, the same methodSettings, and a later wildcard change leaves "test/GET" alone.
    const api = newApi('settings-keys');
    api.route('x', { mock: true });
    api.deploy();
    const updated = await api.patch([
      replace('/*/*/throttling/burstLimit', '123'),
      replace('/*/*/caching/enabled', 'true'),
      replace('/test/GET/throttling/burstLimit', '124'),
    ]);
    assert.deepEqual(updated.methodSettings, {
      '*/*': { ...DEFAULTS, cachingEnabled: true, throttlingBurstLimit: 123 },
      'test/GET': { ...DEFAULTS, cachingEnabled: true, throttlingBurstLimit: 124 },
    });
    const again = await api.patch([replace('/*/*/throttling/burstLimit', '100')]);
    assert.equal(again.methodSettings?.['*/*']?.throttlingBurstLimit, 100);
    assert.equal(again.methodSettings?.['test/GET']?.throttlingBurstLimit, 124);
    const got = await server.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'dev' }));
    assert.deepEqual(got.methodSettings, again.methodSettings);
  });

  test('an escaped resource path keeps its escape in the key (AWS CLI update-stage example 1)', async () => {
    const api = newApi('settings-escaped');
    api.route('x', { mock: true });
    api.deploy();
    const s = await api.patch([replace('/~1resourceName/GET/logging/dataTrace', 'false')]);
    assert.deepEqual(s.methodSettings, { '~1resourceName/GET': DEFAULTS });
    // loggingLevel appears once set (AWS CLI get-stage example: "loggingLevel": "INFO").
    const l = await api.patch([replace('/~1resourceName/GET/logging/loglevel', 'INFO'), replace('/~1resourceName/GET/metrics/enabled', 'true')]);
    assert.deepEqual(l.methodSettings?.['~1resourceName/GET'], { ...DEFAULTS, metricsEnabled: true, loggingLevel: 'INFO' });
    // Every other setting path, with values of the right types.
    const all = await api.patch([
      replace('/~1resourceName/GET/throttling/rateLimit', '12.5'),
      replace('/~1resourceName/GET/caching/ttlInSeconds', '3600'),
      replace('/~1resourceName/GET/caching/dataEncrypted', 'true'),
      replace('/~1resourceName/GET/caching/requireAuthorizationForCacheControl', 'false'),
      replace('/~1resourceName/GET/caching/unauthorizedCacheControlHeaderStrategy', 'FAIL_WITH_403'),
      replace('/~1resourceName/GET/logging/dataTrace', 'true'),
    ]);
    assert.deepEqual(all.methodSettings?.['~1resourceName/GET'], {
      ...DEFAULTS,
      metricsEnabled: true,
      loggingLevel: 'INFO',
      dataTraceEnabled: true,
      throttlingRateLimit: 12.5,
      cacheTtlInSeconds: 3600,
      cacheDataEncrypted: true,
      requireAuthorizationForCacheControl: false,
      unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403',
    });
  });

  test("Terraform's -1 (throttling disabled) is accepted (aws_api_gateway_method_settings docs; localstack#7278 request)", async () => {
    const api = newApi('settings-terraform');
    api.route('x', { mock: true });
    api.deploy();
    const s = await api.patch([replace('/*/*/throttling/burstLimit', '-1'), replace('/*/*/throttling/rateLimit', '-1.000000'), replace('/*/*/logging/loglevel', 'ERROR')]);
    assert.equal(s.methodSettings?.['*/*']?.throttlingBurstLimit, -1);
    assert.equal(s.methodSettings?.['*/*']?.throttlingRateLimit, -1);
    assert.equal(s.methodSettings?.['*/*']?.loggingLevel, 'ERROR');
  });

  test('removing the wildcard entry: AWS error while there is none, then it goes (test_update_stage_remove_wildcard)', async () => {
    const api = newApi('settings-remove');
    api.route('x', { mock: true });
    api.deploy();
    // Trailing space included: AWS's text (LocalStack AWS-validated snapshot "delete-error").
    await rejectsBadRequest(api.patch([{ op: 'remove', path: '/*/*' }]), 'Cannot remove method setting */* because there is no method setting for this method ');
    await api.patch([replace('/*/*/caching/enabled', 'true'), replace('/~1x/GET/metrics/enabled', 'true')]);
    const s = await api.patch([{ op: 'remove', path: '/*/*' }]);
    assert.deepEqual(Object.keys(s.methodSettings ?? {}), ['~1x/GET']);
    const t = await api.patch([{ op: 'remove', path: '/~1x/GET' }]);
    assert.deepEqual(t.methodSettings, {});
  });

  test('invalid paths and values are refused with AWS texts where AWS has one', async () => {
    const api = newApi('settings-invalid');
    api.route('x', { mock: true });
    api.deploy();
    // LocalStack AWS-validated snapshot "error-update-doc-version", AWS's missing commas included.
    await rejectsBadRequest(
      api.patch([replace('/documentation_version', '123')]),
      'Invalid method setting path: /documentation_version. Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]',
    );
    // "error-update-tags": tags are not updatable through UpdateStage.
    await assert.rejects(api.patch([replace('/tags/tag1', 'value1')]), (e: unknown) => e instanceof BadRequestException && e.message.startsWith('Invalid method setting path: /tags/tag1. Must be one of: ['));
    await assert.rejects(api.patch([replace('/*/*/caching/color', 'blue')]), (e: unknown) => e instanceof BadRequestException && e.message.startsWith('Invalid method setting path: /*/*/caching/color.'));
    // A real botocore error quoted in DHI/terracotta#142.
    for (const ttl of ['3601', '-5', 'ten']) {
      await rejectsBadRequest(api.patch([replace('/*/*/caching/ttlInSeconds', ttl)]), 'Invalid time-to-live setting, must be an integer no greater than 3600');
    }
    // No recorded AWS texts for these: ours name the path, the value and what is accepted.
    await assert.rejects(api.patch([replace('/*/*/caching/enabled', 'yes')]), /Invalid value 'yes' for \/\*\/\*\/caching\/enabled: expected 'true' or 'false'/);
    await assert.rejects(api.patch([replace('/*/*/throttling/burstLimit', '1.5')]), /expected a whole number of requests/);
    await assert.rejects(api.patch([replace('/*/*/throttling/rateLimit', 'fast')]), /expected requests per second as a number/);
    await assert.rejects(api.patch([replace('/*/*/logging/loglevel', 'DEBUG')]), /must be one of \[OFF, ERROR, INFO\]/);
    await assert.rejects(
      api.patch([replace('/*/*/caching/unauthorizedCacheControlHeaderStrategy', 'IGNORE')]),
      /must be one of \[FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER\]/,
    );
    await assert.rejects(api.patch([replace('/cacheClusterSize', '2')]), /Invalid cache cluster size '2' for \/cacheClusterSize: must be one of \[0\.5, 1\.6, 6\.1, 13\.5, 28\.4, 58\.2, 118, 237\]/);
    // A failed patch list changes nothing, even its valid operations.
    await assert.rejects(api.patch([replace('/*/*/metrics/enabled', 'true'), replace('/*/*/caching/ttlInSeconds', '9999')]), BadRequestException);
    const s = await server.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'dev' }));
    assert.deepEqual(s.methodSettings, {});
  });

  test('the cache cluster: enabling makes it AVAILABLE at 0.5 GB; size and status as AWS reports them', async () => {
    const api = newApi('settings-cluster');
    api.route('x', { mock: true });
    api.deploy();
    // Local caches exist at once: no CREATE_IN_PROGRESS phase (AWS takes about 4 minutes, AGDG api-gateway-caching).
    const on = await api.patch([replace('/cacheClusterEnabled', 'true')]);
    assert.equal(on.cacheClusterEnabled, true);
    assert.equal(on.cacheClusterStatus, 'AVAILABLE');
    assert.equal(on.cacheClusterSize, '0.5');
    const bigger = await api.patch([replace('/cacheClusterSize', '6.1')]);
    assert.equal(bigger.cacheClusterSize, '6.1');
    const off = await api.patch([replace('/cacheClusterEnabled', 'false')]);
    assert.equal(off.cacheClusterStatus, 'NOT_AVAILABLE');
    // The size stays reported (AWS CLI get-stage example: "cacheClusterSize": "0.5" with the cache disabled).
    assert.equal(off.cacheClusterSize, '6.1');

    const deployment = api.deploy('other');
    const created = await server.apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'cached', deploymentId: deployment, cacheClusterEnabled: true, cacheClusterSize: '1.6' }));
    assert.equal(created.cacheClusterStatus, 'AVAILABLE');
    assert.equal(created.cacheClusterSize, '1.6');
    await server.apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: 'fromdeploy', cacheClusterEnabled: true }));
    const fromDeploy = await server.apigw.send(new GetStageCommand({ restApiId: api.id, stageName: 'fromdeploy' }));
    assert.equal(fromDeploy.cacheClusterEnabled, true);
    assert.equal(fromDeploy.cacheClusterSize, '0.5');
    // cacheClusterSize is an enum in the AWS model: the SDK sends what it is given, and the model check answers.
    await assert.rejects(
      server.apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: 'bad', deploymentId: deployment, cacheClusterSize: '3' as never })),
      (e: unknown) => (e as Error).name === 'ValidationException' && (e as Error).message.includes("Value '3' at 'createStageInput.cacheClusterSize' failed to satisfy constraint"),
    );
  });

  test('access log settings and the client certificate, the other paths in AWS list', async () => {
    // LocalStack AWS-validated snapshot test_apigateway_api::test_stage_access_log_settings_validation.
    const api = newApi('settings-access-log');
    api.route('x', { mock: true });
    api.deploy();
    const logs = await api.patch([
      { op: 'add', path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:000000000000:log-group:access' },
      replace('/accessLogSettings/format', '$context.requestId'),
      replace('/clientCertificateId', 'abc123'),
    ]);
    assert.deepEqual(logs.accessLogSettings, { destinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:access', format: '$context.requestId' });
    assert.equal(logs.clientCertificateId, 'abc123');
    const invalid = 'Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]';
    await rejectsBadRequest(api.patch([replace('/accessLogSettings/randomValue', 'updated')]), invalid);
    await rejectsBadRequest(api.patch([replace('/accessLogSettings', 'test')]), invalid);
    await rejectsBadRequest(api.patch([{ op: 'remove', path: '/accessLogSettings/randomValue' }]), 'Cannot remove method setting accessLogSettings/randomValue because there is no method setting for this method ');
    await rejectsBadRequest(api.patch([{ op: 'add', path: '/accessLogSettings/format', value: '' }]), 'Access Log value must not be empty');
    const removed = await api.patch([{ op: 'remove', path: '/accessLogSettings' }]);
    assert.equal(removed.accessLogSettings, undefined);
    // A deployment that does not exist: AWS's text (LocalStack AWS-validated snapshot update-stage-no-deployment).
    await rejectsBadRequest(api.patch([replace('/deploymentId', 'nope00')]), 'Deployment id does not exist');
  });

  test('FlushStageCache answers 202; an unknown stage is NotFound', async () => {
    const api = newApi('settings-flush');
    api.route('x', { mock: true });
    api.deploy();
    const r = await server.apigw.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: 'dev' }));
    assert.equal(r.$metadata.httpStatusCode, 202);
    await assert.rejects(server.apigw.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: 'nope' })), (e: unknown) => e instanceof NotFoundException && e.message === 'Invalid stage identifier specified');
  });
});

describe('stage and method throttling (data plane)', () => {
  // THROTTLED: 429 {"message":"Too Many Requests"}, x-amzn-ErrorType TooManyRequestsException (AGDG
  // supported-gateway-response-types: "usage plan-, method-, stage-, or account-level throttling limits"; a captured
  // real response in the research notes rest-security §1).
  function assertThrottled(r: SimpleResponse): void {
    assert.equal(r.status, 429);
    assert.equal(r.body, '{"message":"Too Many Requests"}');
    assert.equal(r.headers['x-amzn-errortype'], 'TooManyRequestsException');
  }

  test("a method's own limits: burst then 429, other methods untouched", async () => {
    const api = newApi('throttle-own');
    api.route('limited', { mock: true });
    api.route('open', { mock: true });
    api.deploy();
    await api.patch([replace('/~1limited/GET/throttling/rateLimit', '1'), replace('/~1limited/GET/throttling/burstLimit', '2')]);
    assert.equal((await api.call('/dev/limited')).status, 200);
    assert.equal((await api.call('/dev/limited')).status, 200);
    assertThrottled(await api.call('/dev/limited'));
    for (let i = 0; i < 5; i++) assert.equal((await api.call('/dev/open')).status, 200);
  });

  test('the wildcard entry gives every method its own bucket; a method entry overrides it; -1 is no limit', async () => {
    // "Default per-method limits and individual per-method limits" (AGDG api-gateway-request-throttling).
    const api = newApi('throttle-wildcard');
    api.route('a', { mock: true });
    api.route('b', { mock: true });
    api.route('c', { mock: true });
    api.deploy();
    await api.patch([replace('/*/*/throttling/rateLimit', '0.01'), replace('/*/*/throttling/burstLimit', '1'), replace('/~1c/GET/throttling/burstLimit', '-1')]);
    assert.equal((await api.call('/dev/a')).status, 200);
    assertThrottled(await api.call('/dev/a'));
    assert.equal((await api.call('/dev/b')).status, 200);
    assertThrottled(await api.call('/dev/b'));
    for (let i = 0; i < 5; i++) assert.equal((await api.call('/dev/c')).status, 200);
  });

  test('the bucket refills at the rate (token bucket: AGDG api-gateway-request-throttling)', async () => {
    const api = newApi('throttle-refill');
    api.route('r', { mock: true });
    api.deploy();
    await api.patch([replace('/~1r/GET/throttling/rateLimit', '20'), replace('/~1r/GET/throttling/burstLimit', '1')]);
    assert.equal((await api.call('/dev/r')).status, 200);
    assertThrottled(await api.call('/dev/r'));
    await sleep(120);
    assert.equal((await api.call('/dev/r')).status, 200);
  });

  test('a customised THROTTLED gateway response shapes the 429', async () => {
    const api = newApi('throttle-custom');
    api.route('t', { mock: true });
    server.control.apis.putGatewayResponse(api.id, 'THROTTLED', { statusCode: '429', responseTemplates: { 'application/json': '{"error":"slow down","type":"$context.error.responseType"}' } });
    api.deploy();
    await api.patch([replace('/~1t/GET/throttling/rateLimit', '0'), replace('/~1t/GET/throttling/burstLimit', '0')]);
    const r = await api.call('/dev/t');
    assert.equal(r.status, 429);
    assert.equal(r.body, '{"error":"slow down","type":"THROTTLED"}');
  });
});

describe('stage cache (data plane)', () => {
  async function cachedApi(name: string, o: MethodOptions = {}, settings: PatchOperation[] = [replace('/*/*/caching/enabled', 'true')]) {
    const api = newApi(name);
    api.route('items', o);
    api.deploy();
    await api.patch([replace('/cacheClusterEnabled', 'true'), ...settings]);
    return api;
  }
  const n = (r: SimpleResponse) => (JSON.parse(r.body) as { n: number }).n;

  test('GET is served from the cache: same status, headers and body, the backend called once, fresh request ids', async () => {
    const api = await cachedApi('cache-basic');
    const first = await api.call('/dev/items');
    const second = await api.call('/dev/items');
    assert.equal(api.calls('items'), 1);
    assert.equal(second.status, first.status);
    assert.equal(second.body, first.body);
    assert.equal(second.headers['x-backend-call'], '1');
    assert.equal(second.headers['content-type'], 'application/json');
    assert.ok(second.headers['x-amzn-requestid']);
    assert.notEqual(second.headers['x-amzn-requestid'], first.headers['x-amzn-requestid']);
  });

  test('without cacheClusterEnabled, or with ttlInSeconds 0, nothing is cached (AGDG: "TTL=0 means caching is disabled")', async () => {
    const api = newApi('cache-off');
    api.route('items');
    api.deploy();
    await api.patch([replace('/*/*/caching/enabled', 'true')]);
    await api.call('/dev/items');
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 2, 'the cluster is off');
    await api.patch([replace('/cacheClusterEnabled', 'true'), replace('/*/*/caching/ttlInSeconds', '0')]);
    await api.call('/dev/items');
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 4, 'TTL 0');
  });

  test('only GET is cached through the wildcard; other methods need their own entry (AGDG api-gateway-caching)', async () => {
    const api = newApi('cache-methods');
    api.route('items');
    api.route('items', { method: 'POST' });
    api.deploy();
    await api.patch([replace('/cacheClusterEnabled', 'true'), replace('/*/*/caching/enabled', 'true')]);
    await api.call('/dev/items', { method: 'POST' });
    await api.call('/dev/items', { method: 'POST' });
    assert.equal(api.calls('items'), 2, 'POST is not cached by the wildcard');
    await api.patch([replace('/~1items/POST/caching/enabled', 'true')]);
    const a = await api.call('/dev/items', { method: 'POST' });
    const b = await api.call('/dev/items', { method: 'POST' });
    assert.equal(api.calls('items'), 3);
    assert.equal(b.body, a.body);
    // A GET-specific entry turning caching off wins over the wildcard.
    await api.patch([replace('/~1items/GET/caching/enabled', 'false')]);
    await api.call('/dev/items');
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 5);
  });

  test('the key: only cache key parameters vary it (query string, header, path parameter)', async () => {
    // AGDG api-gateway-caching: with only `type` a key, ?type=admin&department=A serves ?type=admin&department=B.
    const api = await cachedApi('cache-keys', { requestParameters: { 'method.request.querystring.q': false }, cacheKeyParameters: ['method.request.querystring.q'] });
    const a = await api.call('/dev/items?q=a&department=A');
    assert.equal(n(await api.call('/dev/items?q=a&department=B')), n(a));
    assert.equal(api.calls('items'), 1);
    const b = await api.call('/dev/items?q=b');
    assert.notEqual(n(b), n(a));
    assert.equal(api.calls('items'), 2);
    const none = await api.call('/dev/items');
    assert.equal(api.calls('items'), 3, 'an absent key parameter is a key of its own');
    assert.equal(n(await api.call('/dev/items?other=1')), n(none));

    // Without cache keys every query string shares one entry.
    const plain = await cachedApi('cache-nokeys');
    await plain.call('/dev/items?q=a');
    const shared = await plain.call('/dev/items?q=b');
    assert.equal(plain.calls('items'), 1);
    assert.equal((JSON.parse(shared.body) as { query: string }).query, '?q=a');

    const byHeader = await cachedApi('cache-header', { requestParameters: { 'method.request.header.X-Lang': false }, cacheKeyParameters: ['method.request.header.X-Lang'] });
    const en = await byHeader.call('/dev/items', { headers: { 'X-Lang': 'en' } });
    const de = await byHeader.call('/dev/items', { headers: { 'x-lang': 'de' } });
    assert.equal((JSON.parse(en.body) as { lang: string }).lang, 'en');
    assert.equal((JSON.parse(de.body) as { lang: string }).lang, 'de');
    assert.equal((JSON.parse((await byHeader.call('/dev/items', { headers: { 'X-LANG': 'en' } })).body) as { lang: string }).lang, 'en');
    assert.equal(byHeader.calls('items'), 2);
  });

  test('path parameters vary the key only when declared (terraform-provider-aws#856)', async () => {
    const api = newApi('cache-path');
    const things = server.control.apis.createResource(api.id, api.root, { pathPart: 'things' }).id;
    api.route('{id}', { requestParameters: { 'method.request.path.id': true }, backendPath: `/${api.id}/things` }, things);
    const other = server.control.apis.createResource(api.id, api.root, { pathPart: 'others' }).id;
    api.route('{id}', { requestParameters: { 'method.request.path.id': true }, cacheKeyParameters: ['method.request.path.id'], backendPath: `/${api.id}/others` }, other);
    api.deploy();
    await api.patch([replace('/cacheClusterEnabled', 'true'), replace('/*/*/caching/enabled', 'true')]);
    await api.call('/dev/things/1');
    await api.call('/dev/things/2');
    assert.equal(api.calls('things'), 1, '"the same cached value will be returned no matter whether the path parameter value is the same or not"');
    await api.call('/dev/others/1');
    await api.call('/dev/others/2');
    await api.call('/dev/others/1');
    assert.equal(api.calls('others'), 2);
  });

  test('entries expire after ttlInSeconds', async () => {
    const api = await cachedApi('cache-ttl', {}, [replace('/*/*/caching/enabled', 'true'), replace('/*/*/caching/ttlInSeconds', '1')]);
    await api.call('/dev/items');
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 1);
    await sleep(1100);
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 2);
  });

  test('integration responses are cached whatever their status (StackOverflow 45883323, serverless-api-gateway-caching#125)', async () => {
    const api = newApi('cache-errors');
    api.route('fail');
    api.deploy();
    await api.patch([replace('/cacheClusterEnabled', 'true'), replace('/*/*/caching/enabled', 'true')]);
    assert.equal((await api.call('/dev/fail')).status, 503);
    assert.equal((await api.call('/dev/fail')).status, 503);
    assert.equal(api.calls('fail'), 1);
  });

  describe('Cache-Control: max-age=0 (AGDG api-gateway-caching, "Invalidate an API Gateway cache entry")', () => {
    test('unauthorized, SUCCEED_WITH_RESPONSE_HEADER (the default): served from the cache with a Warning header', async () => {
      const api = await cachedApi('inv-warn');
      const first = await api.call('/dev/items');
      const r = await api.call('/dev/items', { headers: { 'Cache-Control': 'max-age=0' } });
      assert.equal(api.calls('items'), 1);
      assert.equal(r.body, first.body);
      // "Ignore cache control header; Add a warning in response header". The text is UNVERIFIED (no recorded AWS
      // response); the header is HTTP's Warning with warn-code 199.
      assert.match(String(r.headers['warning']), /^199 /);
      assert.equal(first.headers['warning'], undefined);
    });

    test('unauthorized, SUCCEED_WITHOUT_RESPONSE_HEADER: served from the cache, silently', async () => {
      const api = await cachedApi('inv-silent', {}, [replace('/*/*/caching/enabled', 'true'), replace('/*/*/caching/unauthorizedCacheControlHeaderStrategy', 'SUCCEED_WITHOUT_RESPONSE_HEADER')]);
      await api.call('/dev/items');
      const r = await api.call('/dev/items', { headers: { 'Cache-Control': 'no-cache, max-age=0' } });
      assert.equal(api.calls('items'), 1);
      assert.equal(r.headers['warning'], undefined);
    });

    test('unauthorized, FAIL_WITH_403: 403 and the backend is not called', async () => {
      const api = await cachedApi('inv-403', {}, [replace('/*/*/caching/enabled', 'true'), replace('/*/*/caching/unauthorizedCacheControlHeaderStrategy', 'FAIL_WITH_403')]);
      await api.call('/dev/items');
      const r = await api.call('/dev/items', { headers: { 'Cache-Control': 'max-age=0' } });
      // "returns a 403 Unauthorized response" (AGDG). Body UNVERIFIED: API Gateway's IAM denial shape for the
      // InvalidateCache action (AWS knowledge center api-gateway-troubleshoot-403-forbidden quotes the Invoke one).
      assert.equal(r.status, 403);
      assert.equal(r.headers['x-amzn-errortype'], 'AccessDeniedException');
      assert.equal(
        (JSON.parse(r.body) as { Message: string }).Message,
        `User: anonymous is not authorized to perform: execute-api:InvalidateCache on resource: arn:aws:execute-api:us-east-1:********0000:${api.id}/dev/GET/items`,
      );
      assert.equal(api.calls('items'), 1);
      assert.equal((await api.call('/dev/items')).status, 200, 'without the header the cache still answers');
    });

    test('requireAuthorizationForCacheControl false: any client refreshes the entry', async () => {
      // "If you don't impose an InvalidateCache policy (or choose the Require authorization check box in the
      // console), any client can invalidate the API cache."
      const api = await cachedApi('inv-anyone', {}, [replace('/*/*/caching/enabled', 'true'), replace('/*/*/caching/requireAuthorizationForCacheControl', 'false')]);
      assert.equal(n(await api.call('/dev/items')), 1);
      assert.equal(n(await api.call('/dev/items', { headers: { 'Cache-Control': 'max-age=0' } })), 2);
      // "This replaces the existing cache entry with the new response."
      assert.equal(n(await api.call('/dev/items')), 2);
      assert.equal(api.calls('items'), 2);
    });

    test('an IAM-signed caller (allowed execute-api:InvalidateCache) refreshes the entry', async () => {
      const api = await cachedApi('inv-iam', { authorizationType: 'AWS_IAM' });
      const creds = { accessKeyId: 'AKIDALICE', secretAccessKey: 'alice-secret' };
      assert.equal(n(await signed(api.id, '/dev/items', creds)), 1);
      assert.equal(n(await signed(api.id, '/dev/items', creds)), 1);
      const fresh = await signed(api.id, '/dev/items', creds, { 'cache-control': 'max-age=0' });
      assert.equal(n(fresh), 2);
      assert.equal(fresh.headers['warning'], undefined);
      assert.equal(n(await signed(api.id, '/dev/items', creds)), 2);
    });
  });

  test('FlushStageCache empties the stage cache, and only that stage', async () => {
    const api = await cachedApi('cache-flush');
    server.control.deployments.createStage(api.id, { stageName: 'prod', deploymentId: server.control.deployments.getStage(api.id, 'dev').deploymentId });
    await api.patch([replace('/cacheClusterEnabled', 'true'), replace('/*/*/caching/enabled', 'true')], 'prod');
    await api.call('/dev/items');
    await api.call('/prod/items');
    assert.equal(api.calls('items'), 2, 'each stage has its own cache');
    await server.apigw.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: 'dev' }));
    await api.call('/dev/items');
    await api.call('/prod/items');
    assert.equal(api.calls('items'), 3);
  });

  test('disabling or resizing the cache deletes its data (AGDG: "All existing cached data is deleted")', async () => {
    const api = await cachedApi('cache-delete');
    await api.call('/dev/items');
    await api.patch([replace('/cacheClusterEnabled', 'false')]);
    await api.patch([replace('/cacheClusterEnabled', 'true')]);
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 2);
    await api.patch([replace('/cacheClusterSize', '13.5')]);
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 3);
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 3);
  });

  test('a redeployment keeps the entries, as on AWS (the key is the cache namespace, not the deployment)', async () => {
    const api = await cachedApi('cache-redeploy');
    await api.call('/dev/items');
    api.deploy();
    await api.call('/dev/items');
    assert.equal(api.calls('items'), 1);
  });

  test('resources sharing a cacheNamespace share entries (AWS API reference Integration.cacheNamespace)', async () => {
    const api = newApi('cache-namespace');
    api.route('one', { cacheNamespace: 'shared', backendPath: `/${api.id}/one` });
    api.route('two', { cacheNamespace: 'shared', backendPath: `/${api.id}/two` });
    api.deploy();
    await api.patch([replace('/cacheClusterEnabled', 'true'), replace('/*/*/caching/enabled', 'true')]);
    const one = await api.call('/dev/one');
    const two = await api.call('/dev/two');
    assert.equal(two.body, one.body);
    assert.equal(api.calls('two'), 0);
  });
});

/** A GET signed for execute-api by the AWS SDK's own signer (test/helpers/sigv4.ts). */
function signed(apiId: string, path: string, creds: { accessKeyId: string; secretAccessKey: string }, headers: Record<string, string> = {}): Promise<SimpleResponse> {
  return signedCall(server, apiId, path, creds, { headers });
}
