import { browserRequest, isForbiddenRequestHeader, originOf, simulate, type HttpResponse, type WireRequest } from '../cors/index.js';
import { platformFromUrl, refineFromResponses } from './platform.js';
import { buildReport } from './report.js';
import { DoctorError, type DoctorInput, type DoctorReport } from './types.js';

interface HarHeader {
  name: string;
  value: string;
}

interface HarEntry {
  startedDateTime?: string;
  request: { method: string; url: string; headers: HarHeader[]; postData?: { text?: string } };
  response: { status: number; headers: HarHeader[]; redirectURL?: string };
  _resourceType?: string;
}

export interface HarDiagnosis {
  /** Index of the entry in the HAR's log.entries. */
  entry: number;
  report: DoctorReport;
  /** What doctor had to assume because the HAR does not record it. */
  assumptions: string[];
}

function headerOf(headers: readonly HarHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

function toList(headers: readonly HarHeader[]): [string, string][] {
  return headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value]);
}

/** Reads a HAR document; anything that is not one is a usage error with a clear message. */
export function parseHar(text: string, file: string): HarEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DoctorError(`${file} is not JSON (${(e as Error).message}). Export it from Chrome DevTools: Network panel → "Export HAR…".`, 'usage');
  }
  const entries = (doc as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new DoctorError(`${file} is JSON but not a HAR file: it has no log.entries list.`, 'usage');
  return entries.filter((e): e is HarEntry => {
    const x = e as Partial<HarEntry> | null;
    return !!x && typeof x.request?.url === 'string' && typeof x.request.method === 'string' && Array.isArray(x.request.headers) && !!x.response && Array.isArray(x.response.headers);
  });
}

function isPreflight(e: HarEntry): boolean {
  return e.request.method === 'OPTIONS' && headerOf(e.request.headers, 'access-control-request-method') !== undefined;
}

// Request headers the browser adds itself; the page's own ones are what is left.
const BROWSER_ADDED = new Set(['accept-encoding', 'accept-language', 'cache-control', 'pragma', 'priority', 'user-agent', 'referer', 'origin', 'host', 'connection', 'content-length', 'cookie']);

/**
 * Diagnoses every cross-origin request in a HAR: each request that carried an Origin other than its URL's, with the
 * preflight recorded just before it (if any), replayed through the model with the recorded responses.
 */
export function diagnoseHar(text: string, file: string): HarDiagnosis[] {
  const entries = parseHar(text, file);
  const out: HarDiagnosis[] = [];
  const usedPreflights = new Set<number>();
  entries.forEach((entry, index) => {
    if (isPreflight(entry)) return;
    // DevTools records the wire headers (Origin included); Playwright's recorder only the page's, so fall back on
    // the Referer's origin to tell a cross-origin request.
    const referer = headerOf(entry.request.headers, 'referer');
    const origin = headerOf(entry.request.headers, 'origin') ?? (referer ? originOf(referer) : undefined);
    if (!origin || origin === 'null' || originOf(entry.request.url) === origin) return;
    // Redirect hops after the first are diagnosed as part of the chain that led to them.
    if (entries.slice(0, index).some((e) => e.response.redirectURL && new URL(e.response.redirectURL, e.request.url).href === entry.request.url)) return;
    const assumptions: string[] = [];
    const preflightIndex = entries.findIndex((e, i) => !usedPreflights.has(i) && isPreflight(e) && e.request.url === entry.request.url && headerOf(e.request.headers, 'origin') === origin);
    if (preflightIndex !== -1) usedPreflights.add(preflightIndex);
    const cookie = headerOf(entry.request.headers, 'cookie') !== undefined;
    if (!cookie) assumptions.push("credentials mode: the HAR does not record it; assumed fetch's default 'same-origin' (no cookie was sent)");
    else assumptions.push("credentials mode: a Cookie header was sent cross-origin, so credentials 'include'");
    const pageHeaders = toList(entry.request.headers).filter(([n, v]) => !BROWSER_ADDED.has(n.toLowerCase()) && !isForbiddenRequestHeader(n, v));
    const input: DoctorInput = {
      url: entry.request.url,
      origin,
      method: entry.request.method,
      headers: pageHeaders,
      credentials: cookie,
      body: entry.request.postData?.text,
    };
    const request = browserRequest({ initiator: 'fetch', url: input.url, method: input.method, headers: input.headers, body: input.body, credentials: cookie ? 'include' : 'same-origin' });
    if (!(entry.response.status > 0) && entry.response.headers.length === 0) {
      const outcome = { allowed: false, exchanges: [], preflights: 0, url: entry.request.url, authorizationCoveredByWildcard: false };
      const report = buildReport(input, request, outcome, platformFromUrl(input.url));
      out.push({
        entry: index,
        report: {
          ...report,
          cause: 'response-not-recorded',
          explanation: 'The browser failed this request, but the HAR holds no response for it (Playwright-style HARs leave blocked responses out). Export the HAR from Chrome DevTools (Network → Export HAR…), or run preflight doctor on the URL.',
          fixes: [],
          chromiumMessage: null,
        },
        assumptions,
      });
      return;
    }
    const chain: HarEntry[] = [entry];
    for (let e = entry; e.response.redirectURL; ) {
      const next = new URL(e.response.redirectURL, e.request.url).href;
      const found = entries.find((x, i) => i > entries.indexOf(e) && !isPreflight(x) && x.request.url === next);
      if (!found) break;
      chain.push(found);
      e = found;
    }
    const recorded = (purpose: WireRequest['purpose'], url: string): HttpResponse | undefined => {
      if (purpose === 'preflight') {
        const p = entries.find((e, i) => isPreflight(e) && e.request.url === url && (i === preflightIndex || !usedPreflights.has(i)));
        return p ? { status: p.response.status, headers: toList(p.response.headers) } : undefined;
      }
      const hop = chain.find((e) => e.request.url === url);
      return hop ? { status: hop.response.status, headers: toList(hop.response.headers) } : undefined;
    };
    const outcome = simulate(
      request,
      (req) => {
        const r = recorded(req.purpose, req.url);
        if (r && r.status > 0) return r;
        if (req.purpose === 'preflight') {
          // The browser sent the actual request, so its preflight passed (or came from the preflight cache).
          assumptions.push('the preflight is not in the HAR (answered from the preflight cache, or not exported); assumed it passed, since the request was sent');
          const acrh = req.headers.find(([n]) => n.toLowerCase() === 'access-control-request-headers')?.[1];
          return {
            status: 204,
            headers: [
              ['Access-Control-Allow-Origin', origin],
              ['Access-Control-Allow-Credentials', 'true'],
              ['Access-Control-Allow-Methods', req.headers.find(([n]) => n.toLowerCase() === 'access-control-request-method')?.[1] ?? 'GET'],
              ...(acrh ? [['Access-Control-Allow-Headers', acrh] as [string, string]] : []),
            ],
          };
        }
        assumptions.push(`no response headers recorded for ${req.method} ${req.url}`);
        return { status: 0, headers: [] };
      },
      { origin },
    );
    const platform = refineFromResponses(platformFromUrl(input.url), outcome.exchanges.map((e) => e.response));
    out.push({ entry: index, report: buildReport(input, request, outcome, platform), assumptions: [...new Set(assumptions)] });
  });
  return out;
}
