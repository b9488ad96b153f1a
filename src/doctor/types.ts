import type { CorsErrorKind, HeaderList } from '../cors/index.js';
import type { InspectReport } from '../server/inspect.js';

/** What the user asks doctor to try: the request a page on `origin` would make. */
export interface DoctorInput {
  readonly url: string;
  readonly origin: string;
  readonly method: string;
  readonly headers: HeaderList;
  readonly credentials: boolean;
  readonly body?: string | undefined;
}

/** Stable identifiers of what went wrong (the `cause` of --json). */
export type CauseId =
  | 'no-options-method'
  /** API Gateway's 403 Forbidden on an execute-api host: no such stage. */
  | 'unknown-stage'
  /** API Gateway's 403 Forbidden on a custom domain: no base path mapping covers the path. */
  | 'unmapped-base-path'
  | 'stale-deployment'
  | 'preflight-missing-allow-origin'
  | 'preflight-status'
  | 'preflight-redirect'
  | 'lambda-missing-cors-headers'
  | 'gateway-error-without-cors'
  | 'missing-allow-origin'
  | 'origin-mismatch'
  | 'duplicate-allow-origin'
  | 'multiple-allow-origin-values'
  | 'invalid-allow-origin'
  | 'credentials-with-wildcard'
  | 'missing-allow-credentials'
  | 'method-not-allowed'
  | 'header-not-allowed'
  | 'invalid-allow-methods'
  | 'invalid-allow-headers'
  | 'redirect-with-credentials'
  | 'cors-disabled-scheme'
  | 'network-error'
  /** HAR only: the browser failed the request but the file holds no response to explain it. */
  | 'response-not-recorded';

export type FixTarget = 'rest-api' | 'http-api' | 'lambda' | 'server' | 'request';

export interface Fix {
  readonly target: FixTarget;
  readonly text: string;
  /** A command that applies it, when there is one. */
  readonly command?: string;
}

export interface Warning {
  readonly id: 'authorization-covered-by-wildcard' | 'undeployed-changes' | 'wildcard-origin';
  readonly text: string;
  readonly fix?: Fix;
}

/** Who answers the URL, as far as doctor can tell. */
export interface Platform {
  readonly kind: 'aws-rest' | 'aws-http' | 'local-rest' | 'local-http' | 'unknown';
  readonly apiId?: string;
  /** REST API stage (first path segment), or HTTP API named stage when known. */
  readonly stage?: string;
  /** The resource path under the stage, e.g. /users. */
  readonly resourcePath?: string;
  /** Base URL of the local emulator when the URL is served by one. */
  readonly localBase?: string;
  readonly inspection?: InspectReport;
}

export interface TraceStep {
  readonly question: string;
  readonly answer: string;
  readonly ok: boolean;
}

export interface ExchangeView {
  readonly purpose: 'preflight' | 'actual';
  readonly request: { readonly method: string; readonly url: string; readonly headers: Record<string, string> };
  readonly response: { readonly status: number; readonly headers: Record<string, string> };
}

/** The single document `--json` prints, and what the text output is rendered from. */
export interface DoctorReport {
  readonly request: { url: string; origin: string; method: string; headers: Record<string, string>; credentials: 'include' | 'same-origin' };
  readonly exchanges: readonly ExchangeView[];
  readonly verdict: 'allowed' | 'blocked';
  readonly chromiumMessage: string | null;
  readonly corsError: CorsErrorKind | null;
  readonly cause: CauseId | null;
  /** The cause in plain words. */
  readonly explanation: string;
  readonly fixes: readonly Fix[];
  readonly warnings: readonly Warning[];
  readonly trace: readonly TraceStep[];
  readonly platform: Platform['kind'];
  readonly inspection: InspectReport | null;
  /** Headers the page can read, when allowed. */
  readonly readableHeaders: Record<string, string> | null;
}

/** A failure that is not CORS: bad input (exit 2) or the network (exit 2). */
export class DoctorError extends Error {
  constructor(
    message: string,
    readonly kind: 'usage' | 'network',
    readonly code?: string,
  ) {
    super(message);
  }
}
