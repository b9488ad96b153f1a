import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { a11yProblems, startConsoleSession, type ConsoleSession } from '../helpers/console.js';
import { putMockMethod } from '../helpers/server.js';

let session: ConsoleSession;

before(async () => {
  session = await startConsoleSession();
});
after(() => session?.close());

test('custom domains in the console: create, map a path to a stage (then served there in the browser), errors at the field, delete', async () => {
  const { server, browser, page, pageErrors } = session;
  const { apis, deployments } = server.control;
  const api = apis.createRestApi({ name: 'console-shop' });
  const ping = apis.createResource(api.id, api.rootResourceId, { pathPart: 'ping' });
  putMockMethod(server.control, api.id, ping.id, 'GET', '{"pong": true}');
  deployments.createDeployment(api.id, { stageName: 'live' });

  await page.goto(`${server.url}/_preflight/console/domains`);
  await page.getByRole('heading', { name: 'Custom domain names' }).waitFor();
  const create = page.getByRole('form', { name: 'Create domain name' });
  // A name preflight answers itself: the control layer's message, next to the field.
  await create.getByLabel('Domain name').fill('localhost');
  await create.getByRole('button', { name: 'Create domain name' }).click();
  await create.getByRole('alert').filter({ hasText: /choose another, e\.g\. api\.myapp\.localhost/ }).waitFor();

  await create.getByLabel('Domain name').fill('api.console.localhost');
  await create.getByRole('button', { name: 'Create domain name' }).click();
  await page.getByRole('heading', { name: 'api.console.localhost' }).waitFor();
  // The page's address (dots and all) opens the same page again.
  await page.reload();
  await page.getByRole('heading', { name: 'api.console.localhost' }).waitFor();
  await page.getByText('No mappings: every request to this name gets 403 Forbidden.').waitFor();
  assert.deepEqual(await a11yProblems(page), [], 'accessibility problems on the domain page');

  const add = page.getByRole('form', { name: 'Add API mapping' });
  await add.getByLabel('Path').fill('v1');
  await add.getByLabel('API').selectOption({ label: `console-shop (REST ${api.id})` });
  await add.getByLabel('Stage').selectOption('live');
  await add.getByRole('button', { name: 'Add mapping' }).click();
  const row = page.getByRole('row').filter({ hasText: '/v1' });
  await row.getByRole('link', { name: 'console-shop' }).waitFor();
  // The same path again: AWS's conflict message at the field (a REGIONAL domain takes v2 API mappings).
  await add.getByLabel('Path').fill('v1');
  await add.getByRole('button', { name: 'Add mapping' }).click();
  await add.getByRole('alert').filter({ hasText: 'ApiMapping key already exists for this domain name' }).waitFor();

  // Chromium resolves the .localhost name itself: the mapped path answers from the stage.
  const other = await browser.newPage();
  const served = await other.goto(`http://api.console.localhost:${server.port}/v1/ping`);
  assert.equal(served?.status(), 200);
  assert.equal(await served?.text(), '{"pong": true}');
  await other.close();

  // An HTTP API at a path of two levels, which only v2 mappings allow; its row links to the HTTP API.
  const h = server.control.httpApis;
  const httpApi = h.createApi({ name: 'console-orders', protocolType: 'HTTP' });
  h.createStage(httpApi.apiId, { stageName: '$default' });
  // No reload: the page hears of the new API (control event) and offers it.
  await add.getByLabel('API').locator('option', { hasText: `console-orders (HTTP ${httpApi.apiId})` }).waitFor({ state: 'attached' });
  await add.getByLabel('Path').fill('orders/v2');
  await add.getByLabel('API').selectOption({ label: `console-orders (HTTP ${httpApi.apiId})` });
  await add.getByLabel('Stage').selectOption('$default');
  await add.getByRole('button', { name: 'Add mapping' }).click();
  await page.getByRole('row').filter({ hasText: '/orders/v2' }).getByRole('link', { name: 'console-orders' }).click();
  await page.waitForURL(new RegExp(`/apis/http/${httpApi.apiId}$`));
  await page.goBack();
  await page.getByRole('row').filter({ hasText: '/orders/v2' }).getByRole('button', { name: 'Delete mapping /orders/v2' }).click();

  await row.getByRole('button', { name: 'Delete mapping /v1' }).click();
  await page.getByText('No mappings: every request to this name gets 403 Forbidden.').waitFor();
  await page.getByRole('button', { name: 'Delete domain name' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete api.console.localhost?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('No custom domain names yet.').waitFor();
  assert.deepEqual(server.control.domains.getDomainNames().items, []);
  assert.deepEqual(pageErrors, []);
});
