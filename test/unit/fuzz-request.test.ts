// Fuzzing the server's request handling end to end (Node's parser, dispatch by Host and path, the REST and HTTP API
// data planes, the control plane's router, the local-only gate) with requests assembled from the pieces that break
// parsers: odd methods, %-escapes valid and not, dot segments, empty segments, unicode, stage names, Hosts of every
// surface (custom domains too), CORS and auth headers, binary bodies. Every request gets an answer below 500 (nothing
// here makes a backend fail), and the server never logs an unexpected error. Seeded; bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, rawRequest, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { deployEchoApi, rawExchange } from '../helpers/hardening.js';

const SEED = 20261125;

let server: TestServer;
let restId: string;
let httpId: string;
let codeDir: string;

before(async () => {
  server = await startTestServer();
  restId = deployEchoApi(server);
  codeDir = mkdtempSync(join(tmpdir(), 'preflight-fuzz-req-'));
  const dir = join(codeDir, 'echo');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ path: e.rawPath ?? e.path, q: e.queryStringParameters ?? null }) });');
  await server.control.functions.createFunction({ FunctionName: 'echo', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: dir } });
  const http = server.control.httpApis.createApi({
    name: 'fuzz-http',
    protocolType: 'HTTP',
    target: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
    corsConfiguration: { allowOrigins: ['http://localhost:3000'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type'], maxAge: 60 },
  });
  httpId = http.apiId;
  // A custom domain in front of both: /v1 to the REST API's dev stage, /h to the HTTP API.
  server.control.domains.createDomainName({ domainName: 'fuzz.domain.localhost', regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/local', endpointConfiguration: { types: ['REGIONAL'] } });
  server.control.domains.createBasePathMapping('fuzz.domain.localhost', { basePath: 'v1', restApiId: restId, stage: 'dev' });
  server.control.domains.createApiMapping('fuzz.domain.localhost', { apiId: httpId, apiMappingKey: 'h', stage: '$default' });
});
after(async () => {
  await server?.close();
  rmSync(codeDir, { recursive: true, force: true });
});

const segment = fc.oneof(
  fc.constantFrom('dev', '$default', 'users', '{id}', '%', '%zz', '%2F', '%2f', '%00', '%C0%AF', '%E2%82', '%F0%9F%98%80', '..', '.', '', '~', ';x=1', '+', '%20', '_user_request_', 'restapis', '2015-03-31', 'functions', 'OPTIONS', '%25'),
  fc.stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:@]{0,8}$/),
);
const query = fc.array(fc.tuple(fc.constantFrom('a', 'b', '', '%zz', 'a[]', '__proto__', 'constructor', 'x%00'), fc.constantFrom('', '1', '%', '%E0%A4', '+', 'a=b', '%2B')), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
const target = fc.tuple(fc.array(segment, { maxLength: 5 }), fc.option(query, { nil: undefined }), fc.boolean()).map(([segs, q, slash]) => `/${segs.join('/')}${slash ? '/' : ''}${q !== undefined ? `?${q}` : ''}`);

const headerPair = fc.oneof(
  fc.tuple(fc.constantFrom('Origin'), fc.constantFrom('http://localhost:3000', 'null', 'http://evil.test', '')),
  fc.tuple(fc.constantFrom('Access-Control-Request-Method'), fc.constantFrom('GET', 'POST', 'DELETE', 'get', '', 'X Y')),
  fc.tuple(fc.constantFrom('Access-Control-Request-Headers'), fc.constantFrom('content-type', 'x-a, x-b', '', ',,,', 'authorization')),
  fc.tuple(fc.constantFrom('Content-Type'), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data', ';;;', 'application/json; charset=latin1')),
  fc.tuple(fc.constantFrom('Authorization'), fc.constantFrom('Bearer x', 'AWS4-HMAC-SHA256 Credential=a/b', 'AWS4-HMAC-SHA256', '')),
  fc.tuple(fc.constantFrom('x-api-key', 'Cookie', 'Accept', 'X-Amz-Invocation-Type', 'X-Amz-Log-Type', 'Sec-Fetch-Site'), fc.stringMatching(/^[ -~]{0,16}$/)),
);

const request = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), fc.stringMatching(/^[A-Z]{1,8}$/)),
  surface: fc.constantFrom('rest-host', 'http-host', 'rest-path', 'http-path', 'control', 'console', 'foreign', 'domain-rest', 'domain-http'),
  target,
  headers: fc.array(headerPair, { maxLength: 5 }),
  body: fc.option(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), fc.json().map((j) => Buffer.from(j))), { nil: undefined }),
});

