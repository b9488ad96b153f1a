import { TokenBuckets } from '../token-bucket.js';
import type { GatewayResult } from '../types.js';
import type { RestRequestContext } from './context.js';
import { gatewayResponse } from './gateway-response.js';
import { methodSettingFor } from './stage-settings.js';

/**
 * Stage-level throttling: each method of a stage has its own token bucket, sized by its own method settings or, when
 * it has none, by the stage's wildcard entry ("default per-method limits and individual per-method limits that you
 * set in API stage settings", applied after the usage plan's limits: AGDG api-gateway-request-throttling). A request
 * over the limit gets the THROTTLED gateway response: 429 {"message":"Too Many Requests"} with
 * x-amzn-ErrorType: TooManyRequestsException (AGDG supported-gateway-response-types: THROTTLED covers "usage plan-,
 * method-, stage-, or account-level throttling limits").
 *
 * A negative rate or burst is no stage-level limit (Terraform's default -1, "throttling disabled"). The account-level
 * limit (10,000 rps, burst 5,000) is not applied: a local emulator never reaches it.
 */
export class StageThrottle {
  private readonly buckets = new TokenBuckets();

  /** The 429 to answer with, or undefined when the request is within the stage's limits for its method. */
  check(ctx: RestRequestContext, now = Date.now()): GatewayResult | undefined {
    const view = ctx.stage.settings;
    const match = ctx.match;
    if (!view || !match) return undefined;
    const resourcePath = match.resource.path;
    const httpMethod = match.method.method.httpMethod;
    const effective = methodSettingFor(view, resourcePath, httpMethod);
    if (!effective) return undefined;
    const { throttlingRateLimit: rate, throttlingBurstLimit: burst } = effective.setting;
    if (rate < 0 || burst < 0) return undefined;
    const key = `${ctx.api.apiId}\n${ctx.stage.name}\n${resourcePath}\n${httpMethod}`;
    if (this.buckets.take(key, rate, burst, now)) return undefined;
    return gatewayResponse(ctx, { type: 'THROTTLED', message: 'Too Many Requests' });
  }
}
