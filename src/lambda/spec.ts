/** What the local Lambda runtime needs to know about a function, and what an invocation gives and returns. */

export interface FunctionSpec {
  name: string;
  arn: string;
  /** e.g. `nodejs20.x`; becomes AWS_EXECUTION_ENV=AWS_Lambda_<runtime>. */
  runtime: string;
  /** `index.handler`, `src/app.main`, nested `index.a.b` (resolved as the AWS Node runtime does). */
  handler: string;
  /** LAMBDA_TASK_ROOT: the directory the handler path is relative to. */
  codeDirectory: string;
  /** Changes whenever code or configuration changes; a new value sends new invocations to fresh environments. */
  codeVersion: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The function's own variables (Environment.Variables). */
  environment: Record<string, string>;
  region: string;
  /** Reserved concurrency; 0 throttles every invocation, as AWS does. */
  reservedConcurrency?: number;
  /**
   * The code is a directory the user edits in place: when its files change, new invocations go to fresh
   * environments (hot reload) while invocations in flight finish on the old code.
   */
  watchCode?: boolean;
}

export interface InvokeRequest {
  /** Event JSON text, handed to the handler after JSON.parse inside the environment. */
  payload: string;
  /**
   * The event's top-level `body` (null in `payload`), kept apart: a large request body then reaches a Node
   * environment without being escaped into the event's JSON on the server and parsed back out of it in the thread.
   */
  body?: string;
  /** Return the base64 tail of this invocation's log (Invoke LogType=Tail). */
  logTail?: boolean;
  /** The X-Amz-Client-Context header value: base64 of a JSON object; the handler sees it parsed as context.clientContext. */
  clientContext?: string;
  /** The request id to run under; retries of an asynchronous event keep the id of its first attempt, as Lambda does. */
  requestId?: string;
}

export interface InvokeResult {
  requestId: string;
  /** JSON text the handler returned (`null` for undefined), or the error object's JSON text. */
  payload: string;
  /** Set when the invocation failed (the X-Amz-Function-Error header). */
  functionError?: 'Unhandled';
  /** Base64 of the last 4 KB of this invocation's log, when requested (the X-Amz-Log-Result header). */
  logTail?: string;
  durationMs: number;
  /** Present on a cold start: the time to start the environment and load the handler. */
  initDurationMs?: number;
}

export interface LogSink {
  (functionName: string, line: string): void;
}

/** The runtime's own notices for the server's output (not part of any function's log): warnings, hot reloads. */
export interface MessageSink {
  (level: 'info' | 'warn', message: string): void;
}

/** Largest synchronous response AWS passes back: 6 MB + 100 bytes (aws-lambda-runtime-interface-emulator MaxPayloadSize). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;

/** Event bodies from this many characters on are worth sending apart (InvokeRequest.body); smaller ones stay inline. */
export const EVENT_BODY_APART_CHARS = 4096;

/**
 * An event object as InvokeRequest parts: its JSON text, and a large string `body` apart (null in the text, which
 * keeps its place among the keys).
 */
export function eventParts(event: Record<string, unknown>): { payload: string; body?: string } {
  const body = event['body'];
  if (typeof body !== 'string' || body.length < EVENT_BODY_APART_CHARS) return { payload: JSON.stringify(event) };
  event['body'] = null;
  const payload = JSON.stringify(event);
  event['body'] = body;
  return { payload, body };
}

/** The whole event JSON text, `body` put back in its place, for environments that take the event as text. */
export function eventText(req: InvokeRequest): string {
  if (req.body === undefined) return req.payload;
  const event = JSON.parse(req.payload) as Record<string, unknown>;
  event['body'] = req.body;
  return JSON.stringify(event);
}
