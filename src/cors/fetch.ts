import { checkAccess } from './access.js';
import { consoleMessage } from './chromium.js';
import { exposedHeaders } from './expose.js';
import { originOf } from './origin.js';
import { checkPreflightResponse, CHROMIUM_156, type BrowserQuirks } from './preflight.js';
import { PreflightCache } from './preflight-cache.js';
import { checkRedirectLocation, isRequestBodyHeader, redirectMethod, redirectTarget, taintsOrigin } from './redirect.js';
import type { BrowserRequest } from './request.js';
import { accessControlRequestHeaders, corsUnsafeRequestHeaderNames, isSafelistedMethod } from './safelist.js';
import type { CorsError, HeaderList, HttpResponse } from './types.js';

/** One request the browser puts on the wire. */
export interface WireRequest {
  readonly purpose: 'preflight' | 'actual';
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderList;
}

export interface Exchange {
  readonly request: WireRequest;
  readonly response: HttpResponse;
}

/** How a request ended, as the page and the console see it. */
export interface CorsOutcome {
  readonly allowed: boolean;
  /** The CORS failure; absent when allowed or when the failure is not CORS (see networkError). */
  readonly error?: CorsError;
  /** Exactly what Chromium prints in the console; absent when allowed. */
  readonly message?: string;
  /** A failure that is not CORS, e.g. ERR_TOO_MANY_REDIRECTS. */
  readonly networkError?: string;
  readonly exchanges: readonly Exchange[];
  /** Preflights put on the wire (a preflight cache hit sends none). */
  readonly preflights: number;
  /** URL of the request that produced the outcome. */
  readonly url: string;
  /** The response the page receives, when allowed. */
  readonly response?: HttpResponse;
  /** Headers the page can read, when allowed: lowercase name → value. */
  readonly exposed?: ReadonlyMap<string, string>;
  /** The request carried Authorization and a preflight let it through only by `Access-Control-Allow-Headers: *`. */
  readonly authorizationCoveredByWildcard: boolean;
}

export type Step = { readonly done: false; readonly request: WireRequest } | { readonly done: true; readonly outcome: CorsOutcome };

export interface CorsFetchOptions {
  /** The page's origin, serialized (`http://localhost:3000`). */
  readonly origin: string;
  readonly cache?: PreflightCache;
  /** Milliseconds, for the preflight cache. */
  readonly now?: number;
  readonly quirks?: BrowserQuirks;
}

const MAX_REDIRECTS = 20;
const CLIENT_HINTS = new Set(['device-memory', 'dpr', 'width', 'viewport-width', 'rtt', 'downlink', 'ect']);

/**
 * One cross-origin (or redirected) request through Chromium's CorsURLLoader, as a state machine with the I/O left
 * to the caller: call start(), send each step's request, hand its response to receive(), until done. The
 * conformance model drives it with a function, doctor with real sockets.
 */
export class CorsFetch {
  private url: string;
  private method: string;
  private headers: HeaderList;
  private corsFlag = false;
  private tainted = false;
  private redirects = 0;
  private preflights = 0;
  private authorizationByWildcard = false;
  private pending: WireRequest | undefined;
  /** corsUnsafeRequestHeaderNames(this.headers), computed once per header list. */
  private unsafe: string[] | undefined;
  private readonly exchanges: Exchange[] = [];
  private readonly cache: PreflightCache;
  private readonly quirks: BrowserQuirks;

  constructor(
    private readonly request: BrowserRequest,
    private readonly options: CorsFetchOptions,
  ) {
    this.url = request.url;
    this.method = request.method;
    // Never modified in place: a redirect that drops headers makes a new list.
    this.headers = request.headers;
    this.cache = options.cache ?? new PreflightCache(options.quirks);
    this.quirks = options.quirks ?? CHROMIUM_156;
  }

  start(): Step {
    return this.startRequest();
  }

  receive(response: HttpResponse): Step {
    const request = this.pending;
    if (!request) throw new Error('receive() called with no request pending');
    this.pending = undefined;
    this.exchanges.push({ request, response });
    return request.purpose === 'preflight' ? this.onPreflightResponse(response) : this.onResponse(response);
  }

  private get requestOrigin(): string {
    return this.tainted ? 'null' : this.options.origin;
  }

  private startRequest(): Step {
    if (!this.corsFlag && originOf(this.url) !== this.options.origin) this.corsFlag = true;
    if (this.corsFlag && !/^https?:/i.test(this.url)) return this.fail({ kind: 'CorsDisabledScheme', hint: '' });
    const needsPreflight =
      this.corsFlag &&
      (!isSafelistedMethod(this.method) || this.request.forcedPreflight || this.unsafeNames().length > 0);
    if (needsPreflight) {
      const cacheable = !this.tainted;
      const now = this.options.now ?? 0;
      if (!cacheable || !this.cache.canSkip(this.options.origin, this.url, this.request.credentials, this.method, this.headers, now)) {
        return this.send(this.preflightRequest());
      }
    }
    return this.send(this.actualRequest());
  }

  private preflightRequest(): WireRequest {
    const headers: [string, string][] = [
      ['Accept', '*/*'],
      ['Access-Control-Request-Method', this.method],
    ];
    const acrh = accessControlRequestHeaders(this.unsafeNames());
    if (acrh !== undefined) headers.push(['Access-Control-Request-Headers', acrh]);
    headers.push(['Origin', this.requestOrigin]);
    return { purpose: 'preflight', method: 'OPTIONS', url: this.url, headers };
  }

