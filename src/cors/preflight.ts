import { checkPreflightAccess } from './access.js';
import { isToken, normalizedHeader } from './headers.js';
import { corsUnsafeRequestHeaderNames, isSafelistedMethod } from './safelist.js';
import type { CorsError, CredentialsMode, HeaderList, HttpResponse } from './types.js';

/** Chromium preflight_result.cc: no Access-Control-Max-Age → 5 s; at most 2 hours. */
export const DEFAULT_MAX_AGE_SECONDS = 5;
export const MAX_AGE_CAP_SECONDS = 7200;

/**
 * What the installed browser does where Chromium has switches. Both measured in Debian's Chromium 156 by
 * test/conformance (see the notes there):
 * - `wildcardCoversAuthorization`: the Fetch Standard says `Access-Control-Allow-Headers: *` never covers
 *   `Authorization`; this Chromium lets it through (NonWildcardRequestHeadersSupport off).
 * - `methodSpecConformant`: whether the method is matched as sent (`patch` must be listed as `patch`) or
 *   uppercased first (crbug.com/1228178).
 */
export interface BrowserQuirks {
  readonly wildcardCoversAuthorization: boolean;
  readonly methodSpecConformant: boolean;
  /** Whether a redirect to another origin drops the Authorization header (Fetch #http-redirect-fetch). */
  readonly dropAuthorizationCrossOrigin: boolean;
}

export const CHROMIUM_156: BrowserQuirks = { wildcardCoversAuthorization: true, methodSpecConformant: true, dropAuthorizationCrossOrigin: true };

/** A successful preflight, as Chromium keeps it (PreflightResult). */
export interface PreflightResult {
  /** Allowed methods, case kept. */
  readonly methods: ReadonlySet<string>;
  /** Allowed header names, lowercased. */
  readonly headers: ReadonlySet<string>;
  /** Made for a credentialed request: a `*` then means the literal name `*`. */
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

/**
 * Access-Control-Max-Age as Chromium reads it: base::StringToInt64 on the whole value (so `10.5`, `1e3`, `5, 5`
 * and out-of-range numbers are malformed → 5 s); negative → 0 (not cached); capped at 7200.
 */
export function parseMaxAge(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_AGE_SECONDS;
  if (!/^[+-]?[0-9]+$/.test(value)) return DEFAULT_MAX_AGE_SECONDS;
  const n = BigInt(value);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return DEFAULT_MAX_AGE_SECONDS;
  if (n < 0n) return 0;
  return n >= BigInt(MAX_AGE_CAP_SECONDS) ? MAX_AGE_CAP_SECONDS : Number(n);
}

/**
 * Access-Control-Allow-Methods / -Headers (Chromium ParseAccessControlAllowList): split on ',' with empty items
 * skipped and whitespace trimmed; every item must be an HTTP token, else the whole header is unparsable.
 * Absent → empty set. Returns null when unparsable.
 */
export function parseAllowList(value: string | undefined, lowercase: boolean): Set<string> | null {
  const out = new Set<string>();
  if (value === undefined) return out;
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (!isToken(item)) return null;
    out.add(lowercase ? item.toLowerCase() : item);
  }
  return out;
}

export type PreflightOutcome =
  | { readonly ok: true; readonly result: PreflightResult; readonly authorizationCoveredByWildcard: boolean }
  | { readonly ok: false; readonly error: CorsError };

/** A request the preflight is about: what the actual request will carry. */
export interface PreflightSubject {
  readonly method: string;
  readonly headers: HeaderList;
  readonly credentials: CredentialsMode;
}

/**
 * Chromium's order for a preflight response (preflight_controller.cc): a redirect fails at once; then the
 * ACAO/ACAC check against the actual request's credentials mode; then the status must be 2xx; then
 * Allow-Methods, then Allow-Headers must parse; Max-Age; then the method check, then the header check.
 * `redirected` is whether the response was a redirect (3xx with a Location the browser would follow).
 */
export function checkPreflightResponse(
  response: HttpResponse,
  redirected: boolean,
  subject: PreflightSubject,
  origin: string,
  quirks: BrowserQuirks = CHROMIUM_156,
): PreflightOutcome {
  if (redirected) return { ok: false, error: { kind: 'PreflightDisallowedRedirect', hint: '' } };
  const access = checkPreflightAccess(response.headers, subject.credentials, origin);
  if (access) return { ok: false, error: access };
  if (response.status < 200 || response.status > 299) return { ok: false, error: { kind: 'PreflightInvalidStatus', hint: '' } };
  const methods = parseAllowList(normalizedHeader(response.headers, 'access-control-allow-methods'), false);
  if (!methods) return { ok: false, error: { kind: 'InvalidAllowMethodsPreflightResponse', hint: '' } };
  const headers = parseAllowList(normalizedHeader(response.headers, 'access-control-allow-headers'), true);
  if (!headers) return { ok: false, error: { kind: 'InvalidAllowHeadersPreflightResponse', hint: '' } };
  const result: PreflightResult = {
    methods,
    headers,
    credentials: subject.credentials === 'include',
    maxAgeSeconds: parseMaxAge(normalizedHeader(response.headers, 'access-control-max-age')),
  };
  const methodError = methodAllowed(result, subject.method, quirks);
  if (methodError) return { ok: false, error: methodError };
  const headerCheck = headersAllowed(result, subject.headers, quirks);
  if (headerCheck.error) return { ok: false, error: headerCheck.error };
  return { ok: true, result, authorizationCoveredByWildcard: headerCheck.authorizationByWildcard };
}

/** PreflightResult::EnsureAllowedCrossOriginMethod. */
export function methodAllowed(result: PreflightResult, method: string, quirks: BrowserQuirks = CHROMIUM_156): CorsError | null {
  const m = quirks.methodSpecConformant ? method : method.toUpperCase();
  if (result.methods.has(m) || isSafelistedMethod(m)) return null;
  if (!result.credentials && result.methods.has('*')) return null;
  return { kind: 'MethodDisallowedByPreflightResponse', hint: method };
}

/**
 * PreflightResult::EnsureAllowedCrossOriginHeaders: `*` without credentials allows every name (Authorization too in
 * the installed Chromium; the Fetch Standard excepts it); otherwise the first unsafe name, in request header order,
 * that is not listed is reported.
 */
export function headersAllowed(
  result: PreflightResult,
  headers: HeaderList,
  quirks: BrowserQuirks = CHROMIUM_156,
): { error: CorsError | null; authorizationByWildcard: boolean } {
  if (!result.credentials && result.headers.has('*')) {
    const hasAuthorization = headers.some(([n]) => n.toLowerCase() === 'authorization');
    const byWildcard = hasAuthorization && !result.headers.has('authorization');
    if (byWildcard && !quirks.wildcardCoversAuthorization) {
      return { error: { kind: 'HeaderDisallowedByPreflightResponse', hint: 'authorization' }, authorizationByWildcard: true };
    }
    return { error: null, authorizationByWildcard: byWildcard };
  }
  for (const name of corsUnsafeRequestHeaderNames(headers)) {
    if (!result.headers.has(name)) return { error: { kind: 'HeaderDisallowedByPreflightResponse', hint: name }, authorizationByWildcard: false };
  }
  return { error: null, authorizationByWildcard: false };
}
