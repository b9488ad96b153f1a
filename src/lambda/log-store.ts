/**
 * The recent log events of each function, like its CloudWatch log group seen from the console: the last N events
 * per function, oldest first, each with the time it was written.
 */

export interface LogEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
}

const DEFAULT_EVENTS_PER_FUNCTION = 1000;

export class FunctionLogStore {
  private readonly rings = new Map<string, { events: LogEvent[]; next: number }>();

  constructor(private readonly limit = DEFAULT_EVENTS_PER_FUNCTION) {}

  append(functionName: string, message: string): void {
    let ring = this.rings.get(functionName);
    if (!ring) this.rings.set(functionName, (ring = { events: [], next: 0 }));
    const event = { timestamp: Date.now(), message };
    if (ring.events.length < this.limit) ring.events.push(event);
    else {
      ring.events[ring.next] = event;
      ring.next = (ring.next + 1) % this.limit;
    }
  }

  /** The function's last `limit` events (all kept ones by default), oldest first. */
  recent(functionName: string, limit = this.limit): LogEvent[] {
    const ring = this.rings.get(functionName);
    if (!ring) return [];
    const ordered = ring.events.length < this.limit ? ring.events : [...ring.events.slice(ring.next), ...ring.events.slice(0, ring.next)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  /** Forgets a function's events (it was deleted). */
  clear(functionName: string): void {
    this.rings.delete(functionName);
  }
}
