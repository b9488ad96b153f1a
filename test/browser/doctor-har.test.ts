// A HAR recorded from Chromium (playwright's recordHar) while the seed's API fails, diagnosed offline by
// `preflight doctor --har`: the same cause and the same console line Chromium printed, and as live doctor says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { corsMessage, fetchFromPage, launchChromium, startPageServer } from '../helpers/browser.js';
import { lambdaUri, startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { diagnoseHar } from '../../src/doctor/har.js';
import { parseInput } from '../../src/doctor/input.js';
import { runDoctor } from '../../src/doctor/live.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/seed/${name}`, import.meta.url));
const SAVE = process.env['PREFLIGHT_SAVE_HAR'];

/**
 * Records a HAR the way Chrome DevTools exports one, from the same CDP Network events DevTools uses: the headers
 * as sent on the wire (Origin included), preflights as their own entries, and the raw response headers even for
 * responses CORS blocked (Playwright's own recordHar leaves those out).
 */
async function recordDevtoolsHar(page: Page): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page);
  interface Rec {
    method: string;
    url: string;
    type: string;
    headers: Record<string, string>;
    wireHeaders?: Record<string, string>;
    postData?: string;
    status?: number;
    rawResponse?: string;
    error?: string;
    started: number;
  }
  const recs = new Map<string, Rec>();
  // The order requests were sent in. Chromium may fire the extra-info events before requestWillBeSent, so a record
  // can exist before its request is listed: the list is keyed on requestWillBeSent alone.
  const order = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e) => {
    order.add(e.requestId);
    recs.set(e.requestId, { ...recs.get(e.requestId), method: e.request.method, url: e.request.url, type: e.type ?? 'Other', headers: e.request.headers as Record<string, string>, ...(e.request.postData ? { postData: e.request.postData } : {}), started: e.wallTime ?? Date.now() / 1000 } as Rec);
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    const r = recs.get(e.requestId) ?? ({ started: Date.now() / 1000 } as Rec);
    r.wireHeaders = e.headers as Record<string, string>;
    recs.set(e.requestId, r);
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    const r = recs.get(e.requestId) ?? ({ started: Date.now() / 1000 } as Rec);
    r.status = e.statusCode;
    r.rawResponse = e.headersText;
    recs.set(e.requestId, r);
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = recs.get(e.requestId);
    if (r) r.error = e.errorText;
  });
  await cdp.send('Network.enable');
  return async () => {
    // CDP's extra-info events can trail the page's own view of a failed request, more so on a loaded machine: wait
    // (bounded) until every request has its wire headers and either its raw response or its network error.
    const settled = () => [...recs.values()].every((r) => !r.url || r.url.startsWith('data:') || (r.wireHeaders !== undefined && (r.rawResponse !== undefined || r.error !== undefined)));
    for (let waited = 0; !settled() && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await cdp.detach();
    const split = (h: Record<string, string>) => Object.entries(h).flatMap(([name, v]) => v.split('\n').map((value) => ({ name, value })));
    const entries = [...order].map((id) => recs.get(id)!).filter((r) => r.url && !r.url.startsWith('data:')).map((r) => {
      const lines = (r.rawResponse ?? '').split('\r\n').slice(1).filter(Boolean);
      const headers = lines.map((l) => ({ name: l.slice(0, l.indexOf(':')), value: l.slice(l.indexOf(':') + 1).trim() }));
      const location = headers.find((h) => h.name.toLowerCase() === 'location')?.value ?? '';
      return {
        startedDateTime: new Date(r.started * 1000).toISOString(),
        time: 0,
        request: { method: r.method, url: r.url, httpVersion: 'HTTP/1.1', headers: split(r.wireHeaders ?? r.headers), queryString: [], cookies: [], headersSize: -1, bodySize: r.postData?.length ?? 0, ...(r.postData ? { postData: { mimeType: '', text: r.postData } } : {}) },
        response: { status: r.status ?? 0, statusText: '', httpVersion: 'HTTP/1.1', headers, cookies: [], content: { size: 0, mimeType: '' }, redirectURL: location, headersSize: -1, bodySize: -1, ...(r.error ? { _error: r.error } : {}) },
        cache: {},
        timings: { send: 0, wait: 0, receive: 0 },
        _resourceType: r.type.toLowerCase(),
      };
    });
    return JSON.stringify({ log: { version: '1.2', creator: { name: 'preflight test (CDP, as DevTools)', version: '1' }, pages: [], entries } }, null, 1);
  };
}

