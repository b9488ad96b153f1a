// Shortcuts the data plane takes on its hot path (issue 10) give exactly what the long way gives: the default gateway
// response body without VTL, requestTime from a per-second cache, the console logger's batched lines, the Lambda proxy
// event written as JSON directly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RestRequestContext } from '../../src/gateway/rest/context.js';
import type { CompiledApi, RouteMatch } from '../../src/gateway/rest/compile.js';
import { buildProxyEvent, proxyEventJson, proxyEventParts } from '../../src/gateway/rest/lambda-proxy.js';
import { eventParts, eventText } from '../../src/lambda/spec.js';
import { HttpRequestContext } from '../../src/gateway/http/context.js';
import type { CompiledHttpApi, HttpRouteMatch } from '../../src/gateway/http/compile.js';
import { buildEventV2, eventV2Parts } from '../../src/gateway/http/payload.js';
import { DEFAULT_GATEWAY_RESPONSE_TEMPLATE } from '../../src/model/gateway-responses.js';
import { compileTemplate, renderTemplate } from '../../src/gateway/vtl/index.js';
import { clfTime } from '../../src/gateway/rest/context.js';
import { consoleLogger } from '../../src/server/logger.js';

describe('default gateway response body', () => {
  it('is what the default template renders, for any message', () => {
    const template = compileTemplate(DEFAULT_GATEWAY_RESPONSE_TEMPLATE);
    const messages = [
      'Missing Authentication Token',
      'Unauthorized',
      null,
      'quotes " and \\ backslashes',
      'unicode: é ✓ 😀',
      'control \u0001 and newline \n',
      '$dollar and #hash',
    ];
    for (const message of messages) {
      const messageString = JSON.stringify(message);
      const rendered = renderTemplate(template, {
        input: { body: '', params: { path: {}, querystring: {}, header: {} } },
        context: { error: { message, messageString, responseType: 'DEFAULT_4XX', validationErrorString: '' } },
        stageVariables: {},
      });
      assert.equal(rendered.error, undefined);
      // src/gateway/rest/gateway-response.ts writes this without rendering.
      assert.equal(`{"message":${messageString}}`, rendered.output, String(message));
    }
  });
});

describe('clfTime', () => {
  it('formats each second, whatever order the times come in', () => {
    const t = Date.UTC(2020, 2, 4, 19, 15, 17, 250);
    assert.equal(clfTime(t), '04/Mar/2020:19:15:17 +0000');
    assert.equal(clfTime(t + 700), '04/Mar/2020:19:15:17 +0000');
    assert.equal(clfTime(t + 1000), '04/Mar/2020:19:15:18 +0000');
    assert.equal(clfTime(t), '04/Mar/2020:19:15:17 +0000');
    assert.equal(clfTime(Date.UTC(2021, 11, 31, 23, 59, 59)), '31/Dec/2021:23:59:59 +0000');
  });
});

