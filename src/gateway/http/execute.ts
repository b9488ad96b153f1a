import { functionNameOf } from '../../control/functions.js';
import { eventParts } from '../../lambda/spec.js';
import { BackendError, callBackend } from '../http-client.js';
import { LambdaInvokeError, type ExecutionLog, type LambdaInvoker } from '../ports.js';
import { MalformedProxyResponse, parseProxyResponse } from '../rest/lambda-proxy.js';
import { within } from '../within.js';
import type { GatewayRequest, GatewayResult, HeaderList } from '../types.js';
import { authorizeHttp, type AuthDeps } from './authorize.js';
import { matchHttpRoute, type CompiledHttpApi, type HttpRouteMatch } from './compile.js';
import { HttpRequestContext, type HttpStageView } from './context.js';
import { applyCors, preflightResponse } from './cors.js';
import { buildEventV1, eventV2Parts, MalformedResponse, parseResponseV2 } from './payload.js';
import { decodePath } from './decode.js';

export interface HttpDeps extends AuthDeps {
  lambda: LambdaInvoker;
  log: ExecutionLog;
}

// HTTP API error bodies (AGDG http-api-troubleshooting-lambda, http-api-develop-routes): capitalised, no space.
const NOT_FOUND = '{"message":"Not Found"}';
const INTERNAL = '{"message":"Internal Server Error"}';
const UNAVAILABLE = '{"message":"Service Unavailable"}';

/**
 * Serves one HTTP API request: CORS preflight by the gateway, route, authorizer, integration (Lambda payload 1.0 or
 * 2.0, HTTP proxy), then the API's CORS headers over whatever the integration answered.
 */
export function executeHttp(req: GatewayRequest, api: CompiledHttpApi, stage: HttpStageView, rawPath: string, deps: HttpDeps): GatewayResult | Promise<GatewayResult> {
  const ctx = new HttpRequestContext(req, api, stage, rawPath);
  const origin = ctx.header('origin');
  const isPreflight = req.method === 'OPTIONS' && origin !== undefined && ctx.header('access-control-request-method') !== undefined;
  // HTTP APIs match the percent-decoded path and hand decoded values to the integration (aws-lambda-dotnet
  // LambdaTestTool-v2 snapshots recorded on AWS: rawPath and pathParameters decoded).
  const match = matchHttpRoute(api, decodePath(req.path), req.method);
  if (api.cors && isPreflight && !match) {
    // "API Gateway automatically sends a response to preflight OPTIONS requests, even if there isn't an OPTIONS
    // route" (AGDG http-api-cors). A route that matches the OPTIONS request ($default, ANY, OPTIONS) gets it
    // instead, authorizer included: AWS's note on $default routes, and arpadt.com's measurements.
    const r = preflightResponse(api.cors, origin!);
    return finish(ctx, { status: r.status, headers: r.headers, body: '' }, false);
  }
  if (!match) return finish(ctx, { status: 404, headers: [['content-type', 'application/json']], body: NOT_FOUND });
  ctx.match = match;
  // The gateway's own answers above are not promises: only a route's authorizer and integration are waited for.
  return runRoute(ctx, match, deps);
}

async function runRoute(ctx: HttpRequestContext, match: HttpRouteMatch, deps: HttpDeps): Promise<GatewayResult> {
  let auth = authorizeHttp(ctx, match.route, deps);
  if (auth instanceof Promise) auth = await auth;
  if (!auth.ok) return finish(ctx, { status: auth.status, headers: [['content-type', 'application/json'], ...auth.headers], body: auth.body });
  if (auth.authorizer) ctx.authorizer = auth.authorizer;
  const integration = match.route.integration;
  if (!integration) {
    deps.log(ctx.requestId, `Route ${match.route.route.routeKey} has no integration (target); attach one with UpdateRoute Target=integrations/ID`);
    return finish(ctx, { status: 404, headers: [['content-type', 'application/json']], body: NOT_FOUND });
  }
  try {
    const result = integration.integrationType === 'AWS_PROXY' ? await lambda(ctx, integration.integrationUri ?? '', integration.payloadFormatVersion, integration.timeoutInMillis, deps) : await httpProxy(ctx, integration.integrationUri ?? '', integration.timeoutInMillis, deps);
    return finish(ctx, result);
  } catch (e) {
    deps.log(ctx.requestId, `Execution failed due to an internal error: ${(e as Error).stack ?? String(e)}`);
    return finish(ctx, { status: 500, headers: [['content-type', 'application/json']], body: INTERNAL });
  }
}

/** Every HTTP API response carries apigw-requestid; with a CorsConfiguration the gateway owns the CORS headers. */
function finish(ctx: HttpRequestContext, r: GatewayResult, cors = true): GatewayResult {
  let headers = r.headers;
  if (cors && ctx.api.cors) headers = applyCors(ctx.api.cors, ctx.header('origin'), headers);
  headers.push(['apigw-requestid', ctx.requestId]);
  return { status: r.status, headers, body: r.body };
}

