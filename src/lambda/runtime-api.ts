/**
 * The Lambda Runtime API (2018-06-01) for one execution environment, as RAPID serves it: the runtime process
 * long-polls /runtime/invocation/next, answers with /{id}/response or /{id}/error, or reports a failed init with
 * /runtime/init/error. Loopback only, on an ephemeral port; the environment passes `127.0.0.1:<port>` in
 * AWS_LAMBDA_RUNTIME_API.
 *
 * Behaviour follows aws-lambda-runtime-interface-emulator (commit 4fa2157, 2026-01): internal/lambda/rapi/router.go,
 * handler/{invocationnext,invocationresponse,invocationerror,initerror}.go, rendering/{rendering,render_error,
 * render_json}.go, core/states.go (the runtime state machine and its state names). Our own code, same answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_SYNC_PAYLOAD_BYTES } from './spec.js';

const PREFIX = '/2018-06-01';
const NEXT = /^\/2018-06-01\/runtime\/invocation\/next\/?$/;
const RESULT = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)\/?$/;
const INIT_ERROR = /^\/2018-06-01\/runtime\/init\/error\/?$/;

/** RIE core/runtime_state_names.go; the names appear in InvalidStateTransition messages. */
type RuntimeState =
  | 'Started'
  | 'Ready'
  | 'Running'
  | 'InvocationResponse'
  | 'InvocationErrorResponse'
  | 'RuntimeResponseSentState'
  | 'InitError';

/** What the runtime process receives from /next. */
export interface RuntimeEvent {
  requestId: string;
  /** Event JSON text. */
  payload: string;
  /** Epoch milliseconds when the invocation times out. */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string;
  /** Decoded client context JSON text. */
  clientContext?: string;
}

export interface RuntimeApiListener {
  /** The runtime asked for its next event: after init the first time, after each result afterwards. */
  ready(): void;
  response(requestId: string, body: Buffer, contentType: string | undefined): void;
  /** The runtime's response exceeded the synchronous payload limit; it was told so with a 413. */
  responseTooLarge(requestId: string, size: number): void;
  /** /error: the body is the error object the caller receives; errorType is Lambda-Runtime-Function-Error-Type. */
  error(requestId: string, body: Buffer, errorType: string | undefined): void;
  initError(body: Buffer, errorType: string | undefined): void;
}

/** RIE rendering/render_error.go: Go's json.Encoder output, fields in struct order, with its trailing newline. */
function errorBody(errorType: string, errorMessage: string): string {
  return JSON.stringify({ errorMessage, errorType }) + '\n';
}

const ACCEPTED = JSON.stringify({ status: 'OK' }) + '\n';
const NOT_ALLOWED = 'State transition is not allowed';

