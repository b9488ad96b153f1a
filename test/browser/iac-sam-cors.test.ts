/**
 * One SAM `Cors:` API in Chromium (issue 8's browser acceptance): test/fixtures/iac/sam-rest-cors loaded as
 * `preflight start template.yaml` loads it, with the front end's origin as the FrontendOrigin parameter, then called
 * from pages on other origins.
 *
 * What AWS does with this template:
 * - SAM's Cors object adds an OPTIONS method with a MOCK integration to every path, answering with the configured
 *   values as given and, for AllowCredentials: true, Access-Control-Allow-Credentials 'true' (samtranslator 1.110
 *   swagger/swagger.py add_cors and _options_method_response_for_cors). Nothing else: behind a Lambda proxy
 *   integration "your backend is responsible for returning the Access-Control-Allow-Origin and
 *   Access-Control-Allow-Headers headers, because a proxy integration doesn't return an integration response" (API
 *   Gateway developer guide, how-to-cors; /work/shared/reference/aws-apigateway-lambda.md §1). SAM CLI's `start-api`
 *   adds them to the Lambda's responses anyway, which hides the bug (reference/peer-emulators.md, SAM CLI).
 * - A Lambda proxy integration passes the function's headers through; a function error becomes
 *   502 {"message": "Internal server error"} (LocalStack integrations/aws.py parse_lambda_response, AWS-validated;
 *   /work/shared/reference/aws-apigateway-lambda.md §8) with no CORS headers here: the fixture gives DEFAULT_4XX
 *   CORS headers, not DEFAULT_5XX.
 * Chromium's console lines are blink's cors_error_string.cc texts as Chromium 156 prints them (src/cors/chromium.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { loadFile } from '../../src/iac/load.js';
import { corsMessage, fetchFromPage, launchChromium, startPageServer } from '../helpers/browser.js';
import { rawRequest, startTestServer, type TestServer } from '../helpers/server.js';

const TEMPLATE = fileURLToPath(new URL('../fixtures/iac/sam-rest-cors/template.yaml', import.meta.url));

let server: TestServer;
let browser: Browser;
let front: { origin: string; close(): Promise<void> };
let stranger: { origin: string; close(): Promise<void> };
let page: Page;
let strangerPage: Page;
let apiId: string;
let notesUrl: string;

before(async () => {
  server = await startTestServer();
  front = await startPageServer();
  stranger = await startPageServer();
  const loaded = await loadFile(server.control, TEMPLATE, { workDir: mkdtempSync(join(tmpdir(), 'pf-iac-browser-')), parameterOverrides: { FrontendOrigin: front.origin } });
  apiId = loaded.apis.find((a) => a.logicalId === 'NotesApi')!.apiId;
  notesUrl = `http://${apiId}.execute-api.localhost:${server.port}/dev/notes`;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(front.origin);
  strangerPage = await browser.newPage();
  await strangerPage.goto(stranger.origin);
});
after(async () => {
  await browser?.close();
  await front?.close();
  await stranger?.close();
  await server?.close();
});

/** Invocations of the template's function so far (its START lines). */
const invocations = () => server.logs.filter((l) => l.startsWith('lambda notes-dev START ')).length;

interface Exchange {
  method: string;
  status?: number;
  headers: Record<string, string>;
}

/** The requests a page sends and the raw response headers it gets, preflights included, as DevTools sees them. */
async function recordNetwork(p: Page): Promise<{ exchanges: Exchange[]; stop(): Promise<void> }> {
  const cdp: CDPSession = await p.context().newCDPSession(p);
  const byId = new Map<string, Exchange>();
  const exchanges: Exchange[] = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.startsWith(notesUrl)) return;
    const x: Exchange = { method: e.request.method, headers: {} };
    byId.set(e.requestId, x);
    exchanges.push(x);
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    const x = byId.get(e.requestId);
    if (!x) return;
    x.status = e.statusCode;
    for (const [k, v] of Object.entries(e.headers)) x.headers[k.toLowerCase()] = String(v);
  });
  await cdp.send('Network.enable');
  return {
    exchanges,
    async stop() {
      // Extra-info events can trail the fetch's settlement by a moment.
      await p.waitForTimeout(100);
      await cdp.detach();
    },
  };
}

const postNote = (p: Page, text: string, body = JSON.stringify({ text })) =>
  fetchFromPage(p, notesUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'fetch' }, body, credentials: 'include' });

