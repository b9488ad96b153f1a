import { parseMappingSource, type MappingSource } from '../../control/mapping-expressions.js';
import type { ControlEvents } from '../../control/events.js';
import type { StageCacheFlushListener } from '../../control/deployments.js';
import type { MethodSetting } from '../../model/restapi.js';
import type { GatewayResult, HeaderList } from '../types.js';
import { methodArn } from './authorize.js';
import type { CompiledIntegration } from './compile.js';
import type { RestRequestContext } from './context.js';
import { gatewayResponse } from './gateway-response.js';
import { resolveSource } from './mapping.js';
import { maskedArn } from './resource-policy.js';
import { methodSettingFor } from './stage-settings.js';

/** "The maximum size of a response that can be cached is 1048576 bytes" (AGDG api-gateway-caching). */
export const MAX_CACHEABLE_BYTES = 1_048_576;
/** "The maximum TTL value is 3600 seconds. TTL=0 means caching is disabled" (AGDG api-gateway-caching). */
const MAX_TTL_SECONDS = 3600;

/**
 * The header added when a client's `Cache-Control: max-age=0` is ignored under SUCCEED_WITH_RESPONSE_HEADER. AWS
 * documents only "add a warning header in the response" (AGDG api-gateway-caching, "Invalidate an API Gateway cache
 * entry"); the name is HTTP's Warning header (RFC 7234 §5.5, warn-code 199 "Miscellaneous Warning"). The text is
 * UNVERIFIED: no recorded AWS response was found; it is the text another emulator uses.
 */
export const CACHE_CONTROL_IGNORED_WARNING = '199 Cache-control headers were ignored because the caller was unauthorized.';

export interface StageCacheOptions {
  /** At most this many entries across all stages (least recently used go first). */
  maxEntries?: number;
  /** At most this many bytes of cached bodies and headers across all stages. */
  maxBytes?: number;
  now?: () => number;
}

/** What empties stage caches on the control plane's behalf (DeploymentService). */
export interface StageCacheFlushSource {
  onStageCacheFlush(listener: StageCacheFlushListener): () => void;
}

interface Entry {
  apiId: string;
  stageName: string;
  status: number;
  headers: HeaderList;
  body: Buffer | string;
  size: number;
  expires: number;
}

/** How one request uses the cache, from open() to complete(). */
export interface CacheTicket {
  /** A response to send now instead of calling the integration: a cache hit, or the 403 of FAIL_WITH_403. */
  answer?: GatewayResult;
  /** Stores the integration's response when it may be cached, and returns it as the client gets it. */
  complete(result: GatewayResult): GatewayResult;
}

/**
 * The REST stage cache (AGDG api-gateway-caching): one cache per stage, in memory. A method's responses are cached
 * when the stage has cacheClusterEnabled and the method's settings enable caching with a TTL above 0: its own entry
 * for any method, the stage's wildcard entry only for GET ("When you enable caching for a stage, only GET methods
 * have caching enabled by default... You can enable caching for other methods by overriding method settings").
 *
 * The key is the stage, the integration's cacheNamespace (the resource id unless set: "You can specify the same
 * cacheNamespace across resources to return the same cached data for requests to different resources", AWS API
 * reference Integration), the HTTP method and the values of the integration's cacheKeyParameters only: other query
 * strings, headers and even path parameters do not vary the key (AGDG: `?type=admin&department=A` serves
 * `...department=B` when only `type` is a key).
 *
 * Responses of the integration are cached whatever their status (API Gateway cannot be told to skip non-200s:
 * StackOverflow 45883323, quoted by DianaIonita/serverless-api-gateway-caching#125); responses the gateway makes
 * itself (errors, which carry x-amzn-ErrorType) are not. AWS caches the endpoint response and maps it again per
 * request; we keep the method response and give it the current request's ids, which differs only for mapping
 * templates that print per-request $context values.
 *
 * Entries survive redeployments, as on AWS (the key has no deployment in it; tools offer "flush on deploy" because
 * AWS does not: interlace-tools serverless API Gateway caching plugin). They are dropped by FlushStageCache, by
 * disabling or resizing the cache ("All existing cached data is deleted"), by deleting the stage, and when another
 * process writes the store. Memory is bounded by entry count and bytes, least recently used first (AWS bounds by the
 * cache's GB size, which means nothing locally).
 */
