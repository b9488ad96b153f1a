import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, startPageServer } from '../helpers/browser.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';

// A page on another origin, in real Chromium, against the local-only surfaces (control plane, console, internal):
// it can neither read state (no CORS headers, so fetch and XHR fail) nor change it (cross-site fetch in no-cors
// mode, text/plain and url-encoded form posts, which browsers send without a preflight). DNS rebinding is simulated
// with Chromium's resolver rules: rebind.test resolves to 127.0.0.1, and the attacker's first page at
// http://rebind.test:PORT/ is served by request interception, as if it still came from the attacker's address.

let server: TestServer;
let browser: Browser;
let attacker: { origin: string; close(): Promise<void> };
let page: Page;
let codeDir: string;

before(async () => {
  server = await startTestServer();
  server.control.apis.createRestApi({ name: 'secret-api' });
  codeDir = mkdtempSync(join(tmpdir(), 'preflight-hardening-browser-'));
  mkdirSync(join(codeDir, 'fn'));
  writeFileSync(join(codeDir, 'fn', 'index.mjs'), 'export const handler = async (e) => ({ invoked: true, e });');
  await server.control.functions.createFunction({ FunctionName: 'local-fn', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: join(codeDir, 'fn') } });
  attacker = await startPageServer('<!doctype html><title>attacker</title><form id="f"></form>');
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      '--host-resolver-rules=MAP rebind.test 127.0.0.1',
      // Recent Chromium blocks a public page's requests to loopback by itself (Private/Local Network Access); Firefox,
      // Safari and older Chromium do not. Turned off so the requests reach the server and its own defence is tested.
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
    ],
    headless: true,
  });
  page = await browser.newPage();
  await page.goto(attacker.origin);
});
after(async () => {
  await browser?.close();
  await attacker?.close();
  await server?.close();
  rmSync(codeDir, { recursive: true, force: true });
});

function state() {
  return {
    restApis: server.control.apis.getRestApis({ limit: 500 }).items.map((a) => a.name).sort(),
    httpApis: server.control.httpApis.getApis().length,
    functions: server.control.functions.listFunctions({ MaxItems: 100 }).Functions.map((f) => f.FunctionName).sort(),
  };
}

/** fetch and XHR from the page; what it could read, or the error it got. */
async function readFromPage(p: Page, url: string, init: { method?: string; body?: string; headers?: Record<string, string>; mode?: RequestMode } = {}): Promise<{ fetch: string; xhr: string }> {
  return p.evaluate(
    async ({ url, init }) => {
      let viaFetch: string;
      try {
        const r = await fetch(url, init as RequestInit);
        viaFetch = `${r.type} ${r.status} ${await r.text()}`;
      } catch (e) {
        viaFetch = `error ${String(e)}`;
      }
      const viaXhr = await new Promise<string>((resolve) => {
        const x = new XMLHttpRequest();
        x.open(init.method ?? 'GET', url);
        for (const [k, v] of Object.entries(init.headers ?? {})) x.setRequestHeader(k, v);
        x.onload = () => resolve(`${x.status} ${x.responseText}`);
        x.onerror = () => resolve('error');
        x.send(init.body ?? null);
      });
      return { fetch: viaFetch, xhr: viaXhr };
    },
    { url, init },
  );
}

test('a cross-site page cannot read the control plane, the console API or the internal endpoints', async () => {
  const base = `http://127.0.0.1:${server.port}`;
  for (const path of ['/restapis', '/2015-03-31/functions', '/_preflight/api/apis', '/_preflight/health', '/_preflight/console/']) {
    const r = await readFromPage(page, base + path);
    assert.match(r.fetch, /^error TypeError: Failed to fetch/, path);
    assert.equal(r.xhr, 'error', path);
    // no-cors hands the page an opaque response: no status, no body.
    const opaque = await readFromPage(page, base + path, { mode: 'no-cors' });
    assert.match(opaque.fetch, /^opaque 0 $/, path);
  }
});