test('a preflighted, credentialed JSON POST from the front end: SAM\'s OPTIONS mock answers, then the Lambda with its own headers', async () => {
  const net = await recordNetwork(page);
  const before = invocations();
  const r = await postNote(page, 'buy milk');
  await net.stop();
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, 201);
  assert.deepEqual(JSON.parse(r.body!), { id: '1', text: 'buy milk' });
  assert.equal(corsMessage(r), undefined, 'no CORS complaint in the console');
  assert.equal(invocations() - before, 1, 'the preflight never reaches the Lambda: the MOCK answers it');

  // The preflight, as Chromium received it: the Cors values as written in the template, Allow-Credentials 'true'.
  // (CDP reports the preflight as its own request of type Other; the page itself sends no OPTIONS.)
  const pre = net.exchanges.filter((x) => x.method === 'OPTIONS');
  assert.equal(pre.length, 1, JSON.stringify(net.exchanges));
  assert.equal(pre[0]!.status, 200);
  assert.deepEqual(
    Object.fromEntries(Object.entries(pre[0]!.headers).filter(([k]) => k.startsWith('access-control-'))),
    {
      'access-control-allow-origin': front.origin,
      'access-control-allow-methods': 'GET,POST,DELETE,OPTIONS',
      'access-control-allow-headers': 'Content-Type,Authorization,X-Requested-With',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
    },
  );
  // The POST's response carries what the function set (notes.mjs cors()), nothing added by API Gateway.
  const post = net.exchanges.find((x) => x.method === 'POST')!;
  assert.equal(post.status, 201);
  assert.equal(post.headers['access-control-allow-origin'], front.origin);
  assert.equal(post.headers['access-control-allow-credentials'], 'true');
  assert.equal(post.headers['content-type'], 'application/json');
  assert.equal(post.headers['access-control-allow-methods'], undefined);

  // A simple GET (no preflight) reads the note back through the same headers.
  const list = await fetchFromPage(page, notesUrl, { credentials: 'include' });
  assert.equal(list.status, 200, JSON.stringify(list));
  assert.deepEqual(JSON.parse(list.body!).notes, [{ id: '1', text: 'buy milk' }]);
});

test('another origin: the preflight names the front end\'s origin, Chromium blocks the POST before the Lambda runs', async () => {
  const before = invocations();
  const r = await postNote(strangerPage, 'not mine');
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.error, 'TypeError: Failed to fetch');
  assert.equal(
    corsMessage(r),
    `Access to fetch at '${notesUrl}' from origin '${stranger.origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value '${front.origin}' that is not equal to the supplied origin. Have the server send the header with a valid value.`,
  );
  assert.equal(invocations(), before, 'the POST was never sent');

  // A simple GET needs no preflight: it reaches the Lambda, and the page is refused the answer.
  const get = await fetchFromPage(strangerPage, notesUrl);
  assert.equal(get.ok, false, JSON.stringify(get));
  assert.equal(
    corsMessage(get),
    `Access to fetch at '${notesUrl}' from origin '${stranger.origin}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '${front.origin}' that is not equal to the supplied origin. Have the server send the header with a valid value.`,
  );
  assert.equal(invocations(), before + 1, 'the GET ran the Lambda');
});

test('the handler\'s failure path: malformed JSON makes it throw, the 502 has no CORS headers, the page sees only a CORS error', async () => {
  // What a client without CORS (curl, Node) gets for the same request: API Gateway's 502 for a function error.
  const raw = await rawRequest(server.port, {
    method: 'POST',
    path: `/restapis/${apiId}/dev/_user_request_/notes`,
    headers: { Origin: front.origin, 'Content-Type': 'application/json' },
    body: '{"text": ',
  });
  assert.equal(raw.status, 502);
  assert.equal(raw.body, '{"message": "Internal server error"}');
  assert.equal(raw.headers['access-control-allow-origin'], undefined);

  const before = invocations();
  const r = await postNote(page, '', '{"text": ');
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.error, 'TypeError: Failed to fetch');
  // The preflight passed (it is the MOCK's); the failure is on the POST's own response, after the Lambda ran.
  assert.equal(
    corsMessage(r),
    `Access to fetch at '${notesUrl}' from origin '${front.origin}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
  );
  assert.equal(invocations(), before + 1, 'the Lambda ran');
  assert.ok(
    server.logs.some((l) => l.startsWith('lambda notes-dev ') && l.includes('SyntaxError')),
    'its log shows why it failed',
  );
});
