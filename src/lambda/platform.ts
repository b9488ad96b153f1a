/**
 * What the Lambda platform (not the runtime in the environment) says: platform log lines, the errors it reports
 * when an environment times out, exits or overflows, the throttling error, and the environment variables it sets.
 */
import { randomBytes } from 'node:crypto';
import type { FunctionSpec } from './spec.js';

// ---------------------------------------------------------------------------------------------------------------
// Platform log lines, as CloudWatch shows them (one string per event).

export const startLine = (requestId: string): string => `START RequestId: ${requestId} Version: $LATEST`;
export const endLine = (requestId: string): string => `END RequestId: ${requestId}`;

export interface ReportFields {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** `timeout`, or `error` with an error type, when the environment did not end the invocation normally. */
  status?: { status: 'timeout' } | { status: 'error'; errorType: string };
}

/**
 * Since 2025-08-01 the INIT phase is billed for on-demand functions, so a cold start bills Duration + Init Duration,
 * rounded up to the millisecond (a 3000.00 ms timeout with 402.04 ms init bills 3403 ms in a captured REPORT line).
 */
export function billedDurationMs(durationMs: number, initDurationMs: number | undefined): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}

export function reportLine(f: ReportFields): string {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms` +
    `\tBilled Duration: ${billedDurationMs(f.durationMs, f.initDurationMs)} ms` +
    `\tMemory Size: ${f.memorySizeMb} MB\tMax Memory Used: ${f.maxMemoryUsedMb} MB`;
  if (f.initDurationMs !== undefined) line += `\tInit Duration: ${f.initDurationMs.toFixed(2)} ms`;
  if (f.status?.status === 'timeout') line += '\tStatus: timeout';
  else if (f.status?.status === 'error') line += `\tStatus: error\tError Type: ${f.status.errorType}`;
  return line;
}

export function initReportLine(initDurationMs: number, errorType: string): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${errorType}`;
}

export const LOG_TAIL_BYTES = 4096;

