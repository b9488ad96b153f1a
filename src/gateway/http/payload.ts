import { isUtf8 as bufferIsUtf8 } from 'node:buffer';
import { queryMaps } from '../query.js';
import { findHeader, type HeaderList } from '../types.js';
import type { HttpRequestContext } from './context.js';
import { decodePath } from './decode.js';
import { EVENT_BODY_APART_CHARS, eventParts } from '../../lambda/spec.js';
import { clfTime } from '../rest/context.js';
import { quote, reordersKey } from '../json-text.js';

/** Header names a proxy integration never sees (as for REST proxy integrations). */
const DROPPED = new Set(['connection', 'content-length', 'expect', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function forwardedHeaders(ctx: HttpRequestContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of ctx.headers) if (!DROPPED.has(k)) out.set(k, v);
  if (!out.has('x-forwarded-for')) out.set('x-forwarded-for', [ctx.req.sourceIp]);
  out.set('x-forwarded-port', [String(ctx.req.port)]);
  out.set('x-forwarded-proto', ['http']);
  return out;
}

function isBinary(ctx: HttpRequestContext): boolean {
  // HTTP APIs pass text bodies as text and everything else base64-encoded (AGDG http-api-develop-integrations-lambda).
  if (ctx.req.body.length === 0) return false;
  const type = (ctx.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const textual = type === '' || type.startsWith('text/') || /[/+](json|xml|javascript|x-www-form-urlencoded)$/.test(type);
  if (!textual) return true;
  // Text that is not valid UTF-8 would be mangled by a string body.
  return !isUtf8(ctx.req.body);
}

/** Node's own validator: decoding and re-encoding to compare cost two copies of the body per request. */
function isUtf8(b: Buffer): boolean {
  return bufferIsUtf8(b);
}

/** The 2.0 event's cookies: every Cookie header's pairs, in order. */
function cookieList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(';').map((c) => c.trim()).filter(Boolean));
}

/** The 2.0 event's query parameters: a repeated name's values joined by commas, names in first-seen order. */
function joinedQuery(ctx: HttpRequestContext): Map<string, string> {
  const joined = new Map<string, string>();
  for (const [k, v] of ctx.query) {
    const prev = joined.get(k);
    joined.set(k, prev === undefined ? v : `${prev},${v}`);
  }
  return joined;
}

/**
 * Payload format 2.0 (AGDG http-api-develop-integrations-lambda; aws-lambda-go events/testdata/apigw-v2-*.json):
 * lower-cased headers with repeats joined by commas, cookies in their own list, query values joined by commas,
 * absent parts left out rather than null.
 */
export function buildEventV2(ctx: HttpRequestContext): Record<string, unknown> {
  // No prototypes in maps keyed by the client: `constructor` or `__proto__` are data (see queryMaps).
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let cookies: string[] | undefined;
  for (const [k, values] of forwardedHeaders(ctx)) {
    if (k === 'cookie') {
      cookies = cookieList(values);
      continue;
    }
    headers[k] = values.join(',');
  }
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of joinedQuery(ctx)) query[k] = v;
  const binary = isBinary(ctx);
  const rawPath = decodePath(ctx.rawPath);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: ctx.routeKey,
    rawPath,
    rawQueryString: ctx.req.rawQuery,
  };
  if (cookies?.length) event['cookies'] = cookies;
  event['headers'] = headers;
  if (ctx.query.length) event['queryStringParameters'] = query;
  const requestContext: Record<string, unknown> = {
    accountId: ctx.accountId,
    apiId: ctx.api.apiId,
  };
  if (ctx.authorizer) requestContext['authorizer'] = ctx.authorizer;
  Object.assign(requestContext, {
    domainName: ctx.domainName,
    domainPrefix: ctx.domainName.split('.')[0],
    http: {
      method: ctx.req.method,
      path: rawPath,
      protocol: 'HTTP/1.1',
      sourceIp: ctx.req.sourceIp,
      userAgent: ctx.header('user-agent') ?? '',
    },
    requestId: ctx.requestId,
    routeKey: ctx.routeKey,
    stage: ctx.stage.name,
    ...ctx.time(),
  });
  event['requestContext'] = requestContext;
  if (ctx.req.body.length) event['body'] = binary ? ctx.req.body.toString('base64') : ctx.req.body.toString('utf8');
  if (ctx.match && Object.keys(ctx.match.pathParams).length) event['pathParameters'] = ctx.match.pathParams;
  event['isBase64Encoded'] = binary;
  if (Object.keys(ctx.stage.variables).length) event['stageVariables'] = ctx.stage.variables;
  return event;
}

