import { EVENT_BODY_APART_CHARS } from '../../lambda/spec.js';
import { queryMaps } from '../query.js';
import type { HeaderList } from '../types.js';
import { ACCOUNT_ID } from '../../control/ids.js';
import { clfTime, type RestRequestContext } from './context.js';
import { quote, reordersKey } from '../json-text.js';

/** Request headers API Gateway does not pass to a proxy integration (LocalStack AWS-validated header_remapping). */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection', 'content-length', 'content-md5', 'expect', 'max-forwards', 'proxy-authenticate', 'server', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'www-authenticate',
]);

/** The name a client's header reaches a proxy integration under, or undefined for one API Gateway drops. */
function proxiedHeaderName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (DROPPED_REQUEST_HEADERS.has(lower)) return undefined;
  // AWS re-cases Authorization whatever the client sent.
  return lower === 'authorization' ? 'Authorization' : name;
}

function isForwardedFor(name: string): boolean {
  return name.length === 15 && name.toLowerCase() === 'x-forwarded-for';
}

/** Whether a Content-Type/Accept value matches one of the API's binaryMediaTypes (wildcards allowed). */
export function isBinaryType(value: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!value || binaryMediaTypes.length === 0) return false;
  const types = value.split(',').map((v) => v.split(';')[0]!.trim().toLowerCase());
  return binaryMediaTypes.some((pattern) => {
    const p = pattern.toLowerCase();
    return types.some((t) => {
      if (p === '*/*' || t === p) return true;
      const [pt, ps] = p.split('/');
      const [tt, ts] = t.split('/');
      return (ps === '*' && pt === tt) || (pt === '*' && ps === ts);
    });
  });
}

/**
 * The REST (v1) Lambda proxy event, field for field as AWS sends it (AGDG set-up-lambda-proxy-integrations
 * "Input format"; LocalStack AWS-validated snapshot test_lambda_aws_proxy_integration): null for absent maps,
 * client header casing, last query value in the single-value map.
 */
export function buildProxyEvent(ctx: RestRequestContext): Record<string, unknown> {
  const req = ctx.req;
  // No prototype: a header named constructor or __proto__ is a header like any other (see queryMaps).
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const multiValueHeaders: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const add = (name: string, value: string) => {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  };
  const raw = req.rawHeaders;
  let hasForwardedFor = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = proxiedHeaderName(raw[i]!);
    if (name === undefined) continue;
    if (isForwardedFor(name)) hasForwardedFor = true;
    add(name, raw[i + 1]!);
  }
  add('X-Amzn-Trace-Id', ctx.traceId);
  if (!hasForwardedFor) add('X-Forwarded-For', req.sourceIp);
  add('X-Forwarded-Port', String(req.port));
  add('X-Forwarded-Proto', 'http');

  const { single, multi } = queryMaps(ctx.query);
  const pathParams = ctx.match?.pathParams ?? {};
  const contentType = ctx.header('content-type');
  const binary = isBinaryType(contentType, ctx.api.binaryMediaTypes);
  const resource = ctx.match!.resource;
  return {
    resource: resource.path,
    path: req.eventPath ?? req.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: Object.keys(pathParams).length ? pathParams : null,
    stageVariables: Object.keys(ctx.stage.variables).length ? ctx.stage.variables : null,
    requestContext: {
      resourceId: resource.id,
      resourcePath: resource.path,
      httpMethod: req.method,
      extendedRequestId: ctx.extendedRequestId,
      requestTime: clfTime(req.receivedAt),
      path: ctx.stagePath,
      accountId: ACCOUNT_ID,
      protocol: 'HTTP/1.1',
      stage: ctx.stage.name,
      domainPrefix: ctx.domainPrefix,
      requestTimeEpoch: req.receivedAt,
      requestId: ctx.requestId,
      identity: ctx.identity(),
      domainName: ctx.domainName,
      deploymentId: ctx.stage.deploymentId,
      apiId: ctx.api.apiId,
      ...(ctx.authorizer ? { authorizer: ctx.authorizer } : {}),
    },
    body: req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: binary && req.body.length > 0,
  };
}

/**
 * The same event as JSON text, without building the object first: `JSON.stringify(buildProxyEvent(ctx))`, byte for
 * byte (test/unit/hot-path.test.ts checks that on generated requests). The object and its stringify were the
 * largest piece of the gateway's own work per Lambda proxy request (4 µs of a no-op invocation's path); most of the
 * event is fixed per route and only needs quoting. Header lists whose names an object would reorder or merge
 * (repeats, array-index-like names, __proto__) take the generic path.
 */