/** X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log text (events each ending in a newline). */
export function logTail(lines: readonly string[]): string {
  let text = '';
  for (const line of lines) text += line + '\n';
  const bytes = Buffer.from(text, 'utf8');
  return (bytes.length > LOG_TAIL_BYTES ? bytes.subarray(bytes.length - LOG_TAIL_BYTES) : bytes).toString('base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Errors the platform reports in place of a response.

export type PlatformErrorType =
  | 'Sandbox.Timedout'
  | 'Runtime.ExitError'
  | 'Runtime.OutOfMemory'
  | 'Runtime.InvalidEntrypoint'
  | 'Function.ResponseSizeTooLarge'
  | 'Preflight.RuntimeUnavailable';

export interface PlatformError {
  errorType: PlatformErrorType;
  errorMessage: string;
}

export function timeoutError(requestId: string, timeoutSeconds: number): PlatformError {
  return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` };
}

/**
 * Go's names for the signals a runtime process dies of (syscall.Signal.String()): RAPID reports a termination
 * exactly as exec.ExitError.Error() would (RIE internal/lambda/supervisor/model/model.go ProcessTermination.String).
 */
const SIGNAL_NAMES: Readonly<Record<string, string>> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGKILL: 'killed',
  SIGUSR1: 'user defined signal 1',
  SIGSEGV: 'segmentation fault',
  SIGUSR2: 'user defined signal 2',
  SIGPIPE: 'broken pipe',
  SIGALRM: 'alarm clock',
  SIGTERM: 'terminated',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'file size limit exceeded',
};

/** How a runtime process ended: an exit code, or a signal (`killed` when we stopped it ourselves). */
export type Termination = { exitCode: number } | { signal: string };

/** RAPID's words for a runtime that ended (RIE internal/lambda/rapid/handlers.go watchEvents). */
export function exitReason(how: number | Termination | undefined): string {
  const t: Termination = how === undefined ? { signal: 'SIGKILL' } : typeof how === 'number' ? { exitCode: how } : how;
  if ('exitCode' in t) {
    return t.exitCode === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${t.exitCode}`;
  }
  return `Runtime exited with error: signal: ${SIGNAL_NAMES[t.signal] ?? t.signal}`;
}

export function exitError(requestId: string, how: number | Termination | undefined): PlatformError {
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${exitReason(how)}` };
}

/**
 * A custom runtime whose `bootstrap` cannot be started. Captured AWS payloads: `{"errorMessage": "RequestId: <id>
 * Error: fork/exec /var/task/bootstrap: permission denied", "errorType": "Runtime.InvalidEntrypoint"}`
 * (awslabs/aws-lambda-dart-runtime#20), `... exec format error` (awslabs/aws-lambda-powershell-runtime#23),
 * `Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]` (softprops/serverless-rust#122).
 */
export function invalidEntrypointError(requestId: string, reason: string): PlatformError {
  return { errorType: 'Runtime.InvalidEntrypoint', errorMessage: `RequestId: ${requestId} Error: ${reason}` };
}

/**
 * Not an AWS error: this machine lacks what the function's runtime needs (no Python interpreter). It cannot happen
 * on AWS, so it gets its own type instead of imitating one; the message says how to fix it.
 */
export function runtimeUnavailableError(message: string): PlatformError {
  return { errorType: 'Preflight.RuntimeUnavailable', errorMessage: message };
}

export function outOfMemoryError(requestId: string): PlatformError {
  return { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: ${exitReason(undefined)}` };
}

/** X-Ray's trace header as Lambda hands it to the runtime (Lambda-Runtime-Trace-Id); never sampled locally. */
export function newTraceId(): string {
  const r = randomHex(40);
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${r.slice(0, 24)};Parent=${r.slice(24)};Sampled=0`;
}

// Random hex drawn from a pool refilled 4 KB at a time: one randomBytes call per invocation was a measurable part
// of the invocation's cost (the call itself, not the entropy).
const POOL_BYTES = 4096;
let pool = '';
let poolAt = 0;

function randomHex(chars: number): string {
  if (poolAt + chars > pool.length) {
    pool = randomBytes(POOL_BYTES).toString('hex');
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + chars);
  poolAt += chars;
  return out;
}

export function responseTooLargeError(limitBytes: number): PlatformError {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${limitBytes} bytes).`,
  };
}

/**
 * The error type RAPID records for what a runtime reported (Lambda-Runtime-Function-Error-Type): kept when it looks
 * like `Runtime.X` or `Function.X`, else Runtime.Unknown / Function.Unknown (RIE internal/lambda/fatalerror).
 */
export function scrubErrorType(errorType: string | undefined): string {
  const t = errorType ?? '';
  if (/(Runtime|Function)\.[A-Z][a-zA-Z]+/.test(t)) return t;
  return t.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

/** The platform's log event when the runtime process ends during an invocation. */
export function exitLogLine(requestId: string, reason: string, errorType: string): string {
  return `RequestId: ${requestId} Error: ${reason}\n${errorType}`;
}

/** Invoke's TooManyRequestsException (HTTP 429): thrown by LambdaRuntime.invoke when no environment may start. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsException';
  readonly statusCode = 429;
  readonly type = 'User';
  constructor(readonly reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded') {
    super('Rate Exceeded.');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Environment variables.

/** Dummy credentials: SDK clients inside handlers find credentials, as they do in Lambda, and never real ones. */
export const DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIAPREFLIGHT0000000',
  AWS_SECRET_ACCESS_KEY: 'preflight/local/secret/access/key/000000',
  AWS_SESSION_TOKEN: 'preflight-local-session-token',
} as const;

/** `2024/05/01/[$LATEST]<32 hex>`: the shape of Lambda log stream names, one per environment. */
export function logStreamName(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${d}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * The environment's whole process.env: unreserved defaults, then the function's variables, then the reserved
 * variables (which the function cannot override). The server's own environment is deliberately not inherited.
 */
export function environmentVariables(spec: FunctionSpec, streamName: string): Record<string, string> {
  const vars: Record<string, string> = {
    // PATH stays the host's so child processes a handler spawns still find local tools.
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LANG: 'en_US.UTF-8',
    ...spec.environment,
    _HANDLER: spec.handler,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(spec.name),
    AWS_LAMBDA_LOG_STREAM_NAME: streamName,
    AWS_ACCESS_KEY: DUMMY_CREDENTIALS.AWS_ACCESS_KEY_ID,
    ...DUMMY_CREDENTIALS,
    LAMBDA_TASK_ROOT: spec.codeDirectory,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    TZ: ':UTC',
  };
  // "AWS_EXECUTION_ENV ... not for custom runtimes" (LDG configuration-envvars.md, reserved variables).
  if (spec.runtime.startsWith('provided')) delete vars.AWS_EXECUTION_ENV;
  return vars;
}
