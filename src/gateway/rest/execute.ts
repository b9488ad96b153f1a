import { functionNameOf } from '../../control/functions.js';
import { BackendError, callBackend } from '../http-client.js';
import { LambdaInvokeError, type ExecutionLog, type LambdaInvoker } from '../ports.js';
import type { GatewayRequest, GatewayResult, HeaderList } from '../types.js';
import { matchRoute, type CompiledApi, type CompiledIntegration, type CompiledIntegrationResponse } from './compile.js';
import { RestRequestContext, type StageView } from './context.js';
import { gatewayResponse } from './gateway-response.js';
import { MalformedProxyResponse, parseProxyResponse, proxyEventParts } from './lambda-proxy.js';
import { mimeOf, pickResponseTemplate, render, resolveSource } from './mapping.js';
import { secureRequest, type SecurityDeps, type SecurityOutcome } from './security.js';
import type { StageCache } from './stage-cache.js';
import type { StageThrottle } from './stage-throttle.js';
import type { UsageEnforcer } from './usage.js';
import { validateRequest } from './validate.js';
import { within } from '../within.js';
import type { RenderOutput } from '../vtl/index.js';

export interface RestDeps extends SecurityDeps {
  lambda: LambdaInvoker;
  log: ExecutionLog;
  usage: UsageEnforcer;
  /** Stage method throttling (methodSettings throttling limits). */
  stageThrottle: StageThrottle;
  /** The stage response cache (cacheClusterEnabled, methodSettings caching). */
  stageCache: StageCache;
}

// The bodies AWS sends while the matching gateway response is not customised (note the space after the colon).
const INTERNAL_ERROR_BODY = '{"message": "Internal server error"}';
const TIMEOUT_BODY = '{"message": "Endpoint request timed out"}';
const NETWORK_ERROR_BODY = '{"message": "Network error communicating with endpoint"}';

/**
 * Serves one REST API request against a stage's deployment:
 * route → integration request → invoke → integration response → method response, or a gateway response.
 * Steps that need no waiting (routing, a method with nothing to authorize, MOCK) run without promises: the answer is
 * a promise only when something was awaited.
 */
