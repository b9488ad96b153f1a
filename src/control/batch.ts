import type { Store } from '../store/db.js';
import type { ControlEvents } from './events.js';

/**
 * Many control operations as one unit (an import, a template's APIs): one store transaction (each operation's own
 * transaction nests in it as a savepoint), one change event per API or function once it is committed, and work that
 * only the end state needs (an HTTP API stage's automatic deployment) done once at the end instead of after every
 * operation. Outside a batch every operation is its own unit, as before.
 */
export class Batch {
  private depth = 0;
  private readonly atEnd = new Map<string, () => void>();

  constructor(
    private readonly store: Store,
    private readonly events: ControlEvents,
  ) {}

  /** Runs fn as one unit; a batch inside a batch is part of the outer one. fn must be synchronous. */
  run<T>(fn: () => T): T {
    return this.events.hold(() =>
      this.store.tx(() => {
        this.depth++;
        try {
          const result = fn();
          if (isThenable(result)) {
            throw new TypeError('control batch: the function must be synchronous (a transaction cannot span an await)');
          }
          if (this.depth === 1) this.finish();
          return result;
        } finally {
          this.depth--;
          // A batch that failed leaves nothing to finish: its transaction is rolled back.
          if (this.depth === 0) this.atEnd.clear();
        }
      }),
    );
  }

  /** Runs `work` once at the end of the open batch (the last registration of `key` wins), or now outside a batch. */
  deferToEnd(key: string, work: () => void): void {
    if (this.depth === 0) {
      work();
      return;
    }
    this.atEnd.delete(key);
    this.atEnd.set(key, work);
  }

  private finish(): void {
    while (this.atEnd.size > 0) {
      const [key, work] = this.atEnd.entries().next().value as [string, () => void];
      this.atEnd.delete(key);
      work();
    }
  }
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