/**
 * The 2.0 event for an invocation as JSON text, written directly rather than built and stringified (3.2 -> about
 * 1 us for a small GET): byte for byte `JSON.stringify(buildEventV2(ctx))` (test/unit/hot-path.test.ts checks it on
 * generated requests), with a body of EVENT_BODY_APART_CHARS or more left out (null) and returned apart, as
 * eventParts does. Maps an object would reorder (array-index-like or __proto__ keys) take the generic path.
 */
export function eventV2Parts(ctx: HttpRequestContext): { payload: string; body?: string } {
  let headers = '';
  let sep = '';
  let cookies: string[] | undefined;
  for (const [k, values] of forwardedHeaders(ctx)) {
    if (k === 'cookie') {
      cookies = cookieList(values);
      continue;
    }
    if (reordersKey(k)) return eventParts(buildEventV2(ctx));
    headers += `${sep}${quote(k)}:${quote(values.join(','))}`;
    sep = ',';
  }
  let query: string | undefined;
  if (ctx.query.length) {
    query = '';
    sep = '';
    for (const [k, v] of joinedQuery(ctx)) {
      if (reordersKey(k)) return eventParts(buildEventV2(ctx));
      query += `${sep}${quote(k)}:${quote(v)}`;
      sep = ',';
    }
  }
  const binary = isBinary(ctx);
  const rawPath = quote(decodePath(ctx.rawPath));
  const routeKey = quote(ctx.routeKey);
  const domainName = ctx.domainName;
  const req = ctx.req;
  const body = req.body.length === 0 ? undefined : binary ? req.body.toString('base64') : req.body.toString('utf8');
  const apart = body !== undefined && body.length >= EVENT_BODY_APART_CHARS;
  const pathParams = ctx.match?.pathParams;
  const variables = ctx.stage.variables;
  const payload =
    `{"version":"2.0","routeKey":${routeKey},"rawPath":${rawPath},"rawQueryString":${quote(req.rawQuery)},` +
    (cookies?.length ? `"cookies":${JSON.stringify(cookies)},` : '') +
    `"headers":{${headers}},` +
    (query !== undefined ? `"queryStringParameters":{${query}},` : '') +
    `"requestContext":{"accountId":${quote(ctx.accountId)},"apiId":${quote(ctx.api.apiId)},` +
    (ctx.authorizer ? `"authorizer":${JSON.stringify(ctx.authorizer)},` : '') +
    `"domainName":${quote(domainName)},"domainPrefix":${quote(domainName.split('.')[0]!)},` +
    `"http":{"method":${quote(req.method)},"path":${rawPath},"protocol":"HTTP/1.1","sourceIp":${quote(req.sourceIp)},` +
    `"userAgent":${quote(ctx.header('user-agent') ?? '')}},"requestId":${quote(ctx.requestId)},"routeKey":${routeKey},` +
    `"stage":${quote(ctx.stage.name)},"time":"${clfTime(req.receivedAt)}","timeEpoch":${String(req.receivedAt)}},` +
    (body === undefined ? '' : `"body":${apart ? 'null' : quote(body)},`) +
    (pathParams && Object.keys(pathParams).length ? `"pathParameters":${JSON.stringify(pathParams)},` : '') +
    `"isBase64Encoded":${binary}` +
    (Object.keys(variables).length ? `,"stageVariables":${JSON.stringify(variables)}` : '') +
    '}';
  return apart ? { payload, body } : { payload };
}