export function executeRest(
  req: GatewayRequest,
  api: CompiledApi,
  stage: StageView,
  stagePath: string,
  deps: RestDeps,
  /**
   * The console's Test tab (TestInvokeMethod) runs the method without its authorizer, API key or usage plan: AWS's
   * test invocations skip authorization, which is widely reported (e.g. AWS re:Post "custom authorizer not called
   * when testing from the console") and is why TestInvokeAuthorizer exists separately.
   */
  options: { bypassAuthorization?: boolean } = {},
): GatewayResult | Promise<GatewayResult> {
  const ctx = new RestRequestContext(req, api, stage, stagePath);
  const match = matchRoute(api.routes, req.path, req.method);
  if (!match) {
    return gatewayResponse(ctx, { type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' });
  }
  ctx.match = match;
  if (options.bypassAuthorization) return runMethod(ctx, deps);
  // The request passes the method's gates in AWS's order: authorizer, API key and usage plan, request validator.
  const auth = secureRequest(ctx, deps);
  return auth instanceof Promise ? auth.then((a) => admitted(ctx, a, deps)) : admitted(ctx, auth, deps);
}

function admitted(ctx: RestRequestContext, auth: SecurityOutcome, deps: RestDeps): GatewayResult | Promise<GatewayResult> {
  if (!auth.ok) return auth.result;
  if (auth.auth) ctx.setCaller({ authorizer: auth.auth.authorizer });
  const usage = deps.usage.check(ctx, auth.auth?.usageIdentifierKey);
  if (!usage.ok) return usage.result;
  if (usage.key) ctx.setCaller({ apiKey: { id: usage.key.id, value: usage.key.value } });
  return runMethod(ctx, deps);
}

/** After the caller is admitted: stage limits, validation, the stage cache, the integration. */
function runMethod(ctx: RestRequestContext, deps: RestDeps): GatewayResult | Promise<GatewayResult> {
  // Stage and method limits apply after the usage plan's (AGDG api-gateway-request-throttling).
  const throttled = deps.stageThrottle.check(ctx);
  if (throttled) return throttled;
  const valid = validateRequest(ctx);
  if (!valid.ok) return valid.result;
  const integration = ctx.match!.method.integration;
  if (!integration) {
    deps.log(ctx.requestId, 'Execution failed due to configuration error: No integration defined for method');
    return internalError(ctx);
  }
  const cache = deps.stageCache.open(ctx, deps.region);
  if (cache?.answer) return cache.answer;
  const result = invokeIntegration(ctx, integration, deps);
  if (!cache) return result;
  return result instanceof Promise ? result.then((r) => cache.complete(r)) : cache.complete(result);
}

/** A MOCK integration answers at once; the others return a promise. */
function invokeIntegration(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): GatewayResult | Promise<GatewayResult> {
  if (integration.integration.type === 'MOCK') {
    try {
      return mockIntegration(ctx, integration, deps);
    } catch (e) {
      return integrationFailed(ctx, e, deps);
    }
  }
  return invokeBackend(ctx, integration, deps);
}

function integrationFailed(ctx: RestRequestContext, e: unknown, deps: RestDeps): GatewayResult {
  deps.log(ctx.requestId, `Execution failed due to an internal error: ${(e as Error).stack ?? String(e)}`);
  return internalError(ctx);
}

async function invokeBackend(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): Promise<GatewayResult> {
  try {
    switch (integration.integration.type) {
      case 'MOCK':
        return mockIntegration(ctx, integration, deps);
      case 'AWS_PROXY':
        return await lambdaProxyIntegration(ctx, integration, deps);
      case 'AWS':
        return await lambdaIntegration(ctx, integration, deps);
      case 'HTTP_PROXY':
        return await httpProxyIntegration(ctx, integration, deps);
      case 'HTTP':
        return await httpIntegration(ctx, integration, deps);
    }
  } catch (e) {
    return integrationFailed(ctx, e, deps);
  }
}

function internalError(ctx: RestRequestContext, status = 500): GatewayResult {
  return gatewayResponse(ctx, { type: 'DEFAULT_5XX', message: 'Internal server error', status, defaultBody: INTERNAL_ERROR_BODY, errorType: 'InternalServerErrorException' });
}

// ---- MOCK ----------------------------------------------------------------------------------------------------

function mockIntegration(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): GatewayResult {
  const request = integrationRequest(ctx, integration, deps);
  if ('result' in request) return request.result;
  let status: string | undefined;
  if (request.template === undefined) {
    // No request template: the default integration response answers (AGDG how-to-mock-integration).
    status = integration.defaultResponse?.response.statusCode;
  } else {
    const m = /["']?statusCode["']?\s*:\s*["']?(\d{3})/.exec(request.body);
    status = m?.[1];
    if (!status) {
      deps.log(ctx.requestId, 'Execution failed due to configuration error: Unable to parse statusCode. It should be an integer that is defined in the request template.');
      return internalError(ctx);
    }
  }
  return integrationResponse(ctx, integration, { status: status ?? '200', body: '', headers: [], request }, deps);
}

// ---- AWS_PROXY (Lambda proxy) --------------------------------------------------------------------------------

async function lambdaProxyIntegration(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): Promise<GatewayResult> {
  if (integration.integration.httpMethod !== 'POST') {
    // Lambda is only invoked with POST; AWS answers 500 for any other integration method.
    deps.log(ctx.requestId, `Execution failed due to configuration error: Lambda integrations must use POST, this one uses ${integration.integration.httpMethod}`);
    return internalError(ctx);
  }
  const fn = lambdaTarget(ctx, integration);
  if (!fn) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: Invalid Lambda function URI ${integration.integration.uri}`);
    return internalError(ctx);
  }
  const event = proxyEventParts(ctx);
  const outcome = await invokeLambda(ctx, fn, event.payload, integration, deps, event.body);
  if ('result' in outcome) return outcome.result;
  if (outcome.functionError) {
    deps.log(ctx.requestId, `Lambda execution failed with status 200 due to customer function error: ${summarizeError(outcome.payload)}`);
    return internalError(ctx, 502);
  }
  try {
    const parsed = parseProxyResponse(outcome.payload, ctx.api.binaryMediaTypes, ctx.header('accept'));
    parsed.headers.push(['x-amzn-RequestId', ctx.requestId], ['x-amz-apigw-id', ctx.extendedRequestId], ['X-Amzn-Trace-Id', ctx.traceId]);
    return parsed;
  } catch (e) {
    if (!(e instanceof MalformedProxyResponse)) throw e;
    deps.log(ctx.requestId, `Execution failed due to configuration error: Malformed Lambda proxy response: ${e.message}`);
    return internalError(ctx, 502);
  }
}

// ---- AWS (Lambda, non-proxy) ---------------------------------------------------------------------------------

async function lambdaIntegration(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): Promise<GatewayResult> {
  const fn = lambdaTarget(ctx, integration);
  if (!fn) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: only Lambda function URIs are supported for AWS integrations locally (${integration.integration.uri})`);
    return internalError(ctx);
  }
  const request = integrationRequest(ctx, integration, deps);
  if ('result' in request) return request.result;
  // An empty body reaches the function as {} (LocalStack AWS-validated header_remapping[AWS]).
  const payload = request.body === '' ? '{}' : request.body;
  const outcome = await invokeLambda(ctx, fn, payload, integration, deps);
  if ('result' in outcome) return outcome.result;
  let errorMessage: string | undefined;
  if (outcome.functionError) {
    try {
      errorMessage = String((JSON.parse(outcome.payload) as { errorMessage?: unknown }).errorMessage ?? '');
    } catch {
      errorMessage = outcome.payload;
    }
  }
  return integrationResponse(ctx, integration, { selector: errorMessage, body: outcome.payload, headers: [], request }, deps);
}

