/** What changed in the control plane, so caches built from it (data plane, console) can be dropped. */
export type ControlEvent =
  | { kind: 'restapi'; apiId: string }
  | { kind: 'httpapi'; apiId: string }
  | { kind: 'function'; name: string }
  /** API keys or usage plans changed (account-wide, applied without a deployment). */
  | { kind: 'usage' }
  | { kind: 'external' };

type Listener = (e: ControlEvent) => void;

export class ControlEvents {
  private readonly listeners = new Set<Listener>();

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ControlEvent): void {
    for (const l of this.listeners) l(e);
  }
}
