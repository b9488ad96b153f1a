/**
 * One execution environment seen from the server: a worker thread running src/lambda/worker, one invocation at a
 * time. It owns the platform's side of an invocation: START/END/REPORT, the timeout, and what a crash reports.
 */
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../util/worker.js';
import { completeInvocation, type Invocation, newInvocation } from './invocation.js';
import {
  environmentVariables,
  exitError,
  exitLogLine,
  exitReason,
  initReportLine,
  logStreamName,
  outOfMemoryError,
  type PlatformError,
  type ReportFields,
  responseTooLargeError,
  startLine,
  timeoutError,
} from './platform.js';
import type { EnvironmentOwner, EnvironmentState, PooledEnvironment } from './pooled-environment.js';
import type { BatchMessage, CancelMessage, FromWorker, InvokeMessage, WorkerInit } from './protocol.js';
import { type FunctionSpec, type InvokeRequest, type InvokeResult, MAX_SYNC_PAYLOAD_BYTES } from './spec.js';

export type { EnvironmentOwner } from './pooled-environment.js';

/**
 * AWS gives the INIT phase 10 s; past that it retries init inside the invoke phase under the function timeout.
 * We allow the sum before giving up on a start.
 */
const INIT_LIMIT_MS = 10_000;

const WORKER_EXEC_ARGV = process.execArgv.filter((a) => a === '--enable-source-maps' || a.startsWith('--stack-trace-limit'));

/**
 * Pipelining: while an environment runs a quick invocation, the next few are sent to its thread ahead of time and
 * start there the moment it finishes (still one at a time), so the thread never waits for a round trip to the
 * server. Only for environments whose invocations have been quick; an invocation sent ahead that has not started
 * after STALL_MS is taken back and runs elsewhere, as Lambda would route it to another environment. 16 deep rather
 * than 4: a thread with work queued is not asleep when the next invocations arrive, and waking one costs the server
 * more than the invocation itself (REST Lambda proxy GET at 50 connections: +10% req/s, -10% CPU per request).
 */
const PREFETCH_DEPTH = 16;
const QUICK_MS = 2;
const STALL_MS = 20;

/** A Node.js execution environment: a worker thread running src/lambda/worker. */
export class Environment implements PooledEnvironment {
  state: EnvironmentState = 'starting';
  /** Set when code or configuration changed: finish the current invocation, then stop. */
  retired = false;
  lastUsed = performance.now();
  readonly spec: FunctionSpec;
  private readonly worker: Worker;
  private readonly owner: EnvironmentOwner;
  private readonly spawnedAt = performance.now();
  private current: Invocation | undefined;
  private maxMemoryMb = 0;
  private fatalPayload: { payload: string; errorType: string } | undefined;
  private workerError: unknown;
  private killedByUs = false;
  private initTimer: NodeJS.Timeout | undefined;
  /** Sent to the thread ahead of time, not started yet, oldest first. */
  private readonly queued: Invocation[] = [];
  private durationEma: number | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private cancelling = false;
  private outbox: (CancelMessage | InvokeMessage)[] = [];

  constructor(spec: FunctionSpec, owner: EnvironmentOwner) {
    this.spec = spec;
    this.owner = owner;
    const init: WorkerInit = { taskRoot: spec.codeDirectory, handler: spec.handler, arn: spec.arn, timeoutMs: spec.timeoutSeconds * 1000 };
    this.worker = startModuleWorker(new URL('./worker.js', import.meta.url), {
      workerData: init,
      env: environmentVariables(spec, logStreamName()),
      stdout: true,
      stderr: true,
      // V8's heap limit stands in for the function's memory size: exceeding it ends only this thread.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(16, spec.memoryMb) },
      // Not the server's flags: an --import or --require of the server (a loader, an APM agent) would load into every
      // environment, costing each cold start, and --inspect would fight over its port.
      execArgv: WORKER_EXEC_ARGV,
    });
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    // Without an 'error' listener a worker's failure would be rethrown in the server.
    this.worker.on('error', (err) => (this.workerError = err));
    this.worker.on('exit', (code) => this.onExit(code));
    this.captureRaw(this.worker.stdout);
    this.captureRaw(this.worker.stderr);
    this.initTimer = setTimeout(() => this.onInitTimeout(), INIT_LIMIT_MS + spec.timeoutSeconds * 1000);
  }

