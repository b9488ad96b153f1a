import {
  CACHE_CLUSTER_SIZES,
  LOGGING_LEVELS,
  UNAUTHORIZED_CACHE_CONTROL_HEADER_STRATEGIES,
  type CacheClusterSize,
  type LoggingLevel,
  type MethodSetting,
  type UnauthorizedCacheControlHeaderStrategy,
} from '../model/restapi.js';
import { badRequest } from './errors.js';
import { parseBooleanValue, requireReplace, requireValue, type PatchOperation } from './patch.js';

/**
 * Stage method settings: the `/{resourcePath}/{httpMethod}/{setting}` patch paths of UpdateStage and the entries of
 * Stage.methodSettings they create.
 */

/** The key of the entry that applies to every method of a stage. */
export const ALL_METHODS_KEY = '*/*';

/**
 * What a new entry starts from when there is no wildcard entry to copy: the values AWS reports for a key created by
 * one patch (AWS CLI update-stage example output; LocalStack AWS-validated snapshot
 * test_apigateway_common::test_update_stage_remove_wildcard "update-stage"). moto's defaults differ (1000/2000,
 * encrypted true) and are not AWS's.
 */
export function defaultMethodSetting(): MethodSetting {
  return {
    metricsEnabled: false,
    dataTraceEnabled: false,
    throttlingBurstLimit: 5000,
    throttlingRateLimit: 10000.0,
    cachingEnabled: false,
    cacheTtlInSeconds: 300,
    cacheDataEncrypted: false,
    requireAuthorizationForCacheControl: true,
    unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER',
  };
}

/** The fields in the order AWS lists them (AWS CLI update-stage example), loggingLevel only once set. */
function ordered(s: MethodSetting): MethodSetting {
  const out: MethodSetting = {
    metricsEnabled: s.metricsEnabled,
    dataTraceEnabled: s.dataTraceEnabled,
    throttlingBurstLimit: s.throttlingBurstLimit,
    throttlingRateLimit: s.throttlingRateLimit,
    cachingEnabled: s.cachingEnabled,
    cacheTtlInSeconds: s.cacheTtlInSeconds,
    cacheDataEncrypted: s.cacheDataEncrypted,
    requireAuthorizationForCacheControl: s.requireAuthorizationForCacheControl,
    unauthorizedCacheControlHeaderStrategy: s.unauthorizedCacheControlHeaderStrategy,
  };
  if (s.loggingLevel === undefined) return out;
  const { metricsEnabled, ...rest } = out;
  return { metricsEnabled, loggingLevel: s.loggingLevel, ...rest };
}

type SettingName =
  | 'metrics/enabled'
  | 'logging/dataTrace'
  | 'logging/loglevel'
  | 'throttling/burstLimit'
  | 'throttling/rateLimit'
  | 'caching/ttlInSeconds'
  | 'caching/enabled'
  | 'caching/dataEncrypted'
  | 'caching/requireAuthorizationForCacheControl'
  | 'caching/unauthorizedCacheControlHeaderStrategy';

const SETTINGS: ReadonlySet<string> = new Set<SettingName>([
  'metrics/enabled',
  'logging/dataTrace',
  'logging/loglevel',
  'throttling/burstLimit',
  'throttling/rateLimit',
  'caching/ttlInSeconds',
  'caching/enabled',
  'caching/dataEncrypted',
  'caching/requireAuthorizationForCacheControl',
  'caching/unauthorizedCacheControlHeaderStrategy',
]);

/**
 * Splits `/{resourcePath}/{httpMethod}/{group}/{setting}` into the entry key and the setting. The key keeps the
 * path as written: AWS answers `/~1resourceName/GET/...` with the key "~1resourceName/GET" (AWS CLI update-stage
 * example) and `/test/GET/...` with "test/GET" (LocalStack AWS-validated snapshot test_create_update_stages), and
 * Terraform sends multi-segment paths unescaped ("path1/sub/GET"), so the method is the segment before the setting
 * and the resource path everything before it.
 */
export function parseMethodSettingPath(path: string): { key: string; setting: SettingName } | undefined {
  if (!path.startsWith('/')) return undefined;
  const segments = path.slice(1).split('/');
  if (segments.length < 4) return undefined;
  const setting = segments.slice(-2).join('/');
  if (!SETTINGS.has(setting)) return undefined;
  const keyParts = segments.slice(0, -2);
  if (keyParts.some((p) => p === '')) return undefined;
  return { key: keyParts.join('/'), setting: setting as SettingName };
}

/** The key a `remove` of a whole entry names (the wildcard key, `/~1pets/GET`), or undefined when the path is none. */
export function parseMethodSettingKey(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const key = path.slice(1).replace(/\/$/, '');
  const parts = key.split('/');
  return parts.length >= 2 && parts.every((p) => p !== '') ? key : undefined;
}

/**
 * Applies one setting patch to a stage's method settings. A key that has no entry yet starts as a copy of the
 * wildcard entry when there is one (so "test/GET" created after the wildcard enabled caching has caching on), else
 * from AWS's defaults; changing the wildcard entry later does not touch existing entries (LocalStack AWS-validated
 * snapshot test_create_update_stages "update-stage" and "update-stage-override").
 */
