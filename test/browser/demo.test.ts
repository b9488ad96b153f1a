import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { runDemo, type Demo } from '../../src/demo/demo.js';

let demo: Demo;
let browser: Browser;
let page: Page;
const consoleLines: string[] = [];

before(async () => {
  // Ephemeral ports: the test must not collide with a demo a developer is running.
  demo = await runDemo({ port: 0, webPort: 0, quiet: true });
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(demo.frontEndUrl);
});
after(async () => {
  await browser?.close();
  await demo?.close();
});

async function click(call: string): Promise<{ outcome: string; text: string }> {
  const card = page.locator(`[data-call="${call}"]`);
  await card.locator('button').click();
  await page.waitForFunction((c) => document.querySelector(`[data-call="${c}"]`)?.getAttribute('data-outcome'), call);
  return { outcome: (await card.getAttribute('data-outcome'))!, text: await card.locator('output').innerText() };
}

test('`npm start`: the front end on another origin works on its embedded default, and shows the broken cases', async () => {
  const get = await click('get-users');
  assert.equal(get.outcome, 'status-200');
  assert.match(get.text, /Ada Lovelace/);

  const post = await click('post-users');
  assert.equal(post.outcome, 'status-201');
  assert.match(post.text, /"createdBy":"preflight-demo"/);

  const crash = await click('post-crash');
  assert.equal(crash.outcome, 'status-500', 'withCors makes the thrown error readable');
  assert.match(crash.text, /Internal Server Error/);

  const noOptions = await click('post-no-options');
  assert.equal(noOptions.outcome, 'blocked');
  const noCors = await click('get-no-cors');
  assert.equal(noCors.outcome, 'blocked');

  await page.waitForTimeout(200);
  const api = new URL(demo.apiUrl);
  const front = new URL(demo.frontEndUrl).origin;
  assert.ok(
    consoleLines.includes(
      `Access to fetch at '${api.origin}${api.pathname}/no-options' from origin '${front}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    ),
    consoleLines.join('\n'),
  );
  assert.ok(
    consoleLines.includes(
      `Access to fetch at '${api.origin}${api.pathname}/no-cors' from origin '${front}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    ),
    consoleLines.join('\n'),
  );
});
