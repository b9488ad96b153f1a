/**
 * The local Lambda runtime: a pool of warm execution environments per function. Node.js functions run in worker
 * threads (environment.ts), Python and `provided.*` functions in child processes that talk to a Runtime API
 * (process-environment.ts). One invocation per environment at a time; a busy pool grows up to the function's
 * concurrency limit, idle environments are reclaimed, and a new codeVersion (or, for code served from a
 * directory, an edit) sends new invocations to fresh environments.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { AsyncInvoker, type AsyncInvokeOptions } from './async-invoke.js';
import { CodeWatcher } from './code-watcher.js';
import { Environment } from './environment.js';
import type { LogEvent } from './log-store.js';
import { LogOutput } from './log-output.js';
import { TooManyRequestsError } from './platform.js';
import type { EnvironmentOwner, PooledEnvironment } from './pooled-environment.js';
import { ProcessEnvironment } from './process-environment.js';
import { runtimeInfo, versionWarning } from './runtimes.js';
import type { FunctionSpec, InvokeRequest, InvokeResult, LogSink, MessageSink } from './spec.js';

export { TooManyRequestsError } from './platform.js';
export type { LogEvent } from './log-store.js';
export type { FunctionSpec, InvokeRequest, InvokeResult, LogSink, MessageSink } from './spec.js';

export interface LambdaRuntimeOptions {
  /** Receives every log event of every function (platform lines, console output, raw writes). */
  onLog?: LogSink;
  /** How long an idle environment stays warm. Default 5 minutes. */
  idleTimeoutMs?: number;
  /**
   * Most environments one function may run at once on this machine. Invocations beyond it wait for a free
   * environment instead of failing: AWS would run them in parallel, and a laptop cannot hold a thousand
   * environments. Default 32; a function with a larger reserved concurrency may use that many.
   */
  maxEnvironmentsPerFunction?: number;
  /**
   * Environments started at once when all are busy; beyond this many, a new one starts only when an invocation has
   * waited `scaleUpAfterMs` for a free one. Quick handlers then share a few warm environments (more threads than
   * cores only add contention), while slow, I/O-bound ones still get the parallelism AWS would give them.
   * Default: the number of CPU cores, at least 2.
   */
  eagerEnvironments?: number;
  /** See eagerEnvironments. Default 50 ms. */
  scaleUpAfterMs?: number;
  /** Concurrent invocations across all functions before TooManyRequestsException (AWS's account default: 1000). */
  accountConcurrencyLimit?: number;
  /** The runtime's own notices (version warnings, hot reloads, async retries) for the server's output. */
  onMessage?: MessageSink;
  /** Log events kept per function for recentLogs(). Default 1000. */
  logEventsPerFunction?: number;
  /** Asynchronous invocation retries; AWS's delays unless shortened (see async-invoke.ts). */
  asyncInvoke?: AsyncInvokeOptions;
  /** Quiet time after the last edit before a directory-served function reloads. Default 50 ms (code-watcher.ts). */
  hotReloadDebounceMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_MAX_ENVIRONMENTS = 32;
const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
const DEFAULT_SCALE_UP_AFTER_MS = 50;

interface Waiter {
  since: number;
  spec: FunctionSpec;
  req: InvokeRequest;
  requestId: string;
  resolve: (r: InvokeResult) => void;
}

class FunctionPool implements EnvironmentOwner {
  codeVersion: string | undefined;
  /** Idle environments, most recently used last: reusing the warmest keeps the others free to be reclaimed. */
  readonly idleEnvs: PooledEnvironment[] = [];
  readonly all = new Set<PooledEnvironment>();
  /** Invocations waiting for an environment, oldest first. */
  readonly waiters: Waiter[] = [];
  /** Invocations started and not yet finished (running or waiting), for reserved concurrency. */
  inFlight = 0;