export function patchMethodSetting(settings: Record<string, MethodSetting>, key: string, setting: SettingName, op: PatchOperation): void {
  requireReplace(op);
  const wildcard = settings[ALL_METHODS_KEY];
  const entry: MethodSetting = { ...(settings[key] ?? (key !== ALL_METHODS_KEY && wildcard ? wildcard : defaultMethodSetting())) };
  switch (setting) {
    case 'metrics/enabled':
      entry.metricsEnabled = parseBooleanValue(op);
      break;
    case 'logging/dataTrace':
      entry.dataTraceEnabled = parseBooleanValue(op);
      break;
    case 'logging/loglevel':
      entry.loggingLevel = parseLoggingLevel(op);
      break;
    case 'throttling/burstLimit':
      entry.throttlingBurstLimit = parseBurstLimit(op);
      break;
    case 'throttling/rateLimit':
      entry.throttlingRateLimit = parseRateLimit(op);
      break;
    case 'caching/enabled':
      entry.cachingEnabled = parseBooleanValue(op);
      break;
    case 'caching/ttlInSeconds':
      entry.cacheTtlInSeconds = parseTtl(op);
      break;
    case 'caching/dataEncrypted':
      entry.cacheDataEncrypted = parseBooleanValue(op);
      break;
    case 'caching/requireAuthorizationForCacheControl':
      entry.requireAuthorizationForCacheControl = parseBooleanValue(op);
      break;
    case 'caching/unauthorizedCacheControlHeaderStrategy':
      entry.unauthorizedCacheControlHeaderStrategy = parseStrategy(op);
      break;
  }
  settings[key] = ordered(entry);
}

/**
 * Removes a whole entry. AWS's text when there is none, trailing space included (LocalStack AWS-validated snapshot
 * test_update_stage_remove_wildcard "delete-error").
 */
export function removeMethodSetting(settings: Record<string, MethodSetting>, key: string): void {
  if (!settings[key]) throw badRequest(`Cannot remove method setting ${key} because there is no method setting for this method `);
  delete settings[key];
}

/** The wording AWS answers an out-of-range TTL with (real botocore error quoted in DHI/terracotta#142). */
const TTL_MESSAGE = 'Invalid time-to-live setting, must be an integer no greater than 3600';

function parseTtl(op: PatchOperation): number {
  const v = requireValue(op).trim();
  if (!/^\d+$/.test(v) || Number(v) > 3600) throw badRequest(TTL_MESSAGE);
  return Number(v);
}

// No recorded AWS texts for the following; the messages say what is wrong and what is accepted.

function parseBurstLimit(op: PatchOperation): number {
  const v = requireValue(op).trim();
  // Terraform sends -1 for "no limit" (aws_api_gateway_method_settings docs: "Default: -1 (throttling disabled)").
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw badRequest(`Invalid burst limit '${op.value}' for ${op.path}: expected a whole number of requests, e.g. 100 (-1 for no stage limit)`);
  }
  return Number(v);
}

function parseRateLimit(op: PatchOperation): number {
  const v = requireValue(op).trim();
  const n = Number(v);
  if (v === '' || !Number.isFinite(n)) {
    throw badRequest(`Invalid rate limit '${op.value}' for ${op.path}: expected requests per second as a number, e.g. 50 or 0.5 (-1 for no stage limit)`);
  }
  return n;
}

function parseLoggingLevel(op: PatchOperation): LoggingLevel {
  const v = requireValue(op);
  if (!(LOGGING_LEVELS as readonly string[]).includes(v)) {
    throw badRequest(`Invalid logging level '${v}' for ${op.path}: must be one of [${LOGGING_LEVELS.join(', ')}]`);
  }
  return v as LoggingLevel;
}

function parseStrategy(op: PatchOperation): UnauthorizedCacheControlHeaderStrategy {
  const v = requireValue(op);
  if (!(UNAUTHORIZED_CACHE_CONTROL_HEADER_STRATEGIES as readonly string[]).includes(v)) {
    throw badRequest(
      `Invalid unauthorizedCacheControlHeaderStrategy '${v}' for ${op.path}: must be one of [${UNAUTHORIZED_CACHE_CONTROL_HEADER_STRATEGIES.join(', ')}]`,
    );
  }
  return v as UnauthorizedCacheControlHeaderStrategy;
}

export function parseCacheClusterSize(value: string, where: string): CacheClusterSize {
  if (!(CACHE_CLUSTER_SIZES as readonly string[]).includes(value)) {
    throw badRequest(`Invalid cache cluster size '${value}' for ${where}: must be one of [${CACHE_CLUSTER_SIZES.join(', ')}] (GB)`);
  }
  return value as CacheClusterSize;
}

/**
 * Every path UpdateStage accepts, in AWS's own answer to an unknown one, with its missing commas (LocalStack
 * AWS-validated snapshot test_create_update_stages "error-update-doc-version").
 */
export const STAGE_PATHS_MESSAGE_LIST =
  '[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]';

export function invalidStagePath(path: string): Error {
  return badRequest(`Invalid method setting path: ${path}. Must be one of: ${STAGE_PATHS_MESSAGE_LIST}`);
}