  /** Whether a busy environment may take one more invocation ahead of time (see PREFETCH_DEPTH). */
  canPrefetch(): boolean {
    return (
      this.state === 'busy' &&
      !this.retired &&
      !this.cancelling &&
      this.queued.length < PREFETCH_DEPTH &&
      this.durationEma !== undefined &&
      this.durationEma < QUICK_MS
    );
  }

  /** Invocations running or waiting here. */
  get load(): number {
    return (this.current ? 1 : 0) + this.queued.length;
  }

  get busySince(): number | undefined {
    return this.current?.dispatchedAt;
  }

  get recentDurationMs(): number | undefined {
    return this.durationEma;
  }

  /**
   * Runs one invocation. The caller guarantees the environment is starting (fresh), idle, or busy with
   * canPrefetch() true, in which case the invocation starts when the ones before it are done.
   */
  run(request: InvokeRequest, requestId: string, resolve: (result: InvokeResult) => void): void {
    const invocation = newInvocation(request, requestId, resolve);
    if (this.state === 'busy' && this.current) {
      this.queued.push(invocation);
      this.send(this.invokeMessage(invocation));
      this.armStallCheck();
      return;
    }
    this.current = invocation;
    if (this.state === 'idle') {
      this.state = 'busy';
      this.worker.ref();
      this.dispatch(invocation);
    }
    // A starting environment dispatches when it reports ready.
  }

  /** Stops the environment now; an invocation in flight ends as the platform reports a killed runtime. */
  terminate(): Promise<void> {
    if (this.state === 'dead') return Promise.resolve();
    this.killedByUs = true;
    return this.worker.terminate().then(() => undefined);
  }

  // -------------------------------------------------------------------------------------------------------------

  /**
   * Under load many invocations are dispatched within one turn of the event loop (one per request parsed), and a
   * postMessage each was the main thread's largest cost after the socket writes: a lock, a serialization and a
   * wake-up of the thread per message. They leave together at the end of the turn, in order.
   */
  private send(msg: CancelMessage | InvokeMessage): void {
    if (this.outbox.push(msg) === 1) setImmediate(this.flushOutbox);
  }

  private readonly flushOutbox = (): void => {
    const msgs = this.outbox;
    this.outbox = [];
    if (this.state === 'dead' || msgs.length === 0) return;
    this.worker.postMessage(msgs.length === 1 ? msgs[0] : ({ k: 'batch', msgs } satisfies BatchMessage));
  };

  private emit(line: string, invocation = this.current): void {
    this.owner.onLog?.(this.spec.name, line);
    invocation?.tail?.push(line);
  }

  private emitAll(lines: readonly string[] | undefined): void {
    if (lines === undefined) return;
    for (const line of lines) this.emit(line);
  }

  private dispatch(invocation: Invocation): void {
    this.started(invocation);
    this.send(this.invokeMessage(invocation));
  }

  private invokeMessage(invocation: Invocation): InvokeMessage {
    // Only what differs per invocation: the ARN and timeout went with the environment's start, and the trace id is
    // drawn in the environment (each field is serialized and read back on every message).
    const msg: InvokeMessage = { k: 'invoke', id: invocation.requestId, event: invocation.request.payload };
    if (invocation.request.body !== undefined) msg.body = invocation.request.body;
    const clientContext = invocation.request.clientContext;
    if (clientContext !== undefined) msg.clientContext = Buffer.from(clientContext, 'base64').toString('utf8');
    return msg;
  }

  /** The platform's side of an invocation starting: START line, clock, timeout. */
  private started(invocation: Invocation): void {
    invocation.dispatchedAt = performance.now();
    this.emit(startLine(invocation.requestId), invocation);
    if (!this.deadlineTimer) this.armDeadline(this.spec.timeoutSeconds * 1000);
  }