export class StageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly keySources = new WeakMap<CompiledIntegration, (MappingSource | undefined)[]>();

  constructor(events?: ControlEvents, flushes?: StageCacheFlushSource, options: StageCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.now = options.now ?? Date.now;
    events?.on((e) => {
      if (e.kind === 'external') this.clear();
    });
    flushes?.onStageCacheFlush((apiId, stageName) => this.flushStage(apiId, stageName));
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  flushStage(apiId: string, stageName: string): void {
    for (const [key, e] of this.entries) if (e.apiId === apiId && e.stageName === stageName) this.drop(key, e);
  }

  /**
   * Starts a request's use of the cache; undefined when its method is not cached. `region` names the method in the
   * FAIL_WITH_403 message.
   */
  open(ctx: RestRequestContext, region: string): CacheTicket | undefined {
    const view = ctx.stage.settings;
    const match = ctx.match;
    const integration = match?.method.integration;
    if (!view?.cacheClusterEnabled || !match || !integration) return undefined;
    const effective = methodSettingFor(view, match.resource.path, match.method.method.httpMethod);
    if (!effective || !cachesMethod(effective.setting, effective.own, ctx.req.method)) return undefined;
    const setting = effective.setting;
    const ttl = Math.min(setting.cacheTtlInSeconds, MAX_TTL_SECONDS);
    const key = this.keyOf(ctx, integration);

    let read = true;
    let warn = false;
    if (asksForFreshResponse(ctx)) {
      // "The client receives the response directly from the integration endpoint instead of the cache, provided
      // that the client is authorized to do so. This replaces the existing cache entry" (AGDG). Authorized: any
      // client when authorization is not required; else one allowed execute-api:InvalidateCache, which locally is
      // any IAM-signed caller (no IAM policies are evaluated).
      if (!setting.requireAuthorizationForCacheControl || ctx.iamIdentity) read = false;
      else if (setting.unauthorizedCacheControlHeaderStrategy === 'FAIL_WITH_403') return { answer: invalidateDenied(ctx, region), complete: (r) => r };
      else warn = setting.unauthorizedCacheControlHeaderStrategy === 'SUCCEED_WITH_RESPONSE_HEADER';
    }
    const decorate = (r: GatewayResult): GatewayResult => (warn ? { ...r, headers: [...r.headers, ['Warning', CACHE_CONTROL_IGNORED_WARNING]] } : r);
    if (read) {
      const hit = this.get(key);
      if (hit) return { answer: decorate(replay(hit, ctx)), complete: (r) => r };
    }
    return {
      complete: (result) => {
        this.put(key, ctx, result, ttl);
        return decorate(result);
      },
    };
  }

  private keyOf(ctx: RestRequestContext, integration: CompiledIntegration): string {
    let sources = this.keySources.get(integration);
    if (!sources) {
      sources = integration.integration.cacheKeyParameters.map((name) => keySource(name, integration));
      this.keySources.set(integration, sources);
    }
    const values = sources.map((s) => (s ? (resolveSource(s, { ctx }) ?? null) : null));
    const namespace = integration.integration.cacheNamespace ?? ctx.match!.resource.id;
    return JSON.stringify([ctx.api.apiId, ctx.stage.name, namespace, ctx.req.method, values]);
  }

  private get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.drop(key, e);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  private put(key: string, ctx: RestRequestContext, result: GatewayResult, ttl: number): void {
    if (result.headers.some(([k]) => k.toLowerCase() === 'x-amzn-errortype')) return;
    let size = typeof result.body === 'string' ? Buffer.byteLength(result.body) : result.body.length;
    for (const [k, v] of result.headers) size += k.length + v.length;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    if (size > MAX_CACHEABLE_BYTES || size > this.maxBytes) return;
    while (this.entries.size >= this.maxEntries || this.bytes + size > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.drop(oldestKey, oldest);
    }
    this.entries.set(key, {
      apiId: ctx.api.apiId,
      stageName: ctx.stage.name,
      status: result.status,
      headers: result.headers,
      body: result.body,
      size,
      expires: this.now() + ttl * 1000,
    });
    this.bytes += size;
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.size;
  }
}

/** Whether a method's settings cache this request: its own entry for any method, the wildcard only for GET. */
function cachesMethod(setting: MethodSetting, own: boolean, requestMethod: string): boolean {
  if (!setting.cachingEnabled || setting.cacheTtlInSeconds <= 0) return false;
  return own || requestMethod === 'GET';
}

/** `Cache-Control: max-age=0` among the request's Cache-Control directives (AGDG "Invalidate an API Gateway cache entry"). */
function asksForFreshResponse(ctx: RestRequestContext): boolean {
  const values = ctx.headerMap.get('cache-control');
  if (!values) return false;
  return values.some((v) => v.split(',').some((d) => /^\s*max-age\s*=\s*"?0+"?\s*$/i.test(d)));
}

/**
 * What a cache key parameter reads: `method.request.{path|querystring|header|multivaluequerystring|multivalueheader}.X`
 * directly; an `integration.request.*` name through the integration's mapping of it (what the console used to
 * write). Anything else contributes nothing.
 */
function keySource(name: string, integration: CompiledIntegration): MappingSource | undefined {
  const direct = parseMappingSource(name);
  if (direct?.kind === 'method.request') return direct;
  if (name.startsWith('integration.request.')) return integration.requestParameters.find((p) => p.target === name)?.source;
  return undefined;
}

const PER_REQUEST_HEADERS = new Set(['x-amzn-requestid', 'x-amz-apigw-id', 'x-amzn-trace-id']);

/** A cached response with this request's ids in place of the ones of the request that filled the entry. */
function replay(e: Entry, ctx: RestRequestContext): GatewayResult {
  const headers: HeaderList = e.headers.map(([k, v]) => {
    const lower = k.toLowerCase();
    if (!PER_REQUEST_HEADERS.has(lower)) return [k, v];
    return [k, lower === 'x-amzn-requestid' ? ctx.requestId : lower === 'x-amz-apigw-id' ? ctx.extendedRequestId : ctx.traceId];
  });
  return { status: e.status, headers, body: e.body };
}

/**
 * FAIL_WITH_403: "returns a 403 Unauthorized response" (AGDG api-gateway-caching). The body is UNVERIFIED: no
 * recorded response was found, so it is API Gateway's IAM denial for the InvalidateCache action, in the shape of its
 * documented execute-api:Invoke denials ("User: anonymous is not authorized to perform: execute-api:Invoke on
 * resource: ...", AWS knowledge center api-gateway-troubleshoot-403-forbidden), through ACCESS_DENIED.
 */
function invalidateDenied(ctx: RestRequestContext, region: string): GatewayResult {
  const message = `User: anonymous is not authorized to perform: execute-api:InvalidateCache on resource: ${maskedArn(methodArn(ctx, region))}`;
  return gatewayResponse(ctx, { type: 'ACCESS_DENIED', message, defaultBody: JSON.stringify({ Message: message }) });
}
