import type { HeaderList } from '../types.js';
import type { CompiledCors } from './compile.js';

/** Whether an Origin is allowed by the API's CorsConfiguration; returns the value for Access-Control-Allow-Origin. */
export function allowedOrigin(cors: CompiledCors, origin: string): string | undefined {
  const lower = origin.toLowerCase();
  if (cors.origins.has(lower)) return origin;
  // Scheme wildcards https://* and http://* are documented (http-api-cors, current page); the only matching origin
  // is echoed, never the whole list.
  if (cors.patterns.some((p) => p.test(lower))) return origin;
  if (cors.anyOrigin) return '*';
  return undefined;
}

/**
 * The gateway's own answer to a CORS preflight (AGDG http-api-cors: "API Gateway automatically sends a response to
 * preflight OPTIONS requests"): 204 with the configured Access-Control-Allow-* headers when the origin is allowed,
 * without any when it is not. The 204, the comma-joined lists and "no headers for a foreign origin" are UNCERTAIN
 * (no AWS capture of a preflight found; floci PR #1955 reports 204).
 */
export function preflightResponse(cors: CompiledCors, origin: string): { status: number; headers: HeaderList } {
  const headers: HeaderList = [];
  const allow = allowedOrigin(cors, origin);
  if (allow !== undefined) {
    const c = cors.config;
    headers.push(['access-control-allow-origin', allow]);
    if (allow !== '*') headers.push(['vary', 'origin']);
    if (c.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (c.allowMethods?.length) headers.push(['access-control-allow-methods', c.allowMethods.join(',')]);
    if (c.allowHeaders?.length) headers.push(['access-control-allow-headers', c.allowHeaders.join(',')]);
    if (c.exposeHeaders?.length) headers.push(['access-control-expose-headers', c.exposeHeaders.join(',')]);
    if (c.maxAge !== undefined && c.maxAge >= 0) headers.push(['access-control-max-age', String(c.maxAge)]);
  }
  return { status: 204, headers };
}

/**
 * Response headers for a CORS request: the integration's own Access-Control-* headers are dropped ("API Gateway
 * ignores CORS headers returned from your backend integration"), the configured ones added when the origin is allowed.
 */
export function applyCors(cors: CompiledCors, origin: string | undefined, headers: HeaderList): HeaderList {
  const out = headers.filter(([k]) => !k.toLowerCase().startsWith('access-control-'));
  if (origin === undefined) return out;
  const allow = allowedOrigin(cors, origin);
  if (allow === undefined) return out;
  // Order and lower-case names as a real capture shows them: allow-origin, vary: origin, allow-credentials
  // (a 401 behind an HTTP API with two allowed origins; see /work/shared research notes, http-api §2.2).
  out.push(['access-control-allow-origin', allow]);
  if (allow !== '*') out.push(['vary', 'origin']);
  if (cors.config.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (cors.config.exposeHeaders?.length) out.push(['access-control-expose-headers', cors.config.exposeHeaders.join(',')]);
  return out;
}