export function proxyEventJson(ctx: RestRequestContext): string {
  return encodeProxyEvent(ctx, false).payload;
}

/**
 * The event for a Lambda invocation: as proxyEventJson, except that a large body is left out (null) and returned
 * apart, for the environment to put back (InvokeRequest.body). A 100 KB JSON body otherwise cost the server more to
 * escape into the event than everything else in the request.
 */
export function proxyEventParts(ctx: RestRequestContext): { payload: string; body?: string } {
  return encodeProxyEvent(ctx, true);
}

function encodeProxyEvent(ctx: RestRequestContext, bodyApart: boolean): { payload: string; body?: string } {
  const req = ctx.req;
  const raw = req.rawHeaders;
  // Entries are joined with commas as they are written: slicing off a trailing comma would flatten the string first.
  let headers = '';
  let multi = '';
  let sep = '';
  let hasForwardedFor = false;
  const seen: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = proxiedHeaderName(raw[i]!);
    if (name === undefined) continue;
    if (isForwardedFor(name)) hasForwardedFor = true;
    if (seen.includes(name) || reordersKey(name)) return { payload: JSON.stringify(buildProxyEvent(ctx)) };
    seen.push(name);
    const k = quote(name);
    const v = quote(raw[i + 1]!);
    headers += `${sep}${k}:${v}`;
    multi += `${sep}${k}:[${v}]`;
    sep = ',';
  }
  const added = (name: string, value: string) => {
    if (seen.includes(name)) return false;
    const v = quote(value);
    headers += `${sep}"${name}":${v}`;
    multi += `${sep}"${name}":[${v}]`;
    sep = ',';
    return true;
  };
  if (
    !added('X-Amzn-Trace-Id', ctx.traceId) ||
    (!hasForwardedFor && !added('X-Forwarded-For', req.sourceIp)) ||
    !added('X-Forwarded-Port', String(req.port)) ||
    !added('X-Forwarded-Proto', 'http')
  ) {
    return { payload: JSON.stringify(buildProxyEvent(ctx)) };
  }
  const { single, multi: multiQuery } = queryMaps(ctx.query);
  const pathParams = ctx.match?.pathParams ?? {};
  const binary = isBinaryType(ctx.header('content-type'), ctx.api.binaryMediaTypes);
  const resource = ctx.match!.resource;
  const resourcePath = quote(resource.path);
  const method = quote(req.method);
  const variables = ctx.stage.variables;
  const body = req.body.length === 0 ? undefined : binary ? req.body.toString('base64') : req.body.toString('utf8');
  const apart = bodyApart && body !== undefined && body.length >= EVENT_BODY_APART_CHARS;
  const payload =
    `{"resource":${resourcePath},"path":${quote(req.eventPath ?? req.path)},"httpMethod":${method},` +
    `"headers":{${headers}},"multiValueHeaders":{${multi}},` +
    `"queryStringParameters":${JSON.stringify(single)},"multiValueQueryStringParameters":${JSON.stringify(multiQuery)},` +
    `"pathParameters":${Object.keys(pathParams).length ? JSON.stringify(pathParams) : 'null'},` +
    `"stageVariables":${Object.keys(variables).length ? JSON.stringify(variables) : 'null'},` +
    `"requestContext":{"resourceId":${quote(resource.id)},"resourcePath":${resourcePath},"httpMethod":${method},` +
    `"extendedRequestId":${quote(ctx.extendedRequestId)},"requestTime":"${clfTime(req.receivedAt)}",` +
    `"path":${quote(ctx.stagePath)},"accountId":"${ACCOUNT_ID}","protocol":"HTTP/1.1",` +
    `"stage":${quote(ctx.stage.name)},"domainPrefix":${quote(ctx.domainPrefix)},` +
    `"requestTimeEpoch":${String(req.receivedAt)},"requestId":${quote(ctx.requestId)},` +
    `"identity":${ctx.iamIdentity || ctx.apiKey ? JSON.stringify(ctx.identity()) : plainIdentityJson(ctx)},` +
    `"domainName":${quote(ctx.domainName)},"deploymentId":${quote(ctx.stage.deploymentId)},` +
    `"apiId":${quote(ctx.api.apiId)}${ctx.authorizer ? `,"authorizer":${JSON.stringify(ctx.authorizer)}` : ''}},` +
    `"body":${body === undefined || apart ? 'null' : quote(body)},` +
    `"isBase64Encoded":${binary && req.body.length > 0}}`;
  return apart ? { payload, body } : { payload };
}


// A client sends the same User-Agent from the same address request after request: the last identity is kept.
let lastIdentity = { sourceIp: '', userAgent: undefined as string | undefined, json: '' };

