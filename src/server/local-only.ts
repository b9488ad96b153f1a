import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { presentedTokens, tokenMatches } from './access-token.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether a Host header names this machine. Anything else may be DNS rebinding: a page whose own name now
 * resolves to 127.0.0.1 and would otherwise reach the control plane as a "same-origin" caller.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === '') return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  const lower = name.toLowerCase();
  return LOOPBACK_NAMES.has(lower) || /^127\.\d+\.\d+\.\d+$/.test(lower);
}

/**
 * A browser request made by a page of another origin (cross-site fetches, form posts, text/plain "simple"
 * requests): those must never change state here. Non-browser clients (SDK, CLI, curl) send no Origin.
 */
export function isForeignBrowserRequest(headers: IncomingHttpHeaders, host: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host.toLowerCase() !== host.toLowerCase();
  } catch {
    return true;
  }
}

/** Whether a socket's peer address is this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** Whether a bind address (`--host`) only accepts connections from this machine. */
export function isLoopbackBindAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && /^127\./.test(h));
}

/** The server was asked to listen where other machines can reach it, without saying so explicitly. */
export class RemoteBindError extends Error {
  constructor(host: string) {
    super(
      `--host ${host} would let other machines reach preflight, whose control plane runs any code it is given (Lambda functions). ` +
        'Bind to 127.0.0.1 (the default), or pass --allow-remote to accept remote callers; they then need the access token.',
    );
  }
}

/**
 * `--control-plane-origin`: a serialized origin (scheme://host[:port]) in canonical form, or why it is not one.
 * Only named origins: "*" or "null" would hand the control plane to every page.
 */
export function parseOrigin(value: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `'${value}' is not an origin such as http://localhost:3000` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `'${value}': an origin is http:// or https://` };
  if (url.origin === 'null' || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username || url.password) {
    return { problem: `'${value}' is not an origin: give scheme://host[:port] only, e.g. ${url.origin}` };
  }
  if (value.replace(/\/$/, '').toLowerCase() !== url.origin.toLowerCase()) {
    return { problem: `'${value}' is not in canonical form; use ${url.origin}` };
  }
  return { origin: url.origin };
}

/** Which local-only surface a request is for: they differ only in who may use CORS. */
export type LocalSurface = 'control' | 'console' | 'internal';

export type GateVerdict =
  | { ok: true; /** An allowed front end's origin: answer with CORS headers for it. */ corsOrigin?: string }
  | { ok: false; status: 401 | 403; type: string; message: string };

export interface LocalOnlyOptions {
  /** Browser origins allowed to call the control plane, with CORS (`--control-plane-origin`). */
  controlPlaneOrigins?: readonly string[];
  /** Set when remote callers are accepted (`--allow-remote`): what they must present. */
  token?: string;
}

/** Response headers the AWS SDK and the console read; a cross-origin page only sees the ones listed here. */
const EXPOSED = ['x-amzn-RequestId', 'x-amzn-ErrorType', 'x-amz-apigw-id', 'X-Amz-Function-Error', 'X-Amz-Log-Result', 'X-Amz-Executed-Version', 'Date'];
const ALLOWED_METHODS = 'GET,HEAD,POST,PUT,PATCH,DELETE';
const PREFLIGHT_MAX_AGE = '600';

/**
 * The one decision for every local-only surface (control plane, console, internal endpoints):
 * - a caller on this machine needs a loopback Host (against DNS rebinding) and must not be a browser page of another
 *   origin (Origin / Sec-Fetch-Site; against cross-site requests, text/plain "simple" POSTs included);
 * - the control plane may also serve named front ends (`--control-plane-origin`), with CORS headers for them only;
 * - a caller on another machine (only possible with `--allow-remote`) must present the token, and only reaches the
 *   control plane; the console and internal endpoints stay on this machine.
 */
export class LocalOnlyGate {
  private readonly origins: Set<string>;

  constructor(private readonly options: LocalOnlyOptions = {}) {
    this.origins = new Set((options.controlPlaneOrigins ?? []).map((o) => o.toLowerCase()));
  }

  check(req: IncomingMessage, surface: LocalSurface, rawQuery = ''): GateVerdict {
    const host = req.headers.host ?? '';
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const allowedOrigin = surface === 'control' && origin !== undefined && this.origins.has(origin.toLowerCase()) ? origin : undefined;
    const local = isLoopbackAddress(req.socket.remoteAddress);
    if (!local) {
      if (this.options.token === undefined || surface !== 'control') {
        return refuse(surface, 'only accepts requests from this machine');
      }
      // A preflight carries no credentials; it only asks whether the real request may be sent.
      if (allowedOrigin && isCorsPreflight(req)) return { ok: true, corsOrigin: allowedOrigin };
      if (!tokenMatches(this.options.token, presentedTokens(req.headers, rawQuery))) {
        return {
          ok: false,
          status: 401,
          type: 'UnrecognizedClientException',
          message: 'preflight accepts remote callers only with its access token: send X-Preflight-Token, Authorization: Bearer <token>, or use the token as the AWS access key id',
        };
      }
      if (allowedOrigin) return { ok: true, corsOrigin: allowedOrigin };
      if (isForeignBrowserRequest(req.headers, host)) return refuse(surface, 'refuses browser requests from other origins');
      return { ok: true };
    }
    if (!isLoopbackHost(host)) return refuse(surface, 'only accepts requests from this machine (loopback Host)');
    if (allowedOrigin) return { ok: true, corsOrigin: allowedOrigin };
    if (isForeignBrowserRequest(req.headers, host)) return refuse(surface, 'only accepts requests from this machine (no foreign Origin)');
    return { ok: true };
  }

  /** Headers for an allowed front end's actual request. */
  corsHeaders(origin: string): Record<string, string> {
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED.join(','), Vary: 'Origin' };
  }

  /** Headers answering an allowed front end's preflight: what it asked for, on the control plane's methods. */
  preflightHeaders(req: IncomingMessage, origin: string): Record<string, string> {
    const requested = req.headers['access-control-request-headers'];
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      ...(typeof requested === 'string' && requested.length > 0 && requested.length <= 4096 ? { 'Access-Control-Allow-Headers': requested } : {}),
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    };
  }
}

export function isCorsPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string' && typeof req.headers.origin === 'string';
}

function refuse(surface: LocalSurface, why: string): GateVerdict {
  const name = surface === 'control' ? 'control plane' : surface === 'console' ? 'console' : 'internal endpoint';
  return { ok: false, status: 403, type: 'AccessDeniedException', message: `The preflight ${name} ${why}.` };
}
