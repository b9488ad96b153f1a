import { chromiumMimeEssence, isSafelistedContentTypeEssence } from './mime.js';
import { isSafelistedRange } from './range.js';
import type { HeaderList } from './types.js';

/** Fetch #cors-safelisted-method; Chromium uppercases before comparing (cors.cc IsCorsSafelistedMethod). */
export function isSafelistedMethod(method: string): boolean {
  const m = method.length <= 4 ? method.toUpperCase() : method;
  return m === 'GET' || m === 'HEAD' || m === 'POST';
}

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** Fetch #concept-method-normalize: only these six are uppercased; `patch` stays `patch`. */
export function normalizeMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/** Fetch #forbidden-method: the Request constructor and XHR open() throw on these. */
export function isForbiddenMethod(method: string): boolean {
  const u = method.toUpperCase();
  return u === 'CONNECT' || u === 'TRACE' || u === 'TRACK';
}

// Chromium's list (net::HttpUtil::IsSafeHeader and blink's forbidden header names): the Fetch Standard's set plus
// user-agent, which Chromium still refuses from scripts, and access-control-request-private-network.
const FORBIDDEN_REQUEST_HEADERS = new Set([
  'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
  'access-control-request-private-network', 'connection', 'content-length', 'cookie', 'cookie2', 'date', 'dnt',
  'expect', 'host', 'keep-alive', 'origin', 'referer', 'set-cookie', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'user-agent', 'via',
]);
const METHOD_OVERRIDE_HEADERS = new Set(['x-http-method', 'x-http-method-override', 'x-method-override']);

/**
 * Fetch #forbidden-request-header: a script cannot set these (fetch's Headers drops them silently, XHR logs
 * "Refused to set unsafe header"), so they never make a request need a preflight.
 */
export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.has(lower) || lower.startsWith('proxy-') || lower.startsWith('sec-')) return true;
  if (METHOD_OVERRIDE_HEADERS.has(lower)) {
    return value.split(',').some((v) => isForbiddenMethod(v.trim()));
  }
  return false;
}

// Fetch #cors-unsafe-request-header-byte.
function isUnsafeByte(c: number): boolean {
  return (c < 0x20 && c !== 0x09) || c === 0x22 || c === 0x28 || c === 0x29 || c === 0x3a || c === 0x3c || c === 0x3e ||
    c === 0x3f || c === 0x40 || c === 0x5b || c === 0x5c || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x7f;
}

function hasUnsafeByte(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (isUnsafeByte(v.charCodeAt(i))) return true;
  return false;
}

// Accept-Language / Content-Language: 0-9 A-Z a-z SP * , - . ; = only.
function isLanguageValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && c !== 0x20 && c !== 0x2a && c !== 0x2c && c !== 0x2d && c !== 0x2e && c !== 0x3b && c !== 0x3d) return false;
  }
  return true;
}

// 1*DIGIT [ "." 1*DIGIT ]  (cors.cc IsSimilarToDoubleABNF)
const DOUBLE_ABNF = /^[0-9]+(?:\.[0-9]+)?$/;
// 1*DIGIT  (cors.cc IsSimilarToIntABNF)
const INT_ABNF = /^[0-9]+$/;

// net::kEffectiveConnectionType* names.
const ECT_VALUES = new Set(['slow-2g', '2g', '3g', '4g']);

/**
 * Chromium's extra safelisted names beyond the Fetch Standard's five: client hints and `intervention`
 * (services/network/public/cpp/cors/cors.cc IsCorsSafelistedHeader). The sec-ch-* ones are forbidden to scripts
 * anyway; the rest can be set by a page without causing a preflight in Chromium.
 */
const CHROMIUM_EXTRA: ReadonlyMap<string, (value: string) => boolean> = new Map<string, (value: string) => boolean>([
  ['intervention', () => true],
  ['device-memory', (v) => DOUBLE_ABNF.test(v)],
  ['dpr', (v) => DOUBLE_ABNF.test(v)],
  ['width', (v) => INT_ABNF.test(v)],
  ['viewport-width', (v) => INT_ABNF.test(v)],
  ['save-data', (v) => v.toLowerCase() === 'on'],
  ['rtt', (v) => INT_ABNF.test(v)],
  ['downlink', (v) => DOUBLE_ABNF.test(v)],
  ['ect', (v) => ECT_VALUES.has(v)],
]);

/** Names Chromium treats as safelisted that the Fetch Standard does not: doctor mentions the difference. */
export const CHROMIUM_EXTRA_SAFELISTED_NAMES: readonly string[] = [...CHROMIUM_EXTRA.keys()];

/**
 * Fetch #cors-safelisted-request-header as Chromium implements it: a value over 128 bytes is never safelisted; then
 * per-name value rules. `name` may be in any case.
 */
export function isCorsSafelistedHeader(name: string, value: string): boolean {
  if (value.length > 128) return false;
  const lower = name.toLowerCase();
  switch (lower) {
    case 'accept':
      return !hasUnsafeByte(value);
    case 'accept-language':
    case 'content-language':
      return isLanguageValue(value);
    case 'content-type':
      return !hasUnsafeByte(value) && isSafelistedContentTypeEssence(chromiumMimeEssence(value.toLowerCase()));
    case 'range':
      return isSafelistedRange(value);
    default: {
      const rule = CHROMIUM_EXTRA.get(lower);
      return rule !== undefined && rule(value);
    }
  }
}

/**
 * CorsUnsafeNotForbiddenRequestHeaderNames (Chromium cors_util.cc, Fetch #cors-unsafe-request-header-names):
 * lowercased names of the headers that are not safelisted, in header-list order; when the safelisted values add up
 * to more than 1024 bytes, the safelisted names join the list too. Forbidden names are skipped (the browser adds
 * them itself). Not sorted or deduplicated: that happens only for Access-Control-Request-Headers.
 */
export function corsUnsafeRequestHeaderNames(headers: HeaderList): string[] {
  const unsafe: string[] = [];
  let safelisted: string[] | undefined;
  let safelistedSize = 0;
  for (const [name, value] of headers) {
    if (isForbiddenRequestHeader(name, value)) continue;
    const lower = name.toLowerCase();
    if (isCorsSafelistedHeader(lower, value)) {
      (safelisted ??= []).push(lower);
      safelistedSize += value.length;
    } else {
      unsafe.push(lower);
    }
  }
  if (safelistedSize > 1024 && safelisted) unsafe.push(...safelisted);
  return unsafe;
}

/**
 * The Access-Control-Request-Headers value of the preflight: the unsafe names sorted, deduplicated, joined with ","
 * and no space (Fetch #cors-preflight-fetch). undefined when there are none (the header is then not sent).
 */
export function accessControlRequestHeaders(unsafeNames: readonly string[]): string | undefined {
  if (unsafeNames.length === 0) return undefined;
  if (unsafeNames.length === 1) return unsafeNames[0];
  return [...new Set(unsafeNames)].sort().join(',');
}
