import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './server.js';

/** Debian's Chromium with the flags this machine needs (no sandbox as root, no background network). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A page server on its own origin (http://localhost:PORT), the "front end" of a cross-origin test. */
export async function startPageServer(html = '<!doctype html><title>front end</title><p>front end</p>'): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://localhost:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The usual cross-origin scene: an emulator, a front end on its own origin, and Chromium with a page open on it. */
export interface CrossOriginScene {
  server: TestServer;
  front: { origin: string; close(): Promise<void> };
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function startCrossOriginScene(): Promise<CrossOriginScene> {
  const server = await startTestServer();
  const front = await startPageServer();
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(front.origin);
  return {
    server,
    front,
    browser,
    page,
    async close() {
      await browser.close();
      await front.close();
      await server.close();
    },
  };
}

export interface PageFetchResult {
  ok: boolean;
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  error?: string;
  /** Console messages Chromium printed while the request ran (CORS errors are among them). */
  console: string[];
}

/** Runs fetch(url, init) inside the page and collects what the page saw and what Chromium printed. */
export async function fetchFromPage(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string; credentials?: 'include' | 'omit' | 'same-origin' } = {}): Promise<PageFetchResult> {
  const messages: string[] = [];
  const listener = (msg: { text(): string }) => messages.push(msg.text());
  page.on('console', listener);
  try {
    const result = await page.evaluate(
      async ({ url, init }) => {
        try {
          const res = await fetch(url, init as RequestInit);
          const headers: Record<string, string> = {};
          res.headers.forEach((v, k) => {
            headers[k] = v;
          });
          return { ok: true, status: res.status, body: await res.text(), headers };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      },
      { url, init },
    );
    // Chromium logs the CORS error slightly after the promise rejects.
    if (!result.ok) await page.waitForTimeout(200);
    return { ...result, console: [...messages] };
  } finally {
    page.off('console', listener);
  }
}

/** The one console line that explains a CORS block, if Chromium printed one. */
export function corsMessage(r: PageFetchResult): string | undefined {
  return r.console.find((m) => m.includes('has been blocked by CORS policy'));
}
