import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

/** Where the console tests leave their screenshots (gitignored). */
export const SHOTS = join(process.cwd(), 'test-results', 'console');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface A11yProblem {
  rule: string;
  element: string;
}

/**
 * An axe-style check of what the console's tests rely on: every form control, button, link, tab, tree item and frame
 * has an accessible name; every dialog is modal and labelled by a visible title; ids referenced by aria-labelledby and
 * aria-describedby exist. Names are computed the way the accessibility tree does for these cases (aria-labelledby,
 * aria-label, <label>, text content, title).
 */
export async function a11yProblems(page: Page): Promise<A11yProblem[]> {
  // A string, not a function: the test runner's transpiler would add helpers the page does not have.
  return page.evaluate(CHECKER) as Promise<A11yProblem[]>;
}

const CHECKER = `(() => {
    const problems = [];
    const describe = (el) => \`\${el.tagName.toLowerCase()}\${el.id ? \`#\${el.id}\` : ''}\${el.getAttribute('role') ? \`[role=\${el.getAttribute('role')}]\` : ''} "\${(el.textContent ?? '').trim().slice(0, 40)}"\`;
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return style.visibility !== 'hidden' && style.display !== 'none' && (r.width > 0 || r.height > 0) && !el.closest('[aria-hidden="true"]');
    };
    const byIds = (ids) => ids.split(/\\s+/).filter(Boolean).map((id) => document.getElementById(id));
    const name = (el) => {
      const labelledby = el.getAttribute('aria-labelledby');
      if (labelledby) return byIds(labelledby).map((n) => n?.textContent ?? '').join(' ').trim();
      const aria = el.getAttribute('aria-label');
      if (aria?.trim()) return aria.trim();
      const labels = el.labels;
      if (labels && labels.length) return [...labels].map((l) => l.textContent ?? '').join(' ').trim();
      if (['BUTTON', 'A', 'SUMMARY', 'OPTION'].includes(el.tagName) || ['tab', 'treeitem', 'button', 'link'].includes(el.getAttribute('role') ?? '')) {
        const t = (el.textContent ?? '').trim();
        if (t) return t;
      }
      return (el.getAttribute('title') ?? '').trim();
    };
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      if (visible(el) && !name(el)) problems.push({ rule: 'form control has no accessible name', element: describe(el) });
    }
    for (const el of document.querySelectorAll('button, a[href], [role=tab], [role=treeitem], summary')) {
      if (visible(el) && !name(el)) problems.push({ rule: 'control has no accessible name', element: describe(el) });
    }
    for (const el of document.querySelectorAll('iframe')) {
      if (!el.getAttribute('title')) problems.push({ rule: 'frame has no title', element: describe(el) });
    }
    for (const el of document.querySelectorAll('[role=dialog], dialog')) {
      const labelledby = el.getAttribute('aria-labelledby');
      if (!labelledby || !byIds(labelledby).every((n) => n && (n.textContent ?? '').trim())) problems.push({ rule: 'dialog is not labelled by a visible title', element: describe(el) });
      if (el.getAttribute('aria-modal') !== 'true') problems.push({ rule: 'dialog is not aria-modal', element: describe(el) });
    }
    for (const el of document.querySelectorAll('[aria-labelledby], [aria-describedby], [aria-controls]')) {
      for (const attr of ['aria-labelledby', 'aria-describedby']) {
        const v = el.getAttribute(attr);
        if (v && byIds(v).some((n) => !n)) problems.push({ rule: \`\${attr} points at a missing id\`, element: describe(el) });
      }
    }
    for (const el of document.querySelectorAll('[role=tablist]')) {
      if (!name(el)) problems.push({ rule: 'tablist has no accessible name', element: describe(el) });
    }
    const ids = new Map();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, n] of ids) if (n > 1) problems.push({ rule: 'duplicate id', element: id });
    return problems;
})()`;

/** An emulator and Chromium with a desktop-sized page, collecting the page's uncaught errors; stop it with close(). */
export interface ConsoleSession {
  server: TestServer;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

export async function startConsoleSession(): Promise<ConsoleSession> {
  const server = await startTestServer();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return {
    server,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
