import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { startTestServer, rawRequest, type TestServer } from '../helpers/server.js';
import { LocalOnlyGate, isLoopbackBindAddress, parseOrigin, RemoteBindError } from '../../src/server/local-only.js';
import { generateToken, tokenProblem } from '../../src/server/access-token.js';
import { startServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';
import { main } from '../../src/cli/main.js';
import { deployEchoApi } from '../helpers/hardening.js';

// The control plane, the console and the internal endpoints are local-only surfaces (design doc §2 "URLs"): a page on
// another origin can neither read nor change state there, and a rebinding Host name is refused. These tests speak
// HTTP directly with the headers browsers send (Fetch Standard: Origin on every CORS and every non-GET/HEAD request,
// Sec-Fetch-Site from Fetch Metadata); test/browser/hardening-local-only.test.ts does the same from real Chromium.

const FRONT = 'http://localhost:3000';

let server: TestServer;
let apiId: string;

before(async () => {
  server = await startTestServer();
  apiId = deployEchoApi(server, 'secret-api');
});
after(async () => {
  await server?.close();
});

function restApiCount(): number {
  return server.control.apis.getRestApis({ limit: 500 }).items.length;
}

const LOCAL_ONLY_PATHS = ['/restapis', '/2015-03-31/functions', '/v2/apis', '/_preflight/api/apis', '/_preflight/console/', '/_preflight/events', '/_preflight/health', `/_preflight/api/inspect?api=${'x'}`];

describe('foreign browser requests', () => {
  test('cross-site and same-site pages are refused on every local-only surface, without CORS headers', async () => {
    const foreign: Record<string, string>[] = [
      { Origin: 'http://evil.test' },
      { Origin: 'null' },
      { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'cross-site' },
      // A <img>/<script> from another site sends no Origin, only Fetch Metadata.
      { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' },
      // The playground's sandbox and pages served by APIs at *.localhost are the same site as localhost.
      { 'Sec-Fetch-Site': 'same-site', Origin: `http://${apiId}.execute-api.localhost:${server.port}` },
      { Origin: `http://localhost:${server.port}` }, // another origin than the Host it was sent to (127.0.0.1:port)
    ];
    for (const path of LOCAL_ONLY_PATHS) {
      for (const headers of foreign) {
        const r = await rawRequest(server.port, { method: 'GET', path, headers });
        assert.equal(r.status, 403, `${path} ${JSON.stringify(headers)}`);
        assert.equal(r.headers['access-control-allow-origin'], undefined, 'no CORS: the page cannot even read the status');
        assert.doesNotMatch(r.body, /secret-api/);
      }
    }
  });

  test('a text/plain "simple" POST (no preflight in a browser) changes nothing', async () => {
    const before = restApiCount();
    const forms: Record<string, string>[] = [
      // fetch(url, {method: 'POST', mode: 'no-cors', body: '{"name":"pwned"}'}) is sent as text/plain.
      { 'Content-Type': 'text/plain;charset=UTF-8', Origin: 'http://evil.test', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' },
      // <form enctype="text/plain"> and url-encoded forms, from a browser without Fetch Metadata (Origin only).
      { 'Content-Type': 'text/plain', Origin: 'http://evil.test' },
      { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.test' },
      { 'Content-Type': 'multipart/form-data; boundary=x', 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const headers of forms) {
      for (const path of ['/restapis', '/2015-03-31/functions', '/v2/apis', '/_preflight/api/templates/check']) {
        const r = await rawRequest(server.port, { method: 'POST', path, headers, body: '{"name":"pwned","FunctionName":"pwned","Runtime":"nodejs20.x"}' });
        assert.equal(r.status, 403, `${path} ${JSON.stringify(headers)}`);
      }
    }
    assert.equal(restApiCount(), before, 'no API was created');
    assert.equal(server.control.httpApis.getApis().length, 0);
    assert.equal(server.control.functions.listFunctions({ MaxItems: 100 }).Functions.length, 0);
  });

  test('same-origin and non-browser callers are served', async () => {
    assert.equal((await rawRequest(server.port, { method: 'GET', path: '/restapis' })).status, 200, 'SDK/curl: no Origin');
    const sameOrigin = await rawRequest(server.port, { method: 'GET', path: '/restapis', headers: { Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(sameOrigin.status, 200, 'the console on its own origin');
    const typed = await rawRequest(server.port, { method: 'GET', path: '/restapis', headers: { 'Sec-Fetch-Site': 'none' } });
    assert.equal(typed.status, 200, 'an address typed into the browser');
  });
});

describe('DNS rebinding (a Host name that is not this machine)', () => {
  test('is refused on every local-only surface, whatever the Origin', async () => {
    const hosts = [`evil.test:${server.port}`, `localhost.:${server.port}`, `127.0.0.1.nip.io:${server.port}`, `0.0.0.0:${server.port}`, `[::ffff:127.0.0.1]:${server.port}`, 'evil.test'];
    const before = restApiCount();
    for (const host of hosts) {
      for (const path of LOCAL_ONLY_PATHS) {
        const r = await rawRequest(server.port, { method: 'GET', path, headers: { Host: host, 'Sec-Fetch-Site': 'same-origin' } });
        assert.equal(r.status, 403, `${host} ${path}`);
        assert.doesNotMatch(r.body, /secret-api/);
      }
      const post = await rawRequest(server.port, { method: 'POST', path: '/restapis', headers: { Host: host, 'Content-Type': 'application/json', Origin: `http://${host}` }, body: '{"name":"rebound"}' });
      assert.equal(post.status, 403, host);
    }
    assert.equal(restApiCount(), before);
    // The playground's sandbox origin (http://{name}.localhost) serves its one page and nothing of the control plane.
    for (const path of LOCAL_ONLY_PATHS) {
      const r = await rawRequest(server.port, { method: 'GET', path, headers: { Host: `sandbox.localhost:${server.port}` } });
      assert.notEqual(r.status, 200, path);
      assert.doesNotMatch(r.body, /secret-api/);
    }
  });

  test('loopback names are accepted: localhost, 127.x.y.z, [::1]', async () => {
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `127.1.2.3:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
      assert.equal((await rawRequest(server.port, { method: 'GET', path: '/restapis', headers: { Host: host } })).status, 200, host);
    }
  });

  test('the data plane is not local-only: APIs answer on any Host in the path form', async () => {
    const r = await rawRequest(server.port, { method: 'GET', path: `/restapis/${apiId}/dev/_user_request_/x`, headers: { Host: 'evil.test', Origin: 'http://evil.test' } });
    assert.equal(r.status, 200);
  });
});

describe('--control-plane-origin', () => {
  test('a named front end may call the control plane with CORS; other origins and the console stay closed', async () => {
    const s = await startServer({ port: 0, ephemeral: true, logger: memoryLogger(), controlPlaneOrigins: [FRONT] });
    try {
      const preflight = await rawRequest(s.port, {
        method: 'OPTIONS',
        path: '/2015-03-31/functions/f/invocations',
        headers: { Origin: FRONT, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-amz-date,authorization', 'Sec-Fetch-Site': 'same-site' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], FRONT);
      assert.equal(preflight.headers['access-control-allow-headers'], 'content-type,x-amz-date,authorization');
      assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
      assert.equal(preflight.headers['access-control-allow-credentials'], undefined, 'no cookies involved: never credentials');

      const list = await rawRequest(s.port, { method: 'GET', path: '/restapis', headers: { Origin: FRONT, 'Sec-Fetch-Site': 'cross-site' } });
      assert.equal(list.status, 200);
      assert.equal(list.headers['access-control-allow-origin'], FRONT);
      assert.match(String(list.headers['access-control-expose-headers']), /x-amzn-RequestId/);
      assert.match(String(list.headers['vary']), /Origin/);

      const other = await rawRequest(s.port, { method: 'GET', path: '/restapis', headers: { Origin: 'http://localhost:3001', 'Sec-Fetch-Site': 'cross-site' } });
      assert.equal(other.status, 403);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const otherPreflight = await rawRequest(s.port, { method: 'OPTIONS', path: '/restapis', headers: { Origin: 'http://localhost:3001', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(otherPreflight.status, 403);

      const consoleApi = await rawRequest(s.port, { method: 'GET', path: '/_preflight/api/apis', headers: { Origin: FRONT, 'Sec-Fetch-Site': 'cross-site' } });
      assert.equal(consoleApi.status, 403, 'the console is not a front end API');
      const rebound = await rawRequest(s.port, { method: 'GET', path: '/restapis', headers: { Host: 'evil.test', Origin: FRONT } });
      assert.equal(rebound.status, 403, 'an allowed Origin does not make a rebinding Host acceptable');
    } finally {
      await s.close();
    }
  });

  test('only named origins in canonical form are accepted', () => {
    assert.deepEqual(parseOrigin('http://localhost:3000'), { origin: 'http://localhost:3000' });
    assert.deepEqual(parseOrigin('https://app.example.com/'), { origin: 'https://app.example.com' });
    for (const bad of ['*', 'null', 'localhost:3000', 'http://localhost:3000/app', 'file:///tmp/x', 'http://localhost:80', 'http://user@localhost:3000']) {
      assert.ok('problem' in parseOrigin(bad), bad);
    }
  });
});

describe('remote callers (--allow-remote)', () => {
  /** The gate's view of a request from `address` (no server binds a non-loopback address in tests). */
  function fakeRequest(address: string, headers: Record<string, string>, method = 'GET'): IncomingMessage {
    return { method, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), socket: { remoteAddress: address } } as unknown as IncomingMessage;
  }

  test('binding a non-loopback address needs --allow-remote', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.2', 'example.com']) {
      assert.equal(isLoopbackBindAddress(host), false, host);
      await assert.rejects(startServer({ port: 0, ephemeral: true, host, logger: memoryLogger() }), RemoteBindError, host);
    }
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2']) assert.equal(isLoopbackBindAddress(host), true, host);
  });

  test('with --allow-remote a token is generated, a warning logged, and loopback callers are served as before', async () => {
    const logger = memoryLogger();
    const s = await startServer({ port: 0, ephemeral: true, logger, allowRemote: true });
    try {
      assert.equal(tokenProblem(s.token!), undefined);
      assert.ok(logger.lines.some((l) => l.startsWith('warn ') && l.includes('other machines')));
      assert.equal((await rawRequest(s.port, { method: 'GET', path: '/restapis' })).status, 200);
    } finally {
      await s.close();
    }
  });

  test('remote callers need the token (header, Bearer, or SigV4 access key id) and reach only the control plane', () => {
    const token = generateToken();
    const gate = new LocalOnlyGate({ token, controlPlaneOrigins: [FRONT] });
    const remote = '192.0.2.10';
    const host = '192.0.2.2:4010';
    assert.deepEqual(gate.check(fakeRequest(remote, { Host: host }), 'control'), {
      ok: false,
      status: 401,
      type: 'UnrecognizedClientException',
      message: 'preflight accepts remote callers only with its access token: send X-Preflight-Token, Authorization: Bearer <token>, or use the token as the AWS access key id',
    });
    const wrongs: Record<string, string>[] = [{ 'X-Preflight-Token': 'x'.repeat(32) }, { Authorization: `Bearer ${token}x` }, { Authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=00' }];
    for (const wrong of wrongs) {
      assert.equal(gate.check(fakeRequest(remote, { Host: host, ...wrong }), 'control').ok, false, JSON.stringify(wrong));
    }
    const sigv4 = `AWS4-HMAC-SHA256 Credential=${token}/20240101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
    const rights: Record<string, string>[] = [{ 'X-Preflight-Token': token }, { Authorization: `Bearer ${token}` }, { Authorization: sigv4 }];
    for (const right of rights) {
      assert.equal(gate.check(fakeRequest(remote, { Host: host, ...right }), 'control').ok, true, JSON.stringify(right));
      assert.equal(gate.check(fakeRequest(remote, { Host: host, ...right }), 'console').ok, false, 'the console stays on this machine');
      assert.equal(gate.check(fakeRequest(remote, { Host: host, ...right }), 'internal').ok, false);
    }
    assert.equal(gate.check(fakeRequest(remote, { Host: host }), 'control', `X-Amz-Credential=${token}%2F20240101%2Fus-east-1%2Flambda%2Faws4_request`).ok, true, 'presigned URL');
    // A remote browser page with the token still cannot be another origin, unless it is the named front end.
    assert.equal(gate.check(fakeRequest(remote, { Host: host, 'X-Preflight-Token': token, Origin: 'http://evil.test' }), 'control').ok, false);
    assert.deepEqual(gate.check(fakeRequest(remote, { Host: host, 'X-Preflight-Token': token, Origin: FRONT }), 'control'), { ok: true, corsOrigin: FRONT });
    // Its preflight carries no token (browsers never send credentials on one) and is answered.
    assert.deepEqual(gate.check(fakeRequest(remote, { Host: host, Origin: FRONT, 'Access-Control-Request-Method': 'POST' }, 'OPTIONS'), 'control'), { ok: true, corsOrigin: FRONT });
    // Without --allow-remote there is no token, and remote peers are refused outright.
    assert.equal(new LocalOnlyGate().check(fakeRequest(remote, { Host: host, 'X-Preflight-Token': token }), 'control').ok, false);
    // IPv4-mapped loopback peers are this machine.
    assert.equal(new LocalOnlyGate().check(fakeRequest('::ffff:127.0.0.1', { Host: 'localhost:4010' }), 'control').ok, true);
  });

  test('CLI: a non-loopback --host without --allow-remote is a fatal configuration error (exit 1); flag misuse exits 2', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      assert.equal(await main(['start', '--ephemeral', '--port', '0', '--host', '0.0.0.0']), 1);
      assert.match(errors.join('\n'), /--allow-remote/);
      assert.equal(await main(['start', '--ephemeral', '--port', '0', '--token', 'abcdefghijklmnopqrstuvwxyz']), 2, '--token without --allow-remote');
      assert.equal(await main(['start', '--ephemeral', '--port', '0', '--allow-remote', '--token', 'short']), 2, 'a guessable token');
      assert.equal(await main(['start', '--ephemeral', '--port', '0', '--control-plane-origin', '*']), 2);
      assert.equal(await main(['demo', '--port', '0', '--control-plane-origin', 'http://localhost:3000/app']), 2);
    } finally {
      console.error = original;
    }
  });
});
