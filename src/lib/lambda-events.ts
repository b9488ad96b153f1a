/**
 * API Gateway Lambda proxy event and response shapes, and the small readers/writers `withCors` needs.
 *
 * The shapes follow AWS's documentation for REST API proxy integrations (v1), HTTP API payload format 1.0 (v1
 * plus `version: "1.0"`) and payload format 2.0. They are structurally compatible with `@types/aws-lambda`, so
 * handlers typed with either work. No runtime imports: this file ships inside users' functions.
 */

/** A response header value; API Gateway v1 accepts booleans and numbers and sends them as text. */
export type HeaderValue = string | number | boolean;

/** Request headers: v1 keeps the client's casing, v2 lowercases names and joins duplicates with commas. */
export type RequestHeaders = Record<string, string | undefined>;
export type RequestMultiValueHeaders = Record<string, string[] | undefined>;
export type StringMap = Record<string, string | undefined>;

/** `requestContext.identity` of a v1 event. */
export interface APIGatewayEventIdentity {
  accessKey: string | null;
  accountId: string | null;
  apiKey?: string | null;
  apiKeyId?: string | null;
  caller: string | null;
  cognitoAuthenticationProvider: string | null;
  cognitoAuthenticationType: string | null;
  cognitoIdentityId: string | null;
  cognitoIdentityPoolId: string | null;
  principalOrgId: string | null;
  sourceIp: string;
  user: string | null;
  userAgent: string | null;
  userArn: string | null;
}

/** `requestContext` of a v1 event. */
export interface APIGatewayEventRequestContextV1 {
  accountId: string;
  apiId: string;
  authorizer?: Record<string, unknown> | null;
  deploymentId?: string;
  domainName?: string;
  domainPrefix?: string;
  extendedRequestId?: string;
  httpMethod: string;
  identity: APIGatewayEventIdentity;
  path: string;
  protocol: string;
  requestId: string;
  requestTime?: string;
  requestTimeEpoch: number;
  resourceId: string;
  resourcePath: string;
  stage: string;
}

/** Event of a REST API Lambda proxy integration; HTTP API payload format 1.0 is the same plus `version: "1.0"`. */
export interface APIGatewayProxyEventV1 {
  version?: '1.0';
  resource: string;
  path: string;
  httpMethod: string;
  headers: RequestHeaders | null;
  multiValueHeaders: RequestMultiValueHeaders | null;
  queryStringParameters: StringMap | null;
  multiValueQueryStringParameters: RequestMultiValueHeaders | null;
  pathParameters: StringMap | null;
  stageVariables: StringMap | null;
  requestContext: APIGatewayEventRequestContextV1;
  body: string | null;
  isBase64Encoded: boolean;
}

/** `requestContext` of an HTTP API payload format 2.0 event. */
export interface APIGatewayEventRequestContextV2 {
  accountId: string;
  apiId: string;
  authentication?: Record<string, unknown>;
  authorizer?: Record<string, unknown>;
  domainName: string;
  domainPrefix: string;
  http: {
    method: string;
    path: string;
    protocol: string;
    sourceIp: string;
    userAgent: string;
  };
  requestId: string;
  routeKey: string;
  stage: string;
  time: string;
  timeEpoch: number;
}

/** Event of an HTTP API Lambda integration with payload format 2.0. Absent maps are left out, not null. */
export interface APIGatewayProxyEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: RequestHeaders;
  queryStringParameters?: StringMap;
  pathParameters?: StringMap;
  stageVariables?: StringMap;
  requestContext: APIGatewayEventRequestContextV2;
  body?: string;
  isBase64Encoded: boolean;
}

/** Any proxy event `withCors` understands. */
export type APIGatewayProxyEvent = APIGatewayProxyEventV1 | APIGatewayProxyEventV2;

/**
 * The fields of an event `withCors` reads: the constraint on a wrapped handler's event type, loose enough for
 * {@link APIGatewayProxyEvent}, `@types/aws-lambda`'s events and hand-written test events alike.
 */
export interface CorsEvent {
  readonly version?: string | undefined;
  readonly httpMethod?: string | null | undefined;
  readonly headers?: Readonly<RequestHeaders> | null | undefined;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null | undefined;
  readonly stageVariables?: Readonly<StringMap> | null | undefined;
  // `object` rather than `{ http?: ... }`: a v1 requestContext shares no key with that, and TypeScript's
  // weak-type check would then reject v1 events.
  readonly requestContext?: object | null | undefined;
}