/** Payload format 1.0 on an HTTP API: the REST shape, with "version": "1.0" and HTTP API's requestContext. */
export function buildEventV1(ctx: HttpRequestContext): Record<string, unknown> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const multiValueHeaders: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (DROPPED.has(name.toLowerCase())) continue;
    headers[name] = raw[i + 1]!;
    (multiValueHeaders[name] ??= []).push(raw[i + 1]!);
  }
  const { single, multi } = queryMaps(ctx.query);
  const binary = isBinary(ctx);
  const route = ctx.match?.route.route.routeKey;
  const resource = route === undefined || route === '$default' ? '/{proxy+}' : route.slice(route.indexOf(' ') + 1);
  const pathParams = ctx.match?.pathParams ?? {};
  return {
    version: '1.0',
    resource: route === '$default' ? ctx.rawPath : resource,
    path: ctx.rawPath,
    httpMethod: ctx.req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.api.apiId,
      ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
      domainName: ctx.domainName,
      domainPrefix: ctx.domainName.split('.')[0],
      extendedRequestId: ctx.requestId,
      httpMethod: ctx.req.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAmr: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: ctx.req.sourceIp,
        user: null,
        userAgent: ctx.header('user-agent') ?? '',
        userArn: null,
      },
      // Decoded here, encoded in the top-level path (LambdaTestTool-v2 V1_SpecialCharactersInPathHttpV1).
      path: decodePath(ctx.rawPath),
      protocol: 'HTTP/1.1',
      requestId: ctx.requestId,
      requestTime: ctx.time().time,
      requestTimeEpoch: ctx.req.receivedAt,
      resourceId: ctx.routeKey,
      resourcePath: resource,
      stage: ctx.stage.name,
    },
    pathParameters: Object.keys(pathParams).length ? pathParams : null,
    stageVariables: Object.keys(ctx.stage.variables).length ? ctx.stage.variables : null,
    body: ctx.req.body.length === 0 ? null : binary ? ctx.req.body.toString('base64') : ctx.req.body.toString('utf8'),
    isBase64Encoded: binary,
  };
}

export class MalformedResponse extends Error {}

/**
 * A 2.0 response (AGDG http-api-develop-integrations-lambda "Lambda function response format"): with statusCode it
 * is structured (headers, cookies → one Set-Cookie each, body, isBase64Encoded); valid JSON without statusCode is
 * inferred as 200 application/json with the JSON as the body, a plain string as itself.
 */
export function parseResponseV2(payload: string): { status: number; headers: HeaderList; body: Buffer | string } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    // API Gateway does not validate JSON without a statusCode: the text goes out as it is, as 200 (aws-lambda-dotnet
    // LambdaTestTool-v2 snapshots recorded on AWS, "InvalidJson" cases).
    value = undefined;
  }
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value) || !('statusCode' in value)) {
    const body = typeof value === 'string' ? value : payload;
    return { status: 200, headers: [['content-type', 'application/json']], body };
  }
  const obj = value as Record<string, unknown>;
  const raw = obj['statusCode'];
  // statusCode 0, a float or a non-number is a 500 (same snapshots).
  const status = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new MalformedResponse(`statusCode must be an integer HTTP status, got ${JSON.stringify(raw)}`);
  const headers: HeaderList = [];
  const h = obj['headers'];
  if (h !== undefined && h !== null) {
    if (typeof h !== 'object' || Array.isArray(h)) throw new MalformedResponse('headers must be an object of strings');
    for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      if (typeof v === 'object') throw new MalformedResponse(`headers.${k} must be a string (join several values with commas)`);
      headers.push([k, String(v)]);
    }
  }
  const cookies = obj['cookies'];
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) throw new MalformedResponse('cookies must be a list of Set-Cookie values');
    for (const c of cookies) headers.push(['set-cookie', String(c)]);
  }
  let body: Buffer | string = '';
  const b = obj['body'];
  if (b !== undefined && b !== null) {
    if (typeof b !== 'string') throw new MalformedResponse('body must be a string; JSON.stringify it');
    body = obj['isBase64Encoded'] === true ? Buffer.from(b, 'base64') : b;
  }
  // With a statusCode and no content type AWS answers text/plain (same snapshots, V2_DefaultsToTextPlainContentType).
  if (!findHeader(headers, 'content-type')) headers.push(['content-type', 'text/plain; charset=utf-8']);
  return { status, headers, body };
}
