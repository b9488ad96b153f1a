import { originOf, sameOrigin, urlHasCredentials } from './origin.js';
import type { CorsError, HttpResponse } from './types.js';
import { normalizedHeader } from './headers.js';

/** net::HttpResponseHeaders::IsRedirectResponseCode: only these statuses are followed (300 and 304 are not). */
export function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

const CANONICAL = /^https?:\/\/(?:[a-z0-9-]+:[a-z0-9-]+@)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[1-9][0-9]{0,4})?\/(?:[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*\/?)*$/;
const DEFAULT_PORT = /^(http:\/\/[^/]*:80|https:\/\/[^/]*:443)\//;

/** The absolute URL a response redirects to, or undefined when it is not a redirect the browser follows. */
export function redirectTarget(response: HttpResponse, currentUrl: string): string | undefined {
  if (!isRedirectStatus(response.status)) return undefined;
  const location = normalizedHeader(response.headers, 'location');
  if (location === undefined) return undefined;
  // Already in the form the URL parser would give back: skip the parse (the hot path of the model).
  if (CANONICAL.test(location) && !DEFAULT_PORT.test(location)) return location;
  try {
    return new URL(location, currentUrl).href;
  } catch {
    return undefined;
  }
}

/**
 * cors.cc CheckRedirectLocation: in CORS mode a Location with a username or password fails when the request is
 * already cross-origin (CORS flag, tainted origin, or another origin than the page's). Chromium builds this error
 * without its parameter, so the console quotes an empty location: "Redirect location '' contains a username and
 * password…" (measured in Chromium 156 by test/conformance).
 */
export function checkRedirectLocation(location: string, initiatorOrigin: string, corsFlag: boolean, tainted: boolean): CorsError | null {
  if (!urlHasCredentials(location)) return null;
  if (tainted || corsFlag || originOf(location) !== initiatorOrigin) return { kind: 'RedirectContainsCredentials', hint: '' };
  return null;
}

/**
 * Fetch #http-redirect-fetch step 12 / net::RedirectUtil: 301 and 302 turn POST into GET, 303 turns everything but
 * GET and HEAD into GET; the body and its headers go with it.
 */
export function redirectMethod(status: number, method: string): string {
  if ((status === 301 || status === 302) && method === 'POST') return 'GET';
  if (status === 303 && method !== 'GET' && method !== 'HEAD') return 'GET';
  return method;
}

const REQUEST_BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);

export function isRequestBodyHeader(lowerName: string): boolean {
  return REQUEST_BODY_HEADERS.has(lowerName);
}

/**
 * CorsURLLoader::CheckTainted: once a redirect leaves the current URL's origin while that origin already differs
 * from the page's, the request's origin serializes as `null` from then on.
 */
export function taintsOrigin(currentUrl: string, location: string, initiatorOrigin: string): boolean {
  return !sameOrigin(location, currentUrl) && originOf(currentUrl) !== initiatorOrigin;
}
