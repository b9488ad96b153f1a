/**
 * `preflight/lambda`: {@link withCors}, a wrapper that gives every response of an API Gateway Lambda handler the
 * right CORS headers.
 *
 * ```ts
 * import { withCors } from 'preflight/lambda';
 *
 * export const handler = withCors(async (event) => ({ statusCode: 200, body: JSON.stringify({ ok: true }) }), {
 *   origins: ['https://app.example.com', 'http://localhost:3000'],
 *   credentials: true,
 * });
 * ```
 *
 * This module runs inside users' Lambda functions: it has no runtime dependencies, only sibling files.
 */
import {
  compileOptions,
  formatIssues,
  parseOriginList,
  credentialsWithAnyOriginMessage,
  type CompiledCorsOptions,
  type OriginPolicy,
  type WithCorsOptions,
} from './lambda-cors-options.js';
import {
  applyCorsHeaders,
  normalizeResult,
  readCorsRequest,
  type APIGatewayProxyEvent,
  type APIGatewayProxyStructuredResultV2,
  type CorsEvent,
  type CorsHeaderSet,
  type CorsRequest,
  type LambdaCallback,
  type LambdaContext,
  type ProxyHandler,
  type ResponseObject,
} from './lambda-events.js';

export {
  CorsOptionsError,
  DEFAULT_ALLOW_HEADERS,
  DEFAULT_ALLOW_METHODS,
  DEFAULT_MAX_AGE,
  DEFAULT_ORIGINS_ENV_VAR,
  DEFAULT_ORIGINS_STAGE_VARIABLE,
  checkOrigin,
  type CorsOptionsIssue,
  type WithCorsOptions,
} from './lambda-cors-options.js';
export type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextV1,
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV1,
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV1,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  CorsEvent,
  HeaderValue,
  LambdaCallback,
  LambdaContext,
  ProxyHandler,
  RequestHeaders,
  RequestMultiValueHeaders,
  StringMap,
} from './lambda-events.js';

/**
 * Body of the 500 answered when the handler throws, rejects, calls back with an error or returns something that
 * is not a response: HTTP API's own text for a failed integration, served as application/json. The error itself
 * only goes to the function's log (console.error), never to the client.
 */
export const INTERNAL_ERROR_BODY = '{"message":"Internal Server Error"}';

/**
 * What the wrapped handler resolves to: the handler's own response type when it always returns one (statusCode
 * required), else a payload 2.0 structured response (what inference and the error answer produce).
 */
export type WithCorsResult<R> = [R] extends [{ statusCode: number }] ? R : APIGatewayProxyStructuredResultV2;

/** A handler wrapped by {@link withCors}: always async, whatever style the inner handler uses. */
export type WithCorsHandler<E, R, C> = (event: E, context: C) => Promise<WithCorsResult<R>>;

// Always the wrapper's: a handler's copy would either duplicate ours or contradict the configured policy.
const CORS_HEADER_NAMES = ['Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials'] as const;