// ---- HTTP / HTTP_PROXY ---------------------------------------------------------------------------------------

async function httpProxyIntegration(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): Promise<GatewayResult> {
  const url = backendUrl(ctx, integration, true);
  if (!url) return internalError(ctx);
  const headers: HeaderList = [];
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HTTP_PROXY_DROPPED.has(lower) || lower === 'host') continue;
    headers.push([raw[i]!, raw[i + 1]!]);
  }
  applyRequestParameterHeaders(ctx, integration, headers);
  headers.push(['X-Amzn-Apigateway-Api-Id', ctx.api.apiId], ['X-Amzn-Trace-Id', ctx.traceId]);
  const res = await backend(ctx, integration, deps, { method: ctx.req.method, url, headers, body: ctx.req.body });
  if ('result' in res) return res.result;
  const out: HeaderList = [];
  for (const [k, v] of res.headers) {
    const lower = k.toLowerCase();
    if (lower === 'transfer-encoding' || lower === 'content-encoding' || lower === 'via') continue;
    // These would clash with the gateway's own; AWS hands them back renamed (LocalStack AWS-validated snapshot).
    if (REMAPPED_RESPONSE_HEADERS.has(lower)) out.push([`x-amzn-Remapped-${k}`, v]);
    else out.push([k, v]);
  }
  out.push(['x-amzn-RequestId', ctx.requestId], ['x-amz-apigw-id', ctx.extendedRequestId]);
  return { status: res.status, headers: out, body: res.body };
}

