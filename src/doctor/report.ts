import { browserRequest, CorsFetch, PreflightCache, type BrowserRequest, type CorsOutcome, type HeaderList } from '../cors/index.js';
import { diagnose } from './diagnose.js';
import type { DoctorInput, DoctorReport, ExchangeView, Platform } from './types.js';

export function headerRecord(headers: HeaderList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) out[k] = k in out ? `${out[k]}, ${v}` : v;
  return out;
}

export function requestFor(input: DoctorInput): BrowserRequest {
  return browserRequest({
    initiator: 'fetch',
    url: input.url,
    method: input.method,
    headers: input.headers,
    body: input.body,
    credentials: input.credentials ? 'include' : 'same-origin',
  });
}

export function newCorsFetch(request: BrowserRequest, origin: string): CorsFetch {
  return new CorsFetch(request, { origin, cache: new PreflightCache(), now: 0 });
}

/** Assembles the one document doctor prints (text is rendered from it). */
export function buildReport(input: DoctorInput, request: BrowserRequest, outcome: CorsOutcome, platform: Platform): DoctorReport {
  const d = diagnose(request, outcome, platform, input.origin);
  const exchanges: ExchangeView[] = outcome.exchanges.map((e) => ({
    purpose: e.request.purpose,
    request: { method: e.request.method, url: e.request.url, headers: headerRecord(e.request.headers) },
    response: { status: e.response.status, headers: headerRecord(e.response.headers) },
  }));
  return {
    request: { url: input.url, origin: input.origin, method: request.method, headers: headerRecord(request.headers), credentials: input.credentials ? 'include' : 'same-origin' },
    exchanges,
    verdict: outcome.allowed ? 'allowed' : 'blocked',
    chromiumMessage: outcome.allowed ? null : (outcome.message ?? null),
    corsError: outcome.error?.kind ?? null,
    cause: d.cause,
    explanation: d.explanation,
    fixes: d.fixes,
    warnings: d.warnings,
    trace: d.trace,
    platform: platform.kind,
    inspection: platform.inspection ?? null,
    readableHeaders: outcome.exposed ? Object.fromEntries(outcome.exposed) : null,
  };
}