describe('console logger', () => {
  it('writes lines in the order they were logged, batched per turn of the event loop', async () => {
    const written: { stream: 'out' | 'err'; text: string }[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    // The test runner talks to its parent over stdout in Buffers; the logger writes strings. Only those are recorded.
    const capture = (stream: 'out' | 'err', original: typeof process.stdout.write) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === 'string') {
          written.push({ stream, text: chunk });
          return true;
        }
        return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = capture('out', out);
    process.stderr.write = capture('err', err);
    try {
      const logger = consoleLogger();
      logger.lambda('fn', 'START RequestId: 1 Version: $LATEST');
      logger.lambda('fn', 'END RequestId: 1');
      logger.execution('abc', 'Execution failed');
      logger.info('after');
      // Each stream's pending lines go out before the other stream's next line: the order they were logged in.
      assert.deepEqual(written, [
        { stream: 'out', text: '[fn] START RequestId: 1 Version: $LATEST\n[fn] END RequestId: 1\n' },
        { stream: 'err', text: '[apigw abc] Execution failed\n' },
      ]);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(written.slice(2), [{ stream: 'out', text: 'after\n' }]);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
  });
});

describe('Lambda proxy event JSON', () => {
  const headerName = fc.oneof(
    fc.constantFrom('Host', 'User-Agent', 'Accept', 'authorization', 'Authorization', 'X-Forwarded-For', 'x-forwarded-for', 'X-Amzn-Trace-Id', 'X-Forwarded-Port', 'Content-Type', 'content-type', 'Connection', 'Content-Length', '__proto__', '0', '12', 'constructor', 'toString'),
    fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/),
  );
  const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '"quoted"', 'back\\slash', 'line\nbreak', 'é✓😀', 'application/octet-stream'));
  const dict = fc.dictionary(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('1', 'id', '__proto__')), text, { maxKeys: 3 });
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'OPTIONS', 'PATCH'),
    path: fc.oneof(fc.constant('/items'), fc.string().map((x) => `/${x}`)),
    rawQuery: fc.oneof(fc.constant(''), fc.constantFrom('a=1&b=2&a=3', 'x', '%E2%9C%93=%22', '=&&='), fc.string()),
    headers: fc.array(fc.tuple(headerName, text), { maxLength: 8 }),
    body: fc.oneof(fc.constant(''), text, fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString('latin1')), fc.string({ minLength: 4000, maxLength: 5000 })),
    binaryMediaTypes: fc.constantFrom([], ['*/*'], ['application/octet-stream']),
    pathParams: dict,
    variables: dict,
    sourceIp: fc.constantFrom('127.0.0.1', '::1', '203.0.113.9'),
    authorizer: fc.option(fc.dictionary(fc.string(), fc.oneof(text, fc.integer(), fc.boolean())), { nil: undefined }),
    apiKey: fc.option(fc.record({ id: fc.string(), value: fc.string() }), { nil: undefined }),
    iam: fc.boolean(),
    resourcePath: fc.constantFrom('/items', '/{proxy+}', '/users/{id}'),
  });
  it('is JSON.stringify(buildProxyEvent(ctx)) byte for byte', () => {
    fc.assert(
      fc.property(request, (r) => {
        const host = 'abcdef1234.execute-api.localhost:3000';
        const rawHeaders = r.headers.flat();
        const api = { apiId: 'abcdef1234', binaryMediaTypes: r.binaryMediaTypes } as unknown as CompiledApi;
        const make = () => {
          const ctx = new RestRequestContext(
            { method: r.method, path: r.path, rawQuery: r.rawQuery, rawHeaders, body: Buffer.from(r.body, 'latin1'), sourceIp: r.sourceIp, host, port: 3000, receivedAt: 1_700_000_000_123 },
            api,
            { name: 'dev', deploymentId: 'dep123', variables: r.variables },
            `/dev${r.path}`,
          );
          ctx.match = { resource: { id: 'res123', path: r.resourcePath }, pathParams: r.pathParams } as unknown as RouteMatch;
          ctx.setCaller({
            ...(r.authorizer ? { authorizer: r.authorizer } : {}),
            ...(r.apiKey ? { apiKey: r.apiKey } : {}),
            ...(r.iam ? { iamIdentity: { accessKey: 'AKIA', accountId: '000000000000', caller: 'c', user: 'u', userArn: 'arn:aws:iam::000000000000:user/u' } } : {}),
          });
          return ctx;
        };
        const ctx = make();
        const expected = JSON.stringify(buildProxyEvent(ctx));
        assert.equal(proxyEventJson(ctx), expected);
        // With a large body apart, putting it back gives the same event.
        const parts = proxyEventParts(ctx);
        assert.equal(eventText(parts.body === undefined ? { payload: parts.payload } : { payload: parts.payload, body: parts.body }), expected);
      }),
      { numRuns: 2000, seed: 20261125 },
    );
  });
});

