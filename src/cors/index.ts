/** The browser side of CORS, as the installed Chromium does it: pure functions, no I/O. */
export type { HeaderList, CredentialsMode, Initiator, CorsError, CorsErrorKind, HttpResponse } from './types.js';
export { normalizedHeader, isToken } from './headers.js';
export {
  isSafelistedMethod,
  normalizeMethod,
  isForbiddenMethod,
  isForbiddenRequestHeader,
  isCorsSafelistedHeader,
  corsUnsafeRequestHeaderNames,
  accessControlRequestHeaders,
  CHROMIUM_EXTRA_SAFELISTED_NAMES,
} from './safelist.js';
export { chromiumMimeEssence } from './mime.js';
export { isSafelistedRange } from './range.js';
export { originOf, sameOrigin, urlHasCredentials } from './origin.js';
export { checkAccess, checkAccessValues, checkPreflightAccess } from './access.js';
export {
  checkPreflightResponse,
  parseMaxAge,
  parseAllowList,
  methodAllowed,
  headersAllowed,
  CHROMIUM_156,
  DEFAULT_MAX_AGE_SECONDS,
  MAX_AGE_CAP_SECONDS,
  type BrowserQuirks,
  type PreflightResult,
  type PreflightOutcome,
} from './preflight.js';
export { PreflightCache } from './preflight-cache.js';
export { exposedHeaders, parseExposeHeaders } from './expose.js';
export { isRedirectStatus, redirectTarget, checkRedirectLocation, redirectMethod, taintsOrigin } from './redirect.js';
export { consoleMessage, errorText, isPreflightError, type MessageContext } from './chromium.js';
export { browserRequest, type ScriptRequest, type BrowserRequest } from './request.js';
export { CorsFetch, simulate, type WireRequest, type Exchange, type CorsOutcome, type Step, type CorsFetchOptions } from './fetch.js';
