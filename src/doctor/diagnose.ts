import {
  CHROMIUM_156,
  corsUnsafeRequestHeaderNames,
  isSafelistedMethod,
  normalizedHeader,
  parseAllowList,
  simulate,
  type BrowserRequest,
  type CorsOutcome,
  type Exchange,
  type HttpResponse,
} from '../cors/index.js';
import { deployFix, enableCorsFix, gatewayResponsesFix, httpApiCorsFix, isHttpApi, isRest, lambdaFix, serverFix } from './fixes.js';
import type { CauseId, Fix, Platform, TraceStep, Warning } from './types.js';

export interface Diagnosis {
  cause: CauseId | null;
  explanation: string;
  fixes: Fix[];
  warnings: Warning[];
  trace: TraceStep[];
}

const acao = (r: HttpResponse) => normalizedHeader(r.headers, 'access-control-allow-origin');
const errorType = (r: HttpResponse) => normalizedHeader(r.headers, 'x-amzn-errortype');

/** How an allowed-origin value differs from the page's origin, in words. */
export function originDifference(value: string, origin: string): string {
  if (value === `${origin}/` || value.replace(/\/+$/, '') === origin) return `it has a trailing slash ('${value}'); an origin never ends with '/'`;
  if (value === 'null') return "it is the literal 'null' (the origin of sandboxed frames, files and cross-origin redirects)";
  if (value.toLowerCase() === origin.toLowerCase()) return `only the letter case differs ('${value}'); the comparison is exact`;
  try {
    const v = new URL(value);
    const o = new URL(origin);
    if (v.hostname === o.hostname && v.port === o.port && v.protocol !== o.protocol) return `the scheme differs (${v.protocol.slice(0, -1)} instead of ${o.protocol.slice(0, -1)})`;
    if (v.hostname === o.hostname && v.protocol === o.protocol && v.port !== o.port) return `the port differs (${v.port || 'default'} instead of ${o.port || 'default'})`;
    if (v.pathname !== '/' || v.search) return `it has a path ('${v.pathname}${v.search}'); an origin is only scheme://host[:port]`;
  } catch {
    return `'${value}' is not an origin at all`;
  }
  return `it allows '${value}', a different origin than the page's '${origin}'`;
}

/** Request headers the preflight did not allow, all of them (Chromium names only the first). */
function refusedHeaders(request: BrowserRequest, preflight: HttpResponse | undefined): string[] {
  const allowed = parseAllowList(preflight ? normalizedHeader(preflight.headers, 'access-control-allow-headers') : undefined, true) ?? new Set<string>();
  const wildcard = request.credentials !== 'include' && allowed.has('*');
  if (wildcard) return [];
  return [...new Set(corsUnsafeRequestHeaderNames(request.headers))].filter((n) => !allowed.has(n));
}

function preflightReason(request: BrowserRequest): string | null {
  if (!isSafelistedMethod(request.method)) return `the method ${request.method} is not GET, HEAD or POST`;
  const unsafe = corsUnsafeRequestHeaderNames(request.headers);
  if (unsafe.length > 0) {
    const name = unsafe[0]!;
    const value = request.headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? '';
    return name === 'content-type'
      ? `Content-Type '${value}' is not one of text/plain, multipart/form-data, application/x-www-form-urlencoded`
      : `the request sets ${unsafe.length === 1 ? 'header' : 'headers'} ${[...new Set(unsafe)].join(', ')}, not CORS-safelisted${name ? ` (first: ${name}: ${value.length > 40 ? `${value.slice(0, 40)}…` : value})` : ''}`;
  }
  if (request.forcedPreflight) return 'the request forces one (upload listeners)';
  return null;
}

function describeResponse(r: HttpResponse): string {
  const parts = [`${r.status}`];
  const et = errorType(r);
  if (et) parts.push(`x-amzn-ErrorType: ${et}`);
  const o = acao(r);
  parts.push(o === undefined ? 'no Access-Control-Allow-Origin' : `Access-Control-Allow-Origin: ${o}`);
  const c = normalizedHeader(r.headers, 'access-control-allow-credentials');
  if (c !== undefined) parts.push(`Access-Control-Allow-Credentials: ${c}`);
  return parts.join(', ');
}