describe('HTTP API payload 2.0 event JSON', () => {
  const headerName = fc.oneof(
    fc.constantFrom('Host', 'User-Agent', 'user-agent', 'Cookie', 'cookie', 'Content-Type', 'X-Forwarded-For', 'X-Multi', 'x-multi', 'Connection', 'Content-Length', '__proto__', '0', '12', 'constructor'),
    fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/),
  );
  const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', 'a=1; b=2;;c', '"quoted"', 'back\\slash', 'line\nbreak', 'é✓😀', 'text/plain', 'application/octet-stream', '\ud800'));
  const dict = fc.dictionary(fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('1', 'id', '__proto__')), text, { maxKeys: 3 });
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'OPTIONS'),
    rawPath: fc.oneof(fc.constantFrom('/items', '/dev/items', '/a%20b/%E2%9C%93', '/%ZZ'), fc.string().map((x) => `/${x}`)),
    rawQuery: fc.oneof(fc.constant(''), fc.constantFrom('a=1&b=2&a=3', 'x', '%E2%9C%93=%22', '=&&=', '0=a&__proto__=b'), fc.string()),
    headers: fc.array(fc.tuple(headerName, text), { maxLength: 8 }),
    body: fc.oneof(fc.constant(''), text, fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString('latin1')), fc.string({ minLength: 4000, maxLength: 5000 }), fc.constantFrom('x'.repeat(4095), 'x'.repeat(4096))),
    pathParams: dict,
    variables: dict,
    routeKey: fc.constantFrom('GET /items', '$default', 'ANY /{proxy+}'),
    host: fc.constantFrom('abcdef1234.execute-api.localhost:3000', 'localhost', 'a.b.c:1'),
    authorizer: fc.option(fc.dictionary(fc.string(), fc.oneof(text, fc.integer(), fc.boolean())), { nil: undefined }),
  });
  it('is eventParts(buildEventV2(ctx)) byte for byte, body apart included', () => {
    fc.assert(
      fc.property(request, (r) => {
        const ctx = new HttpRequestContext(
          { method: r.method, path: r.rawPath, rawQuery: r.rawQuery, rawHeaders: r.headers.flat(), body: Buffer.from(r.body, 'latin1'), sourceIp: '127.0.0.1', host: r.host, port: 3000, receivedAt: 1_700_000_000_123 },
          { apiId: 'abcdef1234' } as unknown as CompiledHttpApi,
          { name: '$default', deploymentId: 'dep', variables: r.variables },
          r.rawPath,
        );
        ctx.match = { route: { route: { routeKey: r.routeKey } }, pathParams: r.pathParams } as unknown as HttpRouteMatch;
        if (r.authorizer) ctx.authorizer = r.authorizer;
        assert.deepEqual(eventV2Parts(ctx), eventParts(buildEventV2(ctx)));
      }),
      { numRuns: 2000, seed: 20261125 },
    );
  });
});

describe('client-named keys', () => {
  it('a header or query parameter named constructor, toString or __proto__ is data, not Object.prototype', () => {
    const host = 'abcdef1234.execute-api.localhost:3000';
    const ctx = new RestRequestContext(
      { method: 'GET', path: '/items', rawQuery: 'constructor=1&toString=2&__proto__=3', rawHeaders: ['constructor', 'a', 'toString', 'b', '__proto__', 'c'], body: Buffer.alloc(0), sourceIp: '127.0.0.1', host, port: 3000, receivedAt: 0 },
      { apiId: 'abcdef1234', binaryMediaTypes: [] } as unknown as CompiledApi,
      { name: 'dev', deploymentId: 'd', variables: {} },
      '/dev/items',
    );
    ctx.match = { resource: { id: 'r', path: '/items' }, pathParams: {} } as unknown as RouteMatch;
    const event = JSON.parse(proxyEventJson(ctx)) as Record<string, Record<string, unknown>>;
    assert.deepEqual([event['headers']!['constructor'], event['headers']!['toString'], event['headers']!['__proto__']], ['a', 'b', 'c']);
    assert.deepEqual(event['multiValueHeaders']!['constructor'], ['a']);
    assert.deepEqual(event['queryStringParameters'], JSON.parse('{"constructor":"1","toString":"2","__proto__":"3"}'));
    assert.deepEqual(event['multiValueQueryStringParameters']!['constructor'], ['1']);
  });
});