/** requestContext.identity of a caller with no IAM identity or API key: RestRequestContext.identity() as JSON. */
function plainIdentityJson(ctx: RestRequestContext): string {
  const userAgent = ctx.header('user-agent');
  const sourceIp = ctx.req.sourceIp;
  if (sourceIp === lastIdentity.sourceIp && userAgent === lastIdentity.userAgent) return lastIdentity.json;
  const json =
    '{"accessKey":null,"accountId":null,"caller":null,"cognitoAuthenticationProvider":null,' +
    '"cognitoAuthenticationType":null,"cognitoIdentityId":null,"cognitoIdentityPoolId":null,"principalOrgId":null,' +
    `"sourceIp":${quote(sourceIp)},"user":null,"userAgent":${userAgent === undefined ? 'null' : quote(userAgent)},"userArn":null}`;
  lastIdentity = { sourceIp, userAgent, json };
  return json;
}

export interface ProxyResponse {
  status: number;
  headers: HeaderList;
  body: Buffer | string;
}

/** Why a Lambda proxy response was refused; goes to the log, never to the client (who sees a 502). */
export class MalformedProxyResponse extends Error {}

const ALLOWED_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * Validates and converts a Lambda proxy result the way API Gateway does (AWS-validated cases in LocalStack's
 * test_aws_proxy_response_payload_format_validation): an object with only the five known keys; statusCode a number
 * or numeric string (default 200); headers with scalar values; multiValueHeaders with list values, merged with
 * headers case-insensitively, multiValueHeaders first.
 */
export function parseProxyResponse(
  payload: string,
  binaryMediaTypes: readonly string[],
  accept: string | undefined,
  defaultContentType = 'application/json',
): ProxyResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new MalformedProxyResponse('the function returned something that is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedProxyResponse(`the function returned ${describe(value)}, not an object with statusCode, headers and body`);
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!ALLOWED_KEYS.has(key)) {
      throw new MalformedProxyResponse(
        `unexpected field '${key}': a proxy response may only have statusCode, headers, multiValueHeaders, body and isBase64Encoded`,
      );
    }
  }
  let status = 200;
  if (obj['statusCode'] !== undefined && obj['statusCode'] !== null) {
    const raw = obj['statusCode'];
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 100 || n > 599) {
      throw new MalformedProxyResponse(`statusCode must be an integer HTTP status, got ${JSON.stringify(raw)}`);
    }
    status = n;
  }
  const headers: HeaderList = [];
  const mvh = obj['multiValueHeaders'];
  if (mvh !== undefined && mvh !== null) {
    if (typeof mvh !== 'object' || Array.isArray(mvh)) throw new MalformedProxyResponse('multiValueHeaders must be an object of lists');
    for (const [k, list] of Object.entries(mvh as Record<string, unknown>)) {
      if (!Array.isArray(list)) throw new MalformedProxyResponse(`multiValueHeaders.${k} must be a list of strings, got ${describe(list)}`);
      for (const v of list) headers.push([k, scalar(v, `multiValueHeaders.${k}`)]);
    }
  }
  const h = obj['headers'];
  if (h !== undefined && h !== null) {
    if (typeof h !== 'object' || Array.isArray(h)) throw new MalformedProxyResponse('headers must be an object of strings');
    for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      const text = scalar(v, `headers.${k}`);
      // A header also in multiValueHeaders joins that list under multiValueHeaders' casing.
      const lower = k.toLowerCase();
      const existing = headers.find(([name]) => name.toLowerCase() === lower);
      headers.push([existing ? existing[0] : k, text]);
    }
  }
  const rawBody = obj['body'];
  let body: Buffer | string = '';
  if (rawBody !== undefined && rawBody !== null) {
    if (typeof rawBody !== 'string') throw new MalformedProxyResponse(`body must be a string, got ${describe(rawBody)}; JSON.stringify it`);
    body = rawBody;
  }
  const b64 = obj['isBase64Encoded'];
  if (b64 !== undefined && b64 !== null && typeof b64 !== 'boolean') {
    throw new MalformedProxyResponse(`isBase64Encoded must be true or false, got ${describe(b64)}`);
  }
  // The base64 text is decoded only when the client accepts a binary media type of the API; otherwise AWS returns
  // the base64 text itself.
  if (b64 === true && typeof body === 'string' && isBinaryType(accept, binaryMediaTypes)) body = Buffer.from(body, 'base64');
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', defaultContentType]);
  return { status, headers, body };
}

function scalar(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new MalformedProxyResponse(`${where} must be a string, number or boolean, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
