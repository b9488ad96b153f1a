import { headersAllowed, methodAllowed, CHROMIUM_156, type BrowserQuirks, type PreflightResult } from './preflight.js';
import type { CredentialsMode, HeaderList } from './types.js';

interface Entry {
  readonly result: PreflightResult;
  readonly expiresAt: number;
}

/**
 * Chromium's preflight cache (services/network/cors/preflight_cache.cc): one entry per (origin, URL) in a network
 * context, replaced whole by the next successful preflight to that URL (the Fetch Standard merges per method and
 * header instead). An entry made without credentials cannot serve a credentialed request. Times are milliseconds
 * from any clock the caller chooses.
 */
export class PreflightCache {
  private entriesMap: Map<string, Entry> | undefined;

  // Made on first use: most requests in the model never store anything.
  private get entries(): Map<string, Entry> {
    return (this.entriesMap ??= new Map());
  }

  constructor(private readonly quirks: BrowserQuirks = CHROMIUM_156) {}

  private static key(origin: string, url: string): string {
    return `${origin} ${url}`;
  }

  /** Stores a preflight's result; a max-age of 0 stores nothing usable. */
  put(origin: string, url: string, result: PreflightResult, now: number): void {
    this.entries.set(PreflightCache.key(origin, url), { result, expiresAt: now + result.maxAgeSeconds * 1000 });
  }

  /** Whether a request can skip its preflight (PreflightCache::CheckIfRequestCanSkipPreflight). */
  canSkip(origin: string, url: string, credentials: CredentialsMode, method: string, headers: HeaderList, now: number): boolean {
    if (this.entriesMap === undefined || this.entriesMap.size === 0) return false;
    const key = PreflightCache.key(origin, url);
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return false;
    }
    const r = entry.result;
    if (!r.credentials && credentials === 'include') return false;
    if (methodAllowed(r, method, this.quirks)) return false;
    return headersAllowed(r, headers, this.quirks).error === null;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entriesMap?.size ?? 0;
  }
}
