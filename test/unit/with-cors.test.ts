// withCors (preflight/lambda): behaviour on REST v1, HTTP API 1.0 and 2.0 events, table-driven, plus fast-check
// properties. Event shapes follow AWS's proxy-integration docs (AGDG set-up-lambda-proxy-integrations.md "Input
// format"; http-api-develop-integrations-lambda.md), summarized in /work/shared/reference/aws-apigateway-lambda.md §4.
import { test, describe, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import {
  withCors,
  checkOrigin,
  INTERNAL_ERROR_BODY,
  type APIGatewayProxyEventV1,
  type APIGatewayProxyEventV2,
  type APIGatewayProxyResultV1,
  type APIGatewayProxyStructuredResultV2,
  type HeaderValue,
  type LambdaContext,
  type ProxyHandler,
  type WithCorsOptions,
} from '../../src/lib/lambda.js';

// Seeded, so a failure reproduces on every run and machine (change the seed to explore).
fc.configureGlobal({ seed: 20261125 });

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

type Format = 'rest' | 'http1' | 'http2';
const FORMATS: readonly Format[] = ['rest', 'http1', 'http2'];

interface Req {
  method?: string;
  /** Header names as the client sent them; v2 lowercases them like API Gateway does. */
  headers?: Record<string, string>;
  /** v1 only: extra multiValueHeaders (merged over the ones derived from `headers`). */
  multiValueHeaders?: Record<string, string[]>;
  stageVariables?: Record<string, string>;
}

function restEvent(req: Req = {}): APIGatewayProxyEventV1 {
  const headers = req.headers ?? {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) multi[k] = [v];
  Object.assign(multi, req.multiValueHeaders ?? {});
  const method = req.method ?? 'GET';
  return {
    resource: '/{proxy+}',
    path: '/items',
    httpMethod: method,
    headers,
    multiValueHeaders: multi,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'items' },
    stageVariables: req.stageVariables ?? null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abcdef1234',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'test',
        userArn: null,
      },
      path: '/dev/items',
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1583349317135,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      stage: 'dev',
    },
    body: null,
    isBase64Encoded: false,
  };
}

function http2Event(req: Req = {}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    const key = k.toLowerCase();
    headers[key] = headers[key] === undefined ? v : `${headers[key]},${v}`;
  }
  const method = req.method ?? 'GET';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/items',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.localhost',
      domainPrefix: 'abcdef1234',
      http: { method, path: '/items', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'LV7fzho-PHcEJPw=',
      routeKey: '$default',
      stage: '$default',
      time: '21/Apr/2020:15:08:21 +0000',
      timeEpoch: 1587481701000,
    },
    isBase64Encoded: false,
  };
  if (req.stageVariables) event.stageVariables = req.stageVariables;
  return event;
}

function eventFor(format: Format, req: Req = {}): APIGatewayProxyEventV1 | APIGatewayProxyEventV2 {
  if (format === 'http2') return http2Event(req);
  const event = restEvent(req);
  if (format === 'http1') event.version = '1.0';
  return event;
}

const context: LambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
  memoryLimitInMB: '128',
  awsRequestId: '00000000-0000-0000-0000-000000000000',
  logGroupName: '/aws/lambda/fn',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 3000,
};

type AnyResult = {
  statusCode?: number;
  headers?: Record<string, HeaderValue>;
  multiValueHeaders?: Record<string, HeaderValue[]>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  [key: string]: unknown;
};

/** Runs a wrapped handler on an event; the result is widened so tests can look at any field. */
async function run(
  handler: ProxyHandler<APIGatewayProxyEventV1 | APIGatewayProxyEventV2, unknown, LambdaContext>,
  options: WithCorsOptions,
  event: APIGatewayProxyEventV1 | APIGatewayProxyEventV2,
): Promise<AnyResult> {
  return (await withCors(handler, options)(event, context)) as AnyResult;
}

/** All values of a response header, case-insensitively, across headers and multiValueHeaders. */
function headerValues(res: AnyResult, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(res.headers ?? {})) if (k.toLowerCase() === name.toLowerCase()) out.push(String(v));
  for (const [k, vs] of Object.entries(res.multiValueHeaders ?? {})) {
    if (k.toLowerCase() === name.toLowerCase()) out.push(...vs.map(String));
  }
  return out;
}

function header(res: AnyResult, name: string): string | undefined {
  const values = headerValues(res, name);
  assert.ok(values.length <= 1, `expected at most one ${name}, got ${JSON.stringify(values)}`);
  return values[0];
}

function varyTokens(res: AnyResult): string[] {
  return headerValues(res, 'vary').flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase()));
}

const APP = 'https://app.example.com';
const LOCAL = 'http://localhost:3000';
const EVIL = 'https://evil.example.net';
const ok: ProxyHandler<unknown, APIGatewayProxyResultV1, LambdaContext> = async () => ({ statusCode: 200, body: 'ok' });

