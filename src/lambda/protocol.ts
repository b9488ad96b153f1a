/**
 * Messages between the runtime (main thread) and an environment (worker thread).
 * Payloads travel as JSON text both ways so the main thread never parses or re-serializes them.
 */

export interface WorkerInit {
  taskRoot: string;
  handler: string;
  /** The function's ARN (context.invokedFunctionArn) and timeout: fixed for an environment's life, so sent once. */
  arn: string;
  timeoutMs: number;
}

export interface InvokeMessage {
  k: 'invoke';
  id: string;
  /** Event JSON text. */
  event: string;
  /** The event's `body`, when sent apart from `event` (InvokeRequest.body). */
  body?: string;
  /** Decoded client context JSON text (Lambda-Runtime-Client-Context), when the caller sent one. */
  clientContext?: string;
}

/**
 * Takes back invocations sent ahead (pipelined) that have not started: the one running turned out slow, and they
 * should go to another environment, as Lambda would route them.
 */
export interface CancelMessage {
  k: 'cancel';
  ids: string[];
}

/** Several messages sent in one turn of the server's event loop, in order (see Environment.send). */
export interface BatchMessage {
  k: 'batch';
  msgs: (InvokeMessage | CancelMessage)[];
}

export type ToWorker = InvokeMessage | CancelMessage | BatchMessage;

/** Log events produced since the previous message; each is one CloudWatch event. */
export interface LogMessage {
  k: 'log';
  lines: string[];
}

export interface ReadyMessage {
  k: 'ready';
  memoryMb: number;
  lines?: string[];
}

export interface InitErrorMessage {
  k: 'initError';
  /** Error object JSON text, as the runtime posts it to /runtime/init/error. */
  payload: string;
  errorType: string;
  lines?: string[];
}

export interface ResultMessage {
  k: 'result';
  id: string;
  ok: boolean;
  payload: string;
  durationMs: number;
  /** High-water mark of this environment's heap, for the REPORT line. */
  memoryMb: number;
  lines?: string[];
}

/** An uncaught exception or unhandled rejection: the environment exits right after this message. */
export interface FatalMessage {
  k: 'fatal';
  id?: string;
  payload: string;
  errorType: string;
  lines?: string[];
}

/** The invocations a cancel took back; the others had already started. */
export interface CancelledMessage {
  k: 'cancelled';
  ids: string[];
}

export type FromWorker = LogMessage | ReadyMessage | InitErrorMessage | ResultMessage | FatalMessage | CancelledMessage;