/**
 * Wraps an API Gateway Lambda proxy handler (REST API, HTTP API payload 1.0 or 2.0, detected per event from
 * `version` / `requestContext.http`) so that every response carries CORS headers:
 *
 * - **Allowed origin**: `Access-Control-Allow-Origin` reflects the request's `Origin` (read case-insensitively
 *   from `headers` and `multiValueHeaders`), plus `Vary: Origin`, `Access-Control-Allow-Credentials: true` with
 *   `credentials`, and `Access-Control-Expose-Headers` when configured. With `origins: '*'` the header is a
 *   constant `*` on every response and no Vary is added.
 * - **Other or missing origin**: no Access-Control-Allow-* headers (the browser blocks the read), but still
 *   `Vary: Origin` so shared caches keep per-origin copies.
 * - **Preflights** (`OPTIONS` with `Access-Control-Request-Method`, for APIs that route OPTIONS to the function,
 *   e.g. `ANY /{proxy+}`) are answered 204 with Allow-Methods/Allow-Headers/Max-Age without calling the handler.
 *   The lists are sent as configured; the browser compares them with the request and names what is missing.
 * - **Errors** (sync throw, rejected promise, `callback(error)`, a result API Gateway could not use) are logged
 *   with console.error and answered 500 `{"message":"Internal Server Error"}` (application/json), with CORS
 *   headers so the page sees the 500 instead of an opaque CORS failure.
 * - The handler's own headers, multiValueHeaders and cookies are kept; Access-Control-Allow-Origin and
 *   -Credentials are always the wrapper's (the handler's are replaced), other Access-Control-* headers the
 *   handler sets are replaced only when the wrapper sets the same one.
 * - Payload 2.0 handlers may return a plain value (no statusCode): API Gateway's inference is applied first
 *   (200, `content-type: application/json`, the value's JSON text) so the headers have a response to go on.
 *
 * Allowed origins come from a stage variable (per request), an environment variable (read now), or
 * `options.origins`, the most specific winning; see {@link WithCorsOptions}.
 *
 * @param handler async, callback-style (`(event, context, callback)`) or synchronous handler.
 * @param options see {@link WithCorsOptions}.
 * @returns an async handler to export as the function's handler.
 * @throws {CorsOptionsError} when the options or the origins environment variable are invalid (e.g. `origins: '*'`
 *   with `credentials: true`, or `https://app.example.com/` with its trailing slash), listing every problem and
 *   its fix.
 */
export function withCors<E extends CorsEvent = APIGatewayProxyEvent, R = unknown, C = LambdaContext>(
  handler: ProxyHandler<E, R, C>,
  options?: WithCorsOptions,
): WithCorsHandler<E, R, C> {
  if (typeof handler !== 'function') {
    throw new TypeError(`withCors: expected a handler function as first argument, received ${handler === null ? 'null' : typeof handler}.`);
  }
  const config = compileOptions(options, globalThis.process?.env ?? {});
  const stageOrigins = new StageOriginCache(config);
  let warnedNoOrigins = false;

  function policyFor(request: CorsRequest): OriginPolicy | undefined {
    const fromStage = stageOrigins.get(request.stageVariables);
    if (fromStage !== undefined) return fromStage;
    if (config.origins === undefined && !warnedNoOrigins) {
      warnedNoOrigins = true;
      console.warn(
        'withCors: no allowed origins configured (options.origins, ' +
          `${config.originsEnvVar ? `environment variable ${config.originsEnvVar}, ` : ''}` +
          `${config.originsStageVariable ? `stage variable ${config.originsStageVariable}` : 'stage variables ignored'}), ` +
          'so CORS requests are refused.',
      );
    }
    return config.origins;
  }

  return async function corsHandler(event: E, context: C): Promise<WithCorsResult<R>> {
    const request = readCorsRequest(event);
    const cors = corsHeaders(config, policyFor(request), request);

    if (request.method === 'OPTIONS' && request.requestMethod !== undefined) {
      const preflight: Record<string, string> = { ...cors.set };
      if (originAllowed(cors)) {
        preflight['Access-Control-Allow-Methods'] = config.allowMethods;
        preflight['Access-Control-Allow-Headers'] = config.allowHeaders;
        preflight['Access-Control-Max-Age'] = config.maxAge;
      }
      const answer = applyCorsHeaders({ statusCode: 204, headers: {}, body: '' }, { ...cors, set: preflight });
      return answer as WithCorsResult<R>;
    }

    let response: ResponseObject;
    try {
      const result = await invoke(handler, event, context);
      response = applyCorsHeaders(normalizeResult(request.format, result), withExpose(config, cors));
    } catch (error) {
      console.error('withCors: the handler failed; answering 500 with CORS headers.', error);
      const failure: ResponseObject = {
        statusCode: 500,
        headers: { 'Content-Type': 'application/json' },
        body: INTERNAL_ERROR_BODY,
      };
      response = applyCorsHeaders(failure, withExpose(config, cors));
    }
    return response as WithCorsResult<R>;
  };
}