  /**
   * The function timeout, with one timer per environment rather than one set and cleared per invocation: when it
   * fires it ends the invocation running then if its time is up, or waits for that one's deadline.
   */
  private armDeadline(ms: number): void {
    this.deadlineTimer = setTimeout(this.checkDeadline, Math.ceil(ms));
  }

  private readonly checkDeadline = (): void => {
    this.deadlineTimer = undefined;
    const invocation = this.current;
    if (this.state === 'dead' || !invocation || invocation.dispatchedAt === undefined) return;
    const left = invocation.dispatchedAt + this.spec.timeoutSeconds * 1000 - performance.now();
    if (left <= 0) this.onTimeout(invocation);
    else this.armDeadline(left);
  };

  private armStallCheck(delay = STALL_MS): void {
    if (this.stallTimer) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      const running = this.current;
      if (this.queued.length === 0 || !running || running.dispatchedAt === undefined || this.state !== 'busy') return;
      const ranFor = performance.now() - running.dispatchedAt;
      if (ranFor < STALL_MS) {
        this.armStallCheck(STALL_MS - ranFor);
        return;
      }
      this.cancelling = true;
      this.send({ k: 'cancel', ids: this.queued.map((q) => q.requestId) });
    }, delay);
  }

  /** Invocations sent ahead that will not start here go back to the pool. */
  private handBack(invocations: Invocation[]): void {
    for (const inv of invocations) this.owner.requeue(inv.request, inv.requestId, inv.resolve);
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.k) {
      case 'log':
        this.emitAll(msg.lines);
        return;
      case 'result': {
        this.emitAll(msg.lines);
        this.maxMemoryMb = msg.memoryMb;
        const invocation = this.current;
        if (!invocation || invocation.requestId !== msg.id) return;
        if (msg.ok && exceedsSyncLimit(msg.payload)) {
          // AWS fails the invocation and the runtime exits (REPORT "Status: error  Error Type: Runtime.ExitError").
          this.complete(invocation, platformPayload(responseTooLargeError(MAX_SYNC_PAYLOAD_BYTES)), true, msg.durationMs, {
            status: 'error',
            errorType: 'Runtime.ExitError',
          });
          void this.terminate();
          return;
        }
        this.complete(invocation, msg.payload, !msg.ok, msg.durationMs, undefined);
        this.durationEma = this.durationEma === undefined ? msg.durationMs : this.durationEma * 0.8 + msg.durationMs * 0.2;
        const next = this.queued.shift();
        if (next) {
          // It is already in the thread's queue and starts there now.
          this.current = next;
          this.started(next);
          this.owner.progressed(this);
          return;
        }
        this.becomeIdle();
        return;
      }
      case 'cancelled': {
        this.cancelling = false;
        const taken: Invocation[] = [];
        for (const id of msg.ids) {
          const i = this.queued.findIndex((q) => q.requestId === id);
          if (i >= 0) taken.push(...this.queued.splice(i, 1));
        }
        this.handBack(taken);
        return;
      }
      case 'ready': {
        clearTimeout(this.initTimer);
        this.emitAll(msg.lines);
        this.maxMemoryMb = msg.memoryMb;
        const invocation = this.current;
        if (!invocation) {
          this.becomeIdle();
          return;
        }
        invocation.initDurationMs = performance.now() - this.spawnedAt;
        this.state = 'busy';
        this.dispatch(invocation);
        return;
      }
      case 'initError': {
        clearTimeout(this.initTimer);
        this.emitAll(msg.lines);
        const invocation = this.current;
        const initDurationMs = performance.now() - this.spawnedAt;
        this.emit(initReportLine(initDurationMs, msg.errorType));
        if (invocation) {
          // The failed init is reported on the invocation that needed it, as the Invoke response AWS returns.
          this.emit(startLine(invocation.requestId), invocation);
          this.complete(invocation, msg.payload, true, 0, { status: 'error', errorType: msg.errorType });
        }
        return; // the worker exits by itself (status 129); onExit releases it
      }
      case 'fatal':
        this.emitAll(msg.lines);
        if (this.current && (msg.id === undefined || msg.id === this.current.requestId)) {
          this.fatalPayload = { payload: msg.payload, errorType: msg.errorType };
        }
        return;
    }
  }

  private becomeIdle(): void {
    if (this.retired) {
      void this.terminate();
      return;
    }
    this.state = 'idle';
    this.lastUsed = performance.now();
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    // An idle environment must not keep the server process alive on its own.
    this.worker.unref();
    this.owner.idle(this);
  }

  private onTimeout(invocation: Invocation): void {
    if (this.current !== invocation) return;
    this.complete(invocation, platformPayload(timeoutError(invocation.requestId, this.spec.timeoutSeconds)), true, this.spec.timeoutSeconds * 1000, {
      status: 'timeout',
    });
    void this.terminate();
  }

  private onInitTimeout(): void {
    const invocation = this.current;
    if (this.state !== 'starting') return;
    if (invocation) {
      this.emit(startLine(invocation.requestId), invocation);
      this.complete(invocation, platformPayload(timeoutError(invocation.requestId, this.spec.timeoutSeconds)), true, this.spec.timeoutSeconds * 1000, {
        status: 'timeout',
      });
    }
    void this.terminate();
  }

  private onExit(code: number): void {
    clearTimeout(this.initTimer);
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.stallTimer);
    // Sent ahead but never started: they belong to another environment now.
    this.handBack(this.queued.splice(0));
    const wasStarting = this.state === 'starting';
    this.state = 'dead';
    const invocation = this.current;
    if (invocation) {
      if (invocation.dispatchedAt === undefined) this.emit(startLine(invocation.requestId), invocation);
      const oom = (this.workerError as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (this.workerError !== undefined && !oom && wasStarting) {
        // Our own bootstrap failed (not user code): say why, or the failure is invisible.
        this.emit(`preflight: environment failed to start: ${String((this.workerError as Error).stack ?? this.workerError)}`);
      }
      const exitCode = this.killedByUs || oom ? undefined : code;
      const reason = exitReason(exitCode);
      const errorType = oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      this.emit(exitLogLine(invocation.requestId, reason, errorType));
      const payload =
        this.fatalPayload?.payload ??
        platformPayload(oom ? outOfMemoryError(invocation.requestId) : exitError(invocation.requestId, exitCode));
      const durationMs = invocation.dispatchedAt === undefined ? 0 : performance.now() - invocation.dispatchedAt;
      this.complete(invocation, payload, true, durationMs, { status: 'error', errorType });
    } else if (!this.killedByUs && code !== 0 && this.workerError !== undefined) {
      this.owner.onLog?.(this.spec.name, `preflight: environment exited: ${String(this.workerError)}`);
    }
    this.owner.released(this);
  }

  /** Ends an invocation: END and REPORT lines, log tail, result. */
  private complete(
    invocation: Invocation,
    payload: string,
    failed: boolean,
    durationMs: number,
    status: ReportFields['status'],
  ): void {
    if (this.current === invocation) this.current = undefined;
    completeInvocation(
      invocation,
      { payload, failed, durationMs, status, memorySizeMb: this.spec.memoryMb, maxMemoryUsedMb: this.maxMemoryMb },
      (line, inv) => this.emit(line, inv),
    );
  }

  /** Writes that bypassed the runtime's console and stdout capture (native code, late writes). */
  private captureRaw(stream: Readable): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.emit(line);
    });
    stream.on('end', () => {
      if (partial !== '') this.emit(partial);
    });
  }
}

function platformPayload(error: PlatformError): string {
  return JSON.stringify(error);
}

/** Byte length is only computed when the UTF-16 length leaves it in doubt. */
function exceedsSyncLimit(payload: string): boolean {
  if (payload.length * 3 <= MAX_SYNC_PAYLOAD_BYTES) return false;
  if (payload.length > MAX_SYNC_PAYLOAD_BYTES) return true;
  return Buffer.byteLength(payload, 'utf8') > MAX_SYNC_PAYLOAD_BYTES;
}
