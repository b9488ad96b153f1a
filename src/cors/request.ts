import { chromiumHeaderOrder } from './blink-order.js';
import { isForbiddenRequestHeader, normalizeMethod } from './safelist.js';
import type { CredentialsMode, HeaderList, Initiator } from './types.js';

/** What a page's script asks for: `fetch(url, {method, headers, body, credentials})` or an XMLHttpRequest. */
export interface ScriptRequest {
  readonly initiator: Initiator;
  readonly url: string;
  readonly method: string;
  /** Headers in the order the script set them (fetch's init list, or the setRequestHeader calls). */
  readonly headers: HeaderList;
  readonly body?: string | undefined;
  /** fetch's `credentials` (default same-origin); XHR: include when withCredentials, else same-origin. */
  readonly credentials: CredentialsMode;
  /** XHR only: listeners on xhr.upload force a preflight (Fetch #use-cors-preflight-flag). */
  readonly uploadListeners?: boolean | undefined;
}

/** The request as it leaves the page for the network stack. */
export interface BrowserRequest {
  readonly initiator: Initiator;
  readonly url: string;
  readonly method: string;
  readonly headers: HeaderList;
  readonly hasBody: boolean;
  readonly credentials: CredentialsMode;
  readonly forcedPreflight: boolean;
}

/** Fetch #concept-header-value-normalize: leading and trailing HTTP whitespace (HT, LF, CR, SP) removed. */
function normalizeValue(v: string): string {
  return v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
}

/**
 * Builds the header list the way Blink does: forbidden names dropped, a repeated name's values joined with ", "
 * under the first spelling.
 */
function combine(headers: HeaderList): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, raw] of headers) {
    const value = normalizeValue(raw);
    if (isForbiddenRequestHeader(name, value)) continue;
    const lower = name.toLowerCase();
    const prior = out.find(([n]) => n.toLowerCase() === lower);
    if (prior) prior[1] = `${prior[1]}, ${value}`;
    else out.push([name, value]);
  }
  return out;
}

/** XMLHttpRequest send(): an author Content-Type keeps its type but any charset parameter becomes UTF-8. */
function replaceCharset(contentType: string): string {
  return contentType.replace(/(charset=)("[^"]*"|[^;]*)/i, '$1UTF-8');
}

const DEFAULT_TEXT_TYPE = 'text/plain;charset=UTF-8';

/**
 * What Chromium sends for a script's request, before any CORS step: the method normalized, forbidden headers
 * dropped, a default Content-Type for a string body, headers in the order the network service sees them.
 */
export function browserRequest(script: ScriptRequest): BrowserRequest {
  const method = normalizeMethod(script.method);
  const hasBody = script.body !== undefined && method !== 'GET' && method !== 'HEAD';
  const headers = combine(script.headers);
  const ct = headers.findIndex(([n]) => n.toLowerCase() === 'content-type');
  if (hasBody) {
    if (ct === -1) headers.push(['Content-Type', DEFAULT_TEXT_TYPE]);
    else if (script.initiator === 'xhr') headers[ct] = [headers[ct]![0], replaceCharset(headers[ct]![1])];
  }
  return {
    initiator: script.initiator,
    url: script.url,
    method,
    headers: chromiumHeaderOrder(headers, script.initiator),
    hasBody,
    credentials: script.credentials,
    forcedPreflight: script.initiator === 'xhr' && !!script.uploadListeners && hasBody,
  };
}