export class RuntimeApiServer {
  private state: RuntimeState = 'Started';
  private current: RuntimeEvent | undefined;
  /** /next requests waiting for an event. */
  private readonly waiting: http.ServerResponse[] = [];
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    private readonly listener: RuntimeApiListener,
    readonly address: string,
  ) {}

  /** Starts a Runtime API on 127.0.0.1 and an ephemeral port (never any other interface). */
  static async start(listener: RuntimeApiListener): Promise<RuntimeApiServer> {
    let api: RuntimeApiServer | undefined;
    const server = http.createServer((req, res) => api?.handle(req, res));
    // Long polls and idle keep-alive connections between invocations are the normal case here.
    server.keepAliveTimeout = 0;
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.timeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    api = new RuntimeApiServer(server, listener, `127.0.0.1:${port}`);
    return api;
  }

  /** Hands an event to the runtime: answers its pending /next now, or the next one it sends. */
  deliver(event: RuntimeEvent): void {
    this.current = event;
    this.state = 'Running';
    for (const res of this.waiting.splice(0)) this.sendEvent(res, event);
  }

  /** Whether the runtime is waiting in /next with nothing to do (it is between invocations). */
  get polling(): boolean {
    return this.state === 'Ready';
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Runtimes never send Origin; a browser page does (DNS rebinding or a cross-site POST): refuse it.
    if (req.headers.origin !== undefined) return this.send(res, 403, 'text/plain; charset=utf-8', 'Forbidden\n');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith(PREFIX + '/')) return this.notFound(req, res);
    if (NEXT.test(path)) {
      if (req.method !== 'GET') return this.methodNotAllowed(req, res);
      req.resume();
      return this.next(res);
    }
    const result = RESULT.exec(path);
    if (result) {
      if (req.method !== 'POST') return this.methodNotAllowed(req, res);
      const requestId = decodeURIComponent(result[1]!);
      return result[2] === 'response' ? this.response(req, res, requestId) : this.error(req, res, requestId);
    }
    if (INIT_ERROR.test(path)) {
      if (req.method !== 'POST') return this.methodNotAllowed(req, res);
      return this.initError(req, res);
    }
    this.notFound(req, res);
  }

  /** GET /runtime/invocation/next: long poll; while Running the same event again (RIE RuntimeRunningState.Ready). */
  private next(res: http.ServerResponse): void {
    switch (this.state) {
      case 'Started':
      case 'RuntimeResponseSentState':
        this.state = 'Ready';
        this.current = undefined;
        this.waiting.push(res);
        this.listener.ready();
        return;
      case 'Ready':
        this.waiting.push(res);
        return;
      case 'Running':
        this.sendEvent(res, this.current!);
        return;
      default:
        this.forbidden(res, 'Ready');
    }
  }

  private response(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): void {
    if (this.state !== 'Running') {
      req.resume();
      return this.forbidden(res, 'InvocationResponse');
    }
    const mode = req.headers['lambda-runtime-function-response-mode'];
    if (mode !== undefined && mode !== 'streaming') {
      // RIE invocationresponse.go: any other mode fails the invocation (Runtime.InvalidResponseModeHeader) and 400s.
      // RIE then stays in InvocationResponse, so the runtime's next /next is refused; we let it continue instead
      // (deviation: an environment stuck forever helps nobody locally).
      req.resume();
      this.state = 'RuntimeResponseSentState';
      this.listener.error(requestId, Buffer.from(JSON.stringify({ errorType: 'Runtime.InvalidResponseModeHeader' })), 'Runtime.InvalidResponseModeHeader');
      return this.send(res, 400, 'application/json', errorBody('InvalidFunctionResponseMode', 'Invalid function response mode'));
    }
    // A streamed response (Lambda-Runtime-Function-Response-Mode: streaming) is buffered and returned whole:
    // Invoke is not a streaming API. The limit still applies.
    // RIE moves to InvocationResponse before checking the id, so a wrong id leaves the invocation unable to answer
    // (the next post gets 403) until it times out. Kept as RIE has it; UNCERTAIN whether production RAPID differs.
    this.state = 'InvocationResponse';
    if (requestId !== this.current?.requestId) {
      req.resume();
      return this.send(res, 400, 'application/json', errorBody('InvalidRequestID', 'Invalid request ID'));
    }
    readLimited(req, MAX_SYNC_PAYLOAD_BYTES, (body, size) => {
      this.state = 'RuntimeResponseSentState';
      if (body === undefined) {
        this.listener.responseTooLarge(requestId, size);
        return this.send(
          res,
          413,
          'application/json',
          errorBody('RequestEntityTooLarge', `Exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`),
        );
      }
      this.send(res, 202, 'application/json', ACCEPTED);
      this.listener.response(requestId, body, header(req, 'content-type'));
    });
  }

  private error(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): void {
    if (this.state !== 'Running') {
      req.resume();
      return this.forbidden(res, 'InvocationErrorResponse');
    }
    this.state = 'InvocationErrorResponse';
    if (requestId !== this.current?.requestId) {
      req.resume();
      return this.send(res, 400, 'application/json', errorBody('InvalidRequestID', 'Invalid request ID'));
    }
    // UNCERTAIN: RIE reads error bodies whole; we cap them like responses so a runaway runtime cannot exhaust memory.
    readLimited(req, MAX_SYNC_PAYLOAD_BYTES, (body) => {
      this.state = 'RuntimeResponseSentState';
      this.send(res, 202, 'application/json', ACCEPTED);
      this.listener.error(requestId, body ?? Buffer.alloc(0), header(req, 'lambda-runtime-function-error-type'));
    });
  }

  private initError(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.state !== 'Started') {
      req.resume();
      return this.forbidden(res, 'InitError');
    }
    this.state = 'InitError';
    readLimited(req, MAX_SYNC_PAYLOAD_BYTES, (body) => {
      this.send(res, 202, 'application/json', ACCEPTED);
      this.listener.initError(body ?? Buffer.alloc(0), header(req, 'lambda-runtime-function-error-type'));
    });
  }

  private sendEvent(res: http.ServerResponse, event: RuntimeEvent): void {
    // RIE rendering.go renderInvokeHeaders: headers only when not empty; Content-Type defaults to application/json.
    const headers: Record<string, string> = {
      'Lambda-Runtime-Aws-Request-Id': event.requestId,
      'Lambda-Runtime-Trace-Id': event.traceId,
      'Lambda-Runtime-Invoked-Function-Arn': event.invokedFunctionArn,
      'Lambda-Runtime-Deadline-Ms': String(event.deadlineMs),
      'Content-Type': 'application/json',
    };
    if (event.clientContext) headers['Lambda-Runtime-Client-Context'] = event.clientContext;
    const body = Buffer.from(event.payload);
    headers['Content-Length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(body);
  }

  /** RIE: 403 InvalidStateTransition, "State transition from %s to %s failed for runtime. Error: %s". */
  private forbidden(res: http.ServerResponse, to: string): void {
    this.send(
      res,
      403,
      'application/json',
      errorBody('InvalidStateTransition', `State transition from ${this.state} to ${to} failed for runtime. Error: ${NOT_ALLOWED}`),
    );
  }

  /** chi's defaults, which RIE's router keeps: 404 "404 page not found", 405 with no body. */
  private notFound(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    this.send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
  }

  private methodNotAllowed(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    this.send(res, 405, undefined, '');
  }

  private send(res: http.ServerResponse, status: number, contentType: string | undefined, body: string): void {
    const headers: Record<string, string> = { 'Content-Length': String(Buffer.byteLength(body)) };
    if (contentType) headers['Content-Type'] = contentType;
    res.writeHead(status, headers);
    res.end(body);
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a request body up to `limit` bytes; beyond it, the rest is drained and the body reported as undefined. */
function readLimited(req: http.IncomingMessage, limit: number, done: (body: Buffer | undefined, size: number) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  req.on('end', () => done(size > limit ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), size));
  req.on('error', () => done(Buffer.alloc(0), 0));
}