/** The seed's flowchart: preflight? OPTIONS exists? Allow-Origin right? the actual response's headers? */
function buildTrace(request: BrowserRequest, outcome: CorsOutcome, origin: string): TraceStep[] {
  const steps: TraceStep[] = [];
  const reason = preflightReason(request);
  const preflights = outcome.exchanges.filter((e) => e.request.purpose === 'preflight');
  steps.push({
    question: 'Does the browser send a preflight?',
    answer: reason ? `yes: ${reason}` : 'no: a simple request (safelisted method and headers); the browser sends it directly and checks the response',
    ok: true,
  });
  outcome.exchanges.forEach((e, i) => {
    const last = i === outcome.exchanges.length - 1;
    const failedHere = last && !outcome.allowed;
    const location = normalizedHeader(e.response.headers, 'location');
    if (e.request.purpose === 'preflight') {
      const et = errorType(e.response);
      const missing = (e.response.status === 403 && et === 'MissingAuthenticationTokenException') || e.response.status === 404;
      steps.push({ question: `OPTIONS ${e.request.url}`, answer: describeResponse(e.response), ok: !failedHere });
      if (missing) steps.push({ question: 'Is there an OPTIONS method for this path?', answer: 'no: the server has no route for OPTIONS here', ok: false });
      else if (!failedHere) steps.push({ question: 'Does the preflight allow the request?', answer: 'yes: origin, method and headers allowed', ok: true });
    } else {
      steps.push({
        question: `${e.request.method} ${e.request.url}`,
        answer: `${describeResponse(e.response)}${location && e.response.status >= 300 && e.response.status < 400 ? `, redirect to ${location}` : ''}`,
        ok: !failedHere,
      });
    }
  });
  if (preflights.length === 0 && reason) steps.push({ question: 'Preflight', answer: 'not sent (answered from the preflight cache)', ok: true });
  steps.push({
    question: 'Can the page read the response?',
    answer: outcome.allowed ? `yes, from origin ${origin}` : `no: ${outcome.message ?? outcome.networkError ?? 'blocked'}`,
    ok: outcome.allowed,
  });
  return steps;
}

function lastExchange(outcome: CorsOutcome): Exchange | undefined {
  return outcome.exchanges[outcome.exchanges.length - 1];
}

interface Context {
  request: BrowserRequest;
  outcome: CorsOutcome;
  platform: Platform;
  origin: string;
}

function methodsFor(ctx: Context): string[] {
  return [...new Set(['OPTIONS', ctx.request.method.toUpperCase()])];
}

function headersFor(ctx: Context): string[] {
  return [...new Set(corsUnsafeRequestHeaderNames(ctx.request.headers))];
}

/**
 * API Gateway's 403 ForbiddenException, {"message":"Forbidden"}, given before any API or method is found: on an
 * execute-api host the URL's stage does not exist; on a custom domain no base path mapping covers the path ("no place
 * to point an event": Zappa#1248, quoting AWS). Either way no CORS headers, and the browser reports a CORS error.
 */
