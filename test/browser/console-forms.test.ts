import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { a11yProblems, screenshot } from '../helpers/console.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const consoleUrl = (path = '/') => `${server.url}/_preflight/console${path}`;

/** The error shown next to a control: the text its aria-describedby points at, with aria-invalid set. */
async function errorOf(control: Locator): Promise<string> {
  await control.and(page.locator('[aria-invalid="true"]')).waitFor();
  return control.evaluate((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)).filter((n) => n?.getAttribute('role') === 'alert').map((n) => n!.textContent).join(' ');
  });
}

async function noA11yProblems(step: string): Promise<void> {
  assert.deepEqual(await a11yProblems(page), [], `accessibility problems at ${step}`);
}

test('bad input in every form shows the control layer’s message next to the field, never a blank page', async () => {
  await page.goto(consoleUrl());
  await page.getByRole('heading', { name: 'APIs' }).waitFor();

  // Create API without a name.
  await page.getByRole('button', { name: 'Create API' }).click();
  let dialog = page.getByRole('dialog', { name: 'Create API' });
  await dialog.getByRole('button', { name: 'Create API' }).click();
  assert.match(await errorOf(dialog.getByLabel('API name')), /Invalid value for 'name' in createRestApiInput/);
  await dialog.getByLabel('API name').fill('forms');
  await dialog.getByRole('button', { name: 'Create API' }).click();
  await page.getByRole('heading', { name: /^forms/ }).waitFor();
  const apiId = /\/apis\/rest\/([a-z0-9]+)/.exec(page.url())![1]!;
  const toolbar = page.getByRole('toolbar', { name: 'Resource actions' });

  // An invalid path part: AWS's own message.
  await toolbar.getByRole('button', { name: 'Create resource' }).click();
  dialog = page.getByRole('dialog', { name: 'Create resource' });
  await dialog.getByLabel('Resource name').fill('us ers');
  await dialog.getByRole('button', { name: 'Create resource' }).click();
  assert.equal(
    await errorOf(dialog.getByLabel('Resource name')),
    "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
  );
  await noA11yProblems('create resource error');
  await screenshot(page, '10-error-invalid-path-part');
  // {proxy+} through the proxy toggle.
  await dialog.getByLabel('Proxy resource').check();
  assert.equal(await dialog.getByLabel('Resource name').inputValue(), '{proxy+}');
  await dialog.getByRole('button', { name: 'Create resource' }).click();
  await page.getByRole('treeitem', { name: '/{proxy+}' }).waitFor();

  // A MOCK method, then a mapping template Velocity cannot parse.
  await toolbar.getByRole('button', { name: 'Create method' }).click();
  dialog = page.getByRole('dialog', { name: 'Create method on /{proxy+}' });
  await dialog.getByRole('combobox', { name: 'Method type' }).selectOption('GET');
  await dialog.getByRole('radio', { name: 'Mock' }).check();
  await dialog.getByRole('button', { name: 'Create method' }).click();
  await page.getByRole('button', { name: 'Edit integration request' }).click();
  const editor = page.getByRole('form', { name: 'Edit integration request' });
  const template = editor.getByLabel('Template body for application/json');
  await template.fill('#if($input.body\n{"statusCode": 200}');
  await editor.getByRole('button', { name: 'Save' }).click();
  assert.match(await errorOf(template), /^This template does not parse: .* at line \d+, column \d+/);
  await editor.getByRole('button', { name: 'Save anyway' }).waitFor();
  await noA11yProblems('template error');
  await screenshot(page, '11-error-bad-template');
  await template.fill('{"statusCode": 200}');
  await editor.getByRole('button', { name: /^Save/ }).click();
  await editor.waitFor({ state: 'detached' });

  // The Test tab runs the method as it is now.
  await page.getByRole('tab', { name: 'Test' }).click();
  await page.getByLabel('Path parameter {proxy}').fill('a/b');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await page.getByText('Method completed with status: 200').waitFor();
  assert.match(await page.locator('.test-result').innerText(), /Method request path: \{proxy=a\/b\}/);
  await noA11yProblems('test tab');
  await screenshot(page, '12-method-test');

  // Deploy to a stage name AWS refuses.
  await page.getByRole('button', { name: 'Deploy API' }).click();
  dialog = page.getByRole('dialog', { name: 'Deploy API' });
  await dialog.getByLabel('Stage name').fill('dev stage');
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  assert.equal(await errorOf(dialog.getByLabel('Stage name')), "Stage name only allows a-zA-Z0-9_- and at most 128 characters; got 'dev stage'");
  await dialog.getByLabel('Stage name').fill('dev');
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  await page.getByRole('dialog', { name: 'API deployed' }).getByRole('button', { name: 'Close', exact: true }).click();

  // A stage variable name AWS refuses.
  await page.getByRole('tab', { name: 'Stages' }).click();
  await page.getByLabel('Variable name').fill('bad-name');
  await page.getByLabel('Value').fill('x');
  await page.getByRole('button', { name: 'Add variable' }).click();
  assert.match(await errorOf(page.getByLabel('Variable name')), /Stage variable names must only contain alphanumeric characters and underscores; got 'bad-name'/);

  // The playground: an origin without a scheme.
  await page.goto(consoleUrl(`/playground?api=${apiId}&stage=dev`));
  await page.getByLabel('Page origin').fill('localhost:3000');
  await page.getByRole('button', { name: 'Send request' }).click();
  assert.match(await errorOf(page.getByLabel('Page origin')), /^Origin 'localhost:3000' has no scheme\. An origin is scheme:\/\/host\[:port\]/);
  await noA11yProblems('playground error');
  await screenshot(page, '13-error-origin-without-scheme');

  // An HTTP API's CORS configuration: AWS's validation messages, next to the field they are about.
  await page.goto(consoleUrl());
  await page.getByRole('button', { name: 'Create API' }).click();
  dialog = page.getByRole('dialog', { name: 'Create API' });
  await dialog.getByRole('radio', { name: /HTTP API/ }).check();
  await dialog.getByLabel('API name').fill('forms-http');
  await dialog.getByRole('button', { name: 'Create API' }).click();
  await page.getByRole('tab', { name: 'CORS' }).click();
  const cors = page.getByRole('form', { name: 'CORS configuration' });
  await cors.getByLabel('Access-Control-Allow-Origin (comma-separated)').fill('example.com');
  await cors.getByRole('button', { name: 'Save' }).click();
  assert.match(await errorOf(cors.getByLabel('Access-Control-Allow-Origin (comma-separated)')), /^Invalid CORS allowOrigins entry 'example.com'/);
  await cors.getByLabel('Access-Control-Allow-Origin (comma-separated)').fill('*');
  await cors.getByLabel('Access-Control-Allow-Credentials').check();
  await cors.getByRole('button', { name: 'Save' }).click();
  assert.equal(await errorOf(cors.getByLabel('Access-Control-Allow-Credentials')), "allow-credentials is not supported if 'allow-origin' is *");
  await noA11yProblems('http api cors error');
  await screenshot(page, '14-error-http-cors-credentials');

  // A route key that is not METHOD /path.
  await page.getByRole('tab', { name: 'Routes' }).click();
  await page.getByLabel('Route key').fill('GET users');
  await page.getByRole('button', { name: 'Create route' }).click();
  assert.match(await errorOf(page.getByLabel('Route key')), /^Invalid route key: 'GET users'/);
  assert.deepEqual(pageErrors, []);
});

