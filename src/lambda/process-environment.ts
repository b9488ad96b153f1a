/**
 * One execution environment run as a child process (Python and `provided.*` runtimes): the runtime process talks
 * to its own Runtime API server (runtime-api.ts); this side plays Lambda's platform around it: START/END/REPORT,
 * the timeout, the memory limit, what a crash or a bad entrypoint reports, and the process's output as log events.
 * The process gets its own process group so that killing the environment also ends whatever it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { completeInvocation, type Invocation, newInvocation } from './invocation.js';
import { isFailure, type Launch, type LaunchFailure, launchFor } from './launch.js';
import {
  environmentVariables,
  exitError,
  exitLogLine,
  exitReason,
  initReportLine,
  invalidEntrypointError,
  logStreamName,
  newTraceId,
  outOfMemoryError,
  type PlatformError,
  type ReportFields,
  responseTooLargeError,
  runtimeUnavailableError,
  scrubErrorType,
  startLine,
  type Termination,
  timeoutError,
} from './platform.js';
import type { EnvironmentOwner, EnvironmentState, PooledEnvironment } from './pooled-environment.js';
import { OutputBudget, readFrames, readLines } from './process-output.js';
import { CAN_MEASURE, peakRssKb, treeRssKb } from './process-memory.js';
import { RuntimeApiServer, type RuntimeApiListener } from './runtime-api.js';
import { versionWarning } from './runtimes.js';
import { eventText, type FunctionSpec, type InvokeRequest, type InvokeResult, MAX_SYNC_PAYLOAD_BYTES } from './spec.js';

/** As for worker environments: INIT gets 10 s, plus the function timeout for the init retried at invoke. */
const INIT_LIMIT_MS = 10_000;
/** How often a busy environment's memory is sampled against its limit. */
const MEMORY_SAMPLE_MS = 25;
/**
 * The address-space limit (RLIMIT_AS) only stops a runaway before the resident-set check does; interpreters and
 * runtimes reserve far more address space than they use, so it sits well above the function's memory.
 */
const ADDRESS_SPACE_HEADROOM_MB = 2048;
/** After the process exits, how long its pipes may stay open (a grandchild holding them) before we stop waiting. */
const EXIT_DRAIN_MS = 100;

