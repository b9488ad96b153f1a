import type { ApiSnapshot, GatewayResponse, GatewayResponseType, Integration, IntegrationResponse, Method, MethodResponse, Resource } from '../../model/restapi.js';
import { GATEWAY_RESPONSE_TYPES, effectiveGatewayResponse } from '../../model/gateway-responses.js';
import { parseMappingSource, type MappingSource } from '../../control/mapping-expressions.js';
import { compileTemplate, type CompiledTemplate } from '../vtl/index.js';
import { PathTrie, captureNames, parseTemplate } from '../path-trie.js';

/**
 * A deployment made ready to serve: the resource tree as a trie, templates parsed, mappings parsed, regexes
 * built. Done once per deployment so that a request does only lookups.
 */
export interface CompiledApi {
  apiId: string;
  deploymentId: string;
  snapshot: ApiSnapshot;
  routes: PathTrie<CompiledResource>;
  gatewayResponses: Map<GatewayResponseType, CompiledGatewayResponse>;
  binaryMediaTypes: string[];
}

export interface CompiledResource {
  resource: Resource;
  methods: Map<string, CompiledMethod>;
  /** Path variable names in capture order. */
  params: string[];
}

export interface CompiledMethod {
  method: Method;
  resource: Resource;
  integration?: CompiledIntegration;
}

export interface HeaderMapping {
  /** Header name as declared (method.response.header.NAME / gatewayresponse.header.NAME). */
  name: string;
  source: MappingSource;
}

export interface CompiledIntegration {
  integration: Integration;
  /** Request templates by content type; null marks a declared but empty template. */
  requestTemplates: Map<string, CompiledTemplate | null>;
  /** Integration responses with a selection pattern, in status order, then the default one. */
  responses: CompiledIntegrationResponse[];
  defaultResponse?: CompiledIntegrationResponse;
  /** For AWS/AWS_PROXY Lambda integrations: the function name or ARN, possibly with ${stageVariables.x}. */
  lambdaFunction?: string;
  requestParameters: { target: string; source: MappingSource }[];
}

export interface CompiledIntegrationResponse {
  response: IntegrationResponse;
  pattern?: RegExp;
  methodResponse?: MethodResponse;
  headers: HeaderMapping[];
  templates: Map<string, CompiledTemplate | null>;
}

export interface CompiledGatewayResponse {
  response: GatewayResponse;
  /** False while the response is exactly AWS's default: then AWS's literal default bodies apply. */
  customized: boolean;
  status: number;
  headers: HeaderMapping[];
  templates: Map<string, CompiledTemplate | null>;
}

export class CompileError extends Error {}

export function compileApi(snapshot: ApiSnapshot, deploymentId: string): CompiledApi {
  const routes = new PathTrie<CompiledResource>();
  for (const resource of snapshot.resources) {
    const parts = parseTemplate(resource.path);
    const compiled = routes.upsert(parts, () => ({ resource, methods: new Map(), params: captureNames(parts) }));
    for (const [name, method] of Object.entries(resource.resourceMethods ?? {})) {
      const cm: CompiledMethod = { method, resource };
      if (method.methodIntegration) cm.integration = compileIntegration(method.methodIntegration, method);
      compiled.methods.set(name, cm);
    }
  }
  const gatewayResponses = new Map<GatewayResponseType, CompiledGatewayResponse>();
  for (const type of GATEWAY_RESPONSE_TYPES) {
    const effective = effectiveGatewayResponse(type, snapshot.gatewayResponses);
    const customized = JSON.stringify(effective) !== JSON.stringify(effectiveGatewayResponse(type, []));
    gatewayResponses.set(type, compileGatewayResponse(effective, customized));
  }
  return {
    apiId: snapshot.api.id,
    deploymentId,
    snapshot,
    routes,
    gatewayResponses,
    binaryMediaTypes: snapshot.api.binaryMediaTypes ?? [],
  };
}

