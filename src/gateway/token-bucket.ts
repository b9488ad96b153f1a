interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * Token buckets by key, as API Gateway throttles: "the token bucket algorithm, where a token counts for a request",
 * the burst being "the maximum bucket size", refilled at the steady-state rate per second (AGDG
 * api-gateway-request-throttling). A new bucket starts full. The number of buckets is capped so that keys made from
 * request data cannot grow memory without bound; past the cap the oldest bucket is forgotten (it starts full again).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxBuckets = 100_000) {}

  /** Takes one token from the bucket `key` (burst tokens at most, `rate` more per second); false when there is none. */
  take(key: string, rate: number, burst: number, now: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: burst, updated: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.updated) / 1000) * rate);
    b.updated = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }

  get size(): number {
    return this.buckets.size;
  }
}