/** Process groups of live environments, killed if the server process exits without closing the runtime. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of liveGroups) killGroup(p);
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => process.platform === 'linux' && existsSync(p));

export class ProcessEnvironment implements PooledEnvironment, RuntimeApiListener {
  state: EnvironmentState = 'starting';
  retired = false;
  lastUsed = performance.now();
  readonly spec: FunctionSpec;
  private readonly owner: EnvironmentOwner;
  private readonly spawnedAt = performance.now();
  private readonly budget = new OutputBudget();
  private api: RuntimeApiServer | undefined;
  private child: ChildProcess | undefined;
  private current: Invocation | undefined;
  /** Whether `current` has been handed to the runtime (it may wait for the runtime's next /next). */
  private delivered = false;
  private initDone = false;
  private maxMemoryKb = 0;
  private memoryCapped = false;
  private memoryTimer: NodeJS.Timeout | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  /** Set when we end the process ourselves; its exit then reports nothing more. */
  private stopping = false;
  private exited: Promise<void> | undefined;

  constructor(spec: FunctionSpec, owner: EnvironmentOwner) {
    this.spec = spec;
    this.owner = owner;
    this.initTimer = setTimeout(() => this.onInitTimeout(), INIT_LIMIT_MS + spec.timeoutSeconds * 1000);
    void this.launch();
  }

  canPrefetch(): boolean {
    return false;
  }

  get load(): number {
    return this.current ? 1 : 0;
  }

  get busySince(): number | undefined {
    return this.current?.dispatchedAt;
  }

  /** Not kept: a process environment is never sent work ahead, and its pool scales up on waits alone. */
  get recentDurationMs(): number | undefined {
    return undefined;
  }

  run(request: InvokeRequest, requestId: string, resolve: (result: InvokeResult) => void): void {
    this.current = newInvocation(request, requestId, resolve);
    this.delivered = false;
    if (this.state === 'idle') {
      this.state = 'busy';
      // The runtime may still be on its way back to /next after the previous result; ready() dispatches then.
      if (this.api?.polling) this.dispatch();
    }
    // A starting environment dispatches when the runtime first asks for work.
  }

  terminate(): Promise<void> {
    if (this.state === 'dead') return Promise.resolve();
    this.stopping = true;
    if (!this.child) {
      // Still launching: launch() sees `stopping` and gives up.
      return Promise.resolve();
    }
    killGroup(this.child.pid!);
    return this.exited ?? Promise.resolve();
  }

  // ----------------------------------------------------------------------------------------------------------
  // Start

  private async launch(): Promise<void> {
    const launch = await launchFor(this.spec.runtime, this.spec.codeDirectory).catch(
      (e: unknown): LaunchFailure => ({ kind: 'unavailable', message: `cannot start the runtime: ${String(e)}` }),
    );
    if (this.stopping) return this.die();
    if (isFailure(launch)) return this.failLaunch(launch);
    if (launch.local) {
      const warning = versionWarning(this.spec.name, this.spec.runtime, launch.local.name, launch.local.version);
      if (warning) this.owner.notice('warn', warning);
    }
    try {
      this.api = await RuntimeApiServer.start(this);
    } catch (e) {
      return this.failLaunch({ kind: 'unavailable', message: `cannot open the Runtime API on 127.0.0.1: ${String(e)}` });
    }
    if (this.stopping) return this.die();
    this.spawnRuntime(launch, this.api.address);
  }

  private spawnRuntime(launch: Launch, apiAddress: string): void {
    const env: Record<string, string> = {
      ...environmentVariables(this.spec, logStreamName()),
      ...launch.env,
      AWS_LAMBDA_RUNTIME_API: apiAddress,
    };
    if (launch.telemetryFd) env['_LAMBDA_TELEMETRY_LOG_FD'] = '3';
    let command = launch.command;
    let args = launch.args;
    if (PRLIMIT) {
      args = [`--as=${(this.spec.memoryMb + ADDRESS_SPACE_HEADROOM_MB) * 1024 * 1024}`, '--', command, ...args];
      command = PRLIMIT;
    }
    const child = spawn(command, args, {
      cwd: this.spec.codeDirectory,
      env,
      stdio: ['ignore', 'pipe', 'pipe', launch.telemetryFd ? 'pipe' : 'ignore'],
      // Its own process group: killing the environment ends the processes the runtime started, too.
      detached: true,
      windowsHide: true,
    });
    this.child = child;
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
      // Without a pid the process never started and 'exit' will not follow.
      if (child.pid === undefined) this.onSpawnError(launch, err);
    });
    if (child.pid === undefined) return;
    trackGroup(child.pid);
    const onLine = (line: string) => this.emit(line);
    readLines(child.stdout!, this.budget, onLine);
    readLines(child.stderr!, this.budget, onLine);
    const telemetry = child.stdio[3] as Readable | null | undefined;
    if (telemetry) readFrames(telemetry, this.budget, onLine);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        // The runtime is gone, and so is its environment: whatever it started (a handler's `sleep`, a fork bomb's
        // survivors) must not outlive it, as nothing outlives a Lambda sandbox. They also hold its pipes open.
        killGroup(child.pid!);
        liveGroups.delete(child.pid!);
        // The pipes may still hold the last lines the process wrote; wait for them (briefly: a grandchild may keep
        // them open).
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          clearTimeout(drain);
          this.onExit(code === null ? { signal: signal ?? 'SIGKILL' } : { exitCode: code }, spawnError);
          resolve();
        };
        const drain = setTimeout(finish, EXIT_DRAIN_MS);
        child.once('close', finish);
      });
    });
  }

  private onSpawnError(launch: Launch, err: NodeJS.ErrnoException): void {
    if (this.spec.runtime.startsWith('provided')) {
      const why = err.code === 'EACCES' ? 'permission denied' : err.code === 'ENOENT' ? 'no such file or directory' : err.message;
      this.failLaunch({ kind: 'entrypoint', reason: `fork/exec ${launch.command}: ${why}`, hint: `check the #! line of ${launch.command}` });
    } else {
      this.failLaunch({ kind: 'unavailable', message: `cannot start ${launch.command}: ${err.message}` });
    }
  }

  /** The environment could not start: the invocation waiting for it gets the platform's error. */
  private failLaunch(failure: LaunchFailure): void {
    clearTimeout(this.initTimer);
    const invocation = this.current;
    const errorType = failure.kind === 'entrypoint' ? 'Runtime.InvalidEntrypoint' : 'Preflight.RuntimeUnavailable';
    this.emit(initReportLine(performance.now() - this.spawnedAt, errorType));
    if (failure.kind === 'entrypoint') this.owner.notice('warn', `function ${this.spec.name}: ${failure.reason}: ${failure.hint}`);
    else this.owner.notice('warn', `function ${this.spec.name}: ${failure.message}`);
    if (invocation) {
      this.emit(startLine(invocation.requestId), invocation);
      let error: PlatformError;
      if (failure.kind === 'entrypoint') {
        error = invalidEntrypointError(invocation.requestId, failure.reason);
        this.emit(exitLogLine(invocation.requestId, failure.reason, errorType), invocation);
      } else {
        error = runtimeUnavailableError(failure.message);
        this.emit(`preflight: ${failure.message}`, invocation);
      }
      this.complete(invocation, JSON.stringify(error), true, 0, { status: 'error', errorType });
    }
    this.die();
  }

  // ----------------------------------------------------------------------------------------------------------
  // The Runtime API, seen from the platform

  ready(): void {
    // Between invocations, off the invoke path: the high-water mark so far, in case the process dies unmeasured.
    if (this.child?.pid) this.maxMemoryKb = Math.max(this.maxMemoryKb, peakRssKb(this.child.pid));
    if (!this.initDone) {
      this.initDone = true;
      clearTimeout(this.initTimer);
      const invocation = this.current;
      if (invocation) invocation.initDurationMs = performance.now() - this.spawnedAt;
    }
    if (this.current && !this.delivered) {
      this.state = 'busy';
      this.dispatch();
    } else if (!this.current && this.state === 'starting') {
      this.becomeIdle();
    }
  }

  response(requestId: string, body: Buffer): void {
    this.afterOutput(requestId, (invocation) => this.finishInvocation(invocation, body.toString('utf8'), false, undefined));
  }

  responseTooLarge(requestId: string): void {
    this.afterOutput(requestId, (invocation) =>
      this.finishInvocation(invocation, JSON.stringify(responseTooLargeError(MAX_SYNC_PAYLOAD_BYTES)), true, {
        status: 'error',
        errorType: 'Function.ResponseSizeTooLarge',
      }),
    );
  }

  error(requestId: string, body: Buffer, errorType: string | undefined): void {
    // RIE interop FunctionError: with no body, the error type alone is what the caller receives.
    const payload = body.length > 0 ? body.toString('utf8') : JSON.stringify({ errorType: scrubErrorType(errorType) });
    this.afterOutput(requestId, (invocation) => this.finishInvocation(invocation, payload, true, undefined));
  }

  initError(body: Buffer, errorType: string | undefined): void {
    clearTimeout(this.initTimer);
    const type = scrubErrorType(errorType);
    const payload = body.length > 0 ? body.toString('utf8') : JSON.stringify({ errorType: type });
    setImmediate(() => {
      this.emit(initReportLine(performance.now() - this.spawnedAt, type));
      const invocation = this.current;
      if (invocation && !this.delivered) {
        // The failed init is reported on the invocation that needed it, as AWS's Invoke response does.
        invocation.initDurationMs = undefined;
        this.emit(startLine(invocation.requestId), invocation);
        this.complete(invocation, payload, true, 0, { status: 'error', errorType: type });
      }
      // "Runtime should exit promptly" (LDG runtimes-api.md); we make sure it does.
      this.stop();
    });
  }

  // ----------------------------------------------------------------------------------------------------------

  private dispatch(): void {
    const invocation = this.current!;
    this.delivered = true;
    invocation.dispatchedAt = performance.now();
    this.emit(startLine(invocation.requestId), invocation);
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    invocation.timer = setTimeout(() => this.onTimeout(invocation), timeoutMs);
    this.sampleMemory(invocation);
    const clientContext = invocation.request.clientContext;
    this.api!.deliver({
      requestId: invocation.requestId,
      payload: eventText(invocation.request),
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: this.spec.arn,
      traceId: newTraceId(),
      ...(clientContext !== undefined ? { clientContext: Buffer.from(clientContext, 'base64').toString('utf8') } : {}),
    });
  }

  /**
   * Runs `then` once output written before the runtime's post has been read: the pipes became readable before the
   * post reached us, so one turn of the event loop drains them and END comes after the invocation's own lines.
   */
  private afterOutput(requestId: string, then: (invocation: Invocation) => void): void {
    setImmediate(() => {
      const invocation = this.current;
      if (invocation && this.delivered && invocation.requestId === requestId) then(invocation);
    });
  }

  private finishInvocation(invocation: Invocation, payload: string, failed: boolean, status: ReportFields['status']): void {
    const durationMs = performance.now() - (invocation.dispatchedAt ?? performance.now());
    this.complete(invocation, payload, failed, durationMs, status);
    this.becomeIdle();
  }

  private becomeIdle(): void {
    if (this.state === 'dead') return;
    if (this.retired) {
      this.stop();
      return;
    }
    this.state = 'idle';
    this.lastUsed = performance.now();
    this.owner.idle(this);
  }

  private sampleMemory(invocation: Invocation): void {
    if (!CAN_MEASURE || !this.child?.pid) return;
    const pid = this.child.pid;
    const limitKb = this.spec.memoryMb * 1024;
    clearInterval(this.memoryTimer);
    this.memoryTimer = setInterval(() => {
      const rss = treeRssKb(pid);
      if (rss > this.maxMemoryKb) this.maxMemoryKb = rss;
      if (rss > limitKb && this.current === invocation) this.onOutOfMemory(invocation);
    }, MEMORY_SAMPLE_MS);
    this.memoryTimer.unref();
  }

  /** Lambda's sandbox kills a function over its memory size (cgroup OOM): Runtime.OutOfMemory, "signal: killed". */
  private onOutOfMemory(invocation: Invocation): void {
    const durationMs = performance.now() - (invocation.dispatchedAt ?? performance.now());
    this.emit(exitLogLine(invocation.requestId, exitReason({ signal: 'SIGKILL' }), 'Runtime.OutOfMemory'), invocation);
    // The sandbox never lets usage pass the limit, so its REPORT shows the limit itself; our sample may overshoot.
    this.memoryCapped = true;
    this.complete(invocation, JSON.stringify(outOfMemoryError(invocation.requestId)), true, durationMs, {
      status: 'error',
      errorType: 'Runtime.OutOfMemory',
    });
    this.stop();
  }

  private onTimeout(invocation: Invocation): void {
    if (this.current !== invocation) return;
    const timeout = timeoutError(invocation.requestId, this.spec.timeoutSeconds);
    this.complete(invocation, JSON.stringify(timeout), true, this.spec.timeoutSeconds * 1000, { status: 'timeout' });
    this.stop();
  }

  private onInitTimeout(): void {
    if (this.state !== 'starting' || this.initDone) return;
    const invocation = this.current;
    if (invocation) {
      this.emit(startLine(invocation.requestId), invocation);
      const timeout = timeoutError(invocation.requestId, this.spec.timeoutSeconds);
      this.complete(invocation, JSON.stringify(timeout), true, this.spec.timeoutSeconds * 1000, { status: 'timeout' });
    }
    this.stop();
  }

  private onExit(how: Termination, spawnError: NodeJS.ErrnoException | undefined): void {
    clearInterval(this.memoryTimer);
    clearTimeout(this.initTimer);
    const invocation = this.current;
    if (invocation && !this.stopping) {
      const reason = exitReason(how);
      if (!this.delivered && this.initDone) {
        // The runtime died between invocations, before taking this one: another environment runs it.
        this.current = undefined;
        this.owner.requeue(invocation.request, invocation.requestId, invocation.resolve);
      } else {
        if (!this.delivered) {
          this.emit(initReportLine(performance.now() - this.spawnedAt, 'Runtime.ExitError'));
          invocation.initDurationMs = undefined;
          this.emit(startLine(invocation.requestId), invocation);
        }
        if (spawnError) this.emit(`preflight: ${spawnError.message}`, invocation);
        this.emit(exitLogLine(invocation.requestId, reason, 'Runtime.ExitError'), invocation);
        const durationMs = invocation.dispatchedAt === undefined ? 0 : performance.now() - invocation.dispatchedAt;
        this.complete(invocation, JSON.stringify(exitError(invocation.requestId, how)), true, durationMs, {
          status: 'error',
          errorType: 'Runtime.ExitError',
        });
      }
    } else if (!invocation && !this.stopping && !('exitCode' in how && how.exitCode === 0)) {
      this.owner.onLog?.(this.spec.name, `preflight: environment exited while idle: ${exitReason(how)}`);
    }
    this.die();
  }

  /** Ends the process; its exit then releases the environment. */
  private stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.memoryTimer);
    if (this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) killGroup(this.child.pid);
    else this.die();
  }

  /** Final state: the pool forgets the environment; the Runtime API closes. */
  private die(): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    clearTimeout(this.initTimer);
    clearInterval(this.memoryTimer);
    void this.api?.close();
    const invocation = this.current;
    if (invocation) {
      // Stopped by us (the runtime closing) with an invocation still here: it ends as a killed runtime.
      if (!this.delivered) this.emit(startLine(invocation.requestId), invocation);
      this.emit(exitLogLine(invocation.requestId, exitReason(undefined), 'Runtime.ExitError'), invocation);
      const durationMs = invocation.dispatchedAt === undefined ? 0 : performance.now() - invocation.dispatchedAt;
      this.complete(invocation, JSON.stringify(exitError(invocation.requestId, undefined)), true, durationMs, {
        status: 'error',
        errorType: 'Runtime.ExitError',
      });
    }
    this.owner.released(this);
  }

  private complete(invocation: Invocation, payload: string, failed: boolean, durationMs: number, status: ReportFields['status']): void {
    clearInterval(this.memoryTimer);
    if (this.current === invocation) this.current = undefined;
    if (this.child?.pid) this.maxMemoryKb = Math.max(this.maxMemoryKb, peakRssKb(this.child.pid));
    const usedMb = this.memoryCapped ? this.spec.memoryMb : Math.min(this.spec.memoryMb, Math.ceil(this.maxMemoryKb / 1024));
    completeInvocation(
      invocation,
      { payload, failed, durationMs, status, memorySizeMb: this.spec.memoryMb, maxMemoryUsedMb: usedMb },
      (line, inv) => this.emit(line, inv),
    );
  }

  private emit(line: string, invocation = this.current): void {
    this.owner.onLog?.(this.spec.name, line);
    invocation?.tail?.push(line);
  }
}
