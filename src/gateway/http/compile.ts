import type { CorsConfiguration, HttpApiSnapshot, HttpAuthorizer, HttpIntegration, HttpRoute } from '../../model/httpapi.js';
import { PathTrie, captureNames, parseTemplate } from '../path-trie.js';

export interface CompiledRoute {
  route: HttpRoute;
  /** Path variable names in capture order. */
  params: string[];
  integration?: HttpIntegration;
  authorizer?: HttpAuthorizer;
}

/** The routes of one path template, by method (ANY included). */
type MethodTable = Map<string, CompiledRoute>;

export interface CompiledHttpApi {
  apiId: string;
  deploymentId: string;
  snapshot: HttpApiSnapshot;
  routes: PathTrie<MethodTable>;
  defaultRoute?: CompiledRoute;
  cors?: CompiledCors;
}

export interface CompiledCors {
  config: CorsConfiguration;
  /** Exact origins, lower-cased scheme and host as browsers send them. */
  origins: Set<string>;
  anyOrigin: boolean;
  /** Origins with a wildcard part, e.g. https://*.example.com, as regular expressions. */
  patterns: RegExp[];
}

export function compileHttpApi(snapshot: HttpApiSnapshot, deploymentId: string): CompiledHttpApi {
  const integrations = new Map(snapshot.integrations.map((i) => [i.integrationId, i]));
  const authorizers = new Map(snapshot.authorizers.map((a) => [a.authorizerId, a]));
  const routes = new PathTrie<MethodTable>();
  const out: CompiledHttpApi = { apiId: snapshot.api.apiId, deploymentId, snapshot, routes };
  for (const route of snapshot.routes) {
    const compiled: CompiledRoute = { route, params: [] };
    const integrationId = route.target?.replace(/^integrations\//, '');
    const integration = integrationId ? integrations.get(integrationId) : undefined;
    if (integration) compiled.integration = integration;
    const authorizer = route.authorizerId ? authorizers.get(route.authorizerId) : undefined;
    if (authorizer) compiled.authorizer = authorizer;
    if (route.routeKey === '$default') {
      out.defaultRoute = compiled;
      continue;
    }
    const space = route.routeKey.indexOf(' ');
    const method = route.routeKey.slice(0, space);
    const parts = parseTemplate(route.routeKey.slice(space + 1));
    compiled.params = captureNames(parts);
    routes.upsert(parts, () => new Map()).set(method, compiled);
  }
  if (snapshot.api.corsConfiguration) out.cors = compileCors(snapshot.api.corsConfiguration);
  return out;
}

function compileCors(config: CorsConfiguration): CompiledCors {
  const origins = new Set<string>();
  const patterns: RegExp[] = [];
  let anyOrigin = false;
  for (const o of config.allowOrigins ?? []) {
    if (o === '*') anyOrigin = true;
    else if (o.includes('*')) patterns.push(new RegExp(`^${o.toLowerCase().split('*').map(escapeRegex).join('[^/]*')}$`));
    else origins.add(o.toLowerCase());
  }
  return { config, origins, anyOrigin, patterns };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface HttpRouteMatch {
  route: CompiledRoute;
  pathParams: Record<string, string>;
}

/**
 * Route selection as AWS documents it for HTTP APIs (AGDG http-api-develop-routes): the most specific path,
 * a specific method before ANY, greedy variables after full matches, and $default last.
 */
export function matchHttpRoute(api: CompiledHttpApi, path: string, method: string): HttpRouteMatch | undefined {
  // A trailing slash is significant on HTTP APIs: /metrics/ is not GET /metrics (storacha/w3infra#166).
  const strictMiss = path.length > 1 && path.endsWith('/');
  const found = strictMiss ? undefined : api.routes.match(path, (table, captures) => {
    const route = table.get(method) ?? table.get('ANY');
    if (!route) return undefined;
    const pathParams: Record<string, string> = {};
    route.params.forEach((name, i) => {
      pathParams[name] = captures[i]!;
    });
    return { route, pathParams };
  });
  if (found) return found;
  return api.defaultRoute ? { route: api.defaultRoute, pathParams: {} } : undefined;
}
