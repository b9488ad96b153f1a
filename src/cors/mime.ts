import { isToken } from './headers.js';

const SAFELISTED_ESSENCES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

// Fetch's HTTP whitespace: HT, LF, CR, SP.
function isHttpWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The essence of a Content-Type request value by the Fetch Standard's strict "parse a MIME type"
 * (#parse-a-mime-type): outer HTTP whitespace removed; the type is everything before '/', the subtype everything
 * before ';' with trailing whitespace removed; both must be non-empty HTTP tokens. Parameters cannot make it fail.
 * Chromium 156 agrees (measured by test/conformance: `text /plain` and `text/plain,` need a preflight,
 * `text/plain;garbage` does not), unlike older Chromium which trimmed around the '/'. Lowercased, or undefined.
 */
export function chromiumMimeEssence(value: string): string | undefined {
  let a = 0;
  let b = value.length;
  while (a < b && isHttpWhitespace(value.charCodeAt(a))) a++;
  while (b > a && isHttpWhitespace(value.charCodeAt(b - 1))) b--;
  const slash = value.indexOf('/', a);
  if (slash === -1 || slash >= b) return undefined;
  const type = value.slice(a, slash);
  const semi = value.indexOf(';', slash + 1);
  let end = semi === -1 || semi > b ? b : semi;
  while (end > slash + 1 && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  const subtype = value.slice(slash + 1, end);
  if (!isToken(type) || !isToken(subtype)) return undefined;
  return `${type}/${subtype}`.toLowerCase();
}

export function isSafelistedContentTypeEssence(essence: string | undefined): boolean {
  return essence !== undefined && SAFELISTED_ESSENCES.has(essence);
}