async function httpIntegration(ctx: RestRequestContext, integration: CompiledIntegration, deps: RestDeps): Promise<GatewayResult> {
  const request = integrationRequest(ctx, integration, deps);
  if ('result' in request) return request.result;
  const override = request.rendered?.requestOverride;
  const url = backendUrl(ctx, integration, false, override);
  if (!url) return internalError(ctx);
  const headers: HeaderList = [
    ['Accept', 'application/json'],
    ['User-Agent', `AmazonAPIGateway_${ctx.api.apiId}`],
    ['X-Amzn-Apigateway-Api-Id', ctx.api.apiId],
    ['X-Amzn-Trace-Id', ctx.traceId],
  ];
  const ct = ctx.header('content-type');
  if (ct) headers.push(['Content-Type', ct]);
  applyRequestParameterHeaders(ctx, integration, headers);
  // $context.requestOverride.header.X set by the request template wins over mapped headers (AWS override docs).
  for (const [k, v] of Object.entries(override?.headers ?? {})) setHeader(headers, k, v);
  const res = await backend(ctx, integration, deps, {
    method: integration.integration.httpMethod ?? ctx.req.method,
    url,
    headers,
    body: Buffer.from(request.body),
  });
  if ('result' in res) return res.result;
  return integrationResponse(ctx, integration, { status: String(res.status), body: res.body.toString('utf8'), headers: res.headers, request }, deps);
}

const HTTP_PROXY_DROPPED = new Set([
  'connection', 'content-encoding', 'content-md5', 'expect', 'max-forwards', 'proxy-authenticate', 'server', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'via', 'www-authenticate', 'content-length',
]);
const REMAPPED_RESPONSE_HEADERS = new Set(['connection', 'content-length', 'date', 'server', 'x-amzn-requestid']);

function backendUrl(
  ctx: RestRequestContext,
  integration: CompiledIntegration,
  proxy: boolean,
  override?: RenderOutput['requestOverride'],
): URL | undefined {
  let uri = substituteStageVariables(integration.integration.uri ?? '', ctx);
  // {name} in the URI takes integration.request.path.name (or a template's requestOverride.path.name), falling back
  // to the method's own path parameter.
  uri = uri.replace(/\{([^}]+?)\+?\}/g, (whole, name: string) => {
    const overridden = override?.path[name];
    if (overridden !== undefined) return overridden;
    const mapped = integration.requestParameters.find((p) => p.target === `integration.request.path.${name}`);
    const v = mapped ? resolveSource(mapped.source, { ctx }) : ctx.match?.pathParams[name];
    return v ?? whole;
  });
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const pairs: [string, string][] = proxy ? [...ctx.query] : [];
  for (const p of integration.requestParameters) {
    const m = /^integration\.request\.querystring\.(.+)$/.exec(p.target);
    if (!m) continue;
    const v = resolveSource(p.source, { ctx });
    if (v !== undefined) pairs.push([m[1]!, v]);
  }
  for (const [k, v] of Object.entries(override?.querystring ?? {})) pairs.push([k, v]);
  for (const [k, v] of pairs) url.searchParams.append(k, v);
  return url;
}

function setHeader(headers: HeaderList, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]![0].toLowerCase() === lower) headers.splice(i, 1);
  headers.push([name, value]);
}

function applyRequestParameterHeaders(ctx: RestRequestContext, integration: CompiledIntegration, headers: HeaderList): void {
  for (const p of integration.requestParameters) {
    const m = /^integration\.request\.header\.(.+)$/.exec(p.target);
    if (!m) continue;
    const v = resolveSource(p.source, { ctx });
    if (v !== undefined) setHeader(headers, m[1]!, v);
  }
}

