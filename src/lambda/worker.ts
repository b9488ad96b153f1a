/**
 * The program inside one execution environment (a worker thread). It plays the part of the AWS Node.js runtime
 * (aws-lambda-nodejs-runtime-interface-client: index.mjs, Runtime.js, CallbackContext.js, InvokeContext.js,
 * LogPatch.js): loads the handler once, then runs one invocation at a time with the same callback/promise/
 * empty-event-loop rules, console format and error reporting. Our own code, same observable behaviour.
 */
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { formatErrorForLog, intoError, NodeJsExit, toErrorPayload, UnhandledPromiseRejection } from './error-shapes.js';
import { isAsyncFunction, loadHandler, type UserHandler } from './handler-loader.js';
import { newTraceId } from './platform.js';
import type { FromWorker, InvokeMessage, ToWorker, WorkerInit } from './protocol.js';

if (!parentPort) throw new Error('src/lambda/worker must run in a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
const send = (msg: FromWorker): void => port.postMessage(msg);

// ---------------------------------------------------------------------------------------------------------------
// Logging. Events are batched and shipped with the next message so they stay ordered with results.

/** Request id in log lines; the runtime prints `undefined` before the first invocation and keeps the last one after. */
let logRequestId: string | undefined;
let pending: string[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  if (pending.length === 0) return;
  const lines = pending;
  pending = [];
  send({ k: 'log', lines });
}

function pushLine(line: string): void {
  pending.push(line);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

/** Everything logged so far, including unterminated raw writes: called when an invocation or the environment ends. */
function takeLines(): string[] | undefined {
  flushPartial(stdoutPartial);
  flushPartial(stderrPartial);
  if (pending.length === 0) return undefined;
  const lines = pending;
  pending = [];
  return lines;
}

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 } as const;
type Level = keyof typeof LEVELS;
const configuredLevel = (process.env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase();
const minPriority = configuredLevel in LEVELS ? LEVELS[configuredLevel as Level] : LEVELS.TRACE;

function logAt(level: Level): (message?: unknown, ...params: unknown[]) => void {
  if (LEVELS[level] < minPriority) return () => {};
  return (message?: unknown, ...params: unknown[]) => {
    pushLine(`${new Date().toISOString()}\t${String(logRequestId)}\t${level}\t${format(message, ...params)}`);
  };
}

// The runtime replaces these console methods (console.log becomes INFO) and adds console.fatal; others
// (table, dir, group...) keep writing to stdout and arrive as raw lines below.
const patchedConsole = console as Console & { fatal?: (...args: unknown[]) => void };
patchedConsole.trace = logAt('TRACE');
patchedConsole.debug = logAt('DEBUG');
patchedConsole.info = logAt('INFO');
patchedConsole.log = patchedConsole.info;
patchedConsole.warn = logAt('WARN');
patchedConsole.error = logAt('ERROR');
patchedConsole.fatal = logAt('FATAL');

/** Mirrors the runtime's structuredConsole.logError: `Invoke Error \t{json}` at ERROR level. */
function logError(label: string, error: unknown): void {
  patchedConsole.error(label, formatErrorForLog(intoError(error)));
}

// Direct writes to process.stdout/stderr appear in CloudWatch as raw lines, one event per line.
interface LinePartial {
  text: string;
}
const stdoutPartial: LinePartial = { text: '' };
const stderrPartial: LinePartial = { text: '' };

function flushPartial(p: LinePartial): void {
  if (p.text !== '') {
    pending.push(p.text);
    p.text = '';
  }
}

function captureStream(stream: NodeJS.WriteStream, partial: LinePartial): void {
  const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8');
    const lines = (partial.text + text).split('\n');
    partial.text = lines.pop() ?? '';
    for (const line of lines) pushLine(line);
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  };
  stream.write = write as typeof stream.write;
}
captureStream(process.stdout, stdoutPartial);
captureStream(process.stderr, stderrPartial);

// ---------------------------------------------------------------------------------------------------------------
// Process-level guards: whatever the handler does, only this thread may end.

// AWS runs the function with cwd = LAMBDA_TASK_ROOT. Threads cannot chdir (Node throws
// ERR_WORKER_UNSUPPORTED_OPERATION), so the environment keeps a virtual cwd: path.resolve and friends go through
// process.cwd() and see the task root; only fs calls with relative paths still resolve against the server's cwd.
let virtualCwd = init.taskRoot;
process.cwd = () => virtualCwd;
process.chdir = (directory: string) => {
  const target = resolvePath(virtualCwd, directory);
  if (!statSync(target).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, chdir '${directory}'`), { code: 'ENOTDIR' });
  virtualCwd = target;
};
// In Lambda process.abort() ends the runtime; in a thread Node refuses it, so end this thread instead.
process.abort = () => process.exit(134);
// Signals to our own pid or process group would take the whole server down; in Lambda they end only the runtime.
const realKill = process.kill.bind(process);
process.kill = ((pid: number, signal?: string | number): true => {
  const own = pid === process.pid || pid === 0 || pid === -process.pid;
  if (own && signal !== 0) process.exit(137);
  return realKill(pid, signal);
}) as typeof process.kill;

type Phase = 'init' | 'idle' | 'invoke';
let phase: Phase = 'init';
let activeId: string | undefined;

function fatal(error: unknown, exitCode: number): void {
  const payload = toErrorPayload(error);
  const message: FromWorker =
    phase === 'init'
      ? { k: 'initError', payload: JSON.stringify(payload), errorType: payload.errorType ?? 'Unknown', lines: takeLines() }
      : { k: 'fatal', id: activeId, payload: JSON.stringify(payload), errorType: payload.errorType ?? 'Unknown', lines: takeLines() };
  send(message);
  process.exit(exitCode);
}

// process.exit() from user code: ship what was logged before it, as a process's stdout would have been.
process.on('exit', () => {
  const lines = takeLines();
  if (lines) send({ k: 'log', lines });
});

// The runtime's own exit codes: 129 after an uncaught exception, 128 after an unhandled rejection.
process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  fatal(error, 129);
});
process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', error);
  fatal(error, 128);
});

// "Wait for the empty event loop": while an invocation runs, the port does not hold the loop open, so
// 'beforeExit' fires exactly when the handler's own work is done, as it does in the AWS runtime process.
let beforeExitListener: () => void = () => {};
process.on('beforeExit', () => beforeExitListener());

// ---------------------------------------------------------------------------------------------------------------
// Invocations.

let handler: UserHandler;
let handlerIsAsync = false;
let invokeStartedAt = 0;
let maxHeapMb = 0;

function heapMb(): number {
  const h = getHeapStatistics();
  return Math.ceil((h.total_heap_size + h.external_memory) / 1048576);
}

function finish(id: string, ok: boolean, payload: string): void {
  if (id !== activeId) return; // a late callback from an invocation that already ended
  const durationMs = performance.now() - invokeStartedAt;
  maxHeapMb = Math.max(maxHeapMb, heapMb());
  const result: FromWorker = { k: 'result', id, ok, payload, durationMs, memoryMb: maxHeapMb };
  // An absent key costs nothing to send; an undefined one is serialized and read back like any other.
  const lines = takeLines();
  if (lines) result.lines = lines;
  send(result);
  activeId = undefined;
  phase = 'idle';
  beforeExitListener = () => {};
  port.ref();
  // The next invocation the server sent ahead starts once this one is fully done, never alongside it: after the
  // microtasks and ticks it left queued, as when the runtime's next /invocation/next returns. Not a turn of the event
  // loop later (setImmediate): a turn per invocation cost this thread 18% of its time per no-op invocation, and the
  // results of a queue of quick ones reached the server one wake-up each instead of back to back.
  const next = queued.shift();
  if (next) {
    nextScheduled = true;
    process.nextTick(() => {
      nextScheduled = false;
      runInvocation(next);
    });
  }
}

function postResponse(id: string, result: unknown): void {
  let body: string | undefined;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch {
    throw new Error('Unable to stringify response body');
  }
  finish(id, true, body ?? 'null');
}

function postError(id: string, error: unknown): void {
  finish(id, false, JSON.stringify(toErrorPayload(error)));
}

interface CallbackContext {
  callbackWaitsForEmptyEventLoop: boolean;
  succeed: (result?: unknown) => void;
  fail: (error?: unknown) => void;
  done: (error?: unknown, result?: unknown) => void;
}

/** The callback and the succeed/fail/done part of the context, with the runtime's "first call wins" wrapping. */
function buildCallbackContext(id: string): [(err?: unknown, result?: unknown) => void, CallbackContext, () => void] {
  let completed = false;
  const complete = (result: unknown): void => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    postResponse(id, result);
  };
  const reportError = (error: unknown): void => {
    logError('Invoke Error', error);
    postError(id, error);
  };
  let waitForEmptyEventLoop = true;

  const callback = (error?: unknown, result?: unknown): void => {
    beforeExitListener = () => {};
    if (error !== undefined && error !== null) reportError(error);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExitListener = () => void setImmediate(() => complete(result));
  };
  const done = (error?: unknown, result?: unknown): void => {
    beforeExitListener = () => {};
    if (error !== undefined && error !== null) reportError(error);
    else complete(result);
  };
  const raw: CallbackContext = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    succeed: (result?: unknown) => done(null, result),
    fail: (error?: unknown) => (error === undefined || error === null ? done('handled') : done(error, null)),
    done,
  };

  // Only the first call to any of them counts; a call that throws does not count (so .catch(fail) still reports).
  let finished = false;
  const once = <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (finished) return;
      fn(...args);
      finished = true;
    };
  raw.succeed = once(raw.succeed);
  raw.fail = once(raw.fail);
  raw.done = once(raw.done);
  return [once(callback), raw, () => (completed = true)];
}

function parseJsonHeader(text: string | undefined, name: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}

function runInvocation(msg: InvokeMessage): void {
  activeId = msg.id;
  logRequestId = msg.id;
  phase = 'invoke';
  invokeStartedAt = performance.now();
  port.unref();
  // Lambda-Runtime-Trace-Id, which the runtime exposes as _X_AMZN_TRACE_ID during the invocation.
  process.env._X_AMZN_TRACE_ID = newTraceId();

  const [callback, callbackContext, markCompleted] = buildCallbackContext(msg.id);
  try {
    // Unset → beforeExit: an async handler whose promise never settled is an error, any other handler returns null.
    beforeExitListener = () => {
      markCompleted();
      if (handlerIsAsync) {
        const error = new NodeJsExit();
        logError('Invoke Error', error);
        postError(msg.id, error);
      } else {
        finish(msg.id, true, 'null');
      }
    };
    const deadline = Date.now() + init.timeoutMs;
    const context = Object.assign(
      callbackContext,
      {
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      },
      {
        clientContext: parseJsonHeader(msg.clientContext, 'ClientContext'),
        identity: undefined,
        invokedFunctionArn: init.arn,
        awsRequestId: msg.id,
        tenantId: undefined,
        getRemainingTimeInMillis: () => deadline - Date.now(),
      },
    );
    const event = JSON.parse(msg.event) as unknown;
    // The body sent apart replaces the null in its place, so the event's key order is the one the server wrote.
    if (msg.body !== undefined) (event as Record<string, unknown>)['body'] = msg.body;
    const result = handler(event, context, callback);
    // The runtime's _isPromise: anything with a callable `then`.
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      (result as Promise<unknown>).then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
    }
  } catch (error) {
    callback(error);
  }
}

/** Invocations the server sent ahead while one was running: started one at a time, in order. */
const queued: InvokeMessage[] = [];
let nextScheduled = false;

function onMessage(msg: ToWorker): void {
  if (msg.k === 'batch') {
    for (const m of msg.msgs) onMessage(m);
  } else if (msg.k === 'invoke') {
    if (phase === 'idle' && queued.length === 0 && !nextScheduled) runInvocation(msg);
    else queued.push(msg);
  } else if (msg.k === 'cancel') {
    const ids: string[] = [];
    for (const id of msg.ids) {
      const i = queued.findIndex((q) => q.id === id);
      if (i >= 0) {
        queued.splice(i, 1);
        ids.push(id);
      }
    }
    send({ k: 'cancelled', ids });
  }
}

port.on('message', onMessage);

try {
  handler = await loadHandler(init.taskRoot, init.handler);
  handlerIsAsync = isAsyncFunction(handler);
  phase = 'idle';
  maxHeapMb = heapMb();
  send({ k: 'ready', memoryMb: maxHeapMb, lines: takeLines() });
} catch (error) {
  // The runtime lets load failures escape as uncaught exceptions: logged, posted to /runtime/init/error, exit 129.
  logError('Uncaught Exception', error);
  fatal(error, 129);
}
