import type { Method, MethodResponse } from '../model/restapi.js';
import { badRequest } from './errors.js';

/**
 * The right-hand side of a parameter mapping (`responseParameters`, `requestParameters`), parsed once.
 * Static values are single-quoted literals: `'*'`, `'GET,OPTIONS'`.
 */
export type MappingSource =
  | { kind: 'static'; value: string }
  | { kind: 'method.request'; location: 'path' | 'querystring' | 'header' | 'multivaluequerystring' | 'multivalueheader'; name: string }
  | { kind: 'method.request.body'; jsonPath?: string }
  | { kind: 'integration.response.header'; name: string; multi: boolean }
  | { kind: 'integration.response.body'; jsonPath?: string }
  | { kind: 'context'; name: string }
  | { kind: 'stageVariables'; name: string };

export function parseMappingSource(expr: string): MappingSource | undefined {
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) return { kind: 'static', value: expr.slice(1, -1) };
  let m = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(expr);
  if (m) return { kind: 'method.request', location: m[1] as 'path', name: m[2]! };
  if (expr === 'method.request.body') return { kind: 'method.request.body' };
  m = /^method\.request\.body\.(.+)$/.exec(expr);
  if (m) return { kind: 'method.request.body', jsonPath: `$.${m[1]}` };
  m = /^integration\.response\.(header|multivalueheader)\.(.+)$/.exec(expr);
  if (m) return { kind: 'integration.response.header', name: m[2]!, multi: m[1] === 'multivalueheader' };
  if (expr === 'integration.response.body') return { kind: 'integration.response.body' };
  m = /^integration\.response\.body\.(.+)$/.exec(expr);
  if (m) return { kind: 'integration.response.body', jsonPath: `$.${m[1]}` };
  m = /^context\.(.+)$/.exec(expr);
  if (m) return { kind: 'context', name: m[1]! };
  m = /^stageVariables\.(.+)$/.exec(expr);
  if (m) return { kind: 'stageVariables', name: m[1]! };
  return undefined;
}

/**
 * Checks integration response mappings the way PutIntegrationResponse does: every target must be a header the
 * method response declares, every source a valid expression.
 */
export function validateResponseParameters(params: Record<string, string>, methodResponse: MethodResponse): void {
  for (const [target, source] of Object.entries(params)) {
    if (!/^method\.response\.header\.[^\s]+$/.test(target) || methodResponse.responseParameters?.[target] === undefined) {
      throw invalidParameter(target);
    }
    const parsed = parseMappingSource(source);
    if (!parsed || parsed.kind.startsWith('method.request')) throw invalidExpression(source);
  }
}

/** Checks integration request mappings: targets integration.request.*, sources declared method request parameters. */
export function validateRequestParameters(params: Record<string, string>, method: Method): void {
  for (const [target, source] of Object.entries(params)) {
    if (!/^integration\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.[^\s]+$/.test(target)) {
      throw invalidParameter(target);
    }
    const parsed = parseMappingSource(source);
    if (!parsed || parsed.kind.startsWith('integration.response')) throw invalidExpression(source);
    if (parsed.kind === 'method.request' && method.requestParameters?.[source] === undefined) throw invalidParameter(source);
  }
}

function invalidParameter(name: string) {
  return badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: ${name}]`);
}

function invalidExpression(expr: string) {
  return badRequest(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: ${expr}]`);
}