async function backend(
  ctx: RestRequestContext,
  integration: CompiledIntegration,
  deps: RestDeps,
  req: { method: string; url: URL; headers: HeaderList; body: Buffer },
): Promise<{ status: number; headers: HeaderList; body: Buffer } | { result: GatewayResult }> {
  try {
    return await callBackend({ ...req, timeoutMs: integration.integration.timeoutInMillis });
  } catch (e) {
    if (e instanceof BackendError && e.kind === 'timeout') {
      deps.log(ctx.requestId, `Execution failed due to a timeout error: ${req.method} ${req.url.href}`);
      return { result: gatewayResponse(ctx, { type: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out', defaultBody: TIMEOUT_BODY }) };
    }
    deps.log(ctx.requestId, `Execution failed due to configuration error: network error calling ${req.url.href}: ${(e as Error).message}`);
    return { result: gatewayResponse(ctx, { type: 'INTEGRATION_FAILURE', message: 'Network error communicating with endpoint', defaultBody: NETWORK_ERROR_BODY }) };
  }
}

// ---- shared steps --------------------------------------------------------------------------------------------

/**
 * Selects and renders the request template by the request's Content-Type, applying the passthrough behaviour
 * table (AGDG integration-passthrough-behaviors): unmatched types pass through, or get 415.
 */
function integrationRequest(
  ctx: RestRequestContext,
  integration: CompiledIntegration,
  deps: RestDeps,
): MappedRequest | { result: GatewayResult } {
  const rawBody = ctx.req.body.toString('utf8');
  const templates = integration.requestTemplates;
  const contentType = mimeOf(ctx.header('content-type')) ?? 'application/json';
  const behavior = integration.integration.passthroughBehavior ?? 'WHEN_NO_MATCH';
  if (templates.size === 0) {
    if (behavior === 'NEVER') return { result: unsupportedMediaType(ctx) };
    return { body: rawBody };
  }
  if (!templates.has(contentType)) {
    if (behavior !== 'WHEN_NO_MATCH') return { result: unsupportedMediaType(ctx) };
    return { body: rawBody };
  }
  const template = templates.get(contentType)!;
  if (template === null) return { body: rawBody, template: null };
  const out = render(template, ctx, rawBody);
  if (out.error) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: the request mapping template failed: ${out.error.message}`);
    return { result: internalError(ctx) };
  }
  return { body: out.output, template, rendered: out };
}

/** The integration request after mapping: its body and, when a template ran, what the template set. */
interface MappedRequest {
  body: string;
  /** undefined: no template for this content type; null: a declared empty template. */
  template?: unknown;
  rendered?: RenderOutput;
}

function unsupportedMediaType(ctx: RestRequestContext): GatewayResult {
  return gatewayResponse(ctx, { type: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type' });
}

interface BackendOutcome {
  /** Status code (HTTP, MOCK) the selection patterns are matched against. */
  status?: string;
  /** Lambda error message (AWS integrations) the selection patterns are matched against. */
  selector?: string | undefined;
  body: string;
  headers: HeaderList;
  /** The mapped integration request; its template's overrides carry into the response. */
  request: MappedRequest;
}

/**
 * Integration response → method response: pick the integration response (selection pattern against the status,
 * or against a Lambda's errorMessage; else the default), map headers, render the template by Accept.
 */
function integrationResponse(ctx: RestRequestContext, integration: CompiledIntegration, outcome: BackendOutcome, deps: RestDeps): GatewayResult {
  const subject = outcome.status ?? outcome.selector;
  let chosen: CompiledIntegrationResponse | undefined;
  if (subject !== undefined) chosen = integration.responses.find((r) => r.pattern!.test(subject));
  chosen ??= integration.defaultResponse;
  if (!chosen) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: ${outcome.status ?? 200}`);
    return internalError(ctx);
  }
  const requestOverride = outcome.request.rendered?.responseOverride;
  if (!chosen.methodResponse && requestOverride?.status === undefined) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: Output mapping refers to an invalid method response: ${chosen.response.statusCode}`);
    return internalError(ctx);
  }
  const headers: HeaderList = [];
  const inputs = { ctx, backendHeaders: outcome.headers, backendBody: outcome.body };
  for (const h of chosen.headers) {
    const v = resolveSource(h.source, inputs);
    if (v !== undefined) headers.push([h.name, v]);
  }
  let body = outcome.body;
  let contentType: string | undefined;
  let overrides = requestOverride;
  const picked = pickResponseTemplate(chosen.templates, ctx.header('accept'));
  if (picked?.template) {
    const out = render(picked.template, ctx, outcome.body, undefined, outcome.request.rendered?.overrides);
    if (out.error) {
      deps.log(ctx.requestId, `Execution failed due to configuration error: the response mapping template failed: ${out.error.message}`);
      return internalError(ctx);
    }
    body = out.output;
    contentType = picked.contentType;
    // The response render starts from the request's overrides, so its view is the final one.
    overrides = out.responseOverride;
  } else if (picked) {
    contentType = picked.contentType;
  }
  let status = Number(chosen.response.statusCode);
  if (overrides) {
    if (overrides.status !== undefined && Number.isInteger(overrides.status) && overrides.status >= 100 && overrides.status <= 599) status = overrides.status;
    for (const [k, v] of Object.entries(overrides.headers)) setHeader(headers, k, v);
  }
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.unshift(['Content-Type', contentType ?? 'application/json']);
  headers.push(['x-amzn-RequestId', ctx.requestId], ['x-amz-apigw-id', ctx.extendedRequestId]);
  if (integration.integration.type !== 'MOCK') headers.push(['X-Amzn-Trace-Id', ctx.traceId]);
  return { status, headers, body };
}

function lambdaTarget(ctx: RestRequestContext, integration: CompiledIntegration): string | undefined {
  const fixed = fixedTargets.get(integration);
  if (fixed !== undefined) return fixed;
  if (!integration.lambdaFunction) return undefined;
  const ref = substituteStageVariables(integration.lambdaFunction, ctx);
  if (ref.includes('${')) return undefined;
  const name = functionNameOf(ref);
  // Without stage variables the target is the same on every request: worked out once per compiled integration.
  if (ref === integration.lambdaFunction) fixedTargets.set(integration, name);
  return name;
}

const fixedTargets = new WeakMap<CompiledIntegration, string>();

function substituteStageVariables(text: string, ctx: RestRequestContext): string {
  if (!text.includes('${stageVariables.')) return text;
  return text.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (whole, name: string) => ctx.stage.variables[name] ?? whole);
}

function invokeLambda(
  ctx: RestRequestContext,
  fn: string,
  payload: string,
  integration: CompiledIntegration,
  deps: RestDeps,
  body?: string,
): Promise<{ payload: string; functionError?: string | undefined } | { result: GatewayResult }> {
  const timeoutMs = integration.integration.timeoutInMillis;
  return within(
    deps.lambda.invoke(fn, payload, body),
    timeoutMs,
    () => {
      deps.log(ctx.requestId, `Execution failed due to a timeout error: Lambda function ${fn} did not answer within ${timeoutMs} ms`);
      return { result: gatewayResponse(ctx, { type: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out', defaultBody: TIMEOUT_BODY }) };
    },
    (e) => {
      if (!(e instanceof LambdaInvokeError)) throw e;
      const why =
        e.kind === 'not-found'
          ? `Invalid permissions on Lambda function: function ${fn} does not exist (create it, or fix the integration URI)`
          : e.kind === 'throttled'
            ? `Lambda invocation failed with status: 429 (${e.message})`
            : `Lambda invocation failed: ${e.message}`;
      deps.log(ctx.requestId, `Execution failed due to configuration error: ${why}`);
      return { result: internalError(ctx, e.kind === 'not-found' ? 500 : 502) };
    },
  );
}

function summarizeError(payload: string): string {
  try {
    const e = JSON.parse(payload) as { errorType?: string; errorMessage?: string };
    return `${e.errorType ?? 'Error'}: ${e.errorMessage ?? payload}`;
  } catch {
    return payload.slice(0, 500);
  }
}
