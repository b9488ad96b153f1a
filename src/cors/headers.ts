import type { HeaderList } from './types.js';

/**
 * The value Chromium reads for a response header (net::HttpResponseHeaders::GetNormalizedHeader): every field of
 * that name, case-insensitively, joined with ", ". undefined when there is none. The HTTP parser already dropped the
 * whitespace around each value, so we trim it the same way here for header lists that did not come off the wire.
 */
export function normalizedHeader(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  let out: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (h[0].length !== lower.length || h[0].toLowerCase() !== lower) continue;
    const v = trimOws(h[1]);
    out = out === undefined ? v : `${out}, ${v}`;
  }
  return out;
}

export function hasHeader(headers: HeaderList, name: string): boolean {
  const lower = name.toLowerCase();
  for (const h of headers) if (h[0].toLowerCase() === lower) return true;
  return false;
}

/** Strips HTTP optional whitespace (SP, HT) from both ends, as an HTTP/1.1 parser does for field values. */
export function trimOws(v: string): string {
  let s = 0;
  let e = v.length;
  while (s < e && (v.charCodeAt(s) === 0x20 || v.charCodeAt(s) === 0x09)) s++;
  while (e > s && (v.charCodeAt(e - 1) === 0x20 || v.charCodeAt(e - 1) === 0x09)) e--;
  return s === 0 && e === v.length ? v : v.slice(s, e);
}

// RFC 9110 tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const TCHAR = (() => {
  const t = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~") t[c.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** net::HttpUtil::IsToken: non-empty and only tchar. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}
