/**
 * The local Lambda runtime for Node.js functions: a pool of warm execution environments per function.
 * One invocation per environment at a time; a busy pool grows up to the function's concurrency limit, idle
 * environments are reclaimed, and a new codeVersion sends new invocations to fresh environments.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Environment, type EnvironmentOwner } from './environment.js';
import { TooManyRequestsError } from './platform.js';
import type { FunctionSpec, InvokeRequest, InvokeResult, LogSink } from './spec.js';

export { TooManyRequestsError } from './platform.js';
export type { FunctionSpec, InvokeRequest, InvokeResult, LogSink } from './spec.js';

export interface LambdaRuntimeOptions {
  /** Receives every log event of every function (platform lines, console output, raw writes). */
  onLog?: LogSink;
  /** How long an idle environment stays warm. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** Concurrency limit for functions without reserved concurrency (stands in for the account limit). Default 10. */
  maxEnvironmentsPerFunction?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_MAX_ENVIRONMENTS = 10;

class FunctionPool implements EnvironmentOwner {
  codeVersion: string | undefined;
  /** Idle environments, most recently used last: reusing the warmest keeps the others free to be reclaimed. */
  readonly idleEnvs: Environment[] = [];
  readonly all = new Set<Environment>();

  constructor(readonly onLog: LogSink | undefined) {}

  idle(env: Environment): void {
    this.idleEnvs.push(env);
  }

  released(env: Environment): void {
    this.all.delete(env);
    const i = this.idleEnvs.indexOf(env);
    if (i >= 0) this.idleEnvs.splice(i, 1);
  }

  /** Idle environments stop now; busy ones stop after their current invocation. */
  retireAll(): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const env of this.all) env.retired = true;
    for (const env of this.idleEnvs.splice(0)) stopping.push(env.terminate());
    return Promise.all(stopping).then(() => undefined);
  }

  reap(olderThan: number): void {
    for (let i = this.idleEnvs.length - 1; i >= 0; i--) {
      const env = this.idleEnvs[i];
      if (env && env.lastUsed < olderThan) {
        this.idleEnvs.splice(i, 1);
        void env.terminate();
      }
    }
  }
}

export class LambdaRuntime {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly onLog: LogSink | undefined;
  private readonly idleTimeoutMs: number;
  private readonly maxEnvironments: number;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(opts: LambdaRuntimeOptions = {}) {
    this.onLog = opts.onLog;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxEnvironments = opts.maxEnvironmentsPerFunction ?? DEFAULT_MAX_ENVIRONMENTS;
    // One sweep timer for all environments keeps per-invocation work free of timer churn.
    this.sweeper = setInterval(() => this.reapIdle(), Math.max(10, Math.min(this.idleTimeoutMs / 2, 30_000)));
    this.sweeper.unref();
  }

  /**
   * Runs one invocation. Function errors, timeouts and crashes resolve (with functionError set); the promise
   * rejects only with TooManyRequestsError when no environment may be started, or after close().
   */
  invoke(spec: FunctionSpec, req: InvokeRequest): Promise<InvokeResult> {
    if (this.closed) return Promise.reject(new Error('LambdaRuntime is closed'));
    let pool = this.pools.get(spec.name);
    if (!pool) {
      pool = new FunctionPool(this.onLog);
      this.pools.set(spec.name, pool);
    }
    if (pool.codeVersion !== spec.codeVersion) {
      if (pool.codeVersion !== undefined) void pool.retireAll();
      pool.codeVersion = spec.codeVersion;
    }
    const requestId = randomUUID();
    const warm = pool.idleEnvs.pop();
    if (warm) return warm.run(req, requestId);

    const limit = spec.reservedConcurrency ?? this.maxEnvironments;
    if (pool.all.size >= limit) {
      return Promise.reject(
        new TooManyRequestsError(
          spec.reservedConcurrency !== undefined ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded',
        ),
      );
    }
    const env = new Environment(spec, pool);
    pool.all.add(env);
    return env.run(req, requestId);
  }

  /** Drop warm environments of a function (code or config changed, or function deleted). */
  async retire(functionName: string): Promise<void> {
    const pool = this.pools.get(functionName);
    if (!pool) return;
    pool.codeVersion = undefined;
    await pool.retireAll();
  }

  /** Terminates all environments; invocations in flight end as killed runtimes. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    const stopping: Promise<void>[] = [];
    for (const pool of this.pools.values()) {
      pool.idleEnvs.length = 0;
      for (const env of pool.all) stopping.push(env.terminate());
    }
    await Promise.all(stopping);
  }

  /** Environments per function, for diagnostics and tests. */
  stats(functionName: string): { environments: number; idle: number } {
    const pool = this.pools.get(functionName);
    return { environments: pool?.all.size ?? 0, idle: pool?.idleEnvs.length ?? 0 };
  }

  private reapIdle(): void {
    const olderThan = performance.now() - this.idleTimeoutMs;
    for (const pool of this.pools.values()) pool.reap(olderThan);
  }
}