  private unsafeNames(): string[] {
    return (this.unsafe ??= corsUnsafeRequestHeaderNames(this.headers));
  }

  private actualRequest(): WireRequest {
    const headers: [string, string][] = this.headers.slice() as [string, string][];
    // CorsURLLoader::StartRequest: Origin goes on CORS requests and on any request that is not GET or HEAD.
    if (this.corsFlag || (this.method !== 'GET' && this.method !== 'HEAD')) headers.push(['Origin', this.requestOrigin]);
    return { purpose: 'actual', method: this.method, url: this.url, headers };
  }

  private send(request: WireRequest): Step {
    if (request.purpose === 'preflight') this.preflights++;
    this.pending = request;
    return { done: false, request };
  }

  private onPreflightResponse(response: HttpResponse): Step {
    const redirected = redirectTarget(response, this.url) !== undefined;
    const subject = { method: this.method, headers: this.headers, credentials: this.request.credentials };
    const outcome = checkPreflightResponse(response, redirected, subject, this.requestOrigin, this.quirks);
    if (!outcome.ok) return this.fail(outcome.error);
    if (outcome.authorizationCoveredByWildcard) this.authorizationByWildcard = true;
    if (!this.tainted) this.cache.put(this.options.origin, this.url, outcome.result, this.options.now ?? 0);
    return this.send(this.actualRequest());
  }

  private onResponse(response: HttpResponse): Step {
    const location = redirectTarget(response, this.url);
    if (this.corsFlag) {
      const error = checkAccess(response.headers, this.request.credentials, this.requestOrigin);
      if (error) return this.fail(error);
    }
    if (location === undefined) {
      return this.finish({ allowed: true, response });
    }
    if (this.redirects++ === MAX_REDIRECTS) return this.finish({ allowed: false, networkError: 'ERR_TOO_MANY_REDIRECTS' });
    const locationError = checkRedirectLocation(location, this.options.origin, this.corsFlag, this.tainted);
    if (locationError) return this.fail(locationError);
    if (taintsOrigin(this.url, location, this.options.origin)) this.tainted = true;
    const method = redirectMethod(response.status, this.method);
    if (method !== this.method) {
      // The body goes, and with it its headers (Fetch #request-body-header-name). Chromium drops the client-hint
      // headers too, even ones the page set itself (measured: Viewport-Width gone after a 303, kept after a 308).
      // UNCERTAIN: the exact list; these are Chromium's script-settable hints.
      this.headers = this.headers.filter(([n]) => {
        const l = n.toLowerCase();
        return !isRequestBodyHeader(l) && !CLIENT_HINTS.has(l);
      });
      this.unsafe = undefined;
      this.method = method;
    }
    if (this.quirks.dropAuthorizationCrossOrigin !== false && originOf(location) !== originOf(this.url)) {
      this.headers = this.headers.filter(([n]) => n.toLowerCase() !== 'authorization');
      this.unsafe = undefined;
    }
    this.url = location;
    return this.startRequest();
  }

  private fail(error: CorsError): Step {
    return this.finish({ allowed: false, error });
  }

  private finish(o: { allowed: boolean; error?: CorsError; message?: string; networkError?: string; response?: HttpResponse; exposed?: ReadonlyMap<string, string> }): Step {
    return { done: true, outcome: new Outcome(o, this.exchanges, this.preflights, this.url, this.authorizationByWildcard, this.request, this.options.origin, this.corsFlag) };
  }
}

/**
 * A finished request. The console text and the readable headers are built when first read: deciding is the hot path
 * (the benchmark's million scenarios a second), reading them is not.
 */
class Outcome implements CorsOutcome {
  readonly allowed: boolean;
  readonly error?: CorsError;
  readonly networkError?: string;
  readonly response?: HttpResponse;
  private messageText: string | undefined;
  private exposedMap: ReadonlyMap<string, string> | undefined;

  constructor(
    o: { allowed: boolean; error?: CorsError; networkError?: string; response?: HttpResponse },
    readonly exchanges: readonly Exchange[],
    readonly preflights: number,
    readonly url: string,
    readonly authorizationCoveredByWildcard: boolean,
    private readonly request: BrowserRequest,
    private readonly origin: string,
    private readonly corsFlag: boolean,
  ) {
    this.allowed = o.allowed;
    if (o.error) this.error = o.error;
    if (o.networkError) this.networkError = o.networkError;
    if (o.response) this.response = o.response;
  }

  get message(): string | undefined {
    if (this.messageText === undefined && this.error) {
      this.messageText = consoleMessage(this.error, { initiator: this.request.initiator, url: this.url, initialUrl: this.request.url, origin: this.origin });
    }
    return this.messageText;
  }

  get exposed(): ReadonlyMap<string, string> | undefined {
    if (this.exposedMap === undefined && this.allowed && this.response) {
      this.exposedMap = exposedHeaders(this.response.headers, this.corsFlag ? this.request.credentials : 'omit');
    }
    return this.exposedMap;
  }

  toJSON(): Record<string, unknown> {
    return { allowed: this.allowed, error: this.error, message: this.message, networkError: this.networkError, url: this.url, preflights: this.preflights };
  }
}

/** Runs a request against a synchronous server function: the pure model used by tests and the benchmark. */
export function simulate(request: BrowserRequest, server: (req: WireRequest) => HttpResponse, options: CorsFetchOptions): CorsOutcome {
  const f = new CorsFetch(request, options);
  let step = f.start();
  while (!step.done) step = f.receive(server(step.request));
  return step.outcome;
}