  private scaleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly onLog: LogSink | undefined,
    /** The machine's cap, raised to the function's reserved concurrency when that is larger (set per invocation). */
    public maxEnvironments: number,
    readonly eagerEnvironments: number,
    readonly scaleUpAfterMs: number,
    readonly notice: (level: 'info' | 'warn', message: string) => void,
  ) {}

  closed = false;

  requeue(req: InvokeRequest, requestId: string, resolve: (r: InvokeResult) => void): void {
    if (this.closed) return;
    const spec = [...this.all][0]?.spec ?? this.lastSpec;
    if (!spec) return;
    const w: Waiter = { since: performance.now(), spec, req, requestId, resolve };
    const idle = this.idleEnvs.pop();
    if (idle) {
      idle.run(req, requestId, resolve);
      return;
    }
    if (this.all.size < this.maxEnvironments) {
      this.start(spec).run(req, requestId, resolve);
      return;
    }
    this.waiters.unshift(w);
  }

  lastSpec: FunctionSpec | undefined;

  /** The busy environment that can take an invocation ahead of time with the least work queued, if any. */
  prefetchTarget(): PooledEnvironment | undefined {
    let best: PooledEnvironment | undefined;
    for (const env of this.all) if (env.canPrefetch() && (!best || env.load < best.load)) best = env;
    return best;
  }

  /** Queues an invocation; if it is still waiting after scaleUpAfterMs, another environment starts for it. */
  enqueue(w: Waiter): void {
    this.waiters.push(w);
    this.drain();
    if (this.waiters.length > 0) this.armScaleUp();
  }

  private armScaleUp(delay = this.scaleUpAfterMs): void {
    if (this.scaleTimer || this.all.size >= this.maxEnvironments) return;
    this.scaleTimer = setTimeout(() => {
      this.scaleTimer = undefined;
      const head = this.waiters[0];
      if (!head || this.all.size >= this.maxEnvironments) return;
      // Only a long wait means the environments are held by slow work; a quickly turning queue needs none.
      const waited = performance.now() - head.since;
      // An environment still starting will take the queue soon; starting more at once only slows all of them.
      const starting = [...this.all].some((e) => e.state === 'starting');
      if (waited < this.scaleUpAfterMs || starting || !this.heldBySlowWork(waited)) {
        this.armScaleUp(this.scaleUpAfterMs - waited);
        return;
      }
      this.waiters.shift();
      this.start(head.spec).run(head.req, head.requestId, head.resolve);
      if (this.waiters.length > 0) this.armScaleUp();
    }, delay);
  }

  /**
   * Whether the environments' own work explains a wait, so that another environment would shorten it. A long wait
   * behind quick invocations (a burst of no-op handlers under load, a GC pause, a machine busy with other things) is
   * a wait for the CPU: another thread would only share the same cores, and every idle one costs a wake-up per
   * invocation it is handed. An environment held by one invocation for scaleUpAfterMs counts as slow work. One whose
   * durations are not known yet does not: under a burst at startup the queue waits for the first results, which says
   * nothing about the handler (counting it as slow started a third environment for a no-op handler on 2 cores in
   * some bench runs and not in others, so how many threads served a load depended on timing at startup).
   */
  private heldBySlowWork(waited: number): boolean {
    const now = performance.now();
    let durations = 0;
    let known = 0;
    for (const env of this.all) {
      if (env.busySince !== undefined && now - env.busySince >= this.scaleUpAfterMs) return true;
      const d = env.recentDurationMs;
      if (d === undefined) continue;
      durations += d;
      known++;
    }
    if (known === 0) return false;
    // The handlers' own time for the queue ahead, spread over the environments.
    const explained = (this.waiters.length * (durations / known)) / this.all.size;
    return explained >= waited / 2;
  }

  stopScaling(): void {
    clearTimeout(this.scaleTimer);
    this.scaleTimer = undefined;
  }

  idle(env: PooledEnvironment): void {
    const next = this.waiters[0];
    if (next && !env.retired && env.spec.codeVersion === next.spec.codeVersion) {
      this.waiters.shift();
      env.run(next.req, next.requestId, next.resolve);
      this.drain();
      return;
    }
    this.idleEnvs.push(env);
  }

  progressed(): void {
    this.drain();
  }

  /** Hands waiting invocations, oldest first, to busy environments that can take them ahead of time. */
  drain(): void {
    while (this.waiters.length > 0) {
      const target = this.prefetchTarget();
      const head = this.waiters[0]!;
      if (!target || target.spec.codeVersion !== head.spec.codeVersion) return;
      this.waiters.shift();
      target.run(head.req, head.requestId, head.resolve);
    }
  }

  released(env: PooledEnvironment): void {
    this.all.delete(env);
    const i = this.idleEnvs.indexOf(env);
    if (i >= 0) this.idleEnvs.splice(i, 1);
    // A slot opened (crash, timeout, retirement): a waiting invocation gets a fresh environment.
    const next = this.waiters[0];
    if (next && this.all.size < this.maxEnvironments) {
      this.waiters.shift();
      this.start(next.spec).run(next.req, next.requestId, next.resolve);
    }
  }

  start(spec: FunctionSpec): PooledEnvironment {
    let env: PooledEnvironment;
    if (runtimeInfo(spec.runtime).family === 'nodejs') {
      const warning = versionWarning(spec.name, spec.runtime, 'Node.js', process.versions.node);
      if (warning) this.notice('warn', warning);
      env = new Environment(spec, this);
    } else {
      env = new ProcessEnvironment(spec, this);
    }
    this.all.add(env);
    return env;
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
  private readonly logs: LogOutput;
  private readonly onMessage: MessageSink;
  private readonly warned = new Set<string>();
  private readonly watcher: CodeWatcher;
  private readonly async: AsyncInvoker;
  private readonly idleTimeoutMs: number;
  private readonly maxEnvironments: number;
  private readonly accountLimit: number;
  private readonly eagerEnvironments: number;
  private readonly scaleUpAfterMs: number;
  private accountInFlight = 0;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(opts: LambdaRuntimeOptions = {}) {
    this.logs = new LogOutput(opts.onLog, opts.logEventsPerFunction);
    this.onMessage = opts.onMessage ?? (() => {});
    this.watcher = new CodeWatcher(opts.hotReloadDebounceMs);
    this.async = new AsyncInvoker((spec, req) => this.invoke(spec, req), (level, m) => this.onMessage(level, m), opts.asyncInvoke);
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxEnvironments = opts.maxEnvironmentsPerFunction ?? DEFAULT_MAX_ENVIRONMENTS;
    this.accountLimit = opts.accountConcurrencyLimit ?? DEFAULT_ACCOUNT_CONCURRENCY;
    this.eagerEnvironments = Math.min(opts.eagerEnvironments ?? Math.max(2, availableParallelism()), this.maxEnvironments);
    this.scaleUpAfterMs = opts.scaleUpAfterMs ?? DEFAULT_SCALE_UP_AFTER_MS;
    // One sweep timer for all environments keeps per-invocation work free of timer churn.
    this.sweeper = setInterval(() => this.reapIdle(), Math.max(10, Math.min(this.idleTimeoutMs / 2, 30_000)));
    this.sweeper.unref();
  }

  /**
   * Runs one invocation. Function errors, timeouts and crashes resolve (with functionError set); the promise
   * rejects only with TooManyRequestsError (reserved or account concurrency exceeded), or after close().
   */
  invoke(spec: FunctionSpec, req: InvokeRequest): Promise<InvokeResult> {
    try {
      return this.dispatch(spec, req);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /**
   * As invoke(), but a refusal (TooManyRequestsError, a closed runtime) is thrown here rather than returned as a
   * rejected promise, so a caller that maps it needs no promise of its own for that.
   */
  dispatch(spec: FunctionSpec, req: InvokeRequest): Promise<InvokeResult> {
    if (this.closed) throw new Error('LambdaRuntime is closed');
    let pool = this.pools.get(spec.name);
    if (!pool) {
      pool = new FunctionPool(this.logs.write, this.maxEnvironments, this.eagerEnvironments, this.scaleUpAfterMs, (level, m) => this.notice(level, m));
      this.pools.set(spec.name, pool);
    }
    if (spec.watchCode) this.watchCode(spec);
    else this.watcher.unwatch(spec.name);
    if (pool.codeVersion !== spec.codeVersion) {
      if (pool.codeVersion !== undefined) void pool.retireAll();
      pool.codeVersion = spec.codeVersion;
    }
    // Reserved concurrency is the user's explicit word on how many may run at once: honoured beyond the default cap.
    pool.maxEnvironments = Math.max(this.maxEnvironments, spec.reservedConcurrency ?? 0);
    if (spec.reservedConcurrency !== undefined && pool.inFlight >= spec.reservedConcurrency) {
      throw new TooManyRequestsError('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    if (this.accountInFlight >= this.accountLimit) throw new TooManyRequestsError('ConcurrentInvocationLimitExceeded');
    pool.inFlight++;
    this.accountInFlight++;
    pool.lastSpec = spec;
    const requestId = req.requestId ?? randomUUID();
    // One promise per invocation: the environment calls `done` when it ends (a promise per step had cost a
    // microtask turn each on the Lambda proxy path).
    let resolve!: (r: InvokeResult) => void;
    const result = new Promise<InvokeResult>((r) => (resolve = r));
    const done = (r: InvokeResult): void => {
      pool.inFlight--;
      this.accountInFlight--;
      resolve(r);
    };
    try {
      const warm = pool.idleEnvs.pop();
      if (warm) warm.run(req, requestId, done);
      else if (pool.all.size < pool.eagerEnvironments) pool.start(spec).run(req, requestId, done);
      else pool.enqueue({ since: performance.now(), spec, req, requestId, resolve: done });
    } catch (e) {
      // An environment that could not even start (a thread refused): the caller hears it now, and the slots it held
      // are given back.
      pool.inFlight--;
      this.accountInFlight--;
      throw e;
    }
    return result;
  }

  /**
   * Queues an asynchronous invocation (Invoke with InvocationType Event) and returns its request id at once; the
   * event runs, and is retried on failure, as Lambda's async queue would (async-invoke.ts). `lookup` gives the
   * function as it is at each attempt, or undefined once it is deleted.
   */
  invokeAsync(functionName: string, lookup: () => FunctionSpec | undefined, req: InvokeRequest): string {
    if (this.closed) throw new Error('LambdaRuntime is closed');
    const requestId = req.requestId ?? randomUUID();
    this.async.enqueue(functionName, lookup, { ...req, requestId });
    return requestId;
  }

  /** The function's recent log events, oldest first (the console's view of its log group). */
  recentLogs(functionName: string, limit?: number): LogEvent[] {
    return this.logs.store.recent(functionName, limit);
  }

  /** Forgets a deleted function: its environments, its log events, its code watcher. */
  async forget(functionName: string): Promise<void> {
    this.watcher.unwatch(functionName);
    this.logs.store.clear(functionName);
    await this.retire(functionName);
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
    this.async.close();
    this.watcher.close();
    this.logs.close();
    const stopping: Promise<void>[] = [];
    for (const pool of this.pools.values()) {
      // Nobody will serve them now; their callers' connections close with the server.
      pool.closed = true;
      pool.waiters.length = 0;
      pool.stopScaling();
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

  /** Hot reload: an edit in a directory-served function's code retires its environments (in-flight ones finish). */
  private watchCode(spec: FunctionSpec): void {
    this.watcher.watch(spec.name, spec.codeDirectory, () => {
      const pool = this.pools.get(spec.name);
      if (!pool || pool.all.size === 0) return;
      this.notice('info', `function ${spec.name}: code changed in ${spec.codeDirectory}; the next invocation runs it in a fresh environment`);
      void pool.retireAll();
    });
  }

  /** Each distinct notice once per runtime: a warning repeated on every cold start would only be noise. */
  private notice(level: 'info' | 'warn', message: string): void {
    if (level === 'warn') {
      if (this.warned.has(message)) return;
      this.warned.add(message);
    }
    this.onMessage(level, message);
  }

  private reapIdle(): void {
    const olderThan = performance.now() - this.idleTimeoutMs;
    for (const pool of this.pools.values()) pool.reap(olderThan);
  }
}