test('a cross-site page cannot change state: no-cors fetch, text/plain XHR, form posts, Lambda invoke', async () => {
  const base = `http://127.0.0.1:${server.port}`;
  const before = state();
  const invocationsBefore = server.logs.filter((l) => l.startsWith('lambda local-fn START')).length;
  const payload = '{"name":"pwned","FunctionName":"pwned","Runtime":"nodejs20.x","Role":"arn:aws:iam::000000000000:role/x","Handler":"index.handler","Code":{"ZipFile":""}}';
  for (const path of ['/restapis', '/2015-03-31/functions', '/v2/apis', '/2015-03-31/functions/local-fn/invocations', '/_preflight/api/templates/check']) {
    // The "simple" requests a browser sends without asking first.
    await readFromPage(page, base + path, { method: 'POST', body: payload, mode: 'no-cors' });
    await readFromPage(page, base + path, { method: 'POST', body: payload, headers: { 'Content-Type': 'text/plain' } });
    for (const enctype of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      // Resolves when the hidden frame has loaded the server's answer: the post has been handled before the next one.
      await page.evaluate(
        ({ action, enctype, payload }) =>
          new Promise<void>((resolve) => {
            const form = document.getElementById('f') as HTMLFormElement;
            form.innerHTML = '';
            form.method = 'POST';
            form.action = action;
            form.enctype = enctype;
            form.target = 'sink';
            // text/plain forms send name=value: a name ending in '"' and a value closing the JSON forge a JSON body.
            const input = document.createElement('input');
            input.name = payload.slice(0, -2) + ',"x":"';
            input.value = '"}';
            form.appendChild(input);
            let frame = document.querySelector('iframe[name=sink]') as HTMLIFrameElement | null;
            if (!frame) {
              frame = document.createElement('iframe');
              frame.name = 'sink';
              document.body.appendChild(frame);
            }
            frame.onload = () => resolve();
            setTimeout(resolve, 5000);
            form.submit();
          }),
        { action: base + path, enctype, payload },
      );
    }
  }
  // The PUT/DELETE a page might try need a preflight, which the server never answers with CORS.
  const del = await readFromPage(page, `${base}/2015-03-31/functions/local-fn`, { method: 'DELETE' });
  assert.match(del.fetch, /^error/);
  assert.deepEqual(state(), before, 'nothing was created or deleted');
  assert.equal(server.logs.filter((l) => l.startsWith('lambda local-fn START')).length, invocationsBefore, 'the function never ran');
});

test('DNS rebinding: a page whose own name now resolves to 127.0.0.1 is refused (same-origin in the browser, foreign Host here)', async () => {
  const origin = `http://rebind.test:${server.port}`;
  const rebound = await browser.newPage();
  try {
    // The attacker's page, as its first DNS answer delivered it; every later request goes to 127.0.0.1.
    await rebound.route(`${origin}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }));
    await rebound.goto(`${origin}/`);
    const before = state();
    for (const path of ['/restapis', '/2015-03-31/functions', '/_preflight/api/apis', '/_preflight/console/', '/_preflight/health']) {
      const r = await readFromPage(rebound, origin + path);
      assert.match(r.fetch, /^basic 403 /, `${path}: the browser reads our refusal, nothing else`);
      assert.doesNotMatch(r.fetch + r.xhr, /secret-api|local-fn/);
    }
    const create = await readFromPage(rebound, `${origin}/restapis`, { method: 'POST', body: '{"name":"rebound"}', headers: { 'Content-Type': 'application/json' } });
    assert.match(create.fetch, /^basic 403 /);
    const invoke = await readFromPage(rebound, `${origin}/2015-03-31/functions/local-fn/invocations`, { method: 'POST', body: '{}' });
    assert.match(invoke.fetch, /^basic 403 /);
    assert.deepEqual(state(), before);
  } finally {
    await rebound.close();
  }
});

test('--control-plane-origin: the named front end reads and invokes; another origin still cannot', async () => {
  const front = await startPageServer('<!doctype html><title>front end</title>');
  let s: RunningServer | undefined;
  const other = await browser.newPage();
  const frontPage = await browser.newPage();
  try {
    s = await startServer({ port: 0, ephemeral: true, logger: memoryLogger(), controlPlaneOrigins: [front.origin] });
    await s.control.functions.createFunction({ FunctionName: 'local-fn', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: join(codeDir, 'fn') } });
    const base = `http://127.0.0.1:${s.port}`;
    await frontPage.goto(front.origin);
    const list = await readFromPage(frontPage, `${base}/2015-03-31/functions`);
    assert.match(list.fetch, /^cors 200 .*local-fn/);
    const invoke = await frontPage.evaluate(async (url) => {
      const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Amz-Invocation-Type': 'RequestResponse' }, body: '{"hello":"world"}' });
      return { status: r.status, body: await r.json(), requestId: r.headers.get('x-amzn-requestid') };
    }, `${base}/2015-03-31/functions/local-fn/invocations`);
    assert.equal(invoke.status, 200);
    assert.deepEqual(invoke.body, { invoked: true, e: { hello: 'world' } });
    assert.ok(invoke.requestId, 'exposed response headers are readable');
    // Another origin is still refused, reads and writes.
    await other.goto(attacker.origin);
    const denied = await readFromPage(other, `${base}/2015-03-31/functions`);
    assert.match(denied.fetch, /^error/);
    const deniedInvoke = await readFromPage(other, `${base}/2015-03-31/functions/local-fn/invocations`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    assert.match(deniedInvoke.fetch, /^error/);
  } finally {
    await other.close();
    await frontPage.close();
    await s?.close();
    await front.close();
  }
});
