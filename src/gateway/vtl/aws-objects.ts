// The variables API Gateway puts in a mapping template: $input, $util, $context, $stageVariables.
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html

import { JsonSyntaxError, cloneJson, fromPlain, parseJsonPermissive, parseJsonText } from './json.js';
import { compileJsonPath, evaluateCompiled, JsonPathSyntaxError } from './jsonpath.js';
import { HostObject, JDouble, JavaException, VList, VMap, hex4, intValue, javaToString, toJsonText, type Value } from './values.js';

// ---------------------------------------------------------------------------------------------------------------
// $util

/**
 * Commons Lang StringEscapeUtils.escapeJavaScript: `'` → `\'` (the AWS doc warns this is not valid JSON), `"`, `\`
 * and `/` backslash-escaped, \b \f \n \r \t, other control characters and everything above U+007F as \uXXXX with
 * upper-case hex. UNCERTAIN: AWS documents only "JavaScript string rules" and the single quote; `/` and the
 * non-ASCII escaping are Commons Lang's behaviour, the usual Java implementation of that name.
 */
export function escapeJavaScript(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c > 0x7f) rep = '\\u' + hex4(c);
    else if (c < 0x20) {
      switch (c) {
        case 0x08:
          rep = '\\b';
          break;
        case 0x0a:
          rep = '\\n';
          break;
        case 0x09:
          rep = '\\t';
          break;
        case 0x0c:
          rep = '\\f';
          break;
        case 0x0d:
          rep = '\\r';
          break;
        default:
          rep = '\\u' + hex4(c);
      }
    } else if (c === 0x27) rep = "\\'";
    else if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c === 0x2f) rep = '\\/';
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start);
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/** Java strings may hold lone surrogates; the JDK's UTF-8 encoder writes '?' for them. */
function javaUtf8(s: string): Uint8Array {
  return utf8.encode(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?'));
}

/** URLEncoder.encode(s, "UTF-8"): keeps [A-Za-z0-9.*_-], space → '+', the rest as %XX of the UTF-8 bytes. */
export function urlEncode(s: string): string {
  let out = '';
  for (const b of javaUtf8(s)) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e || b === 0x2d || b === 0x2a || b === 0x5f) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** URLDecoder.decode(s, "UTF-8"): '+' → space, runs of %XX decoded as UTF-8; a malformed escape throws. */
export function urlDecode(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '+') {
      out += ' ';
      i++;
    } else if (c === '%') {
      const bytes: number[] = [];
      while (i < s.length && s[i] === '%') {
        if (i + 2 >= s.length) throw new JavaException('java.lang.IllegalArgumentException', 'URLDecoder: Incomplete trailing escape (%) pattern');
        const h = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) {
          throw new JavaException('java.lang.IllegalArgumentException', `URLDecoder: Illegal hex characters in escape (%) pattern - For input string: "${h}"`);
        }
        bytes.push(parseInt(h, 16));
        i += 3;
      }
      out += utf8Decoder.decode(new Uint8Array(bytes));
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function base64Encode(s: string): string {
  return Buffer.from(javaUtf8(s)).toString('base64');
}

/**
 * java.util.Base64's basic decoder, then UTF-8: characters outside the alphabet are an error, padding optional.
 * UNCERTAIN: AWS may use a lenient decoder (commons-codec) that skips invalid characters instead.
 */
export function base64Decode(s: string): string {
  const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(s);
  const data = m?.[1] ?? '';
  if (!m || data.length % 4 === 1 || (m[2]!.length > 0 && (data.length + m[2]!.length) % 4 !== 0)) {
    throw new JavaException('java.lang.IllegalArgumentException', 'Illegal base64 character or length');
  }
  return utf8Decoder.decode(Buffer.from(data, 'base64'));
}

function stringArg(v: Value | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : javaToString(v);
}

/**
 * $util. A missing argument arrives as "" (references are never null on API Gateway, see Renderer.ref), so
 * `$util.urlEncode($input.body.testAccess)` renders empty as recorded (LocalStack AWS-validated snapshot
 * test_input_body_formatting, "url-encode"); a real null (an element of a list) gives null. Non-string arguments
 * are converted with toString(). UNCERTAIN: AWS's signatures may take String only, making such calls empty.
 */
export class UtilObject extends HostObject {
  readonly javaClass = 'com.amazonaws.apigateway.Util';

  override callMethod(name: string, args: readonly Value[]): Value | undefined {
    if (args.length !== 1) return undefined;
    const s = stringArg(args[0]);
    switch (name) {
      case 'escapeJavaScript':
        return s === null ? null : escapeJavaScript(s);
      case 'urlEncode':
        return s === null ? null : urlEncode(s);
      case 'urlDecode':
        return s === null ? null : urlDecode(s);
      case 'base64Encode':
        return s === null ? null : base64Encode(s);
      case 'base64Decode':
        return s === null ? null : base64Decode(s);
      case 'parseJson':
        if (s === null) return null;
        try {
          return parseJsonText(s);
        } catch (e) {
          // UNCERTAIN: which parser AWS uses here (strict JSON is assumed, unlike payloads) and that invalid input
          // fails the request.
          throw new JavaException('com.fasterxml.jackson.core.JsonParseException', e instanceof Error ? e.message : String(e));
        }
    }
    return undefined;
  }

  toJavaString(): string {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// $input

export interface InputParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

const UNPARSABLE = Symbol('unparsable');

function stringMap(rec: Record<string, string>, caseInsensitive: boolean): VMap {
  const m = new VMap('hash');
  m.caseInsensitive = caseInsensitive;
  for (const k of Object.keys(rec)) {
    const v = rec[k];
    m.put(k, v === undefined ? null : v);
  }
  return m;
}

export class InputObject extends HostObject {
  readonly javaClass = 'com.amazonaws.apigateway.Input';
  private doc: Value | typeof UNPARSABLE | undefined;
  private paramsMap: VMap | undefined;

  constructor(
    private readonly body: string,
    private readonly params: InputParams,
  ) {
    super();
  }

  /**
   * An empty payload reads as `{}`: $input.body of an empty request renders `{}` on AWS (LocalStack AWS-validated
   * snapshot test_input_body_formatting "empty-body": `b'{}'`), and $input.json('$') gives the `"body-json" : {}`
   * familiar from the console's passthrough template. UNCERTAIN for $input.json('$'): LocalStack renders `""` there.
   */
  private get payload(): string {
    return this.body === '' ? '{}' : this.body;
  }

  private document(): Value | typeof UNPARSABLE {
    if (this.doc === undefined) {
      try {
        this.doc = parseJsonPermissive(this.payload);
      } catch (e) {
        if (!(e instanceof JsonSyntaxError)) throw e;
        this.doc = UNPARSABLE;
      }
    }
    return this.doc;
  }

  private evaluate(pathArg: Value | undefined): { found: false } | { found: true; value: Value } {
    const path = stringArg(pathArg);
    if (path === null) return { found: false };
    let compiled;
    try {
      compiled = compileJsonPath(path);
    } catch (e) {
      if (e instanceof JsonPathSyntaxError) throw new JavaException('com.jayway.jsonpath.InvalidPathException', e.message);
      throw e;
    }
    const doc = this.document();
    if (doc === UNPARSABLE) return { found: false };
    const r = evaluateCompiled(compiled, doc);
    if (r.definite) return r.found ? { found: true, value: r.value } : { found: false };
    return { found: true, value: new VList('json', r.values) };
  }

  override getProperty(name: string): Value | undefined {
    if (name === 'body') return this.payload;
    return undefined;
  }

  override callMethod(name: string, args: readonly Value[]): Value | undefined {
    switch (name) {
      case 'getBody':
        return args.length === 0 ? this.payload : undefined;
      case 'json': {
        if (args.length !== 1) return undefined;
        const r = this.evaluate(args[0]);
        // A path that finds nothing (or a body that is not JSON) gives `""`: LocalStack unit tests
        // tests/unit/services/apigateway/test_template_mapping.py, "finding from AWS console" (PR #12774).
        return r.found ? toJsonText(r.value) : '""';
      }
      case 'path': {
        if (args.length !== 1) return undefined;
        const r = this.evaluate(args[0]);
        // The payload is parsed once per render, so hand out copies: a template that changes what one call
        // returned must not see the change in the next call (each Jayway read parses afresh).
        return r.found ? cloneJson(r.value) : null;
      }
      case 'params':
        if (args.length === 0) return this.allParams();
        if (args.length === 1) return this.param(stringArg(args[0]));
        return undefined;
    }
    return undefined;
  }

  /**
   * path, header and querystring in a HashMap, inserted in the order of the AWS documentation's sample output
   * (header and querystring share a hash bucket, so insertion decides). UNCERTAIN: the insertion order, and that
   * header lookups are case-insensitive.
   */
  private allParams(): VMap {
    if (!this.paramsMap) {
      const m = new VMap('hash');
      m.put('path', stringMap(this.params.path, false));
      m.put('header', stringMap(this.params.header, true));
      m.put('querystring', stringMap(this.params.querystring, false));
      this.paramsMap = m;
    }
    return this.paramsMap;
  }

  /** Path, then query string, then header, as documented; "" when absent. */
  private param(name: string | null): Value {
    if (name === null) return '';
    const { path, querystring, header } = this.params;
    if (Object.hasOwn(path, name)) return path[name] ?? '';
    if (Object.hasOwn(querystring, name)) return querystring[name] ?? '';
    if (Object.hasOwn(header, name)) return header[name] ?? '';
    const lower = name.toLowerCase();
    for (const k of Object.keys(header)) if (k.toLowerCase() === lower) return header[k] ?? '';
    return '';
  }

  toJavaString(): string {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// $context and $stageVariables

/**
 * Insertion orders that reproduce AWS's HashMap iteration order where keys share a bucket: these are the orders
 * recorded on AWS (LocalStack snapshot test_apigateway_sqs.snapshot.json, test_sqs_amz_json_protocol).
 */
const CONTEXT_ORDER = [
  'resourceId',
  'resourcePath',
  'httpMethod',
  'extendedRequestId',
  'requestTime',
  'path',
  'accountId',
  'protocol',
  'requestOverride',
  'stage',
  'domainPrefix',
  'requestTimeEpoch',
  'requestId',
  'identity',
  'domainName',
  'deploymentId',
  'responseOverride',
  'apiId',
];
const IDENTITY_ORDER = [
  'cognitoIdentityPoolId',
  'accountId',
  'cognitoIdentityId',
  'caller',
  'sourceIp',
  'principalOrgId',
  'accessKey',
  'cognitoAuthenticationType',
  'cognitoAuthenticationProvider',
  'userArn',
  'userAgent',
  'user',
];

const CONTEXT_RANK = new Map(CONTEXT_ORDER.map((k, i) => [k, i]));
const IDENTITY_RANK = new Map(IDENTITY_ORDER.map((k, i) => [k, i]));

/** Known keys in AWS's order first, the others after them in their own order. */
function ordered(keys: string[], rank: ReadonlyMap<string, number>): string[] {
  const n = rank.size;
  return keys
    .map((k, i) => [k, rank.get(k) ?? n + i] as const)
    .sort((a, b) => a[1] - b[1])
    .map((e) => e[0]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Nested $context objects are HashMaps that print as "" (AWS-recorded: `"$context.get('identity')"` → "").
 *  UNCERTAIN: that `$context.identity` printed directly is "" too (only the get() form was recorded). */
function contextValue(v: unknown, stringify: boolean, depth: number): Value {
  if (isPlainObject(v)) {
    const m = new VMap('hash');
    m.opaque = true;
    const keys = depth === 0 ? ordered(Object.keys(v), IDENTITY_RANK) : Object.keys(v);
    for (const k of keys) m.put(k, contextValue(v[k], stringify, depth + 1));
    return m;
  }
  if (Array.isArray(v)) return new VList('arraylist', v.map((x) => contextValue(x, stringify, depth + 1)));
  // $context.authorizer.<key> is "the stringified value" of the authorizer's context map (AWS reference).
  if (stringify && (typeof v === 'number' || typeof v === 'boolean')) return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? intValue(v) : new JDouble(v);
  return fromPlain(v);
}

export interface OverrideState {
  requestOverride: Record<string, unknown>;
  responseOverride: Record<string, unknown>;
}

function overrideMap(label: string, plain: Record<string, unknown> | undefined, subMaps: readonly string[]): VMap {
  const m = new VMap('hash');
  m.opaque = true;
  for (const k of subMaps) {
    const sub = new VMap('hash');
    sub.opaque = true;
    const src = plain?.[k];
    if (isPlainObject(src)) for (const [hk, hv] of Object.entries(src)) sub.put(hk, fromPlain(hv, 'hash'));
    sub.finalLabel = `${label}.${k}`;
    sub.version = 0;
    m.put(k, sub);
  }
  if (plain) for (const [k, v] of Object.entries(plain)) if (!subMaps.includes(k)) m.put(k, fromPlain(v, 'hash'));
  m.finalLabel = label;
  m.version = 0;
  return m;
}

/** Whether a template changed an override map (the maps and their sub-maps count changes). */
export function overridesTouched(ctx: BuiltContext): boolean {
  for (const m of [ctx.requestOverride, ctx.responseOverride]) {
    if (m.version > 0) return true;
    for (const v of m.values()) if (v instanceof VMap && v.version > 0) return true;
  }
  return false;
}

export interface BuiltContext {
  map: VMap;
  requestOverride: VMap;
  responseOverride: VMap;
}

export function buildContext(context: Record<string, unknown>, overrides: OverrideState | undefined): BuiltContext {
  const map = new VMap('hash');
  map.opaque = true;
  const reqPlain = overrides?.requestOverride ?? (isPlainObject(context['requestOverride']) ? context['requestOverride'] : undefined);
  const resPlain = overrides?.responseOverride ?? (isPlainObject(context['responseOverride']) ? context['responseOverride'] : undefined);
  // AWS lists requestOverride with path, header, querystring and responseOverride with header (same snapshot).
  const requestOverride = overrideMap('$context.requestOverride', reqPlain, ['path', 'header', 'querystring']);
  const responseOverride = overrideMap('$context.responseOverride', resPlain, ['header']);
  const keys = new Set(Object.keys(context));
  keys.add('requestOverride');
  keys.add('responseOverride');
  for (const k of ordered([...keys], CONTEXT_RANK)) {
    if (k === 'requestOverride') map.put(k, requestOverride);
    else if (k === 'responseOverride') map.put(k, responseOverride);
    else if (k === 'identity') map.put(k, contextValue(context[k], false, 0));
    else map.put(k, contextValue(context[k], k === 'authorizer', 1));
  }
  if (!keys.has('authorizer')) {
    // Readable but not listed: on AWS `$context.authorizer.keySet()` is empty and $context.keySet() has no
    // "authorizer" when no authorizer ran (same snapshot, "authorizer_keys": {}).
    const empty = new VMap('hash');
    empty.opaque = true;
    map.virtual = new Map([['authorizer', empty]]);
  }
  return { map, requestOverride, responseOverride };
}

export function buildStageVariables(vars: Record<string, string>): VMap {
  return stringMap(vars, false);
}