let server: TestServer;
let browser: Browser;
let front: { origin: string; close(): Promise<void> };
let dir: string;

before(async () => {
  server = await startTestServer();
  front = await startPageServer();
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'preflight-har-'));
});
after(async () => {
  await browser?.close();
  await front?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a HAR captured from Chromium is diagnosed like the live request', async () => {
  const { apis, deployments, functions } = server.control;
  await functions.createFunction({ FunctionName: 'har-users', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: fixture('no-headers') } });
  const api = apis.createRestApi({ name: 'har' });
  const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
  apis.putMethod(api.id, users.id, 'POST', { authorizationType: 'NONE' });
  apis.putIntegration(api.id, users.id, 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('har-users') });
  server.control.enableCors(api.id, users.id, {});
  deployments.createDeployment(api.id, { stageName: 'dev' });
  const url = `${server.restApiUrl(api.id, 'dev')}/users`;
  const missing = `${server.restApiUrl(api.id, 'dev')}/missing`;

  const harPath = join(dir, 'capture.har');
  const pwHarPath = join(dir, 'playwright.har');
  const context = await browser.newContext({ recordHar: { path: pwHarPath, content: 'omit' } });
  const page = await context.newPage();
  const stop = await recordDevtoolsHar(page);
  await page.goto(front.origin);
  // The seed's failure (3): the preflight passes, the Lambda's response lacks the header.
  const post = await fetchFromPage(page, url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"ada"}' });
  // A gateway error: a simple GET to a path with no resource.
  const get = await fetchFromPage(page, missing);
  writeFileSync(harPath, await stop());
  await context.close();
  assert.equal(post.ok, false);
  assert.equal(get.ok, false);
  if (SAVE) writeFileSync(SAVE, readFileSync(harPath));

  const results = diagnoseHar(readFileSync(harPath, 'utf8'), harPath);
  const byUrl = new Map(results.map((r) => [r.report.request.url, r]));
  const postDiag = byUrl.get(url);
  assert.ok(postDiag, `no diagnosis for ${url}: ${JSON.stringify(results.map((r) => r.report.request.url))}`);
  assert.equal(postDiag.report.verdict, 'blocked');
  assert.equal(postDiag.report.chromiumMessage, corsMessage(post));
  assert.equal(postDiag.report.cause, 'lambda-missing-cors-headers');
  assert.equal(postDiag.report.platform, 'local-rest');
  assert.equal(postDiag.report.fixes[0]!.target, 'lambda');

  const getDiag = byUrl.get(missing);
  assert.ok(getDiag, `no diagnosis for ${missing}: ${JSON.stringify(results.map((r) => [r.report.request.url, r.report.verdict, r.report.cause]))}; HAR: ${readFileSync(harPath, 'utf8').slice(0, 3000)}`);
  assert.equal(getDiag.report.chromiumMessage, corsMessage(get));
  assert.equal(getDiag.report.cause, 'gateway-error-without-cors');

  // Playwright's own HAR has the requests but not the blocked responses: doctor says so instead of guessing.
  const pw = diagnoseHar(readFileSync(pwHarPath, 'utf8'), pwHarPath);
  const pwPost = pw.find((r) => r.report.request.url === url);
  assert.ok(pwPost, 'the request is found through its Referer');
  assert.equal(pwPost.report.cause, 'response-not-recorded');

  // Live doctor on the same URL says the same.
  const { input } = parseInput(url, { origin: front.origin, method: 'POST', header: ['Content-Type: application/json'], data: '{"name":"ada"}' });
  const live = await runDoctor(input);
  assert.equal(live.chromiumMessage, postDiag.report.chromiumMessage);
  assert.equal(live.cause, postDiag.report.cause);
});
