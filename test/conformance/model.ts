// The model's prediction for a scenario: the pure src/cors engine driven against the scenario's server function.
import { browserRequest, PreflightCache, simulate, type CorsOutcome } from '../../src/cors/index.js';
import { credentialsOf, respond, scenarioUrl, type Hosts, type Scenario } from './scenario.js';

export interface Observed {
  allowed: boolean;
  status?: number;
  /** The CORS console line, '' when none. */
  message: string;
  /** Readable response headers (lowercased names), when allowed. */
  headers?: Record<string, string>;
}

export interface WireRecord {
  method: string;
  url: string;
  origin: string | null;
  acrm: string | null;
  acrh: string | null;
}

export interface Prediction {
  results: Observed[];
  wire: WireRecord[];
  outcomes: CorsOutcome[];
}

export function predict(scenario: Scenario, hosts: Hosts, id: string): Prediction {
  const cache = new PreflightCache();
  const url = scenarioUrl(hosts, id);
  const results: Observed[] = [];
  const wire: WireRecord[] = [];
  const outcomes: CorsOutcome[] = [];
  for (const r of scenario.requests) {
    const request = browserRequest({
      initiator: r.initiator,
      url,
      method: r.method,
      headers: r.headers,
      body: r.body ?? undefined,
      credentials: credentialsOf(r),
      uploadListeners: r.uploadListeners,
    });
    const outcome = simulate(
      request,
      (req) => {
        const get = (n: string) => req.headers.find(([k]) => k.toLowerCase() === n)?.[1] ?? null;
        wire.push({ method: req.method, url: req.url, origin: get('origin'), acrm: get('access-control-request-method'), acrh: get('access-control-request-headers') });
        return respond(scenario, hosts, id, req);
      },
      { origin: hosts.page, cache, now: 0 },
    );
    outcomes.push(outcome);
    results.push(
      outcome.allowed
        ? { allowed: true, status: outcome.response!.status, message: '', headers: Object.fromEntries(outcome.exposed!) }
        : { allowed: false, message: outcome.message ?? '' },
    );
  }
  return { results, wire, outcomes };
}
