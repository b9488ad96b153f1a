// Runs scenarios in Debian's Chromium and compares what it did with what the model predicts.
import { isDeepStrictEqual } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { predict, type Observed, type WireRecord } from './model.js';
import { credentialsOf, sampleScenarios, scenarioUrl, type Scenario } from './scenario.js';
import { startScenarioServer, type ScenarioServer } from './server.js';

export interface Disagreement {
  index: number;
  scenario: Scenario;
  what: string;
  chromium: unknown;
  model: unknown;
}

export interface ConformanceReport {
  ran: number;
  requests: number;
  disagreements: Disagreement[];
  ms: number;
}

interface PageRequest {
  initiator: 'fetch' | 'xhr';
  method: string;
  headers: [string, string][];
  body: string | null;
  credentials: string | null;
  uploadListeners: boolean;
}

interface PageScenario {
  id: string;
  url: string;
  requests: PageRequest[];
}

interface PageResult {
  ok: boolean;
  status?: number;
  headers?: Record<string, string>;
}

/**
 * Runs inside the page: every scenario concurrently, each scenario's requests one after another. Plain JavaScript
 * in a string: tsx would decorate a TypeScript function with helpers the page does not have.
 */
const RUN_IN_PAGE = `async (scenarios) => {
  function one(url, r) {
    if (r.initiator === 'fetch') {
      const init = { method: r.method, headers: r.headers };
      if (r.body !== null) init.body = r.body;
      if (r.credentials !== null) init.credentials = r.credentials;
      return fetch(url, init).then(
        async (res) => {
          const headers = {};
          res.headers.forEach((v, k) => { headers[k] = v; });
          await res.arrayBuffer();
          return { ok: true, status: res.status, headers };
        },
        () => ({ ok: false }),
      );
    }
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open(r.method, url);
      if (r.credentials === 'include') xhr.withCredentials = true;
      for (const [k, v] of r.headers) xhr.setRequestHeader(k, v);
      if (r.uploadListeners) xhr.upload.onprogress = () => {};
      xhr.onload = () => {
        const headers = {};
        for (const line of xhr.getAllResponseHeaders().split('\\r\\n')) {
          if (!line) continue;
          const i = line.indexOf(': ');
          headers[line.slice(0, i)] = line.slice(i + 2);
        }
        resolve({ ok: true, status: xhr.status, headers });
      };
      xhr.onerror = () => resolve({ ok: false });
      xhr.send(r.body);
    });
  }
  return Promise.all(scenarios.map(async (s) => {
    const out = [];
    for (const r of s.requests) out.push(await one(s.url, r));
    return out;
  }));
}`;

const BLOCKED = 'has been blocked by CORS policy';

async function runBatch(browser: Browser, server: ScenarioServer, batch: { id: string; scenario: Scenario }[]): Promise<{ results: PageResult[][]; messages: Map<string, string[]> }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const messages = new Map<string, string[]>();
    let total = 0;
    page.on('console', (msg) => {
      const text = msg.text();
      if (!text.includes(BLOCKED)) return;
      const m = /\/s\/([^/]+)\/h\d+'/.exec(text);
      const id = m?.[1] ?? '?';
      if (!messages.has(id)) messages.set(id, []);
      messages.get(id)!.push(text);
      total++;
    });
    await page.goto(`${server.hosts.page}/`);
    const input: PageScenario[] = batch.map(({ id, scenario }) => ({
      id,
      url: scenarioUrl(server.hosts, id),
      requests: scenario.requests.map((r) => ({ ...r, credentials: r.credentials })),
    }));
    const results = (await page.evaluate(`(${RUN_IN_PAGE})(${JSON.stringify(input)})`)) as PageResult[][];
    // Chromium reports the console line a moment after the page sees the failure.
    const failures = results.flat().filter((r) => !r.ok).length;
    const deadline = Date.now() + 3000;
    while (total < failures && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    return { results, messages };
  } finally {
    await context.close();
  }
}

export interface RunOptions {
  cases: number;
  seed: number;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  browser?: Browser;
  /** Run these instead of generated ones (probes, regression cases). */
  scenarios?: Scenario[];
  /** Sees what Chromium did in each scenario (probes). */
  observe?: (index: number, observed: Observed[]) => void;
}

/** Generates `cases` scenarios from `seed`, runs them in Chromium and in the model, and lists every difference. */
export async function runConformance(options: RunOptions): Promise<ConformanceReport> {
  const started = Date.now();
  const scenarios = options.scenarios ?? sampleScenarios(options.cases, options.seed);
  const server = await startScenarioServer();
  const browser = options.browser ?? (await launchChromium());
  const disagreements: Disagreement[] = [];
  let requests = 0;
  const batchSize = options.batchSize ?? 40;
  try {
    for (let start = 0; start < scenarios.length; start += batchSize) {
      const batch = scenarios.slice(start, start + batchSize).map((scenario, k) => ({ id: `${options.seed}-${start + k}`, scenario, index: start + k }));
      for (const b of batch) server.register(b.id, b.scenario);
      const { results, messages } = await runBatch(browser, server, batch);
      batch.forEach((b, k) => {
        const predicted = predict(b.scenario, server.hosts, b.id);
        const seen = messages.get(b.id) ?? [];
        const observed: Observed[] = results[k]!.map((r, i) => ({
          allowed: r.ok,
          ...(r.ok ? { status: r.status!, headers: r.headers! } : {}),
          message: r.ok ? '' : seen[results[k]!.slice(0, i).filter((x) => !x.ok).length] ?? '',
        }));
        requests += observed.length;
        options.observe?.(b.index, observed);
        const differ = (what: string, chromium: unknown, model: unknown) => {
          if (!isDeepStrictEqual(chromium, model)) disagreements.push({ index: b.index, scenario: b.scenario, what, chromium, model });
        };
        differ('outcome', observed, predicted.results);
        differ('console lines', seen.length, observed.filter((o) => !o.allowed).length);
        differ('requests on the wire', server.received(b.id), predicted.wire);
        server.forget(b.id);
      });
      options.onProgress?.(Math.min(start + batchSize, scenarios.length), scenarios.length);
    }
  } finally {
    if (!options.browser) await browser.close();
    await server.close();
  }
  return { ran: scenarios.length, requests, disagreements, ms: Date.now() - started };
}

/** A readable account of a disagreement: the scenario and both sides. */
export function describe(d: Disagreement): string {
  return [
    `scenario #${d.index} (${d.what})`,
    `  scenario: ${JSON.stringify(d.scenario)}`,
    `  chromium: ${JSON.stringify(d.chromium)}`,
    `  model:    ${JSON.stringify(d.model)}`,
    `  credentials: ${d.scenario.requests.map(credentialsOf).join(', ')}`,
  ].join('\n');
}