test('keyboard: dialogs trap focus and give it back; the resource tree moves with the arrow keys', async () => {
  await page.goto(consoleUrl());
  const open = page.getByRole('button', { name: 'Create API' });
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create API' });
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null), true, 'focus moved into the dialog');
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[role=dialog]') !== null), true, `focus stayed in the dialog after ${i + 1} tabs`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await open.evaluate((el) => el === document.activeElement), true, 'focus returned to the button that opened the dialog');

  const { apis } = server.control;
  const api = apis.createRestApi({ name: 'keys' });
  const a = apis.createResource(api.id, api.rootResourceId, { pathPart: 'a' });
  apis.createResource(api.id, a.id, { pathPart: 'child' });
  apis.createResource(api.id, api.rootResourceId, { pathPart: 'b' });
  await page.goto(consoleUrl(`/apis/rest/${api.id}`));
  const root = page.getByRole('treeitem', { name: '/', exact: true });
  await root.focus();
  await page.keyboard.press('ArrowDown');
  await page.getByRole('treeitem', { name: '/a', exact: true, selected: true }).waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.getByRole('treeitem', { name: '/a', exact: true, expanded: false }).waitFor();
  assert.equal(await page.getByRole('treeitem', { name: '/a/child' }).count(), 0, 'collapsed');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.getByRole('treeitem', { name: '/a/child', selected: true }).waitFor();
  await page.keyboard.press('End');
  await page.getByRole('treeitem', { name: '/b', selected: true }).waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === '/b');
  // Tabs move with arrows too.
  await page.getByRole('tab', { name: 'Resources' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.getByRole('tab', { name: 'Stages', selected: true }).waitFor();
});

test('usable in a narrow window: nothing overflows sideways at 400 px', async () => {
  const narrow = await browser.newPage({ viewport: { width: 400, height: 800 } });
  try {
    const { apis } = server.control;
    const api = apis.createRestApi({ name: 'narrow' });
    const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    apis.putMethod(api.id, users.id, 'GET', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, users.id, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    for (const [path, heading] of [
      ['/', 'APIs'],
      [`/apis/rest/${api.id}?resource=${users.id}&method=GET`, /^narrow/],
      [`/playground?api=${api.id}`, 'CORS playground'],
      ['/functions', 'Functions'],
    ] as const) {
      await narrow.goto(consoleUrl(path));
      await narrow.getByRole('heading', { name: heading }).first().waitFor();
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} overflows by ${overflow} px at 400 px wide`);
      assert.deepEqual(await a11yProblems(narrow), [], `accessibility problems at ${path}, narrow`);
    }
    await narrow.goto(consoleUrl(`/apis/rest/${api.id}?resource=${users.id}&method=GET`));
    await narrow.getByRole('region', { name: 'Integration request' }).waitFor();
    await screenshot(narrow, '15-narrow-method');
    await narrow.getByRole('button', { name: 'Deploy API' }).click();
    await narrow.getByRole('dialog', { name: 'Deploy API' }).getByLabel('Stage name').waitFor();
    await screenshot(narrow, '16-narrow-deploy-dialog');
  } finally {
    await narrow.close();
  }
});
