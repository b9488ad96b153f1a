/** What a function's pool needs from an execution environment, whatever runs inside it (a thread or a process). */
import type { FunctionSpec, InvokeRequest, InvokeResult, LogSink } from './spec.js';

export type EnvironmentState = 'starting' | 'idle' | 'busy' | 'dead';

export interface PooledEnvironment {
  readonly spec: FunctionSpec;
  readonly state: EnvironmentState;
  /** Set when code or configuration changed: finish the current invocation, then stop. */
  retired: boolean;
  /** performance.now() of the last time it became idle. */
  readonly lastUsed: number;
  /** Invocations running or waiting here. */
  readonly load: number;
  /** performance.now() when the invocation running now started; undefined when none runs. */
  readonly busySince: number | undefined;
  /** A moving average of its invocations' durations (ms); undefined when it does not keep one. */
  readonly recentDurationMs: number | undefined;
  /** Whether a busy environment may take one more invocation ahead of time (pipelining). */
  canPrefetch(): boolean;
  /**
   * Runs one invocation and calls `resolve` once with how it ended. The caller guarantees the environment is starting
   * (fresh), idle, or busy with canPrefetch() true.
   */
  run(request: InvokeRequest, requestId: string, resolve: (result: InvokeResult) => void): void;
  /** Stops the environment now; an invocation in flight ends as the platform reports a killed runtime. */
  terminate(): Promise<void>;
}

export interface EnvironmentOwner {
  readonly onLog: LogSink | undefined;
  /** An invocation sent ahead that never started here (taken back, or the environment ended): run it elsewhere. */
  requeue(request: InvokeRequest, requestId: string, resolve: (result: InvokeResult) => void): void;
  /** Called once when the environment can take no more work (exited, killed, or retired and stopped). */
  released(env: PooledEnvironment): void;
  /** Called when an invocation finished and the environment may take another. */
  idle(env: PooledEnvironment): void;
  /** Called when an invocation finished and the next one sent ahead started: the environment may take more ahead. */
  progressed(env: PooledEnvironment): void;
  /** A notice for the server's output, not the function's log (e.g. a local runtime version that differs). */
  notice(level: 'info' | 'warn', message: string): void;
}