function hostAndPath(surface: string, t: string): { host: string; path: string } {
  switch (surface) {
    case 'rest-host':
      return { host: `${restId}.execute-api.localhost:${server.port}`, path: `/dev${t}` };
    case 'http-host':
      return { host: `${httpId}.execute-api.localhost:${server.port}`, path: t };
    case 'rest-path':
      return { host: `127.0.0.1:${server.port}`, path: `/restapis/${restId}/dev/_user_request_${t}` };
    case 'http-path':
      return { host: `127.0.0.1:${server.port}`, path: `/restapis/${httpId}/$default/_user_request_${t}` };
    case 'console':
      return { host: `127.0.0.1:${server.port}`, path: `/_preflight${t}` };
    case 'foreign':
      return { host: 'evil.test', path: t };
    case 'domain-rest':
      return { host: `fuzz.domain.localhost:${server.port}`, path: `/v1${t}` };
    case 'domain-http':
      return { host: `FUZZ.domain.localhost`, path: `/h${t}` };
    default:
      return { host: `127.0.0.1:${server.port}`, path: t };
  }
}

test('assembled requests on every surface get an answer below 500, and nothing unexpected is logged', async () => {
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const { host, path } = hostAndPath(r.surface, r.target);
      const head = [`${r.method} ${path} HTTP/1.1`, `Host: ${host}`, ...r.headers.map(([k, v]) => `${k}: ${v}`)];
      if (r.body) head.push(`Content-Length: ${r.body.length}`);
      head.push('Connection: close');
      const wire = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), r.body ?? Buffer.alloc(0)]);
      const res = await rawExchange(server.port, wire, { waitMs: 10_000 });
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(res.text)?.[1]);
      assert.ok(res.closedByServer, `answered and closed: ${JSON.stringify(wire.toString('latin1').slice(0, 300))}`);
      assert.ok(status >= 100 && status < 500, `${status} for ${JSON.stringify(wire.toString('latin1').slice(0, 300))}\n${res.text.slice(0, 500)}`);
      seen.set(status, (seen.get(status) ?? 0) + 1);
    }),
    { seed: SEED, numRuns: 400 },
  );
  // Not vacuous: requests reached APIs (200), were refused by the gate (403) and missed routes (404).
  for (const status of [200, 403, 404]) assert.ok((seen.get(status) ?? 0) > 10, `${status}: ${JSON.stringify([...seen])}`);
  assert.deepEqual(server.logs.filter((l) => l.includes('unexpected error')), []);
});

test('random bytes are refused with 400 or a closed connection, and the server keeps serving', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean(), async (bytes, withLine) => {
      const prefix = withLine ? Buffer.from('GET / HTTP/1.1\r\n', 'latin1') : Buffer.alloc(0);
      const res = await rawExchange(server.port, Buffer.concat([prefix, Buffer.from(bytes), Buffer.from('\r\n\r\n')]), { waitMs: 3000, endAfterWrite: false });
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(res.text)?.[1];
      if (status !== undefined) assert.ok(Number(status) < 500, res.text.slice(0, 300));
    }),
    { seed: SEED, numRuns: 200 },
  );
  assert.equal((await rawRequest(server.port, { method: 'GET', path: '/_preflight/health' })).status, 200);
  assert.deepEqual(server.logs.filter((l) => l.includes('unexpected error')), []);
});
