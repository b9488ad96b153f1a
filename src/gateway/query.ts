/**
 * Query strings decoded as API Gateway decodes them for REST events: form encoding ('+' is a space), pairs kept
 * in order (LocalStack AWS-validated snapshot test_apigateway_lambda test_lambda_aws_proxy_integration).
 */
export function parseQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  const out: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq === -1 ? part : part.slice(0, eq);
    const v = eq === -1 ? '' : part.slice(eq + 1);
    out.push([formDecode(k), formDecode(v)]);
  }
  return out;
}

export function formDecode(s: string): string {
  const plus = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    // A malformed escape (e.g. '%zz') is passed through as written rather than failing the request.
    return plus.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
}

/** Single-value map (the last value of a repeated key wins) and multi-value map, null when there is no query. */
export function queryMaps(pairs: [string, string][]): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if (pairs.length === 0) return { single: null, multi: null };
  // No prototype: a key named constructor, toString or __proto__ is data like any other (with {} the first two
  // found Object.prototype's members, and a request with ?constructor=1 failed with 500).
  const single: Record<string, string> = Object.create(null) as Record<string, string>;
  const multi: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of pairs) {
    single[k] = v;
    (multi[k] ??= []).push(v);
  }
  return { single, multi };
}
