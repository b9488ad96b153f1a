import { normalizedHeader } from './headers.js';
import type { CorsError, CorsErrorKind, CredentialsMode, HeaderList } from './types.js';

/**
 * Whether Chromium's GURL would call an Access-Control-Allow-Origin value a valid URL; it decides between "invalid
 * value" and "not equal" in the message. The WHATWG parser agrees with GURL on the values servers really send
 * (`example.com` and `http://` invalid, `https://app.example.com/` valid).
 */
function isValidUrl(value: string): boolean {
  return URL.canParse(value);
}

/**
 * Fetch #cors-check as Chromium's network::cors::CheckAccess orders it, on a response's own headers:
 * `*` (refused only with credentials) → missing → not equal to the origin (with a space or comma: "multiple values";
 * `null`: mismatch; not a URL: "invalid value"; else mismatch) → with credentials, ACAC must be exactly `true`.
 * `origin` is the serialized request origin, 'null' once a redirect tainted it.
 */
export function checkAccess(headers: HeaderList, credentials: CredentialsMode, origin: string): CorsError | null {
  return checkAccessValues(
    normalizedHeader(headers, 'access-control-allow-origin'),
    normalizedHeader(headers, 'access-control-allow-credentials'),
    credentials,
    origin,
  );
}

export function checkAccessValues(
  acao: string | undefined,
  acac: string | undefined,
  credentials: CredentialsMode,
  origin: string,
): CorsError | null {
  if (acao === '*') {
    if (credentials !== 'include') return null;
    return { kind: 'WildcardOriginNotAllowed', hint: '' };
  }
  if (acao === undefined) return { kind: 'MissingAllowOriginHeader', hint: '' };
  if (acao !== origin) {
    if (acao.includes(' ') || acao.includes(',')) return { kind: 'MultipleAllowOriginValues', hint: acao };
    if (acao === 'null') return { kind: 'AllowOriginMismatch', hint: acao };
    if (!isValidUrl(acao)) return { kind: 'InvalidAllowOriginValue', hint: acao };
    return { kind: 'AllowOriginMismatch', hint: acao };
  }
  if (credentials === 'include' && acac !== 'true') return { kind: 'InvalidAllowCredentials', hint: acac ?? '' };
  return null;
}

const PREFLIGHT_KIND: Readonly<Partial<Record<CorsErrorKind, CorsErrorKind>>> = {
  WildcardOriginNotAllowed: 'PreflightWildcardOriginNotAllowed',
  MissingAllowOriginHeader: 'PreflightMissingAllowOriginHeader',
  MultipleAllowOriginValues: 'PreflightMultipleAllowOriginValues',
  InvalidAllowOriginValue: 'PreflightInvalidAllowOriginValue',
  AllowOriginMismatch: 'PreflightAllowOriginMismatch',
  InvalidAllowCredentials: 'PreflightInvalidAllowCredentials',
};

/** The same check on a preflight response, reported as the kPreflight* variant (cors.cc CheckPreflightAccess). */
export function checkPreflightAccess(headers: HeaderList, credentials: CredentialsMode, origin: string): CorsError | null {
  const e = checkAccess(headers, credentials, origin);
  return e ? { kind: PREFLIGHT_KIND[e.kind] ?? e.kind, hint: e.hint } : null;
}