function compileIntegration(integration: Integration, method: Method): CompiledIntegration {
  const out: CompiledIntegration = {
    integration,
    requestTemplates: compileTemplates(integration.requestTemplates),
    responses: [],
    requestParameters: [],
  };
  for (const [target, expr] of Object.entries(integration.requestParameters ?? {})) {
    const source = parseMappingSource(expr);
    if (source) out.requestParameters.push({ target, source });
  }
  const responses = Object.values(integration.integrationResponses ?? {}).sort((a, b) => Number(a.statusCode) - Number(b.statusCode));
  for (const r of responses) {
    const c: CompiledIntegrationResponse = {
      response: r,
      headers: headerMappings(r.responseParameters, 'method.response.header.'),
      templates: compileTemplates(r.responseTemplates),
    };
    const mr = method.methodResponses?.[r.statusCode];
    if (mr) c.methodResponse = mr;
    // An empty or missing pattern marks the default response; '.*' matches everything, null included.
    if (r.selectionPattern === undefined || r.selectionPattern === '') {
      out.defaultResponse ??= c;
    } else {
      try {
        // Java's String.matches: the whole input must match, and '.' does not cross newlines.
        c.pattern = new RegExp(`^(?:${r.selectionPattern})$`);
      } catch {
        continue;
      }
      out.responses.push(c);
    }
  }
  if ((integration.type === 'AWS' || integration.type === 'AWS_PROXY') && integration.uri) {
    const m = /:lambda:path\/2015-03-31\/functions\/(.+?)\/invocations$/.exec(integration.uri);
    if (m) out.lambdaFunction = m[1]!;
  }
  return out;
}

function compileGatewayResponse(response: GatewayResponse, customized: boolean): CompiledGatewayResponse {
  return {
    response,
    customized,
    status: Number(response.statusCode ?? (response.responseType === 'DEFAULT_5XX' ? 500 : 400)),
    headers: headerMappings(response.responseParameters, 'gatewayresponse.header.'),
    templates: compileTemplates(response.responseTemplates),
  };
}

function headerMappings(params: Record<string, string> | undefined, prefix: string): HeaderMapping[] {
  const out: HeaderMapping[] = [];
  for (const [target, expr] of Object.entries(params ?? {})) {
    if (!target.startsWith(prefix)) continue;
    const source = parseMappingSource(expr);
    if (source) out.push({ name: target.slice(prefix.length), source });
  }
  return out;
}

const templateCache = new Map<string, CompiledTemplate>();

/** Templates are parsed once; the same text (e.g. the default gateway response template) is shared. */
export function cachedTemplate(source: string): CompiledTemplate {
  let t = templateCache.get(source);
  if (!t) {
    t = compileTemplate(source);
    if (templateCache.size > 10_000) templateCache.clear();
    templateCache.set(source, t);
  }
  return t;
}

function compileTemplates(templates: Record<string, string | null> | undefined): Map<string, CompiledTemplate | null> {
  const out = new Map<string, CompiledTemplate | null>();
  for (const [type, text] of Object.entries(templates ?? {})) {
    if (text === null || text === '') {
      out.set(type.toLowerCase(), null);
      continue;
    }
    try {
      out.set(type.toLowerCase(), cachedTemplate(text));
    } catch (e) {
      throw new CompileError(`mapping template for ${type} does not parse: ${(e as Error).message}`);
    }
  }
  return out;
}

export interface RouteMatch {
  resource: Resource;
  method: CompiledMethod;
  pathParams: Record<string, string>;
}

/**
 * Finds the resource and method for a path, as API Gateway does: literal parts before {param} before {proxy+},
 * and when the most specific resource lacks the method, a less specific one that has it (real AWS, measured in
 * floci-io/floci#3399). A specific method beats ANY on the same resource.
 */
export function matchRoute(routes: PathTrie<CompiledResource>, path: string, httpMethod: string): RouteMatch | undefined {
  return routes.match(path, (res, captures) => {
    const m = res.methods.get(httpMethod) ?? res.methods.get('ANY');
    if (!m) return undefined;
    const pathParams: Record<string, string> = {};
    res.params.forEach((name, i) => {
      pathParams[name] = captures[i]!;
    });
    return { resource: res.resource, method: m, pathParams };
  });
}
