import { useEffect, useSyncExternalStore } from 'react';
import type { ServerEvent } from '../../../src/server/events.js';

export type Connection = 'connecting' | 'open' | 'lost';

type Listener = (e: ServerEvent) => void;

/**
 * One EventSource for the whole console. EventSource reconnects by itself (the server asks for 1 s); when the browser
 * gives up (readyState CLOSED) we open a new one. A different server id after a reconnect means preflight restarted:
 * views refetch everything, since nothing they hold can be trusted.
 */
class ServerEvents {
  serverId: string | undefined;
  /**
   * The connection, and a generation bumped when the server restarted or we reconnected after a loss (views reload
   * on it). Replaced, never changed in place: useSyncExternalStore compares snapshots by identity.
   */
  snapshot: { connection: Connection; generation: number } = { connection: 'connecting', generation: 0 };
  private source: EventSource | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<() => void>();
  private wasLost = false;

  start(): void {
    if (this.source) return;
    const source = new EventSource('/_preflight/events');
    this.source = source;
    source.addEventListener('hello', (e) => {
      const { serverId } = JSON.parse((e as MessageEvent<string>).data) as { serverId: string };
      const restarted = this.serverId !== undefined && this.serverId !== serverId;
      this.serverId = serverId;
      const { generation } = this.snapshot;
      this.set('open', restarted || this.wasLost ? generation + 1 : generation);
      this.wasLost = false;
    });
    for (const type of ['control', 'log', 'execution'] as const) {
      source.addEventListener(type, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as never;
        for (const l of this.listeners) l({ type, data } as ServerEvent);
      });
    }
    source.onerror = () => {
      this.wasLost = true;
      this.set('lost', this.snapshot.generation);
      if (source.readyState === EventSource.CLOSED) {
        this.source = undefined;
        setTimeout(() => this.start(), 2000);
      }
    };
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  readonly onState = (l: () => void): (() => void) => {
    this.stateListeners.add(l);
    return () => this.stateListeners.delete(l);
  };

  private set(connection: Connection, generation: number): void {
    this.snapshot = { connection, generation };
    for (const l of this.stateListeners) l();
  }
}

export const serverEvents = new ServerEvents();

/**
 * The connection's state for a component. An external store read through useSyncExternalStore, not copied into
 * state and subscribed to in an effect: the stream starts before the first render (main.tsx), and a `hello` that
 * arrived between that render and the effect was lost, leaving the indicator at "connecting" for good (seen in
 * test/browser/console-live.test.ts with the machine busy).
 */
export function useConnection(): { connection: Connection; generation: number } {
  return useSyncExternalStore(serverEvents.onState, () => serverEvents.snapshot);
}

export function useServerEvent(listener: Listener, deps: unknown[]): void {
  useEffect(() => serverEvents.on(listener), deps);
}
