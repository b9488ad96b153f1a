import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, rawRequest, lambdaUri, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';
import { deployEchoApi, rawExchange, statuses } from '../helpers/hardening.js';

// What the server does with requests no well-behaved client sends: it answers with a status and a short body, closes
// the connection when the stream cannot be trusted, and keeps serving everyone else. No stack trace, no crash, no
// socket held forever.

let server: TestServer;
let apiId: string;
let host: string;
let codeDir: string;

before(async () => {
  server = await startTestServer();
  apiId = deployEchoApi(server);
  host = `${apiId}.execute-api.localhost:${server.port}`;
  codeDir = mkdtempSync(join(tmpdir(), 'preflight-protocol-'));
  const dir = join(codeDir, 'body');
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.mjs'), 'export const handler = async (e) => ({ statusCode: 200, body: JSON.stringify({ body: e.body, isBase64Encoded: e.isBase64Encoded }) });');
  await server.control.functions.createFunction({ FunctionName: 'body', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: dir } });
});
after(async () => {
  await server?.close();
  rmSync(codeDir, { recursive: true, force: true });
});

/** The server still answers an ordinary request: nothing above broke it. */
async function stillServing(s: RunningServer = server): Promise<void> {
  const r = await rawRequest(s.port, { method: 'GET', path: '/_preflight/health' });
  assert.equal(r.status, 200);
}

function noUnexpectedErrors(): void {
  assert.deepEqual(server.logs.filter((l) => l.includes('unexpected error')), []);
}

describe('malformed requests', () => {
  test('garbage request lines get 400 with a JSON reason and a closed connection', async () => {
    const garbage = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'G E T / HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-A: b\0c\r\n\r\n',
      'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      `POST /dev/x HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      Buffer.from('160301020001000100fc0303', 'hex'), // the start of a TLS ClientHello
    ];
    for (const g of garbage) {
      const r = await rawExchange(server.port, g, { waitMs: 5000 });
      const label = JSON.stringify(typeof g === 'string' ? g : g.toString('hex'));
      assert.ok(r.closedByServer, `the server closed the connection after ${label}`);
      assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n/, label);
      const body = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
      assert.deepEqual(Object.keys(JSON.parse(body) as object), ['message'], label);
    }
    await stillServing();
    noUnexpectedErrors();
  });

  test('headers over the limit get 431; a request line over it too', async () => {
    const big = await rawExchange(server.port, `GET /dev/x HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(big.text, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.ok(big.closedByServer);
    const longUrl = await rawExchange(server.port, `GET /dev/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    assert.match(longUrl.text, /^HTTP\/1\.1 431 /);
    await stillServing();
  });

  test('thousands of headers and query keys are all seen (within the size limit), none dropped', async () => {
    const headers = Array.from({ length: 2100 }, (_, i) => `h:${i % 10}\r\n`).join('');
    const r = await rawExchange(server.port, `GET /dev/many HTTP/1.1\r\nHost: ${host}\r\n${headers}X-Last: seen\r\nConnection: close\r\n\r\n`, { waitMs: 5000 });
    assert.match(r.text, /^HTTP\/1\.1 200 /, 'Node drops headers past 2000 by default; the limit is in bytes instead');
    // Through a Lambda proxy integration, the last header arrives in the event.
    const query = Array.from({ length: 1500 }, (_, i) => `k${i}=${i}`).join('&');
    const q = await rawRequest(server.port, { method: 'GET', path: `/restapis/${apiId}/dev/_user_request_/q?${query}` });
    assert.equal(q.status, 200);
    noUnexpectedErrors();
  });

  test('invalid percent-encoding, "..", NUL and odd bytes in paths and queries are passed on, never a 5xx', async () => {
    const paths = ['/dev/%zz', '/dev/%E0%A4%A', '/dev/%', '/dev/a/../b', '/dev/..', '/dev/%2e%2e/%2e%2e/etc/passwd', '/dev/a%00b', '/dev/%C0%AF', '/dev/%FF%FE', '/dev/x?a=%zz&b=%&c=%E0%A4', '/dev//double//slash', '/dev/%2F%2f'];
    for (const p of paths) {
      const r = await rawRequest(server.port, { method: 'GET', path: p, headers: { Host: host } });
      assert.ok(r.status < 500, `${p} → ${r.status} ${r.body}`);
      assert.equal(r.status, 200, `${p}: the catch-all proxy resource takes it`);
    }
    // The console's static files: ".." cannot climb out of its directory, encoded or not.
    for (const p of ['/_preflight/console/../../../../etc/passwd', '/_preflight/console/%2e%2e/%2e%2e/package.json', '/_preflight/console/..%2f..%2fpackage.json', '/_preflight/console/%zz']) {
      const r = await rawRequest(server.port, { method: 'GET', path: p });
      assert.ok(r.status < 500, p);
      assert.doesNotMatch(r.body, /root:|"name": "preflight"/, p);
    }
    // Same on the control plane and the path form.
    for (const p of ['/restapis/%zz', '/restapis/%zz/resources', '/2015-03-31/functions/%E0%A4%A', `/restapis/${apiId}/%zz/_user_request_/x`, '/v2/apis/%']) {
      const r = await rawRequest(server.port, { method: 'GET', path: p });
      assert.ok(r.status >= 400 && r.status < 500, `${p} → ${r.status}`);
      assert.deepEqual(Object.keys(JSON.parse(r.body) as object).map((k) => k.toLowerCase()).filter((k) => k === 'message'), ['message'], p);
    }
    noUnexpectedErrors();
  });
});

