/**
 * Where every function log event goes: the per-function store (the console's view of the log group) and the
 * server's output. The server's output is rate-limited per function: a handler printing in a loop would otherwise
 * keep the server's main thread busy writing to the terminal. Dropped lines are counted and said so; the store and
 * the invocation's own tail (LogType Tail) keep receiving everything.
 */
import { FunctionLogStore } from './log-store.js';
import type { LogSink } from './spec.js';

const LINES_PER_SECOND = 2000;
const PLATFORM_LINE = /^(START|END|REPORT) RequestId: |^INIT_REPORT |^RequestId: |^preflight: /;
const BURST = 10_000;

interface Bucket {
  tokens: number;
  refilledAt: number;
  dropped: number;
  reportTimer: NodeJS.Timeout | undefined;
}

export class LogOutput {
  readonly store: FunctionLogStore;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly sink: LogSink | undefined,
    eventsPerFunction?: number,
  ) {
    this.store = new FunctionLogStore(eventsPerFunction);
  }

  readonly write: LogSink = (functionName, line) => {
    this.store.append(functionName, line);
    if (!this.sink) return;
    // The platform's own lines always show: they say how each invocation ended. (Checked before the bucket, whose
    // refill is worked out from the time elapsed whenever it is next needed.)
    if (PLATFORM_LINE.test(line)) {
      this.sink(functionName, line);
      return;
    }
    const b = this.bucket(functionName);
    if (b.tokens >= 1) {
      b.tokens--;
      this.sink(functionName, line);
      return;
    }
    b.dropped++;
    if (!b.reportTimer) {
      b.reportTimer = setTimeout(() => this.report(functionName, b), 1000);
      b.reportTimer.unref();
    }
  };

  private bucket(functionName: string): Bucket {
    let b = this.buckets.get(functionName);
    const now = Date.now();
    if (!b) {
      b = { tokens: BURST, refilledAt: now, dropped: 0, reportTimer: undefined };
      this.buckets.set(functionName, b);
    }
    const elapsed = now - b.refilledAt;
    if (elapsed > 0) {
      b.tokens = Math.min(BURST, b.tokens + (elapsed * LINES_PER_SECOND) / 1000);
      b.refilledAt = now;
    }
    return b;
  }

  private report(functionName: string, b: Bucket): void {
    b.reportTimer = undefined;
    if (b.dropped === 0) return;
    const n = b.dropped;
    b.dropped = 0;
    this.sink?.(
      functionName,
      `preflight: ${n} more log lines not shown here (over ${LINES_PER_SECOND} lines/s); LogType Tail and the console still have the latest ones`,
    );
  }

  close(): void {
    for (const b of this.buckets.values()) clearTimeout(b.reportTimer);
  }
}
