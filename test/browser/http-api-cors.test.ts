import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { LOCAL_ISSUER, mintToken } from '../../src/auth/local-issuer.js';
import { corsMessage, fetchFromPage, launchChromium, startPageServer } from '../helpers/browser.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';

let server: TestServer;
let browser: Browser;
let front: { origin: string; close(): Promise<void> };
let stranger: { origin: string; close(): Promise<void> };
let page: Page;
let strangerPage: Page;

before(async () => {
  server = await startTestServer();
  front = await startPageServer();
  stranger = await startPageServer();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(front.origin);
  strangerPage = await browser.newPage();
  await strangerPage.goto(stranger.origin);
  const dir = mkdtempSync(join(tmpdir(), 'preflight-httpcors-'));
  mkdirSync(join(dir, 'items'));
  // The function answers with its own, wrong, CORS header: with a CorsConfiguration API Gateway ignores it.
  writeFileSync(
    join(dir, 'items', 'index.mjs'),
    "export const handler = async (event) => ({ statusCode: 201, headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ method: event.requestContext.http.method, sub: event.requestContext.authorizer?.jwt?.claims?.sub ?? null }) });",
  );
  await server.control.functions.createFunction({ FunctionName: 'items', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: join(dir, 'items') } });
});
after(async () => {
  await browser?.close();
  await front?.close();
  await stranger?.close();
  await server?.close();
});

function httpApi(allowHeaders: string[]) {
  const h = server.control.httpApis;
  const api = h.createApi({
    name: 'browser',
    protocolType: 'HTTP',
    corsConfiguration: { allowOrigins: [front.origin], allowMethods: ['GET', 'POST'], allowHeaders, maxAge: 0 },
  });
  const i = h.createIntegration(api.apiId, { integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:items', payloadFormatVersion: '2.0' });
  h.createRoute(api.apiId, { routeKey: 'POST /items', target: `integrations/${i.integrationId}` });
  const a = h.createAuthorizer(api.apiId, { name: 'jwt', authorizerType: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer: LOCAL_ISSUER, audience: ['my-app'] } });
  h.createRoute(api.apiId, { routeKey: 'POST /private', target: `integrations/${i.integrationId}`, authorizationType: 'JWT', authorizerId: a.authorizerId });
  h.createStage(api.apiId, { stageName: '$default', autoDeploy: true });
  return `http://${api.apiId}.execute-api.localhost:${server.port}`;
}

const invocations = () => server.logs.filter((l) => l.startsWith('lambda items START')).length;

test('HTTP API CorsConfiguration in Chromium: gateway preflight, origins, the Lambda\'s header ignored, JWT with Authorization', async () => {
  const base = httpApi(['content-type', 'authorization']);
  const post = (p: Page, path: string, headers: Record<string, string> = {}) =>
    fetchFromPage(p, `${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{"name":"ada"}' });

  // A JSON POST from the allowed origin: preflight answered by the gateway (no OPTIONS route), then the Lambda.
  const before = invocations();
  let r = await post(page, '/items');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, 201);
  assert.deepEqual(JSON.parse(r.body!), { method: 'POST', sub: null });
  assert.equal(invocations() - before, 1, 'only the POST reached the Lambda');

  // Another origin: no CORS headers for it, and the Lambda's own "*" does not count.
  r = await post(strangerPage, '/items');
  assert.equal(r.ok, false);
  assert.equal(
    corsMessage(r),
    `Access to fetch at '${base}/items' from origin '${stranger.origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
  );

  // JWT-protected route with Authorization from the page; the preflight allows it through AllowHeaders.
  const token = await mintToken(server.control.store, { sub: 'alice', audience: 'my-app' });
  r = await post(page, '/private', { Authorization: `Bearer ${token}` });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(JSON.parse(r.body!), { method: 'POST', sub: 'alice' });
  // Without a token the page sees the real 401: the gateway put its CORS headers on it.
  r = await post(page, '/private');
  assert.equal(r.ok, true);
  assert.equal(r.status, 401);
  assert.equal(r.body, '{"message":"Unauthorized"}');
});

test('without authorization in AllowHeaders Chromium refuses the Authorization header at the preflight', async () => {
  const base = httpApi(['content-type']);
  const token = await mintToken(server.control.store, { sub: 'alice', audience: 'my-app' });
  const r = await fetchFromPage(page, `${base}/private`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: '{}' });
  assert.equal(r.ok, false);
  assert.equal(
    corsMessage(r),
    `Access to fetch at '${base}/private' from origin '${front.origin}' has been blocked by CORS policy: Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response.`,
  );
});
