import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { corsMessage, fetchFromPage, launchChromium, startPageServer } from '../helpers/browser.js';
import { lambdaUri, startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/seed/${name}`, import.meta.url));

let server: TestServer;
let browser: Browser;
let page: Page;
let front: { origin: string; close(): Promise<void> };

before(async () => {
  server = await startTestServer();
  front = await startPageServer();
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(front.origin);
});
after(async () => {
  await browser?.close();
  await front?.close();
  await server?.close();
});

/**
 * The seed's story in a real Chromium: a page on origin A posts JSON to a REST API on origin B.
 * Each step fixes one cause, and each failure is asserted with the exact line Chromium printed.
 */
test('No OPTIONS → Enable CORS → Deploy → Lambda headers → credentials', async () => {
  const { apis, deployments, functions } = server.control;
  await functions.createFunction({ FunctionName: 'seed-users', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: fixture('no-headers') } });
  const api = apis.createRestApi({ name: 'seed' });
  const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
  apis.putMethod(api.id, users.id, 'POST', { authorizationType: 'NONE' });
  apis.putIntegration(api.id, users.id, 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('seed-users') });
  deployments.createDeployment(api.id, { stageName: 'dev' });

  const url = `${server.restApiUrl(api.id, 'dev')}/users`;
  const origin = front.origin;
  const postJson = (body: unknown, credentials?: 'include') =>
    fetchFromPage(page, url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      ...(credentials ? { credentials } : {}),
    });
  const blockedBy = (text: string) => `Access to fetch at '${url}' from origin '${origin}' has been blocked by CORS policy: ${text}`;
  const preflightBlocked = (text: string) => blockedBy(`Response to preflight request doesn't pass access control check: ${text}`);

  // (1) No OPTIONS method: API Gateway answers the preflight 403 Missing Authentication Token, without CORS headers.
  let r = await postJson({ name: 'ada' });
  assert.equal(r.ok, false);
  assert.equal(corsMessage(r), preflightBlocked("No 'Access-Control-Allow-Origin' header is present on the requested resource."));

  // (2) Enable CORS, but no deployment: the stage still serves the old API.
  const cors = server.control.enableCors(api.id, users.id, {});
  assert.equal(cors.allowMethods, 'OPTIONS,POST');
  assert.deepEqual(cors.proxyMethods, ['POST']);
  assert.equal(deployments.stageStatuses(api.id)[0]!.undeployedChanges, true);
  r = await postJson({ name: 'ada' });
  assert.equal(r.ok, false);
  assert.equal(corsMessage(r), preflightBlocked("No 'Access-Control-Allow-Origin' header is present on the requested resource."));

  // (3) Deploy: the preflight passes, but the Lambda's own response has no Access-Control-Allow-Origin.
  deployments.createDeployment(api.id, { stageName: 'dev' });
  assert.equal(deployments.stageStatuses(api.id)[0]!.undeployedChanges, false);
  r = await postJson({ name: 'ada' });
  assert.equal(r.ok, false);
  // Chromium 156 drops the older "If an opaque response serves your needs…" hint (measured on this machine).
  assert.equal(corsMessage(r), blockedBy("No 'Access-Control-Allow-Origin' header is present on the requested resource."));

  // (4) The Lambda wrapped with withCors: success, and a thrown error is a readable 500.
  await functions.updateFunctionCode('seed-users', { Directory: fixture('with-cors') });
  functions.updateFunctionConfiguration('seed-users', { Environment: { Variables: { CORS_ALLOWED_ORIGINS: origin } } });
  r = await postJson({ name: 'ada' });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, 201);
  assert.deepEqual(JSON.parse(r.body!), { created: { name: 'ada' } });
  r = await postJson({ explode: true });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, 500);
  assert.deepEqual(JSON.parse(r.body!), { message: 'Internal Server Error' });
  assert.ok(server.logs.some((l) => l.includes('exploded on purpose')), 'the error is logged');

  // (5) Credentials with '*': the preflight's wildcard is refused.
  r = await postJson({ name: 'ada' }, 'include');
  assert.equal(r.ok, false);
  assert.equal(
    corsMessage(r),
    preflightBlocked("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
  );

  // The fix: the exact origin and Access-Control-Allow-Credentials on the OPTIONS mock, credentials in withCors.
  server.control.enableCors(api.id, users.id, { allowOrigin: origin });
  apis.updateMethodResponse(api.id, users.id, 'OPTIONS', '200', [
    { op: 'add', path: '/responseParameters/method.response.header.Access-Control-Allow-Credentials', value: 'false' },
  ]);
  apis.updateIntegrationResponse(api.id, users.id, 'OPTIONS', '200', [
    { op: 'add', path: '/responseParameters/method.response.header.Access-Control-Allow-Credentials', value: "'true'" },
  ]);
  functions.updateFunctionConfiguration('seed-users', { Environment: { Variables: { CORS_ALLOWED_ORIGINS: origin, CORS_CREDENTIALS: 'true' } } });
  deployments.createDeployment(api.id, { stageName: 'dev' });
  r = await postJson({ name: 'grace' }, 'include');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, 201);
  assert.deepEqual(JSON.parse(r.body!), { created: { name: 'grace' } });
});
