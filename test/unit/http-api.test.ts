import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRouteKey } from '../../src/control/http-apis.js';
import { AwsError } from '../../src/control/errors.js';
import { compileHttpApi, matchHttpRoute } from '../../src/gateway/http/compile.js';
import { allowedOrigin, applyCors, preflightResponse } from '../../src/gateway/http/cors.js';
import { parseResponseV2 } from '../../src/gateway/http/payload.js';
import { policyAllows } from '../../src/gateway/http/authorize.js';
import type { HttpApiSnapshot } from '../../src/model/httpapi.js';

// Seeded, so a failure reproduces on every run and machine (change the seed to explore).
fc.configureGlobal({ seed: 20261125 });

describe('route keys', () => {
  test('valid and invalid keys', () => {
    for (const ok of ['$default', 'GET /', 'ANY /{proxy+}', 'GET /items/{id}', 'POST /a.b/c-d_e/{x}', 'DELETE /v1/items:batch']) assert.equal(checkRouteKey(ok), ok);
    for (const bad of ['GET items', 'GET /a/{proxy+}/b', 'FETCH /x', 'get /x', 'GET /x/', 'GET /a//b', 'GET /e{id}', '']) {
      assert.throws(() => checkRouteKey(bad), (e: unknown) => e instanceof AwsError && e.status === 400, bad);
    }
  });

  test('property: any string is either accepted or refused with a 400, never a crash', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          checkRouteKey(s);
        } catch (e) {
          return e instanceof AwsError && e.status === 400;
        }
        return true;
      }),
    );
  });

  test('property: generated well-formed keys are accepted and route to themselves', () => {
    const seg = fc.stringMatching(/^[a-z0-9._-]{1,8}$/);
    const part = fc.oneof(seg, seg.map((s) => `{${s.replace(/[.-]/g, 'x')}}`));
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.array(part, { minLength: 1, maxLength: 5 }), (method, parts) => {
        const key = `${method} /${parts.join('/')}`;
        assert.equal(checkRouteKey(key), key);
        const api = compileHttpApi(snapshot([{ routeId: 'r1', routeKey: key, authorizationType: 'NONE', apiKeyRequired: false }]), 'd1');
        const concrete = '/' + parts.map((p) => (p.startsWith('{') ? 'value' : p)).join('/');
        assert.equal(matchHttpRoute(api, concrete, method)?.route.route.routeKey, key);
      }),
    );
  });
});

function snapshot(routes: HttpApiSnapshot['routes'], cors?: HttpApiSnapshot['api']['corsConfiguration']): HttpApiSnapshot {
  return { format: 1, api: { apiId: 'abc', name: 'x', disableExecuteApiEndpoint: false, ...(cors ? { corsConfiguration: cors } : {}) }, routes, integrations: [], authorizers: [] };
}

describe('CORS configuration', () => {
  const cors = (c: NonNullable<HttpApiSnapshot['api']['corsConfiguration']>) => compileHttpApi(snapshot([], c), 'd').cors!;

  test('exact origins echo the one that matched; https://* and * as AWS documents them', () => {
    const c = cors({ allowOrigins: ['http://localhost:3000', 'https://app.example.com'] });
    assert.equal(allowedOrigin(c, 'https://app.example.com'), 'https://app.example.com');
    assert.equal(allowedOrigin(c, 'http://localhost:3000'), 'http://localhost:3000');
    assert.equal(allowedOrigin(c, 'http://localhost:3001'), undefined);
    assert.equal(allowedOrigin(cors({ allowOrigins: ['https://*'] }), 'https://anything.example'), 'https://anything.example');
    assert.equal(allowedOrigin(cors({ allowOrigins: ['https://*'] }), 'http://anything.example'), undefined);
    assert.equal(allowedOrigin(cors({ allowOrigins: ['*'] }), 'http://x'), '*');
  });

  test('preflight answer and actual-response headers', () => {
    const c = cors({ allowOrigins: ['https://a.example'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization', 'content-type'], exposeHeaders: ['x-id'], maxAge: 300, allowCredentials: true });
    assert.deepEqual(preflightResponse(c, 'https://a.example'), {
      status: 204,
      headers: [
        ['access-control-allow-origin', 'https://a.example'],
        ['vary', 'origin'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-allow-methods', 'GET,POST'],
        ['access-control-allow-headers', 'authorization,content-type'],
        ['access-control-expose-headers', 'x-id'],
        ['access-control-max-age', '300'],
      ],
    });
    assert.deepEqual(preflightResponse(c, 'https://evil.example'), { status: 204, headers: [] });
    // The integration's own CORS headers never survive ("API Gateway ignores CORS headers returned from your backend").
    assert.deepEqual(applyCors(c, 'https://evil.example', [['Access-Control-Allow-Origin', '*'], ['x-other', '1']]), [['x-other', '1']]);
    assert.deepEqual(applyCors(c, 'https://a.example', [['Access-Control-Allow-Origin', '*']]), [
      ['access-control-allow-origin', 'https://a.example'],
      ['vary', 'origin'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-expose-headers', 'x-id'],
    ]);
  });
});

describe('payload 2.0 responses', () => {
  // Cases recorded on AWS in aws/aws-lambda-dotnet LambdaTestTool-v2 snapshots (April 2025).
  test('inference without statusCode, text/plain default with it, 500 for a bad status', () => {
    assert.deepEqual(parseResponseV2('"Hello, World!"'), { status: 200, headers: [['content-type', 'application/json']], body: 'Hello, World!' });
    assert.deepEqual(parseResponseV2('[1, 2, 3]'), { status: 200, headers: [['content-type', 'application/json']], body: '[1, 2, 3]' });
    assert.deepEqual(parseResponseV2('{"name": "John Doe", "age":'), { status: 200, headers: [['content-type', 'application/json']], body: '{"name": "John Doe", "age":' });
    assert.deepEqual(parseResponseV2('{"statusCode": 201, "body": "x"}'), { status: 201, headers: [['content-type', 'text/plain; charset=utf-8']], body: 'x' });
    assert.throws(() => parseResponseV2('{"statusCode": 0}'));
    assert.throws(() => parseResponseV2('{"statusCode": 200.5}'));
    const cookies = parseResponseV2('{"statusCode": 200, "cookies": ["a=1", "b=2"], "headers": {"content-type": "text/html"}}');
    assert.deepEqual(cookies.headers, [['content-type', 'text/html'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  });
});

describe('IAM policy evaluation for Lambda authorizers', () => {
  const arn = 'arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/items';
  const policy = (...statements: { Effect: string; Resource: string; Action?: string }[]) => ({ Version: '2012-10-17', Statement: statements.map((s) => ({ Action: 'execute-api:Invoke', ...s })) });
  test('allow, wildcards, explicit deny wins', () => {
    assert.equal(policyAllows(policy({ Effect: 'Allow', Resource: arn }), arn), true);
    assert.equal(policyAllows(policy({ Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:000000000000:abc/*' }), arn), true);
    assert.equal(policyAllows(policy({ Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:000000000000:abc/*/POST/*' }), arn), false);
    assert.equal(policyAllows(policy({ Effect: 'Allow', Resource: '*' }, { Effect: 'Deny', Resource: arn }), arn), false);
    assert.equal(policyAllows(policy({ Effect: 'Allow', Resource: '*', Action: 'execute-api:*' }), arn), true);
    assert.equal(policyAllows(policy({ Effect: 'Allow', Resource: '*', Action: 's3:GetObject' }), arn), false);
    assert.equal(policyAllows({}, arn), false);
  });
});
