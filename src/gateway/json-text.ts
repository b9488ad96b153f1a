/**
 * Pieces for writing the Lambda events as JSON text directly, byte for byte what JSON.stringify would write for the
 * object (src/gateway/rest/lambda-proxy.ts, src/gateway/http/payload.ts; property-tested against JSON.stringify).
 */

// What JSON.stringify escapes in a string: quotes, backslashes, control characters, lone surrogates.
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

/** JSON.stringify for a string, at half the cost for the common case of one with nothing to escape. */
export function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;

/**
 * Whether an object would not keep this key in insertion order, or not as an ordinary key: array-index-like names
 * come first in an object's key order, and `__proto__` is special in object literals. The direct writers leave
 * such maps to JSON.stringify.
 */
export function reordersKey(key: string): boolean {
  return key === '__proto__' || INDEX_LIKE.test(key);
}
