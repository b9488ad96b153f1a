/**
 * One invocation as the platform tracks it, whatever kind of environment runs it: its log tail, its clock, and how
 * it ends (END and REPORT lines, the result handed back to the caller).
 */
import { endLine, LOG_TAIL_BYTES, logTail, type ReportFields, reportLine } from './platform.js';
import type { InvokeRequest, InvokeResult } from './spec.js';

/**
 * The invocation's own log lines, kept only when the caller asked for the tail (LogType Tail). Only the last 4 KB
 * are ever returned, so older lines are dropped as soon as the newer ones cover that: a handler flooding its output
 * cannot grow this without bound.
 */
export class TailBuffer {
  private readonly held: string[] = [];
  private bytes = 0;

  push(line: string): void {
    this.held.push(line);
    this.bytes += line.length + 1;
    // Every UTF-16 unit encodes to at least one UTF-8 byte, so lines holding LOG_TAIL_BYTES units cover the tail.
    while (this.held.length > 1 && this.bytes - (this.held[0]!.length + 1) >= LOG_TAIL_BYTES) this.bytes -= this.held.shift()!.length + 1;
  }

  encode(): string {
    return logTail(this.held);
  }
}

export interface Invocation {
  readonly requestId: string;
  readonly request: InvokeRequest;
  readonly resolve: (result: InvokeResult) => void;
  readonly tail: TailBuffer | undefined;
  timer: NodeJS.Timeout | undefined;
  /** performance.now() when the runtime received it; undefined while the environment is still starting. */
  dispatchedAt: number | undefined;
  /** Set on the invocation that started its environment (a cold start). */
  initDurationMs: number | undefined;
}

export function newInvocation(request: InvokeRequest, requestId: string, resolve: (result: InvokeResult) => void): Invocation {
  return {
    requestId,
    request,
    resolve,
    tail: request.logTail ? new TailBuffer() : undefined,
    timer: undefined,
    dispatchedAt: undefined,
    initDurationMs: undefined,
  };
}

export interface Outcome {
  /** JSON text of the response, or of the error object. */
  payload: string;
  failed: boolean;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** The REPORT line's Status, when the environment did not end the invocation normally. */
  status?: ReportFields['status'];
}

/** Ends an invocation: END and REPORT lines, then the result (with the log tail when it was asked for). */
export function completeInvocation(invocation: Invocation, outcome: Outcome, emit: (line: string, invocation: Invocation) => void): void {
  clearTimeout(invocation.timer);
  emit(endLine(invocation.requestId), invocation);
  emit(
    reportLine({
      requestId: invocation.requestId,
      durationMs: outcome.durationMs,
      memorySizeMb: outcome.memorySizeMb,
      maxMemoryUsedMb: outcome.maxMemoryUsedMb,
      initDurationMs: invocation.initDurationMs,
      status: outcome.status,
    }),
    invocation,
  );
  const result: InvokeResult = { requestId: invocation.requestId, payload: outcome.payload, durationMs: outcome.durationMs };
  if (outcome.failed) result.functionError = 'Unhandled';
  if (invocation.initDurationMs !== undefined) result.initDurationMs = invocation.initDurationMs;
  if (invocation.tail) result.logTail = invocation.tail.encode();
  invocation.resolve(result);
}