describe('bodies', () => {
  test('a body of exactly 10 MB passes; one byte more is 413 with API Gateway\'s plain-text answer, before it is read', async () => {
    const limit = 10 * 1024 * 1024;
    const ok = await rawRequest(server.port, { method: 'POST', path: '/dev/big', headers: { Host: host, 'Content-Type': 'application/octet-stream' }, body: Buffer.alloc(limit, 0x61) });
    assert.equal(ok.status, 200);
    const over = await rawRequest(server.port, { method: 'POST', path: '/dev/big', headers: { Host: host, 'Content-Type': 'application/json' }, body: Buffer.alloc(limit + 1, 0x61) });
    // Recorded from API Gateway (koki-develop/lgtm-generator#10): HTTP/2 413, content-type "text; charset=utf-8",
    // content-length 44, no x-amzn-RequestId, no CORS headers (not a gateway response).
    assert.equal(over.status, 413);
    assert.equal(over.body, 'HTTP content length exceeded 10485760 bytes.');
    assert.equal(over.headers['content-type'], 'text; charset=utf-8');
    assert.equal(over.headers['content-length'], '44');
    assert.equal(over.headers['x-amzn-requestid'], undefined);
    assert.equal(over.headers['access-control-allow-origin'], undefined);
    // Chunked (no Content-Length): counted while it arrives.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/dev/big', headers: { Host: host, 'Transfer-Encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 11; i++) req.write(Buffer.alloc(1024 * 1024, 0x62));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.body, 'HTTP content length exceeded 10485760 bytes.');
    await stillServing();
  });

  test('Expect: 100-continue: a declared body over the limit is refused before it is sent; a small one is invited', async () => {
    const refused = await rawExchange(server.port, `POST /dev/x HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${11 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
    assert.match(refused.text, /^HTTP\/1\.1 413 /, 'no 100 Continue first');
    assert.doesNotMatch(refused.text, /100 Continue/);
    const control = await rawExchange(server.port, `POST /restapis HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${81 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
    assert.match(control.text, /^HTTP\/1\.1 413 /);
    assert.match(control.text, /RequestEntityTooLargeException/);
    const invited = await rawExchange(server.port, [`POST /dev/x HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`], { waitMs: 300 });
    assert.match(invited.text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    const completed = await rawExchange(server.port, `POST /dev/x HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nhi`);
    assert.deepEqual(statuses(completed.text), [100, 200]);
  });

  test('non-UTF-8 bodies reach Lambda byte for byte: base64 for binary media types (REST) and non-text types (HTTP APIs)', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xe2, 0x82, 0x41]);
    const { apis, deployments, httpApis } = server.control;
    const api = apis.createRestApi({ name: 'binary', binaryMediaTypes: ['application/octet-stream'] });
    apis.putMethod(api.id, api.rootResourceId, 'POST', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, api.rootResourceId, 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('body') });
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const rest = await rawRequest(server.port, { method: 'POST', path: `/restapis/${api.id}/dev/_user_request_/`, headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    assert.equal(rest.status, 200);
    assert.deepEqual(JSON.parse(rest.body), { body: bytes.toString('base64'), isBase64Encoded: true });
    const http2 = httpApis.createApi({ name: 'binary-http', protocolType: 'HTTP', target: 'arn:aws:lambda:us-east-1:000000000000:function:body' });
    const h = await rawRequest(server.port, { method: 'POST', path: `/restapis/${http2.apiId}/$default/_user_request_/x`, headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    assert.equal(h.status, 200);
    assert.deepEqual(JSON.parse(h.body), { body: bytes.toString('base64'), isBase64Encoded: true });
    noUnexpectedErrors();
  });
});

describe('connections', () => {
  test('pipelined requests are answered in order on one connection', async () => {
    const reqs = [
      `GET /dev/one HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      `POST /dev/two HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}`,
      `GET /dev/nothing-here HTTP/1.1\r\nHost: evil.test\r\n\r\n`,
      `GET /restapis HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      `GET /dev/three HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ];
    const r = await rawExchange(server.port, reqs.join(''), { waitMs: 5000 });
    assert.ok(r.closedByServer);
    assert.deepEqual(statuses(r.text), [200, 200, 403, 200, 200]);
    const paths = [...r.text.matchAll(/\{"path":("[^"]*")\}/g)].map((m) => JSON.parse(m[1]!) as string);
    assert.deepEqual(paths, ['/dev/one', '/dev/two', '/dev/three']);
  });

  test('slow clients are cut off: headers that never finish, and a body that trickles (408, then closed)', async () => {
    const s = await startServer({ port: 0, ephemeral: true, logger: memoryLogger(), limits: { headersTimeoutMs: 300, requestTimeoutMs: 600, connectionsCheckingIntervalMs: 50 } });
    try {
      // One header line every 100 ms, for up to 20 s: the server ends it long before.
      const slowHeaders = ['GET /restapis HTTP/1.1\r\nHost: 127.0.0.1\r\n', ...Array.from({ length: 200 }, (_, i) => `X-${i}: v\r\n`)];
      const h = await rawExchange(s.port, slowHeaders, { gapMs: 100, waitMs: 30_000 });
      assert.ok(h.closedByServer, 'the server closed the connection');
      assert.match(h.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      const slowBody = [`POST /restapis HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{`, ...Array.from({ length: 399 }, () => ' ')];
      const b = await rawExchange(s.port, slowBody, { gapMs: 100, waitMs: 30_000 });
      assert.ok(b.closedByServer, 'a trickling body is not waited for forever');
      assert.equal(s.control.apis.getRestApis().items.length, 0);
      // An idle connection that never sends a byte is closed too.
      const idle = await rawExchange(s.port, [], { waitMs: 30_000 });
      assert.ok(idle.closedByServer);
      await stillServing(s);
    } finally {
      await s.close();
    }
  });

  test('a client that disconnects mid-body or mid-response leaves nothing behind', async () => {
    for (let i = 0; i < 20; i++) {
      await rawExchange(server.port, `POST /dev/x HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100000\r\n\r\npartial`, { waitMs: 20 });
      await rawExchange(server.port, `POST /restapis HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{"name":`, { waitMs: 20 });
      await rawExchange(server.port, `GET /dev/x HTTP/1.1\r\nHost: ${host}\r\n\r\n`, { waitMs: 1 });
    }
    await stillServing();
    noUnexpectedErrors();
  });
});
