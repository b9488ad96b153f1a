import type { CorsError, CorsErrorKind, Initiator } from './types.js';

/** Errors Chromium prefixes with "Response to preflight request doesn't pass access control check: ". */
const PREFLIGHT_PREFIXED: ReadonlySet<CorsErrorKind> = new Set<CorsErrorKind>([
  'PreflightWildcardOriginNotAllowed',
  'PreflightMissingAllowOriginHeader',
  'PreflightMultipleAllowOriginValues',
  'PreflightInvalidAllowOriginValue',
  'PreflightAllowOriginMismatch',
  'PreflightInvalidAllowCredentials',
  'PreflightInvalidStatus',
  'PreflightDisallowedRedirect',
]);

/** Whether the failure came from the preflight exchange (including method and header checks). */
export function isPreflightError(kind: CorsErrorKind): boolean {
  return PREFLIGHT_PREFIXED.has(kind) || kind === 'InvalidAllowMethodsPreflightResponse' || kind === 'InvalidAllowHeadersPreflightResponse' ||
    kind === 'MethodDisallowedByPreflightResponse' || kind === 'HeaderDisallowedByPreflightResponse';
}

const XHR_CREDENTIALS = ' The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.';
// Chromium 156 ends these three with this sentence for fetch() only, not for XMLHttpRequest (measured by
// test/conformance; the older "or, if an opaque response serves your needs…" continuation and the opaque hint on
// the missing-header message are gone).
const VALID_VALUE = ' Have the server send the header with a valid value.';

/** The per-error text of blink's cors::GetErrorString (cors_error_string.cc), as the installed Chromium prints it. */
export function errorText(error: CorsError, initiator: Initiator): string {
  const xhr = initiator === 'xhr';
  const validValue = xhr ? '' : VALID_VALUE;
  switch (error.kind) {
    case 'DisallowedByMode':
      return 'Cross origin requests are not allowed by request mode.';
    case 'InvalidResponse':
      return 'The response is invalid.';
    case 'WildcardOriginNotAllowed':
    case 'PreflightWildcardOriginNotAllowed':
      return `The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.${xhr ? XHR_CREDENTIALS : ''}`;
    case 'MissingAllowOriginHeader':
    case 'PreflightMissingAllowOriginHeader':
      return "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    case 'MultipleAllowOriginValues':
    case 'PreflightMultipleAllowOriginValues':
      return `The 'Access-Control-Allow-Origin' header contains multiple values '${error.hint}', but only one is allowed.${validValue}`;
    case 'InvalidAllowOriginValue':
    case 'PreflightInvalidAllowOriginValue':
      return `The 'Access-Control-Allow-Origin' header contains the invalid value '${error.hint}'.${validValue}`;
    case 'AllowOriginMismatch':
    case 'PreflightAllowOriginMismatch':
      return `The 'Access-Control-Allow-Origin' header has a value '${error.hint}' that is not equal to the supplied origin.${validValue}`;
    case 'InvalidAllowCredentials':
    case 'PreflightInvalidAllowCredentials':
      return `The value of the 'Access-Control-Allow-Credentials' header in the response is '${error.hint}' which must be 'true' when the request's credentials mode is 'include'.${xhr ? XHR_CREDENTIALS : ''}`;
    case 'CorsDisabledScheme':
      return 'Cross origin requests are only supported for protocol schemes: http, data, isolated-app, chrome-extension, chrome, https, chrome-untrusted.';
    case 'PreflightInvalidStatus':
      return 'It does not have HTTP ok status.';
    case 'PreflightDisallowedRedirect':
      return 'Redirect is not allowed for a preflight request.';
    case 'InvalidAllowMethodsPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Methods response header field in preflight response.';
    case 'InvalidAllowHeadersPreflightResponse':
      return 'Cannot parse Access-Control-Allow-Headers response header field in preflight response.';
    case 'MethodDisallowedByPreflightResponse':
      return `Method ${error.hint} is not allowed by Access-Control-Allow-Methods in preflight response.`;
    case 'HeaderDisallowedByPreflightResponse':
      return `Request header field ${error.hint} is not allowed by Access-Control-Allow-Headers in preflight response.`;
    case 'RedirectContainsCredentials':
      return `Redirect location '${error.hint}' contains a username and password, which is disallowed for cross-origin requests.`;
  }
}

export interface MessageContext {
  initiator: Initiator;
  /** The URL of the request that failed (after redirects). */
  url: string;
  /** The URL the script asked for. */
  initialUrl: string;
  /** The page's origin, as the page knows it (never the tainted `null`). */
  origin: string;
}

/**
 * The DevTools console line: "Access to fetch at '…' [(redirected from '…') ]from origin '…' has been blocked by
 * CORS policy: [Response to preflight request doesn't pass access control check: ]…".
 */
export function consoleMessage(error: CorsError, ctx: MessageContext): string {
  const kind = ctx.initiator === 'xhr' ? 'XMLHttpRequest' : 'fetch';
  const redirected = ctx.url !== ctx.initialUrl ? `(redirected from '${ctx.initialUrl}') ` : '';
  const prefix = PREFLIGHT_PREFIXED.has(error.kind) ? "Response to preflight request doesn't pass access control check: " : '';
  return `Access to ${kind} at '${ctx.url}' ${redirected}from origin '${ctx.origin}' has been blocked by CORS policy: ${prefix}${errorText(error, ctx.initiator)}`;
}