/** Response of a REST API proxy integration (and HTTP API payload format 1.0). */
export interface APIGatewayProxyResultV1 {
  statusCode: number;
  headers?: Record<string, HeaderValue>;
  multiValueHeaders?: Record<string, HeaderValue[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** Structured response of payload format 2.0; each cookie becomes its own Set-Cookie header. */
export interface APIGatewayProxyStructuredResultV2 {
  statusCode?: number;
  headers?: Record<string, HeaderValue>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** What a payload 2.0 handler may return: a structured response, or any JSON value API Gateway wraps itself. */
export type APIGatewayProxyResultV2<T = never> = APIGatewayProxyStructuredResultV2 | string | T;

/** The Lambda context object (the fields the Node.js runtime provides). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
}

/** Node.js runtime callback: `callback(error)` fails the invocation, `callback(null, result)` answers. */
export type LambdaCallback<R> = (error?: unknown, result?: R) => void;

/** A Lambda handler: async (returns a promise), callback-style, or synchronous. */
export type ProxyHandler<E, R, C = LambdaContext> = (event: E, context: C, callback: LambdaCallback<R>) => void | R | Promise<R>;

// ---------------------------------------------------------------------------------------------------------------
// Reading requests

/** What `withCors` needs from a request, whatever the payload format. */
export interface CorsRequest {
  readonly format: 'v1' | 'v2';
  readonly method: string;
  /** The Origin header, or undefined when absent or sent more than once (no single origin to reflect). */
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly stageVariables: Readonly<StringMap> | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All values of a request header, matching its name case-insensitively in `headers` and `multiValueHeaders`. */
export function requestHeaderValues(event: unknown, name: string): string[] {
  if (!isRecord(event)) return [];
  const lower = name.toLowerCase();
  // multiValueHeaders first: for a repeated header, REST's `headers` only keeps the last value.
  const multi = event.multiValueHeaders;
  if (isRecord(multi)) {
    const values: string[] = [];
    for (const [key, list] of Object.entries(multi)) {
      if (key.toLowerCase() !== lower || !Array.isArray(list)) continue;
      for (const v of list) if (typeof v === 'string') values.push(v);
    }
    if (values.length > 0) return values;
  }
  const headers = event.headers;
  const values: string[] = [];
  if (isRecord(headers)) {
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() === lower && typeof value === 'string') values.push(value);
    }
  }
  return values;
}

/** Detects the payload format and reads method, Origin, Access-Control-Request-Method and stage variables. */
export function readCorsRequest(event: unknown): CorsRequest {
  const e = isRecord(event) ? event : {};
  const http = isRecord(e.requestContext) ? e.requestContext.http : undefined;
  const format = e.version === '2.0' || isRecord(http) ? 'v2' : 'v1';
  let method = '';
  if (format === 'v2' && isRecord(http) && typeof http.method === 'string') method = http.method;
  else if (typeof e.httpMethod === 'string') method = e.httpMethod;
  const origins = requestHeaderValues(e, 'origin');
  const requestMethods = requestHeaderValues(e, 'access-control-request-method');
  const stageVariables = isRecord(e.stageVariables) ? (e.stageVariables as StringMap) : undefined;
  return {
    format,
    method: method.toUpperCase(),
    origin: origins.length === 1 ? origins[0] : undefined,
    requestMethod: requestMethods[0],
    stageVariables,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writing responses

/** A response object as handlers return it, before `withCors` adds its headers. */
export type ResponseObject = Record<string, unknown> & {
  headers?: Record<string, HeaderValue> | null;
  multiValueHeaders?: Record<string, HeaderValue[]> | null;
};

/** A handler result that cannot be turned into a response; `withCors` answers 500 and logs this. */
export class MalformedResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResultError';
  }
}

/**
 * Turns a handler's result into a response object. Payload 2.0 applies API Gateway's inference to anything that
 * is not an object with a statusCode (200, application/json, the value's JSON text, a string as is); v1 formats
 * have no inference, so a non-object there is what API Gateway would answer 502 to.
 */
export function normalizeResult(format: 'v1' | 'v2', result: unknown): ResponseObject {
  if (format === 'v2') {
    if (isRecord(result) && result.statusCode !== undefined) return checkHeaderMaps({ ...result });
    // Lambda's Node.js runtime sends `undefined` as null, so API Gateway sees the JSON value null.
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body, isBase64Encoded: false };
  }
  if (!isRecord(result)) {
    const what = result === undefined ? 'nothing' : result === null ? 'null' : Array.isArray(result) ? 'an array' : `a ${typeof result}`;
    throw new MalformedResultError(
      `the handler returned ${what}, but a REST API / payload 1.0 proxy integration needs an object such as ` +
        `{ statusCode: 200, body: '...' } (API Gateway answers 502 otherwise)`,
    );
  }
  return checkHeaderMaps({ ...result });
}

function checkHeaderMaps(response: Record<string, unknown>): ResponseObject {
  for (const key of ['headers', 'multiValueHeaders'] as const) {
    const value = response[key];
    if (value !== undefined && value !== null && !isRecord(value)) {
      throw new MalformedResultError(`the handler's response has ${key} of type ${Array.isArray(value) ? 'array' : typeof value}; expected an object`);
    }
  }
  const multi = response.multiValueHeaders;
  if (isRecord(multi)) {
    for (const [name, list] of Object.entries(multi)) {
      if (!Array.isArray(list)) {
        throw new MalformedResultError(`the handler's multiValueHeaders[${JSON.stringify(name)}] is not an array (API Gateway answers 502)`);
      }
    }
  }
  return response as ResponseObject;
}

/** CORS headers to put on a response. */
export interface CorsHeaderSet {
  /** Headers `withCors` sets, replacing any the handler set under the same name (case-insensitively). */
  readonly set: Readonly<Record<string, string>>;
  /** Headers `withCors` owns: removed from the handler's response even when `set` has no value for them. */
  readonly owned: readonly string[];
  /** Add `Origin` to Vary. */
  readonly varyOrigin: boolean;
}

/**
 * Adds CORS headers to a response without mutating it. Keeps the handler's other headers, multiValueHeaders,
 * cookies and fields.
 */
export function applyCorsHeaders(response: ResponseObject, cors: CorsHeaderSet): ResponseObject {
  const remove = new Set([...cors.owned, ...Object.keys(cors.set)].map((n) => n.toLowerCase()));
  // Removing from both maps matters: API Gateway merges headers and multiValueHeaders, and two
  // Access-Control-Allow-Origin values reach the browser as "a, b" (or two lines), which it rejects outright
  // ("contains multiple values"), even when both are right.
  const headers: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (!remove.has(name.toLowerCase())) headers[name] = value;
  }
  let multi: Record<string, HeaderValue[]> | undefined;
  if (response.multiValueHeaders) {
    multi = {};
    for (const [name, values] of Object.entries(response.multiValueHeaders)) {
      if (!remove.has(name.toLowerCase())) multi[name] = [...values];
    }
  }
  Object.assign(headers, cors.set);
  if (cors.varyOrigin) addVaryOrigin(headers, multi);
  const out: ResponseObject = { ...response, headers };
  if (multi) out.multiValueHeaders = multi;
  return out;
}

function varyHasOrigin(value: HeaderValue): boolean {
  return String(value)
    .split(',')
    .some((token) => {
      const t = token.trim().toLowerCase();
      return t === 'origin' || t === '*';
    });
}

function addVaryOrigin(headers: Record<string, HeaderValue>, multi: Record<string, HeaderValue[]> | undefined): void {
  // Vary is a list header, so extending the handler's own entry (wherever it put it) keeps its other fields.
  const headerKey = Object.keys(headers).find((k) => k.toLowerCase() === 'vary');
  const multiKey = multi ? Object.keys(multi).find((k) => k.toLowerCase() === 'vary') : undefined;
  const existing = [...(headerKey ? [headers[headerKey] ?? ''] : []), ...(multiKey && multi ? (multi[multiKey] ?? []) : [])];
  if (existing.some(varyHasOrigin)) return;
  if (headerKey) {
    const current = String(headers[headerKey] ?? '').trim();
    headers[headerKey] = current === '' ? 'Origin' : `${current}, Origin`;
  } else if (multiKey && multi) {
    multi[multiKey] = [...(multi[multiKey] ?? []), 'Origin'];
  } else {
    headers.Vary = 'Origin';
  }
}
