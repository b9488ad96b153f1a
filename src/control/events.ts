/** What changed in the control plane, so caches built from it (data plane, console) can be dropped. */
export type ControlEvent =
  | { kind: 'restapi'; apiId: string }
  | { kind: 'httpapi'; apiId: string }
  | { kind: 'function'; name: string }
  /** API keys or usage plans changed (account-wide, applied without a deployment). */
  | { kind: 'usage' }
  /** Custom domain names or their mappings changed (account-wide, live at once). */
  | { kind: 'domains' }
  | { kind: 'external' };

type Listener = (e: ControlEvent) => void;

export class ControlEvents {
  private readonly listeners = new Set<Listener>();
  /** Events held back while a batch runs, one per subject, in order of first occurrence. */
  private held: Map<string, ControlEvent> | undefined;

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ControlEvent): void {
    if (this.held) {
      const key = `${e.kind}:${'apiId' in e ? e.apiId : 'name' in e ? e.name : ''}`;
      if (!this.held.has(key)) this.held.set(key, e);
      return;
    }
    for (const l of this.listeners) l(e);
  }

  /**
   * Runs fn with events held back, then emits each distinct one once (also when fn throws: a listener drops a cache
   * for nothing rather than keep a stale one). Nested calls are part of the outermost.
   */
  hold<T>(fn: () => T): T {
    if (this.held) return fn();
    const held = new Map<string, ControlEvent>();
    this.held = held;
    try {
      return fn();
    } finally {
      this.held = undefined;
      for (const e of held.values()) this.emit(e);
    }
  }
}

/**
 * A flush of one stage's cache (its response cache, its authorizer cache), announced by the control plane to the
 * data plane that holds the cache.
 */
export class StageFlushes {
  private readonly listeners = new Set<(apiId: string, stageName: string) => void>();

  on(listener: (apiId: string, stageName: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(apiId: string, stageName: string): void {
    for (const l of this.listeners) l(apiId, stageName);
  }
}
