import { sameOrigin, type HttpResponse } from '../cors/index.js';
import { send } from './network.js';
import { inspectLocal, platformFromUrl, refineFromResponses } from './platform.js';
import { buildReport, newCorsFetch, requestFor } from './report.js';
import type { DoctorInput, DoctorReport } from './types.js';

export interface LiveOptions {
  timeoutMs?: number;
}

/**
 * Probes a URL as Chromium would from a page on `input.origin`: the preflight (if Chromium would send one), the
 * actual request, redirects, each checked on arrival, then explains the outcome. Network failures throw a
 * DoctorError of kind 'network'.
 */
export async function runDoctor(input: DoctorInput, options: LiveOptions = {}): Promise<DoctorReport> {
  const request = requestFor(input);
  let platform = platformFromUrl(input.url);
  const inspection = platform.localBase ? inspectLocal(platform, request.method) : undefined;
  const fetcher = newCorsFetch(request, input.origin);
  const responses: HttpResponse[] = [];
  let step = fetcher.start();
  while (!step.done) {
    const response = await send(step.request, input.body, options.timeoutMs);
    responses.push(response);
    step = fetcher.receive(response);
  }
  platform = refineFromResponses(inspection ? await inspection : platform, responses);
  return buildReport(input, request, step.outcome, platform);
}

export function isSameOriginProbe(input: DoctorInput): boolean {
  return sameOrigin(input.url, input.origin);
}
