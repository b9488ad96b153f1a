/**
 * Origins as strings, the way Chromium compares them: the ASCII serialization `scheme://host[:port]` with the
 * default port dropped. Parsing a URL costs about a microsecond, so the common http(s) shapes are read by hand and
 * everything else goes through the WHATWG URL parser.
 */

const SIMPLE = /^(https?):\/\/([a-z0-9.-]+)(?::([0-9]{1,5}))?(?:[/?#]|$)/;

const memo = new Map<string, string>();

/** The serialized origin of an absolute URL, or 'null' for opaque origins and unparsable input. */
export function originOf(url: string): string {
  let o = memo.get(url);
  if (o === undefined) {
    o = computeOrigin(url);
    if (memo.size >= 4096) memo.clear();
    memo.set(url, o);
  }
  return o;
}

function computeOrigin(url: string): string {
  const m = SIMPLE.exec(url);
  if (m) {
    const scheme = m[1]!;
    const port = m[3];
    if (port === undefined) return `${scheme}://${m[2]}`;
    const n = Number(port);
    if (n > 65535) return 'null';
    if ((scheme === 'http' && n === 80) || (scheme === 'https' && n === 443)) return `${scheme}://${m[2]}`;
    return `${scheme}://${m[2]}:${n}`;
  }
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

export function sameOrigin(a: string, b: string): boolean {
  const oa = originOf(a);
  return oa !== 'null' && oa === originOf(b);
}

/** Whether a URL carries a username or password (Fetch #include-credentials). */
export function urlHasCredentials(url: string): boolean {
  const scheme = url.indexOf('://');
  if (scheme === -1) return false;
  const end = url.slice(scheme + 3).search(/[/?#]/);
  const authority = end === -1 ? url.slice(scheme + 3) : url.slice(scheme + 3, scheme + 3 + end);
  return authority.includes('@');
}
