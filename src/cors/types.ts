/** Shared shapes of the browser-side CORS model. Header names keep the case they were given; lookups ignore it. */

/** Header fields in order, duplicates kept: what a server sent or what a script set. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** The request's credentials mode (fetch's `credentials`; XHR: withCredentials true → include, else same-origin). */
export type CredentialsMode = 'omit' | 'same-origin' | 'include';

/** Who started the request; it changes the console text ("fetch" vs "XMLHttpRequest") and some endings. */
export type Initiator = 'fetch' | 'xhr';

/**
 * Chromium's CorsError values (services/network/public/mojom/cors.mojom) that a cross-origin fetch or XHR from a
 * page can end with, without the leading `k`.
 */
export type CorsErrorKind =
  | 'DisallowedByMode'
  | 'InvalidResponse'
  | 'WildcardOriginNotAllowed'
  | 'MissingAllowOriginHeader'
  | 'MultipleAllowOriginValues'
  | 'InvalidAllowOriginValue'
  | 'AllowOriginMismatch'
  | 'InvalidAllowCredentials'
  | 'CorsDisabledScheme'
  | 'PreflightInvalidStatus'
  | 'PreflightDisallowedRedirect'
  | 'PreflightWildcardOriginNotAllowed'
  | 'PreflightMissingAllowOriginHeader'
  | 'PreflightMultipleAllowOriginValues'
  | 'PreflightInvalidAllowOriginValue'
  | 'PreflightAllowOriginMismatch'
  | 'PreflightInvalidAllowCredentials'
  | 'InvalidAllowMethodsPreflightResponse'
  | 'InvalidAllowHeadersPreflightResponse'
  | 'MethodDisallowedByPreflightResponse'
  | 'HeaderDisallowedByPreflightResponse'
  | 'RedirectContainsCredentials';

/** A CORS failure: the kind and Chromium's `failed_parameter` (the value quoted in the message), '' when none. */
export interface CorsError {
  readonly kind: CorsErrorKind;
  readonly hint: string;
}

/** An HTTP response as the browser's network stack sees it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: HeaderList;
}