async function lambda(ctx: HttpRequestContext, uri: string, version: string, timeoutMs: number, deps: HttpDeps): Promise<GatewayResult> {
  const m = /functions\/(.+?)\/invocations$/.exec(uri);
  const fn = functionNameOf(m ? m[1]! : uri);
  const event = version === '1.0' ? eventParts(buildEventV1(ctx)) : eventV2Parts(ctx);
  const outcome = await within(
    deps.lambda.invoke(fn, event.payload, event.body),
    timeoutMs,
    (): GatewayResult => {
      deps.log(ctx.requestId, `Lambda function ${fn} did not answer within the integration timeout (${timeoutMs} ms)`);
      return { status: 503, headers: [['content-type', 'application/json']], body: UNAVAILABLE };
    },
    (e): GatewayResult => {
      if (!(e instanceof LambdaInvokeError)) throw e;
      deps.log(ctx.requestId, `Lambda invocation failed: ${e.kind === 'not-found' ? `function ${fn} does not exist (create it, or fix the integration URI)` : e.message}`);
      // A throttled function is 503 on HTTP APIs, every other invoke failure 500 (real captures, http-api §4.3).
      if (e.kind === 'throttled') return { status: 503, headers: [['content-type', 'application/json']], body: UNAVAILABLE };
      return { status: 500, headers: [['content-type', 'application/json']], body: INTERNAL };
    },
  );
  if ('status' in outcome) return outcome;
  if (outcome.functionError) {
    deps.log(ctx.requestId, `Lambda function ${fn} failed: ${outcome.payload.slice(0, 500)}`);
    return { status: 500, headers: [['content-type', 'application/json']], body: INTERNAL };
  }
  try {
    if (version === '1.0') {
      // HTTP APIs decode isBase64Encoded bodies whatever the Accept header (they have no binaryMediaTypes), and
      // default the content type to text/plain (aws-lambda-dotnet LambdaTestTool-v2 snapshots recorded on AWS).
      return parseProxyResponse(outcome.payload, ['*/*'], '*/*', 'text/plain; charset=utf-8');
    }
    return parseResponseV2(outcome.payload);
  } catch (e) {
    if (!(e instanceof MalformedResponse) && !(e instanceof MalformedProxyResponse)) throw e;
    deps.log(ctx.requestId, `Malformed Lambda response from ${fn} (payload format ${version}): ${e.message}`);
    return { status: 500, headers: [['content-type', 'application/json']], body: INTERNAL };
  }
}

const DROPPED_TO_BACKEND = new Set(['connection', 'content-length', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect', 'host']);

async function httpProxy(ctx: HttpRequestContext, uri: string, timeoutMs: number, deps: HttpDeps): Promise<GatewayResult> {
  // With a greedy or $default route, the request path is appended to the integration URI (AGDG
  // http-api-develop-integrations-http); otherwise the URI is used as it is, {variables} substituted.
  let target = uri.replace(/\{([^}]+?)\+?\}/g, (whole, name: string) => ctx.match?.pathParams[name] ?? whole);
  const key = ctx.routeKey;
  if (key === '$default') target = target.replace(/\/$/, '') + ctx.req.path;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    deps.log(ctx.requestId, `Invalid HTTP_PROXY integration URI ${target}`);
    return { status: 500, headers: [['content-type', 'application/json']], body: INTERNAL };
  }
  if (ctx.req.rawQuery) url.search = url.search ? `${url.search}&${ctx.req.rawQuery}` : `?${ctx.req.rawQuery}`;
  const headers: HeaderList = [];
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (!DROPPED_TO_BACKEND.has(raw[i]!.toLowerCase())) headers.push([raw[i]!, raw[i + 1]!]);
  headers.push(['x-amzn-trace-id', `Root=1-${Math.floor(ctx.req.receivedAt / 1000).toString(16)}-${ctx.requestId.replace(/[^0-9a-z]/gi, '').toLowerCase().padEnd(24, '0').slice(0, 24)}`]);
  try {
    const res = await callBackend({ method: ctx.req.method, url, headers, body: ctx.req.body, timeoutMs });
    const out = res.headers.filter(([k]) => !['connection', 'transfer-encoding', 'content-length', 'keep-alive'].includes(k.toLowerCase()));
    return { status: res.status, headers: out, body: res.body };
  } catch (e) {
    if (e instanceof BackendError && e.kind === 'timeout') {
      deps.log(ctx.requestId, `HTTP_PROXY ${url.href} did not answer within ${timeoutMs} ms`);
      return { status: 504, headers: [['content-type', 'application/json']], body: '{"message":"Gateway Timeout"}' };
    }
    deps.log(ctx.requestId, `HTTP_PROXY ${url.href} failed: ${(e as Error).message}`);
    return { status: 500, headers: [['content-type', 'application/json']], body: INTERNAL };
  }
}

