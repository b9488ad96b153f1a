/**
 * Asynchronous invocation (Invoke with InvocationType Event): the caller gets 202 at once and Lambda runs the event
 * from its queue. As AWS documents it (LDG invocation-async-error-handling.md): "If the function returns an error,
 * by default Lambda attempts to run it two more times, with a one-minute wait between the first two attempts, and
 * two minutes between the second and third attempts"; throttled events return to the queue and are retried "for up
 * to 6 hours by default. The retry interval increases exponentially from 1 second after the first attempt to a
 * maximum of 5 minutes". Every attempt runs under the event's one request id.
 *
 * The delays are AWS's by default, so a failing event behaves locally as it will in production; tests and impatient
 * users can shorten them (LambdaRuntimeOptions.asyncRetryDelaysMs).
 */
import { TooManyRequestsError } from './platform.js';
import type { FunctionSpec, InvokeRequest, InvokeResult, MessageSink } from './spec.js';

export interface AsyncInvokeOptions {
  /** Waits before each retry after a function error; its length is the number of retries. Default [60 s, 120 s]. */
  retryDelaysMs?: readonly number[];
  /** First wait after a throttle; doubles up to throttleMaxDelayMs. Default 1 s. */
  throttleFirstDelayMs?: number;
  /** Default 5 minutes. */
  throttleMaxDelayMs?: number;
  /** An event older than this is dropped instead of retried. Default 6 hours. */
  maxEventAgeMs?: number;
}

export const AWS_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

interface QueuedEvent {
  functionName: string;
  /** The function as it is when the attempt runs (code may change between retries; deletion drops the event). */
  lookup: () => FunctionSpec | undefined;
  request: InvokeRequest & { requestId: string };
  enqueuedAt: number;
  /** Attempts that ran and failed. */
  failures: number;
  throttles: number;
}

export class AsyncInvoker {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly retryDelays: readonly number[];
  private readonly throttleFirst: number;
  private readonly throttleMax: number;
  private readonly maxAge: number;

  constructor(
    private readonly invoke: (spec: FunctionSpec, request: InvokeRequest) => Promise<InvokeResult>,
    private readonly notice: MessageSink,
    options: AsyncInvokeOptions = {},
  ) {
    this.retryDelays = options.retryDelaysMs ?? AWS_RETRY_DELAYS_MS;
    this.throttleFirst = options.throttleFirstDelayMs ?? 1000;
    this.throttleMax = options.throttleMaxDelayMs ?? 5 * 60_000;
    this.maxAge = options.maxEventAgeMs ?? 6 * 3_600_000;
  }

  /** Queues an event; it starts right away, in parallel with other events, as Lambda's queue pollers do. */
  enqueue(functionName: string, lookup: () => FunctionSpec | undefined, request: InvokeRequest & { requestId: string }): void {
    this.attempt({ functionName, lookup, request, enqueuedAt: Date.now(), failures: 0, throttles: 0 });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private attempt(event: QueuedEvent): void {
    if (this.closed) return;
    const spec = event.lookup();
    if (!spec) {
      this.notice('warn', `async invocation ${event.request.requestId} of ${event.functionName} dropped: the function no longer exists`);
      return;
    }
    this.invoke(spec, event.request).then(
      (result) => {
        if (!result.functionError) return;
        event.failures++;
        const delay = this.retryDelays[event.failures - 1];
        const attempts = this.retryDelays.length + 1;
        if (delay === undefined) {
          this.notice('warn', `async invocation ${event.request.requestId} of ${event.functionName} failed ${event.failures} times; Lambda discards the event now (or sends it to an on-failure destination / dead-letter queue, which preflight does not emulate)`);
          return;
        }
        this.notice('info', `async invocation ${event.request.requestId} of ${event.functionName} failed (attempt ${event.failures} of ${attempts}); retrying in ${formatDelay(delay)}, as Lambda does`);
        this.later(event, delay);
      },
      (e: unknown) => {
        if (!(e instanceof TooManyRequestsError)) return; // the runtime closed
        const delay = Math.min(this.throttleMax, this.throttleFirst * 2 ** event.throttles);
        event.throttles++;
        if (Date.now() + delay - event.enqueuedAt > this.maxAge) {
          this.notice('warn', `async invocation ${event.request.requestId} of ${event.functionName} dropped: throttled until it exceeded the maximum event age`);
          return;
        }
        this.later(event, delay);
      },
    );
  }

  private later(event: QueuedEvent, delay: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.attempt(event);
    }, delay);
    t.unref();
    this.timers.add(t);
  }
}

function formatDelay(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s` : `${ms} ms`;
}
