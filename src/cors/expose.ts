import { normalizedHeader, trimOws } from './headers.js';
import type { CredentialsMode, HeaderList } from './types.js';

/** Fetch #cors-safelisted-response-header-name (Content-Length included, as in the current standard and Chromium). */
const SAFELISTED_RESPONSE = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);
/** Fetch #forbidden-response-header-name: never readable by a page. */
const FORBIDDEN_RESPONSE = new Set(['set-cookie', 'set-cookie2']);

/**
 * Access-Control-Expose-Headers as Blink reads it: split on ',', trimmed, empty items dropped, compared
 * case-insensitively. Items are not validated: one that is not a header name simply matches nothing.
 */
export function parseExposeHeaders(value: string | undefined): Set<string> {
  const out = new Set<string>();
  if (value === undefined) return out;
  for (const raw of value.split(',')) {
    const item = trimOws(raw).toLowerCase();
    if (item !== '') out.add(item);
  }
  return out;
}

/**
 * The headers a page can read from a CORS response (Fetch "CORS filtered response"): the safelisted ones and the
 * exposed ones; `*` exposes every name but only without credentials; Set-Cookie never. Names lowercased and sorted,
 * repeated fields joined with ", " as `Headers` and `getAllResponseHeaders()` show them.
 */
export function exposedHeaders(headers: HeaderList, credentials: CredentialsMode): Map<string, string> {
  const exposed = parseExposeHeaders(normalizedHeader(headers, 'access-control-expose-headers'));
  const all = credentials !== 'include' && exposed.has('*');
  const out = new Map<string, string>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_RESPONSE.has(lower)) continue;
    if (!all && !SAFELISTED_RESPONSE.has(lower) && !exposed.has(lower)) continue;
    const v = trimOws(value);
    const prior = out.get(lower);
    out.set(lower, prior === undefined ? v : `${prior}, ${v}`);
  }
  return new Map([...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