// The tests own the environment variables withCors reads.
const savedEnv = { CORS_ALLOWED_ORIGINS: process.env.CORS_ALLOWED_ORIGINS, MY_ORIGINS: process.env.MY_ORIGINS };
before(() => {
  delete process.env.CORS_ALLOWED_ORIGINS;
  delete process.env.MY_ORIGINS;
});
after(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function silence(t: TestContext, method: 'error' | 'warn') {
  return t.mock.method(console, method, () => {});
}

// ---------------------------------------------------------------------------------------------------------------
// Actual (non-preflight) requests

describe('actual requests: which origin gets Access-Control-Allow-Origin', () => {
  const cases: {
    name: string;
    options: WithCorsOptions;
    req: Req;
    acao: string | undefined;
    acac?: string;
    vary: boolean;
  }[] = [
    { name: 'allowed origin is reflected', options: { origins: [APP, LOCAL] }, req: { headers: { Origin: LOCAL } }, acao: LOCAL, vary: true },
    { name: 'disallowed origin gets no ACAO but Vary', options: { origins: [APP] }, req: { headers: { Origin: EVIL } }, acao: undefined, vary: true },
    { name: 'missing Origin gets no ACAO but Vary', options: { origins: [APP] }, req: {}, acao: undefined, vary: true },
    { name: 'Origin header name in odd casing', options: { origins: [APP] }, req: { headers: { oRiGiN: APP } }, acao: APP, vary: true },
    { name: 'origin differing in case is not the same origin', options: { origins: [APP] }, req: { headers: { Origin: 'https://APP.example.com' } }, acao: undefined, vary: true },
    { name: 'origin with trailing slash is not the same origin', options: { origins: [APP] }, req: { headers: { Origin: `${APP}/` } }, acao: undefined, vary: true },
    { name: 'prefix/suffix tricks are not matched', options: { origins: [APP] }, req: { headers: { Origin: `${APP}.evil.net` } }, acao: undefined, vary: true },
    { name: 'credentials: ACAC with an allowed origin', options: { origins: [APP], credentials: true }, req: { headers: { Origin: APP } }, acao: APP, acac: 'true', vary: true },
    { name: 'credentials: nothing for a disallowed origin', options: { origins: [APP], credentials: true }, req: { headers: { Origin: EVIL } }, acao: undefined, vary: true },
    { name: "'*' answers * to any origin, without Vary", options: { origins: '*' }, req: { headers: { Origin: EVIL } }, acao: '*', vary: false },
    { name: "'*' answers * without an Origin too", options: { origins: '*' }, req: {}, acao: '*', vary: false },
  ];
  for (const format of FORMATS) {
    for (const c of cases) {
      test(`${format}: ${c.name}`, async () => {
        let calls = 0;
        const res = await run(async () => (calls++, { statusCode: 200, body: 'ok' }), c.options, eventFor(format, c.req));
        assert.equal(calls, 1);
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, 'ok');
        assert.equal(header(res, 'access-control-allow-origin'), c.acao);
        assert.equal(header(res, 'access-control-allow-credentials'), c.acac);
        assert.equal(varyTokens(res).includes('origin'), c.vary);
      });
    }
  }

  test('rest: Origin only present in multiValueHeaders is read', async () => {
    const event = restEvent();
    event.headers = {};
    event.multiValueHeaders = { origin: [APP] };
    const res = await run(ok, { origins: [APP] }, event);
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test('rest: Origin only present in headers (multiValueHeaders null) is read', async () => {
    const event = restEvent({ headers: { ORIGIN: APP } });
    event.multiValueHeaders = null;
    const res = await run(ok, { origins: [APP] }, event);
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test('rest: headers null (no headers at all) is handled', async () => {
    const event = restEvent();
    event.headers = null;
    event.multiValueHeaders = null;
    const res = await run(ok, { origins: [APP] }, event);
    assert.equal(res.statusCode, 200);
    assert.equal(header(res, 'access-control-allow-origin'), undefined);
  });

  test('rest: two Origin values (no single origin to reflect) are not reflected', async () => {
    const res = await run(ok, { origins: [APP, LOCAL] }, restEvent({ multiValueHeaders: { Origin: [APP, LOCAL] } }));
    assert.equal(header(res, 'access-control-allow-origin'), undefined);
  });

  test('http2: duplicate Origin headers joined with a comma by API Gateway are not reflected', async () => {
    const event = http2Event();
    event.headers.origin = `${APP},${LOCAL}`;
    const res = await run(ok, { origins: [APP, LOCAL] }, event);
    assert.equal(header(res, 'access-control-allow-origin'), undefined);
  });

  for (const format of FORMATS) {
    test(`${format}: exposeHeaders sent with an allowed origin only`, async () => {
      const options: WithCorsOptions = { origins: [APP], exposeHeaders: ['X-Request-Id', 'ETag'] };
      const allowed = await run(ok, options, eventFor(format, { headers: { Origin: APP } }));
      assert.equal(header(allowed, 'access-control-expose-headers'), 'X-Request-Id,ETag');
      const refused = await run(ok, options, eventFor(format, { headers: { Origin: EVIL } }));
      assert.equal(header(refused, 'access-control-expose-headers'), undefined);
    });
  }

  test('actual responses carry no preflight-only headers', async () => {
    const res = await run(ok, { origins: [APP] }, restEvent({ headers: { Origin: APP } }));
    assert.equal(header(res, 'access-control-allow-methods'), undefined);
    assert.equal(header(res, 'access-control-allow-headers'), undefined);
    assert.equal(header(res, 'access-control-max-age'), undefined);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Preflights

describe('preflight requests are answered without calling the handler', () => {
  const preflightReq = (origin: string | undefined, extra: Record<string, string> = {}): Req => ({
    method: 'OPTIONS',
    headers: {
      ...(origin === undefined ? {} : { Origin: origin }),
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'content-type,x-api-key',
      ...extra,
    },
  });
  const cases: {
    name: string;
    options: WithCorsOptions;
    req: Req;
    expect: Record<string, string | undefined>;
    vary: boolean;
  }[] = [
    {
      name: 'allowed origin: defaults (console Allow-Headers, ANY methods, 600 s)',
      options: { origins: [APP] },
      req: preflightReq(APP),
      expect: {
        'access-control-allow-origin': APP,
        'access-control-allow-methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
        'access-control-allow-headers': 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token',
        'access-control-max-age': '600',
        'access-control-allow-credentials': undefined,
      },
      vary: true,
    },
    {
      name: 'credentials',
      options: { origins: [APP], credentials: true },
      req: preflightReq(APP),
      expect: { 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true' },
      vary: true,
    },
    {
      name: 'custom lists and max-age',
      options: { origins: [APP], allowMethods: ['GET', 'PUT'], allowHeaders: 'Content-Type, X-Trace', maxAge: 0 },
      req: preflightReq(APP),
      expect: {
        'access-control-allow-methods': 'GET,PUT',
        'access-control-allow-headers': 'Content-Type,X-Trace',
        'access-control-max-age': '0',
      },
      vary: true,
    },
    {
      name: 'disallowed origin: 204 without any Access-Control-Allow-* header',
      options: { origins: [APP] },
      req: preflightReq(EVIL),
      expect: {
        'access-control-allow-origin': undefined,
        'access-control-allow-methods': undefined,
        'access-control-allow-headers': undefined,
        'access-control-max-age': undefined,
      },
      vary: true,
    },
    {
      name: 'no Origin: 204 without any Access-Control-Allow-* header',
      options: { origins: [APP] },
      req: preflightReq(undefined),
      expect: { 'access-control-allow-origin': undefined, 'access-control-allow-methods': undefined },
      vary: true,
    },
    {
      name: "'*': constant * and the lists",
      options: { origins: '*' },
      req: preflightReq(EVIL),
      expect: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT' },
      vary: false,
    },
    {
      name: 'request header names in lowercase',
      options: { origins: [APP] },
      req: { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'DELETE' } },
      expect: { 'access-control-allow-origin': APP, 'access-control-max-age': '600' },
      vary: true,
    },
  ];
  for (const format of FORMATS) {
    for (const c of cases) {
      test(`${format}: ${c.name}`, async () => {
        let calls = 0;
        const res = await run(() => (calls++, { statusCode: 500 }), c.options, eventFor(format, c.req));
        assert.equal(calls, 0, 'the handler must not be called for a preflight');
        assert.equal(res.statusCode, 204);
        assert.equal(res.body, '');
        for (const [name, value] of Object.entries(c.expect)) assert.equal(header(res, name), value, name);
        assert.equal(varyTokens(res).includes('origin'), c.vary);
      });
    }
  }

  for (const format of FORMATS) {
    test(`${format}: OPTIONS without Access-Control-Request-Method is an ordinary request for the handler`, async () => {
      let calls = 0;
      const res = await run(
        async () => (calls++, { statusCode: 200, body: 'options' }),
        { origins: [APP] },
        eventFor(format, { method: 'OPTIONS', headers: { Origin: APP } }),
      );
      assert.equal(calls, 1);
      assert.equal(res.body, 'options');
      assert.equal(header(res, 'access-control-allow-origin'), APP);
      assert.equal(header(res, 'access-control-allow-methods'), undefined);
    });
  }

  test('http2: the method comes from requestContext.http.method (no httpMethod in 2.0)', async () => {
    const event = http2Event(preflightReq(APP));
    assert.equal('httpMethod' in event, false);
    const res = await run(ok, { origins: [APP] }, event);
    assert.equal(res.statusCode, 204);
  });

  test('rest: a GET carrying Access-Control-Request-Method is not a preflight', async () => {
    const res = await run(ok, { origins: [APP] }, restEvent({ method: 'GET', headers: { Origin: APP, 'Access-Control-Request-Method': 'PUT' } }));
    assert.equal(res.statusCode, 200);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Errors

describe('handler failures become a 500 with CORS headers', () => {
  const boom = new Error('boom');
  const failures: { name: string; handler: ProxyHandler<unknown, unknown, LambdaContext>; logged: unknown; formats?: Format[] }[] = [
    { name: 'sync throw', handler: () => { throw boom; }, logged: boom },
    { name: 'rejected promise', handler: async () => { throw boom; }, logged: boom },
    { name: 'callback(error)', handler: (_e, _c, cb) => { setImmediate(() => cb(boom)); }, logged: boom },
    { name: "callback('string error')", handler: (_e, _c, cb) => { cb('Unauthorized'); }, logged: 'Unauthorized' },
    { name: 'throwing a non-Error', handler: () => { throw 42; }, logged: 42 },
    { name: 'promise rejected with undefined', handler: () => Promise.reject(undefined), logged: undefined },
    { name: 'unserializable v2 value', handler: async () => ({ big: 1n }), logged: TypeError, formats: ['http2'] },
    { name: 'v1 handler returning a string (API Gateway would 502)', handler: async () => 'hello', logged: Error, formats: ['rest', 'http1'] },
    { name: 'v1 handler returning nothing', handler: async () => undefined, logged: Error, formats: ['rest', 'http1'] },
    { name: 'headers that are not an object', handler: async () => ({ statusCode: 200, headers: 'x' }), logged: Error },
    { name: 'multiValueHeaders entry that is not an array', handler: async () => ({ statusCode: 200, multiValueHeaders: { a: 'b' } }), logged: Error, formats: ['rest', 'http1'] },
  ];
  for (const format of FORMATS) {
    for (const f of failures) {
      if (f.formats && !f.formats.includes(format)) continue;
      test(`${format}: ${f.name}`, async (t) => {
        const error = silence(t, 'error');
        const res = await run(f.handler, { origins: [APP], credentials: true }, eventFor(format, { headers: { Origin: APP } }));
        assert.equal(res.statusCode, 500);
        assert.equal(res.body, INTERNAL_ERROR_BODY);
        assert.deepEqual(JSON.parse(res.body ?? ''), { message: 'Internal Server Error' });
        assert.equal(header(res, 'content-type'), 'application/json');
        assert.equal(header(res, 'access-control-allow-origin'), APP);
        assert.equal(header(res, 'access-control-allow-credentials'), 'true');
        assert.ok(varyTokens(res).includes('origin'));
        assert.equal(error.mock.callCount(), 1);
        const args = error.mock.calls[0]?.arguments ?? [];
        assert.match(String(args[0]), /withCors: the handler failed/);
        if (typeof f.logged === 'function') assert.ok(args[1] instanceof f.logged, `logged ${String(args[1])}`);
        else assert.equal(args[1], f.logged);
      });
    }
  }

  test('a 500 for a disallowed origin carries no ACAO', async (t) => {
    silence(t, 'error');
    const res = await run(() => { throw boom; }, { origins: [APP] }, restEvent({ headers: { Origin: EVIL } }));
    assert.equal(res.statusCode, 500);
    assert.equal(header(res, 'access-control-allow-origin'), undefined);
  });

  test("a 500 under origins '*' carries ACAO *", async (t) => {
    silence(t, 'error');
    const res = await run(() => { throw boom; }, { origins: '*' }, http2Event({ headers: { Origin: EVIL } }));
    assert.equal(header(res, 'access-control-allow-origin'), '*');
  });

  test('the error message never reaches the client', async (t) => {
    silence(t, 'error');
    const res = await run(() => { throw new Error('db password is hunter2'); }, { origins: [APP] }, restEvent());
    assert.doesNotMatch(JSON.stringify(res), /hunter2/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Merging with the handler's headers

describe("the handler's own headers are kept and CORS headers are not duplicated", () => {
  test("handler's ACAO (any casing, headers and multiValueHeaders) is replaced by exactly one", async () => {
    const res = await run(
      async () => ({
        statusCode: 201,
        headers: { 'access-control-allow-origin': '*', 'X-Custom': 'a', 'Content-Type': 'text/plain' },
        multiValueHeaders: { 'Access-Control-Allow-Origin': [EVIL], 'Set-Cookie': ['a=1', 'b=2'] },
        body: 'made',
      }),
      { origins: [APP] },
      restEvent({ headers: { Origin: APP } }),
    );
    assert.equal(res.statusCode, 201);
    assert.equal(res.body, 'made');
    assert.deepEqual(headerValues(res, 'access-control-allow-origin'), [APP]);
    assert.equal(header(res, 'x-custom'), 'a');
    assert.equal(header(res, 'content-type'), 'text/plain');
    assert.deepEqual(res.multiValueHeaders?.['Set-Cookie'], ['a=1', 'b=2']);
  });

  test("handler's ACAO and ACAC are removed for a disallowed origin", async () => {
    const res = await run(
      async () => ({ statusCode: 200, headers: { 'Access-Control-Allow-Origin': EVIL, 'Access-Control-Allow-Credentials': 'true' } }),
      { origins: [APP] },
      restEvent({ headers: { Origin: EVIL } }),
    );
    assert.equal(header(res, 'access-control-allow-origin'), undefined);
    assert.equal(header(res, 'access-control-allow-credentials'), undefined);
  });

  test("handler's ACAC is removed when credentials are off", async () => {
    const res = await run(
      async () => ({ statusCode: 200, headers: { 'access-control-allow-credentials': 'true' } }),
      { origins: [APP] },
      http2Event({ headers: { Origin: APP } }),
    );
    assert.equal(header(res, 'access-control-allow-origin'), APP);
    assert.equal(header(res, 'access-control-allow-credentials'), undefined);
  });

  test("handler's Access-Control-Expose-Headers is kept unless exposeHeaders is configured", async () => {
    const handler = async () => ({ statusCode: 200, headers: { 'access-control-expose-headers': 'X-Mine' } });
    const kept = await run(handler, { origins: [APP] }, restEvent({ headers: { Origin: APP } }));
    assert.equal(header(kept, 'access-control-expose-headers'), 'X-Mine');
    const replaced = await run(handler, { origins: [APP], exposeHeaders: ['X-Ours'] }, restEvent({ headers: { Origin: APP } }));
    assert.equal(header(replaced, 'access-control-expose-headers'), 'X-Ours');
  });

  const varyCases: { name: string; result: AnyResult; expect: (res: AnyResult) => void }[] = [
    {
      name: 'Vary in headers is extended',
      result: { statusCode: 200, headers: { Vary: 'Accept-Encoding' } },
      expect: (res) => assert.deepEqual(headerValues(res, 'vary'), ['Accept-Encoding, Origin']),
    },
    {
      name: 'Vary already naming Origin (any case) is left alone',
      result: { statusCode: 200, headers: { vary: 'origin, Accept' } },
      expect: (res) => assert.deepEqual(headerValues(res, 'vary'), ['origin, Accept']),
    },
    {
      name: 'Vary: * is left alone',
      result: { statusCode: 200, headers: { Vary: '*' } },
      expect: (res) => assert.deepEqual(headerValues(res, 'vary'), ['*']),
    },
    {
      name: 'Vary in multiValueHeaders is extended there',
      result: { statusCode: 200, multiValueHeaders: { Vary: ['Accept-Encoding'] } },
      expect: (res) => {
        assert.deepEqual(res.multiValueHeaders?.Vary, ['Accept-Encoding', 'Origin']);
        assert.equal(Object.keys(res.headers ?? {}).some((k) => k.toLowerCase() === 'vary'), false);
      },
    },
    {
      name: 'no Vary gets Vary: Origin',
      result: { statusCode: 200, headers: { 'X-A': 1, 'X-B': true } },
      expect: (res) => {
        assert.deepEqual(headerValues(res, 'vary'), ['Origin']);
        assert.equal(res.headers?.['X-A'], 1);
        assert.equal(res.headers?.['X-B'], true);
      },
    },
  ];
  for (const c of varyCases) {
    test(c.name, async () => {
      c.expect(await run(async () => c.result, { origins: [APP] }, restEvent({ headers: { Origin: APP } })));
    });
  }

  test('http2: cookies, isBase64Encoded and extra fields are preserved', async () => {
    const res = await run(
      async () => ({ statusCode: 302, cookies: ['s=1; Secure', 't=2'], headers: { location: '/x' }, body: 'aGk=', isBase64Encoded: true }),
      { origins: [APP] },
      http2Event({ headers: { Origin: APP } }),
    );
    assert.equal(res.statusCode, 302);
    assert.deepEqual(res.cookies, ['s=1; Secure', 't=2']);
    assert.equal(res.isBase64Encoded, true);
    assert.equal(res.body, 'aGk=');
    assert.equal(header(res, 'location'), '/x');
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test("the handler's result object is not mutated", async () => {
    const headers = { 'X-A': 'a' };
    const multiValueHeaders = { 'X-B': ['b'] };
    const result = { statusCode: 200, headers, multiValueHeaders };
    const res = await run(async () => result, { origins: [APP] }, restEvent({ headers: { Origin: APP } }));
    assert.deepEqual(result, { statusCode: 200, headers: { 'X-A': 'a' }, multiValueHeaders: { 'X-B': ['b'] } });
    assert.notEqual(res.headers, headers);
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test('rest: response with headers: null still gets CORS headers', async () => {
    const res = await run(async () => ({ statusCode: 200, headers: null, body: '' }), { origins: [APP] }, restEvent({ headers: { Origin: APP } }));
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test('rest: object without statusCode is passed on as is (REST defaults it to 200)', async () => {
    const res = await run(async () => ({ body: 'x' }), { origins: [APP] }, restEvent({ headers: { Origin: APP } }));
    assert.equal(res.statusCode, undefined);
    assert.equal(res.body, 'x');
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Payload 2.0 inference

describe('http2: plain return values get API Gateway inference before CORS headers', () => {
  // AGDG http-api-develop-integrations-lambda.md: without a statusCode, "isBase64Encoded is false; statusCode is
  // 200; content-type is application/json; body is the function's response".
  const cases: { name: string; value: unknown; body: string }[] = [
    { name: 'object without statusCode', value: { message: 'Hello from Lambda!' }, body: '{"message":"Hello from Lambda!"}' },
    { name: 'string, sent as is', value: 'Hello from Lambda!', body: 'Hello from Lambda!' },
    { name: 'number', value: 42, body: '42' },
    { name: 'array', value: [1, 'a'], body: '[1,"a"]' },
    { name: 'null', value: null, body: 'null' },
    { name: 'undefined (the runtime sends null)', value: undefined, body: 'null' },
    { name: 'object with headers but no statusCode is data, not a response', value: { headers: { a: 'b' } }, body: '{"headers":{"a":"b"}}' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const res = await run(async () => c.value, { origins: [APP] }, http2Event({ headers: { Origin: APP } }));
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, c.body);
      assert.equal(res.isBase64Encoded, false);
      assert.equal(header(res, 'content-type'), 'application/json');
      assert.equal(header(res, 'access-control-allow-origin'), APP);
      assert.ok(varyTokens(res).includes('origin'));
    });
  }

  test('a structured response (with statusCode) is not re-inferred', async () => {
    const res = await run(async () => ({ statusCode: 404, body: 'nope' }), { origins: [APP] }, http2Event({ headers: { Origin: APP } }));
    assert.equal(res.statusCode, 404);
    assert.equal(res.body, 'nope');
    assert.equal(header(res, 'content-type'), undefined);
  });

  test('inference is detected from requestContext.http even without version', async () => {
    const event = http2Event({ headers: { Origin: APP } }) as Partial<APIGatewayProxyEventV2>;
    delete event.version;
    const res = await run(async () => ({ a: 1 }), { origins: [APP] }, event as APIGatewayProxyEventV2);
    assert.equal(res.body, '{"a":1}');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Handler styles

describe('async, callback and synchronous handlers', () => {
  const styles: { name: string; handler: ProxyHandler<unknown, APIGatewayProxyResultV1, LambdaContext> }[] = [
    { name: 'async', handler: async () => ({ statusCode: 200, body: 'r' }) },
    { name: 'returns a promise', handler: () => Promise.resolve({ statusCode: 200, body: 'r' }) },
    { name: 'callback, synchronously', handler: (_e, _c, cb) => cb(null, { statusCode: 200, body: 'r' }) },
    { name: 'callback, later', handler: (_e, _c, cb) => { setTimeout(() => cb(undefined, { statusCode: 200, body: 'r' }), 5); } },
    { name: 'synchronous return', handler: () => ({ statusCode: 200, body: 'r' }) },
    {
      name: 'callback first, then a promise: the first answer wins',
      handler: (_e, _c, cb) => {
        cb(null, { statusCode: 200, body: 'r' });
        return Promise.resolve({ statusCode: 500, body: 'late' });
      },
    },
  ];
  for (const s of styles) {
    test(s.name, async () => {
      const res = await run(s.handler, { origins: [APP] }, restEvent({ headers: { Origin: APP } }));
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, 'r');
      assert.equal(header(res, 'access-control-allow-origin'), APP);
    });
  }

  test('event and context are passed through untouched', async () => {
    const event = restEvent({ headers: { Origin: APP } });
    const snapshot = structuredClone(event);
    let seen: [unknown, unknown] | undefined;
    await withCors((e, c) => { seen = [e, c]; return { statusCode: 200 }; }, { origins: [APP] })(event, context);
    assert.equal(seen?.[0], event);
    assert.equal(seen?.[1], context);
    assert.deepEqual(event, snapshot);
  });

  test('the wrapped handler declares two parameters (a promise handler for the Node.js runtime)', () => {
    assert.equal(withCors(ok, { origins: [APP] }).length, 2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Where allowed origins come from

describe('origins from options, environment variable and stage variable', () => {
  test('CORS_ALLOWED_ORIGINS (comma-separated, spaces and empty entries ignored) overrides options.origins', async () => {
    const wrapped = withEnv({ CORS_ALLOWED_ORIGINS: ` ${LOCAL} , ${APP},` }, () => withCors(ok, { origins: ['https://code.example.com'] }));
    const reflect = async (origin: string) =>
      header((await wrapped(restEvent({ headers: { Origin: origin } }), context)) as AnyResult, 'access-control-allow-origin');
    assert.equal(await reflect(LOCAL), LOCAL);
    assert.equal(await reflect(APP), APP);
    assert.equal(await reflect('https://code.example.com'), undefined);
  });

  test('the environment variable is read when withCors is called', async () => {
    const wrapped = withEnv({ CORS_ALLOWED_ORIGINS: APP }, () => withCors(ok));
    const res = (await wrapped(restEvent({ headers: { Origin: APP } }), context)) as AnyResult;
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test('an empty environment variable counts as unset', async () => {
    const wrapped = withEnv({ CORS_ALLOWED_ORIGINS: ' , ' }, () => withCors(ok, { origins: [APP] }));
    const res = (await wrapped(restEvent({ headers: { Origin: APP } }), context)) as AnyResult;
    assert.equal(header(res, 'access-control-allow-origin'), APP);
  });

  test("CORS_ALLOWED_ORIGINS='*' allows any origin", async () => {
    const wrapped = withEnv({ CORS_ALLOWED_ORIGINS: '*' }, () => withCors(ok, { origins: [APP] }));
    const res = (await wrapped(restEvent({ headers: { Origin: EVIL } }), context)) as AnyResult;
    assert.equal(header(res, 'access-control-allow-origin'), '*');
  });

  test('originsEnvVar names another variable; false ignores the environment', async () => {
    const named = withEnv({ MY_ORIGINS: LOCAL, CORS_ALLOWED_ORIGINS: EVIL }, () => withCors(ok, { originsEnvVar: 'MY_ORIGINS' }));
    assert.equal(header((await named(restEvent({ headers: { Origin: LOCAL } }), context)) as AnyResult, 'access-control-allow-origin'), LOCAL);
    assert.equal(header((await named(restEvent({ headers: { Origin: EVIL } }), context)) as AnyResult, 'access-control-allow-origin'), undefined);
    const ignored = withEnv({ CORS_ALLOWED_ORIGINS: EVIL }, () => withCors(ok, { origins: [APP], originsEnvVar: false }));
    assert.equal(header((await ignored(restEvent({ headers: { Origin: EVIL } }), context)) as AnyResult, 'access-control-allow-origin'), undefined);
  });

  for (const format of FORMATS) {
    test(`${format}: stage variable corsAllowedOrigins overrides env and options, per stage`, async () => {
      const wrapped = withEnv({ CORS_ALLOWED_ORIGINS: LOCAL }, () => withCors(ok, { origins: [APP] }));
      const call = async (stageVariables: Record<string, string> | undefined, origin: string) =>
        header(
          (await wrapped(eventFor(format, { headers: { Origin: origin }, ...(stageVariables ? { stageVariables } : {}) }), context)) as AnyResult,
          'access-control-allow-origin',
        );
      const prod = { corsAllowedOrigins: 'https://prod.example.com,https://www.example.com' };
      assert.equal(await call(prod, 'https://www.example.com'), 'https://www.example.com');
      assert.equal(await call(prod, LOCAL), undefined, 'the stage narrows what env allows');
      assert.equal(await call({ other: 'x' }, LOCAL), LOCAL, 'stage without the variable: env applies');
      assert.equal(await call(undefined, LOCAL), LOCAL);
    });
  }

  test('an invalid stage variable allows nothing and is logged once', async (t) => {
    const error = silence(t, 'error');
    const wrapped = withCors(ok, { origins: [APP] });
    for (let i = 0; i < 3; i++) {
      const res = (await wrapped(restEvent({ headers: { Origin: APP }, stageVariables: { corsAllowedOrigins: `${APP}/` } }), context)) as AnyResult;
      assert.equal(header(res, 'access-control-allow-origin'), undefined);
    }
    assert.equal(error.mock.callCount(), 1);
    const message = String(error.mock.calls[0]?.arguments[0]);
    assert.match(message, /stage variable corsAllowedOrigins is invalid/);
    assert.match(message, /trailing slash/);
    assert.match(message, /Fix: use "https:\/\/app\.example\.com"/);
  });

  test("a stage variable '*' with credentials allows nothing and says why", async (t) => {
    const error = silence(t, 'error');
    const wrapped = withCors(ok, { origins: [APP], credentials: true });
    const res = (await wrapped(http2Event({ headers: { Origin: APP }, stageVariables: { corsAllowedOrigins: '*' } }), context)) as AnyResult;
    assert.equal(header(res, 'access-control-allow-origin'), undefined);
    assert.match(String(error.mock.calls[0]?.arguments[0]), /allow-credentials is not supported if 'allow-origin' is \*/);
  });

  test('originsStageVariable names another variable; false ignores stage variables', async () => {
    const named = withCors(ok, { origins: [APP], originsStageVariable: 'allowed' });
    const ev = (o: string) => restEvent({ headers: { Origin: o }, stageVariables: { allowed: LOCAL, corsAllowedOrigins: EVIL } });
    assert.equal(header((await named(ev(LOCAL), context)) as AnyResult, 'access-control-allow-origin'), LOCAL);
    assert.equal(header((await named(ev(EVIL), context)) as AnyResult, 'access-control-allow-origin'), undefined);
    const ignored = withCors(ok, { origins: [APP], originsStageVariable: false });
    assert.equal(header((await ignored(ev(APP), context)) as AnyResult, 'access-control-allow-origin'), APP);
  });

  test('no origins anywhere: every CORS request refused, one warning', async (t) => {
    const warn = silence(t, 'warn');
    const wrapped = withCors(ok);
    for (let i = 0; i < 2; i++) {
      const res = (await wrapped(restEvent({ headers: { Origin: APP } }), context)) as AnyResult;
      assert.equal(header(res, 'access-control-allow-origin'), undefined);
      assert.ok(varyTokens(res).includes('origin'));
    }
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /no allowed origins configured/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Types: handlers typed the @types/aws-lambda way must wrap and export without casts. These local declarations
// mirror @types/aws-lambda (not a dependency) field for field where it matters; `tsc --noEmit` is the test.

namespace AwsLambdaTypes {
  export type Callback<T> = (error?: Error | string | null, result?: T) => void;
  export interface Context extends LambdaContext {
    done(error?: Error, result?: unknown): void;
    fail(error: Error | string): void;
    succeed(messageOrObject: unknown): void;
  }
  export type Handler<E, R> = (event: E, context: Context, callback: Callback<R>) => void | Promise<R>;
  export interface APIGatewayProxyEvent {
    body: string | null;
    headers: { [name: string]: string | undefined };
    multiValueHeaders: { [name: string]: string[] | undefined };
    httpMethod: string;
    isBase64Encoded: boolean;
    path: string;
    pathParameters: { [name: string]: string | undefined } | null;
    queryStringParameters: { [name: string]: string | undefined } | null;
    multiValueQueryStringParameters: { [name: string]: string[] | undefined } | null;
    stageVariables: { [name: string]: string | undefined } | null;
    requestContext: { accountId: string; apiId: string; stage: string; requestId: string };
    resource: string;
  }
  export interface APIGatewayProxyResult {
    statusCode: number;
    headers?: { [header: string]: boolean | number | string };
    multiValueHeaders?: { [header: string]: Array<boolean | number | string> };
    body: string;
    isBase64Encoded?: boolean;
  }
  export interface APIGatewayProxyEventV2 {
    version: string;
    routeKey: string;
    rawPath: string;
    rawQueryString: string;
    cookies?: string[];
    headers: { [name: string]: string | undefined };
    requestContext: { http: { method: string; path: string }; stage: string };
    stageVariables?: { [name: string]: string | undefined };
    isBase64Encoded: boolean;
  }
  export type APIGatewayProxyResultV2<T = never> = APIGatewayProxyStructuredResultV2 | string | T;
  export type APIGatewayProxyHandler = Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;
  export type APIGatewayProxyHandlerV2<T = never> = Handler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<T>>;
}

test('types: @types/aws-lambda-style handlers wrap without casts', () => {
  const v1: AwsLambdaTypes.APIGatewayProxyHandler = async (event) => ({ statusCode: 200, body: event.path });
  const wrappedV1: AwsLambdaTypes.APIGatewayProxyHandler = withCors(v1, { origins: [APP] });
  const v2: AwsLambdaTypes.APIGatewayProxyHandlerV2<{ n: number }> = async () => ({ n: 1 });
  const wrappedV2: AwsLambdaTypes.APIGatewayProxyHandlerV2 = withCors(v2, { origins: [APP] });
  const callbackStyle: AwsLambdaTypes.APIGatewayProxyHandler = (_e, _c, cb) => cb(null, { statusCode: 200, body: '' });
  const wrappedCallback: AwsLambdaTypes.APIGatewayProxyHandler = withCors(callbackStyle, { origins: [APP] });
  // An unannotated handler gets preflight's own event union.
  const inferred = withCors(async (event) => ({ statusCode: 200, body: 'version' in event ? String(event.version) : '' }));
  const result: Promise<{ statusCode: number; body: string }> = inferred(restEvent(), context);
  const structured: Promise<APIGatewayProxyStructuredResultV2> = withCors(async (_e: APIGatewayProxyEventV2) => 'text', { origins: [APP] })(http2Event(), context);
  void result.catch(() => {});
  void structured.catch(() => {});
  assert.equal(typeof wrappedV1 + typeof wrappedV2 + typeof wrappedCallback, 'functionfunctionfunction');
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const originArb = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    host: fc.oneof(fc.domain(), fc.constant('localhost'), fc.ipV4()),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  })
  .map(({ scheme, host, port }) => new URL(`${scheme}://${host}${port === undefined ? '' : `:${port}`}`).origin)
  .filter((o) => o !== 'null');

// Handler headers that try to get in the way: their own ACAO/ACAC/Vary in random casing, anywhere.
const casingArb = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((flags) =>
    [...name].map((ch, i) => (flags[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''),
  );
const handlerHeaderName = fc.oneof(
  casingArb('access-control-allow-origin'),
  casingArb('access-control-allow-credentials'),
  casingArb('vary'),
  fc.constantFrom('X-Custom', 'content-type', 'Set-Cookie'),
);
const handlerResultArb = fc.record({
  headers: fc.dictionary(handlerHeaderName, fc.oneof(fc.constantFrom('*', 'Accept', 'true'), originArb), { maxKeys: 4 }),
  multiValueHeaders: fc.dictionary(handlerHeaderName, fc.array(fc.oneof(fc.constant('*'), originArb), { minLength: 1, maxLength: 2 }), { maxKeys: 3 }),
});

const scenarioArb = fc.record({
  format: fc.constantFrom<Format>(...FORMATS),
  allowed: fc.uniqueArray(originArb, { minLength: 1, maxLength: 5 }),
  other: originArb,
  pickAllowed: fc.boolean(),
  pickIndex: fc.nat(),
  credentials: fc.boolean(),
  kind: fc.constantFrom('actual', 'preflight', 'error', 'missing-origin'),
  result: handlerResultArb,
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(s: Scenario, origins: string[] | '*') {
  const origin = s.pickAllowed ? s.allowed[s.pickIndex % s.allowed.length] : s.other;
  assert.ok(origin !== undefined);
  const req: Req = {
    method: s.kind === 'preflight' ? 'OPTIONS' : 'POST',
    headers: {
      ...(s.kind === 'missing-origin' ? {} : { Origin: origin }),
      ...(s.kind === 'preflight' ? { 'Access-Control-Request-Method': 'PUT' } : {}),
    },
  };
  const handler = async () => {
    if (s.kind === 'error') throw new Error('boom');
    return { statusCode: 200, headers: s.result.headers, ...(s.format === 'http2' ? {} : { multiValueHeaders: s.result.multiValueHeaders }) };
  };
  const res = await run(handler, { origins, credentials: origins === '*' ? false : s.credentials }, eventFor(s.format, req));
  return { origin, res };
}

describe('properties', () => {
  test('origin in the allowed list ⇔ ACAO equals it (exactly one ACAO, never anything else)', async (t) => {
    silence(t, 'error');
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { origin, res } = await runScenario(s, s.allowed);
        const acao = headerValues(res, 'access-control-allow-origin');
        const expected = s.kind !== 'missing-origin' && s.allowed.includes(origin);
        if (expected) assert.deepEqual(acao, [origin]);
        else assert.deepEqual(acao, []);
      }),
      { numRuns: 300 },
    );
  });

  test('never Access-Control-Allow-Origin: * together with credentials', async (t) => {
    silence(t, 'error');
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.boolean(), async (s, star) => {
        if (star && s.credentials) {
          assert.throws(() => withCors(ok, { origins: '*', credentials: true }), /allow-credentials is not supported/);
          return;
        }
        const { res } = await runScenario(s, star ? '*' : s.allowed);
        const acao = headerValues(res, 'access-control-allow-origin');
        const acac = headerValues(res, 'access-control-allow-credentials');
        assert.ok(!(acao.includes('*') && acac.length > 0), JSON.stringify(res.headers));
        if (acac.length > 0) assert.deepEqual(acac, ['true']);
        if (acac.length > 0) assert.ok(s.credentials && acao.length === 1 && acao[0] !== '*');
      }),
      { numRuns: 300 },
    );
  });

  test('Vary includes Origin whenever the origin is reflected', async (t) => {
    silence(t, 'error');
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { res } = await runScenario(s, s.allowed);
        const acao = headerValues(res, 'access-control-allow-origin');
        // A handler's `Vary: *` already covers Origin (RFC 9110 §12.5.5) and must stay alone, so it counts.
        const vary = varyTokens(res);
        if (acao.length > 0 && acao[0] !== '*') assert.ok(vary.includes('origin') || vary.includes('*'), JSON.stringify(res));
      }),
      { numRuns: 300 },
    );
  });

  test('configured origins: canonical ones pass, a trailing slash or uppercase is refused with the exact fix', () => {
    fc.assert(
      fc.property(originArb, fc.constantFrom('/', '/path', ''), fc.boolean(), (origin, tail, upper) => {
        const written = (upper ? origin.toUpperCase() : origin) + tail;
        const problem = checkOrigin(written);
        if (written === origin) assert.equal(problem, undefined);
        else assert.ok(problem?.endsWith(`Fix: use ${JSON.stringify(origin)}.`), problem);
      }),
      { numRuns: 300 },
    );
  });

  test("the handler's non-CORS headers survive", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        if (s.kind !== 'actual') return;
        const { res } = await runScenario(s, s.allowed);
        for (const [name, value] of Object.entries(s.result.headers)) {
          if (/^access-control-allow-(origin|credentials)$/i.test(name) || /^vary$/i.test(name)) continue;
          assert.ok(headerValues(res, name).includes(value), `${name} lost`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
