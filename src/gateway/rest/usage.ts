import type { ApiKeyService } from '../../control/api-keys.js';
import type { ControlEvents } from '../../control/events.js';
import type { ApiKey, ThrottleSettings, UsagePlan } from '../../model/restapi.js';
import type { GatewayResult } from '../types.js';
import type { RestRequestContext } from './context.js';
import { TokenBuckets } from '../token-bucket.js';
import { gatewayResponse } from './gateway-response.js';

export type UsageOutcome = { ok: true; key?: ApiKey } | { ok: false; result: GatewayResult };

/**
 * API keys, usage-plan throttling (token buckets, per key and API stage, with per-method overrides) and quotas
 * (per key and period; counts persisted so a restart does not hand out a new quota). Keys and plans are read from
 * the control layer and kept until it announces a change.
 */
export class UsageEnforcer {
  private readonly keys = new Map<string, ApiKey | null>();
  private readonly plans = new Map<string, UsagePlan[]>();
  private readonly buckets = new TokenBuckets();
  private readonly quota = new Map<string, { periodStart: number; used: number; dirty: boolean }>();
  private readonly flushTimer: NodeJS.Timeout;

  constructor(
    private readonly apiKeys: ApiKeyService,
    events: ControlEvents,
  ) {
    events.on((e) => {
      if (e.kind === 'usage' || e.kind === 'external') {
        this.keys.clear();
        this.plans.clear();
      }
    });
    // Quota counts are written behind, not on every request.
    this.flushTimer = setInterval(() => this.flush(), 1000);
    this.flushTimer.unref();
  }

  /** Checks the API key a method requires (from x-api-key, or the authorizer's usageIdentifierKey) and its plans. */
  check(ctx: RestRequestContext, usageIdentifierKey: string | undefined): UsageOutcome {
    const method = ctx.match!.method.method;
    if (!method.apiKeyRequired) return { ok: true };
    const source = ctx.api.snapshot.api.apiKeySource;
    const value = source === 'AUTHORIZER' ? usageIdentifierKey : ctx.header('x-api-key');
    const forbidden = (): UsageOutcome => ({ ok: false, result: gatewayResponse(ctx, { type: 'INVALID_API_KEY', message: 'Forbidden' }) });
    if (!value) return forbidden();
    const key = this.key(value);
    if (!key || !key.enabled) return forbidden();
    const plans = this.plansFor(key.id, ctx.api.apiId, ctx.stage.name);
    if (plans.length === 0) return forbidden();
    const plan = plans[0]!;
    const now = Date.now();
    const resourcePath = ctx.match!.resource.path;
    const methodThrottle = plan.apiStages.find((s) => s.apiId === ctx.api.apiId && s.stage === ctx.stage.name)?.throttle?.[`${resourcePath}/${ctx.req.method}`];
    const throttle = methodThrottle ?? plan.throttle;
    if (throttle && !this.take(`${plan.id}/${key.id}/${ctx.api.apiId}/${ctx.stage.name}${methodThrottle ? `/${resourcePath}/${ctx.req.method}` : ''}`, throttle, now)) {
      return { ok: false, result: gatewayResponse(ctx, { type: 'THROTTLED', message: 'Too Many Requests' }) };
    }
    if (plan.quota?.limit !== undefined && plan.quota.period) {
      const periodStart = quotaPeriodStart(plan.quota.period, plan.quota.offset ?? 0, now);
      const k = `${plan.id}/${key.id}`;
      let q = this.quota.get(k);
      if (!q || q.periodStart !== periodStart) {
        q = { periodStart, used: this.apiKeys.usageCount(plan.id, key.id, periodStart), dirty: false };
        this.quota.set(k, q);
      }
      if (q.used >= plan.quota.limit) return { ok: false, result: gatewayResponse(ctx, { type: 'QUOTA_EXCEEDED', message: 'Limit Exceeded' }) };
      q.used++;
      q.dirty = true;
    }
    return { ok: true, key };
  }

  /** Writes quota counts that changed since the last flush. */
  flush(): void {
    for (const [k, q] of this.quota) {
      if (!q.dirty) continue;
      const [planId, keyId] = k.split('/') as [string, string];
      try {
        this.apiKeys.recordUsage(planId, keyId, q.periodStart, q.used);
        q.dirty = false;
      } catch {
        // The plan or key was deleted meanwhile; nothing to keep.
        this.quota.delete(k);
      }
    }
  }

  close(): void {
    clearInterval(this.flushTimer);
    this.flush();
  }

  private key(value: string): ApiKey | null {
    let k = this.keys.get(value);
    if (k === undefined) {
      k = this.apiKeys.keyByValue(value) ?? null;
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(value, k);
    }
    return k;
  }

  private plansFor(keyId: string, apiId: string, stage: string): UsagePlan[] {
    const k = `${keyId}/${apiId}/${stage}`;
    let p = this.plans.get(k);
    if (!p) {
      p = this.apiKeys.plansFor(keyId, apiId, stage);
      this.plans.set(k, p);
    }
    return p;
  }

  /** The plan's token bucket: burstLimit tokens at most, refilled at rateLimit per second; no rate, no limit. */
  private take(key: string, t: ThrottleSettings, now: number): boolean {
    const rate = t.rateLimit ?? Infinity;
    const burst = t.burstLimit ?? Math.max(1, Math.ceil(rate));
    if (rate === Infinity) return true;
    return this.buckets.take(key, rate, burst, now);
  }
}

/** Start of the current quota period in epoch seconds (UTC days; weeks and months shifted by the plan's offset). */
export function quotaPeriodStart(period: 'DAY' | 'WEEK' | 'MONTH', offset: number, now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'DAY') return day / 1000;
  if (period === 'WEEK') {
    // Weeks start on Sunday plus the offset in days (UNCERTAIN: AWS documents offset only as "days into the period").
    const sinceStart = (d.getUTCDay() - offset + 7) % 7;
    return (day - sinceStart * 86_400_000) / 1000;
  }
  let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1 + offset);
  if (start > now) start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1 + offset);
  return start / 1000;
}