function routingFailure(ctx: Context, response: HttpResponse): { cause: CauseId; explanation: string; fixes: Fix[] } | undefined {
  if (response.status !== 403 || errorType(response) !== 'ForbiddenException') return undefined;
  const p = ctx.platform;
  const url = new URL(lastExchange(ctx.outcome)?.request.url ?? ctx.request.url);
  if (p.apiId) {
    if (p.inspection?.stage) return undefined; // the stage exists: the 403 is the API's own (a resource policy, say)
    const stage = p.stage ?? '';
    return {
      cause: 'unknown-stage',
      explanation: `API Gateway answered 403 Forbidden (ForbiddenException) before any method ran: ${p.kind === 'local-rest' ? `API ${p.apiId} has no stage '${stage}'` : `most often API ${p.apiId} has no stage '${stage}' (a WAF rule or a private API's endpoint answer the same)`} (the stage is the first path segment), so nothing of the API, its OPTIONS method included, saw the request, and the answer has no CORS headers.`,
      fixes: [{ ...deployFix(p), text: `Call the API under a stage it has, or create stage ${stage} by deploying the API to it.` }],
    };
  }
  if (p.kind !== 'aws-rest' && p.kind !== 'aws-http') return undefined;
  const host = url.hostname;
  const basePath = url.pathname.split('/')[1] ?? '';
  // A .localhost name that is not an execute-api host is a custom domain of the local emulator.
  const endpoint = host.endsWith('.localhost') ? ` --endpoint-url http://127.0.0.1:${url.port || '80'}` : '';
  return {
    cause: 'unmapped-base-path',
    explanation: `${host} is a custom domain name, and API Gateway answered 403 Forbidden (ForbiddenException): ${endpoint ? 'none' : 'most often none'} of its base path mappings covers ${url.pathname}, so no API received the request, and the answer has no CORS headers. (The same API may work on its execute-api URL.)`,
    fixes: [
      {
        target: 'rest-api',
        text: `Map the base path '${basePath || '(none)'}' of ${host} to your API's stage, or call a path you mapped (aws apigateway get-base-path-mappings --domain-name ${host}${endpoint} lists them).`,
        command: `aws apigateway create-base-path-mapping --domain-name ${host} --base-path '${basePath || '(none)'}' --rest-api-id <api-id> --stage <stage>${endpoint}`,
      },
    ],
  };
}

/** Fixes for "the response lacks Access-Control-Allow-Origin" depending on who made the response. */
function missingOriginOnActual(ctx: Context, response: HttpResponse): { cause: CauseId; explanation: string; fixes: Fix[] } {
  const routed = routingFailure(ctx, response);
  if (routed) return routed;
  const { platform: p, origin } = ctx;
  const credentials = ctx.request.credentials === 'include';
  const et = errorType(response);
  if (et && (response.status >= 400 || response.status === 0)) {
    const fixes: Fix[] = [];
    if (isHttpApi(p)) fixes.push(httpApiCorsFix(p, { allowOrigins: [origin], allowMethods: methodsFor(ctx), allowHeaders: headersFor(ctx) }, 'API Gateway then adds CORS headers to its own error responses too.'));
    else fixes.push(gatewayResponsesFix(p, origin, response.status));
    if (response.status === 401 || response.status === 403) fixes.push(serverFix(`Also fix the ${response.status} itself (${et}): the request is not authorized (missing or wrong token, API key or signature). With the headers in place the page can at least read the error.`));
    if (response.status === 429) fixes.push(serverFix('Also look at the 429 itself: the request was throttled (stage, usage plan or account limits).'));
    return {
      cause: 'gateway-error-without-cors',
      explanation: `API Gateway itself answered ${response.status} (${et}) and gateway error responses carry no CORS headers by default, so the browser hides the error behind a CORS message.`,
      fixes,
    };
  }
  const inspection = p.inspection;
  // Without a look inside (AWS, or a HAR read offline) a Lambda proxy integration is the usual setup, and its
  // response looks the same as any other; with one, the integration type decides.
  const integration = inspection?.method?.integrationType;
  const proxy = integration ? integration === 'AWS_PROXY' : isRest(p) || isHttpApi(p);
  if (proxy) {
    const fn = inspection?.method?.functionName ?? null;
    return {
      cause: 'lambda-missing-cors-headers',
      explanation: `The ${response.status} response came from ${fn ? `Lambda function ${fn}` : 'the Lambda function'} through a proxy integration, and it has no Access-Control-Allow-Origin header. ${ctx.outcome.exchanges.some((e) => e.request.purpose === 'preflight') ? 'The preflight passed, but the actual response must carry the header too.' : ''}`.trim(),
      fixes: [
        lambdaFix(origin, { credentials, errorsToo: true, functionName: fn }),
        ...(isHttpApi(p) ? [httpApiCorsFix(p, { allowOrigins: [origin], allowMethods: methodsFor(ctx), allowHeaders: headersFor(ctx) }, 'or let API Gateway add the headers for you.')] : []),
        ...(!integration && isRest(p) ? [{ target: 'rest-api' as const, text: "If the method's integration is not a Lambda proxy, map Access-Control-Allow-Origin in its 200 method and integration responses instead (Enable CORS does that for non-proxy methods), then deploy." }] : []),
      ],
    };
  }
  if (isRest(p)) {
    return {
      cause: 'missing-allow-origin',
      explanation: `The ${response.status} response has no Access-Control-Allow-Origin header: the method's integration response does not map it.`,
      fixes: [enableCorsFix(p, origin)],
    };
  }
  return {
    cause: 'missing-allow-origin',
    explanation: `The ${response.status} response has no Access-Control-Allow-Origin header, so the browser refuses to hand it to the page.`,
    fixes: [serverFix(`Make the server add Access-Control-Allow-Origin: ${origin}${credentials ? ' and Access-Control-Allow-Credentials: true' : ''} to this response (and to its error responses).`)],
  };
}

function preflightNotAnswered(ctx: Context, response: HttpResponse): { cause: CauseId; explanation: string; fixes: Fix[] } {
  const routed = routingFailure(ctx, response);
  if (routed) return routed;
  const { platform: p, origin } = ctx;
  const inspection = p.inspection;
  const et = errorType(response);
  const deployedHasOptions = inspection?.deployed?.options != null;
  const currentHasOptions = inspection?.current?.options != null;
  if (inspection?.kind === 'rest' && inspection.stage && !deployedHasOptions && currentHasOptions) {
    return {
      cause: 'stale-deployment',
      explanation: `Resource ${inspection.current!.path} has an OPTIONS method now, but stage ${inspection.stage.name} still serves deployment ${inspection.stage.deploymentId} from ${new Date(inspection.stage.deployedAt * 1000).toISOString()}, made before CORS was enabled. So the preflight gets ${response.status}${et ? ` (${et})` : ''} without CORS headers.`,
      fixes: [deployFix(p)],
    };
  }
  const missing = (response.status === 403 && (et === 'MissingAuthenticationTokenException' || !et)) || response.status === 404 || response.status === 405 || (inspection?.kind === 'rest' && !deployedHasOptions);
  if (missing && (isRest(p) || p.kind === 'unknown' || isHttpApi(p))) {
    const resource = inspection?.deployed?.path ?? inspection?.current?.path ?? p.resourcePath;
    const fixes: Fix[] = [];
    if (isHttpApi(p)) fixes.push(httpApiCorsFix(p, { allowOrigins: [origin], allowMethods: methodsFor(ctx), allowHeaders: headersFor(ctx) }, 'API Gateway then answers every preflight itself.'));
    else if (isRest(p)) {
      // The console's default Allow-Headers, plus whatever else this request sends.
      const defaults = ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token'];
      const extra = headersFor(ctx).filter((h) => !defaults.some((d) => d.toLowerCase() === h));
      fixes.push(enableCorsFix(p, origin, extra.length ? { allowHeaders: [...defaults, ...extra].join(',') } : {}));
    }
    else fixes.push(serverFix(`Answer OPTIONS ${resource ?? ''} with 200 or 204 and Access-Control-Allow-Origin: ${origin}, Access-Control-Allow-Methods, Access-Control-Allow-Headers.`));
    return {
      cause: 'no-options-method',
      explanation: `The browser's preflight (OPTIONS) got ${response.status}${et ? ` ${et}` : ''}: ${isRest(p) ? `API Gateway has no OPTIONS method on ${resource ? `resource ${resource}` : 'this resource'}` : 'nothing answers OPTIONS for this path'}, so the answer has no CORS headers. REST APIs answer a missing route with 403 "Missing Authentication Token".`,
      fixes,
    };
  }
  return {
    cause: 'preflight-missing-allow-origin',
    explanation: `The preflight (OPTIONS) answer, ${response.status}, has no Access-Control-Allow-Origin header.`,
    fixes: isRest(p)
      ? [enableCorsFix(p, origin)]
      : isHttpApi(p)
        ? [httpApiCorsFix(p, { allowOrigins: [origin], allowMethods: methodsFor(ctx), ...(headersFor(ctx).length ? { allowHeaders: headersFor(ctx) } : {}) }, 'API Gateway then answers preflights itself instead of passing OPTIONS to your integration (a $default or ANY route sends it there).')]
        : [serverFix(`Answer the OPTIONS preflight with Access-Control-Allow-Origin: ${origin} (and the allowed methods and headers).`)],
  };
}

function originFix(ctx: Context, preflight: boolean, value: string): Fix[] {
  const { platform: p, origin } = ctx;
  if (isHttpApi(p)) return [httpApiCorsFix(p, { allowOrigins: [origin] }, `AllowOrigins must contain the page's origin exactly (${originDifference(value, origin)}).`)];
  if (isRest(p) && preflight) return [enableCorsFix(p, origin)];
  if (isRest(p)) return [lambdaFix(origin, { credentials: ctx.request.credentials === 'include', functionName: p.inspection?.method?.functionName ?? null }), enableCorsFix(p, origin)];
  return [serverFix(`Send Access-Control-Allow-Origin: ${origin} exactly (or echo the request's Origin header after checking it against your allow-list).`)];
}

function classify(ctx: Context): { cause: CauseId; explanation: string; fixes: Fix[] } {
  const { outcome, platform: p, origin, request } = ctx;
  const error = outcome.error!;
  const ex = lastExchange(outcome);
  const response = ex?.response ?? { status: 0, headers: [] };
  const onPreflight = ex?.request.purpose === 'preflight';
  const where = onPreflight ? 'preflight (OPTIONS) response' : `${response.status} response`;
  const credentials = request.credentials === 'include';
  switch (error.kind) {
    case 'PreflightMissingAllowOriginHeader':
      return preflightNotAnswered(ctx, response);
    case 'MissingAllowOriginHeader':
      return missingOriginOnActual(ctx, response);
    case 'PreflightDisallowedRedirect': {
      const location = normalizedHeader(response.headers, 'location') ?? '?';
      return {
        cause: 'preflight-redirect',
        explanation: `The preflight (OPTIONS) was answered with a ${response.status} redirect to ${location}. Browsers never follow redirects for preflights.`,
        fixes: [serverFix(`Call the final URL directly (${location}), e.g. fix the trailing slash, http→https or the custom domain's base path, or make OPTIONS on this URL answer 200/204 with the CORS headers instead of redirecting.`)],
      };
    }
    case 'PreflightAllowOriginMismatch':
    case 'AllowOriginMismatch':
      return {
        cause: 'origin-mismatch',
        explanation: `The ${where} allows origin '${error.hint}', but the page's origin is '${outcome.url !== request.url && error.hint !== 'null' ? origin : origin}': ${originDifference(error.hint, origin)}. The browser compares them exactly.`,
        fixes: originFix(ctx, onPreflight, error.hint),
      };
    case 'PreflightMultipleAllowOriginValues':
    case 'MultipleAllowOriginValues': {
      const values = error.hint.split(/\s*,\s*|\s+/).filter(Boolean);
      const same = values.length > 1 && values.every((v) => v === values[0]);
      if (same) {
        return {
          cause: 'duplicate-allow-origin',
          explanation: `The ${where} carries Access-Control-Allow-Origin twice ('${error.hint}'): typically API Gateway adds it (a CORS configuration or a header mapping) and the Lambda adds it too. The browser wants exactly one value.`,
          fixes: isHttpApi(p)
            ? [{ target: 'lambda', text: 'The HTTP API already adds the CORS headers from its CorsConfiguration: stop adding Access-Control-Allow-Origin in the Lambda (or remove the CorsConfiguration and let the Lambda do it all).' }]
            : [{ target: 'rest-api', text: 'Add the header in one place only: with a Lambda proxy integration let the function add it and remove the Access-Control-Allow-Origin mapping from the method/integration response (or from the gateway response); with a non-proxy integration keep the mapping and stop the backend from adding it.' }],
        };
      }
      return {
        cause: 'multiple-allow-origin-values',
        explanation: `The ${where} lists several origins in Access-Control-Allow-Origin ('${error.hint}'). The header takes exactly one origin (or '*').`,
        fixes: [serverFix(`Keep a list of allowed origins on the server and answer with the one matching the request's Origin header (${origin}), plus Vary: Origin.`), ...(isHttpApi(p) ? [httpApiCorsFix(p, { allowOrigins: values.filter((v) => v !== '*') }, 'API Gateway picks the matching origin for each request.')] : [])],
      };
    }
    case 'PreflightInvalidAllowOriginValue':
    case 'InvalidAllowOriginValue':
      return {
        cause: 'invalid-allow-origin',
        explanation: `The ${where} has Access-Control-Allow-Origin '${error.hint}', which is not an origin (it needs a scheme: '${origin}').`,
        fixes: originFix(ctx, onPreflight, error.hint),
      };
    case 'PreflightWildcardOriginNotAllowed':
    case 'WildcardOriginNotAllowed':
      return {
        cause: 'credentials-with-wildcard',
        explanation: `The request is sent with credentials (credentials: 'include' / withCredentials), and then Access-Control-Allow-Origin '*' is refused on the ${where}: the server must name the origin and send Access-Control-Allow-Credentials: true.`,
        fixes: isHttpApi(p)
          ? [httpApiCorsFix(p, { allowOrigins: [origin], allowCredentials: true }, "AWS refuses AllowCredentials with '*' origins, so list the exact origin.")]
          : isRest(p)
            ? [
                { target: 'rest-api', text: `On the OPTIONS method of resource ${p.inspection?.deployed?.path ?? p.resourcePath ?? '<resource>'}, map Access-Control-Allow-Origin to '${origin}' and add Access-Control-Allow-Credentials 'true' (method response and integration response), then deploy stage ${p.inspection?.stage?.name ?? p.stage ?? '<stage>'}.` },
                lambdaFix(origin, { credentials: true, functionName: p.inspection?.method?.functionName ?? null }),
              ]
            : [serverFix(`Answer Access-Control-Allow-Origin: ${origin} and Access-Control-Allow-Credentials: true instead of '*', or do not send credentials.`)],
      };
    case 'PreflightInvalidAllowCredentials':
    case 'InvalidAllowCredentials':
      return {
        cause: 'missing-allow-credentials',
        explanation: `The request is sent with credentials, so the ${where} must also carry Access-Control-Allow-Credentials: true (exactly, lowercase); it has '${error.hint}'${error.hint === '' ? ' (absent)' : ''}.`,
        fixes: isHttpApi(p)
          ? [httpApiCorsFix(p, { allowOrigins: [origin], allowCredentials: true }, 'credentialed requests need it.')]
          : isRest(p)
            ? onPreflight
              ? [{ target: 'rest-api', text: `Add Access-Control-Allow-Credentials 'true' to the OPTIONS method response and integration response of resource ${p.inspection?.deployed?.path ?? p.resourcePath ?? '<resource>'}, then deploy.` }]
              : [lambdaFix(origin, { credentials: true, functionName: p.inspection?.method?.functionName ?? null })]
            : [serverFix('Send Access-Control-Allow-Credentials: true.')],
      };
    case 'PreflightInvalidStatus':
      return {
        cause: 'preflight-status',
        explanation: `The preflight (OPTIONS) answer passed the origin check but its status is ${response.status}; a preflight must answer 200-299.`,
        fixes: isRest(p) ? [enableCorsFix(p, origin)] : [serverFix('Answer OPTIONS preflights with 200 or 204.')],
      };
    case 'InvalidAllowMethodsPreflightResponse':
    case 'InvalidAllowHeadersPreflightResponse': {
      const name = error.kind === 'InvalidAllowMethodsPreflightResponse' ? 'Access-Control-Allow-Methods' : 'Access-Control-Allow-Headers';
      return {
        cause: error.kind === 'InvalidAllowMethodsPreflightResponse' ? 'invalid-allow-methods' : 'invalid-allow-headers',
        explanation: `The preflight's ${name} value '${normalizedHeader(response.headers, name) ?? ''}' cannot be parsed: it must be a comma-separated list of tokens (no spaces inside a name, no quotes).`,
        fixes: [serverFix(`Write ${name} as a comma-separated list, e.g. ${name === 'Access-Control-Allow-Methods' ? 'GET,POST,OPTIONS' : 'Content-Type,Authorization'}.`)],
      };
    }
    case 'MethodDisallowedByPreflightResponse': {
      const allowed = normalizedHeader(response.headers, 'access-control-allow-methods');
      return {
        cause: 'method-not-allowed',
        explanation: `The preflight allows methods '${allowed ?? ''}', which does not include ${error.hint}${credentials && allowed?.includes('*') ? " ('*' does not count with credentials)" : ''}. The match is case-sensitive.`,
        fixes: isHttpApi(p)
          ? [httpApiCorsFix(p, { allowMethods: methodsFor(ctx) }, `AllowMethods must include ${error.hint}.`)]
          : isRest(p)
            ? [{ target: 'rest-api', text: `Add ${error.hint} to Access-Control-Allow-Methods of the OPTIONS method on resource ${p.inspection?.deployed?.path ?? p.resourcePath ?? '<resource>'} (Enable CORS again after adding the ${error.hint} method includes it), then deploy.` }]
            : [serverFix(`Add ${error.hint} to Access-Control-Allow-Methods.`)],
      };
    }
    case 'HeaderDisallowedByPreflightResponse': {
      const refused = refusedHeaders(request, onPreflight ? response : undefined);
      const names = refused.length ? refused : [error.hint];
      const allowed = normalizedHeader(response.headers, 'access-control-allow-headers');
      return {
        cause: 'header-not-allowed',
        explanation: `The request sends header${names.length > 1 ? 's' : ''} ${names.join(', ')}, but the preflight allows only '${allowed ?? ''}'${credentials && allowed?.includes('*') ? " ('*' does not count with credentials)" : ''}. Chromium names the first one it checks: ${error.hint}.`,
        fixes: isHttpApi(p)
          ? [httpApiCorsFix(p, { allowHeaders: headersFor(ctx) }, `AllowHeaders must include ${names.join(', ')}.`)]
          : isRest(p)
            ? [enableCorsFix(p, origin, { allowHeaders: [...(allowed ? allowed.split(',').map((s) => s.trim()).filter(Boolean) : []), ...names].join(',') })]
            : [serverFix(`Add ${names.join(', ')} to Access-Control-Allow-Headers.`)],
      };
    }
    case 'RedirectContainsCredentials':
      return {
        cause: 'redirect-with-credentials',
        explanation: `A redirect sent the request to ${normalizedHeader(response.headers, 'location') ?? 'a URL'} that contains a user name and password; browsers refuse that for cross-origin requests.`,
        fixes: [serverFix('Redirect to a URL without user:password@; send credentials in a header instead.')],
      };
    case 'CorsDisabledScheme':
      return { cause: 'cors-disabled-scheme', explanation: 'The request or a redirect goes to a URL scheme that CORS does not support.', fixes: [serverFix('Use an http(s) URL.')] };
    default:
      return { cause: 'missing-allow-origin', explanation: `Blocked: ${error.kind}.`, fixes: [] };
  }
}

/** What the Fetch Standard (no Authorization under '*') would say about the same exchanges. */
function specVerdict(request: BrowserRequest, outcome: CorsOutcome, origin: string): CorsOutcome {
  const responses = outcome.exchanges.map((e) => e.response);
  let i = 0;
  return simulate(request, () => responses[Math.min(i++, responses.length - 1)]!, {
    origin,
    quirks: { ...CHROMIUM_156, wildcardCoversAuthorization: false },
  });
}

export function diagnose(request: BrowserRequest, outcome: CorsOutcome, platform: Platform, origin: string): Diagnosis {
  const ctx: Context = { request, outcome, platform, origin };
  const warnings: Warning[] = [];
  if (outcome.authorizationCoveredByWildcard) {
    const spec = specVerdict(request, outcome, origin);
    warnings.push({
      id: 'authorization-covered-by-wildcard',
      text:
        "The request sends Authorization and the preflight allows it only through Access-Control-Allow-Headers: '*'. " +
        'The installed Chromium 156 lets that through, but the Fetch Standard says the wildcard never covers Authorization; ' +
        `browsers that follow it block the request${spec.message ? ` with: ${spec.message}` : ''}.`,
      fix: isHttpApi(platform)
        ? httpApiCorsFix(platform, { allowHeaders: ['authorization', ...headersFor(ctx).filter((h) => h !== 'authorization')] }, 'name Authorization explicitly.')
        : { target: isRest(platform) ? 'rest-api' : 'server', text: 'List Authorization explicitly in Access-Control-Allow-Headers (e.g. "*, Authorization" or the full list).' },
    });
  }
  const stage = platform.inspection?.stage;
  if (stage?.undeployedChanges) {
    warnings.push({
      id: 'undeployed-changes',
      text: `Stage ${stage.name} serves deployment ${stage.deploymentId}; the API has changed since and the changes are not live.`,
      fix: deployFix(platform),
    });
  }
  const trace = buildTrace(request, outcome, origin);
  if (outcome.allowed) {
    return { cause: null, explanation: `Chromium lets the page on ${origin} read this response.`, fixes: [], warnings, trace };
  }
  if (!outcome.error) {
    return { cause: 'network-error', explanation: `The request failed without a CORS error (${outcome.networkError ?? 'no response'}).`, fixes: [], warnings, trace };
  }
  const c = classify(ctx);
  return { cause: c.cause, explanation: c.explanation, fixes: c.fixes, warnings, trace };
}