function originAllowed(cors: CorsHeaderSet): boolean {
  return cors.set['Access-Control-Allow-Origin'] !== undefined;
}

/** The origin decision for one request, as headers common to preflight and actual responses. */
function corsHeaders(config: CompiledCorsOptions, policy: OriginPolicy | undefined, request: CorsRequest): CorsHeaderSet {
  const owned = CORS_HEADER_NAMES;
  if (policy?.kind === 'any') {
    // A constant answer needs no Vary (Fetch §"CORS protocol and HTTP caches"). Credentials never reach this
    // branch: compileOptions and the stage-variable check refuse '*' with credentials.
    return { set: { 'Access-Control-Allow-Origin': '*' }, owned, varyOrigin: false };
  }
  const origin = request.origin;
  if (policy === undefined || origin === undefined || !policy.origins.has(origin)) {
    return { set: {}, owned, varyOrigin: true };
  }
  const set: Record<string, string> = { 'Access-Control-Allow-Origin': origin };
  if (config.credentials) set['Access-Control-Allow-Credentials'] = 'true';
  return { set, owned, varyOrigin: true };
}

function withExpose(config: CompiledCorsOptions, cors: CorsHeaderSet): CorsHeaderSet {
  if (config.exposeHeaders === undefined || !originAllowed(cors)) return cors;
  return { ...cors, set: { ...cors.set, 'Access-Control-Expose-Headers': config.exposeHeaders } };
}

/**
 * Origins from the stage variable, parsed once per distinct value (a function serves few stages). An invalid value
 * is logged once and allows nothing: falling back to the code's origins could widen what the stage meant to allow.
 */
class StageOriginCache {
  readonly #config: CompiledCorsOptions;
  readonly #cache = new Map<string, OriginPolicy | undefined>();

  constructor(config: CompiledCorsOptions) {
    this.#config = config;
  }

  /** The stage's policy, or undefined when the stage variable is not set (the next source then applies). */
  get(stageVariables: Readonly<Record<string, string | undefined>> | undefined): OriginPolicy | undefined {
    const name = this.#config.originsStageVariable;
    if (name === undefined || stageVariables === undefined) return undefined;
    const raw = stageVariables[name];
    if (typeof raw !== 'string') return undefined;
    if (this.#cache.has(raw)) return this.#cache.get(raw);
    const policy = this.#parse(raw, name);
    this.#cache.set(raw, policy);
    return policy;
  }

  #parse(raw: string, name: string): OriginPolicy | undefined {
    const parsed = parseOriginList(raw, { kind: 'stage', name });
    if (parsed === undefined) return undefined;
    const none: OriginPolicy = { kind: 'list', origins: new Set() };
    if ('issues' in parsed) {
      console.error(formatIssues(`withCors: stage variable ${name} is invalid, so no origin is allowed on this stage`, parsed.issues));
      return none;
    }
    if (parsed.policy.kind === 'any' && this.#config.credentials) {
      console.error(
        formatIssues(`withCors: stage variable ${name} is invalid, so no origin is allowed on this stage`, [
          { path: ['stage', name], message: credentialsWithAnyOriginMessage(`${name}=*`) },
        ]),
      );
      return none;
    }
    return parsed.policy;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs the handler in whichever style it was written, as Lambda's Node.js runtime does: a returned promise or the
 * callback, whichever settles first; a handler declaring fewer than three parameters that returns a plain value
 * is taken as synchronous.
 */
function invoke<E, R, C>(handler: ProxyHandler<E, R, C>, event: E, context: C): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    const callback: LambdaCallback<R> = (error, result) => {
      // The runtime treats any error argument other than null/undefined as a failure, falsy or not.
      if (error !== undefined && error !== null) settle(() => reject(error));
      else settle(() => resolve(result));
    };
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      settle(() => reject(error));
      return;
    }
    if (isThenable(returned)) {
      returned.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(error)),
      );
    } else if (handler.length < 3) {
      settle(() => resolve(returned));
    }
  });
}
