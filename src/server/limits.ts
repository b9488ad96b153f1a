import type http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * What one HTTP connection may cost the server. The emulator stays up all day on a developer's machine, so a client
 * that sends garbage, never finishes its headers, or uploads without end gets a short answer and a closed connection
 * instead of memory or a socket held forever.
 */
export interface ProtocolLimits {
  /**
   * Request line plus headers, in bytes (Node's parser limit; over it: 431). API Gateway's own limit is 10240 bytes of
   * header *values* (AGDG limits.md: REST "Total combined size of all header values", HTTP APIs "request line and
   * header values"); names and separators come on top, so the parser's limit sits above it.
   */
  maxHeaderBytes: number;
  /** Time to receive the request line and headers (Node's headersTimeout; then 408 and the connection closes). */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** How often Node looks for connections over those timeouts. */
  connectionsCheckingIntervalMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** API Gateway's payload limit (AGDG limits.md: 10 MB for REST and HTTP APIs). */
  maxDataPlaneBody: number;
  /** The AWS wire API: a 50 MB zip, base64-encoded, inside JSON. */
  maxControlBody: number;
  /**
   * After a 413, how much of the unwanted body is read and dropped so the client can read the answer (closing a
   * socket with unread data resets it, and a reset can destroy the response before the client reads it).
   */
  maxDiscardBytes: number;
}

export const DEFAULT_LIMITS: ProtocolLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 120_000,
  connectionsCheckingIntervalMs: 5_000,
  keepAliveTimeoutMs: 65_000,
  maxDataPlaneBody: 10 * 1024 * 1024,
  maxControlBody: 80 * 1024 * 1024,
  maxDiscardBytes: 16 * 1024 * 1024,
};

export function resolveLimits(overrides: Partial<ProtocolLimits> = {}): ProtocolLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  // Node refuses a request timeout shorter than the headers timeout; the headers are part of the request.
  if (limits.requestTimeoutMs > 0 && limits.requestTimeoutMs < limits.headersTimeoutMs) limits.requestTimeoutMs = limits.headersTimeoutMs;
  return limits;
}

/** The options http.createServer takes from the limits (the rest are set on the server afterwards). */
export function serverOptions(limits: ProtocolLimits): http.ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}

/** What cannot be passed to createServer: header count, and the answer to requests Node cannot parse. */
export function configureServer(server: http.Server): void {
  // The header bytes bound the count; Node's default count limit (2000) would drop later headers silently.
  server.maxHeadersCount = 0;
  server.on('clientError', answerClientError);
}

/**
 * What a connection gets when Node's parser gives up on it: a status, a short JSON reason and a closed connection.
 * Node's own handler sends the status with no body; a reason helps whoever wrote the client. Never a stack trace.
 */
export function answerClientError(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Duplex): void {
  // The peer is gone or we already started answering on this socket: nothing useful can be written. (A request whose
  // body turned out malformed has a response object that has not written yet; the answer below is still the first.)
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || pending?.headersSent === true) {
    socket.destroy();
    return;
  }
  let status = 400;
  let reason = 'Bad Request';
  let message = 'The request could not be parsed as HTTP/1.1';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    reason = 'Request Header Fields Too Large';
    message = 'The request line and headers are too large';
  } else if (err.code === 'HPE_HEADERS_TIMEOUT' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    reason = 'Request Timeout';
    message = 'The request was not received in time';
  } else if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' || err.code === 'HPE_INVALID_CONTENT_LENGTH' || err.code === 'HPE_UNEXPECTED_CONTENT_LENGTH') {
    message = 'The request body framing is invalid';
  }
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // A client that never reads its answer must not keep the socket: end() waits for the peer, destroy does not.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The declared body length, or undefined when the body is chunked or absent. */
export function declaredLength(req: http.IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Shared: an empty Buffer cannot be written to, so every bodiless request may have the same one. */
const NO_BODY: BodyResult = { ok: true, body: Buffer.alloc(0) };

/**
 * Reads a request body up to `limit` bytes. A body over the limit (by its Content-Length, before reading a byte, or
 * by counting a chunked one) is refused at once: the caller answers 413 and `discardRest` drops what is still coming.
 * A client that goes away mid-body is "aborted", not an error to log.
 */
export function readBody(req: http.IncomingMessage, limit: number): BodyResult | Promise<BodyResult> {
  // Answers that need no reading come back at once, not as a promise: an await of one is a turn of the microtask
  // queue per request on the data plane's hot path.
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return { ok: false, reason: 'too-large' };
  if (req.complete && req.readableLength === 0 && declared === 0) return NO_BODY;
  // Neither Content-Length nor Transfer-Encoding: HTTP/1.1 says there is no body (RFC 9112 §6.3), so there is nothing to
  // wait for. Every GET and OPTIONS skips four listeners added and removed per request (a data-plane hot-path cost).
  if (declared === undefined && req.headers['transfer-encoding'] === undefined) return NO_BODY;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(r);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        settle({ ok: false, reason: 'too-large' });
      } else chunks.push(c);
    };
    const onEnd = () => settle({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    const onError = () => settle({ ok: false, reason: 'aborted' });
    const onClose = () => {
      if (!req.complete) settle({ ok: false, reason: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * After answering a request without its body: read and drop the rest (up to maxDiscardBytes) so the client sees the
 * answer, then let the connection close. A client that keeps sending past that is cut off.
 */
export function discardRest(req: http.IncomingMessage, res: http.ServerResponse, limits: ProtocolLimits): void {
  if (req.complete) return;
  let dropped = 0;
  const cut = () => {
    req.off('data', onData);
    req.socket.destroy();
  };
  const onData = (c: Buffer) => {
    dropped += c.length;
    if (dropped > limits.maxDiscardBytes) cut();
  };
  req.on('data', onData);
  req.on('error', () => undefined);
  req.resume();
  // Keep-alive is off (Connection: close was sent); a client that stalls mid-body is not waited for long.
  const timer = setTimeout(cut, 2_000);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  res.once('close', () => {
    if (!req.complete) setTimeout(cut, 2_000).unref();
  });
}

/**
 * API Gateway's answer to a body over 10 MB. It is not a gateway response (REQUEST_TOO_LARGE customisations do not
 * apply, and it carries no CORS headers or request id): plain text, as recorded from real APIs —
 * koki-develop/lgtm-generator#10 (`HTTP/2 413`, `content-type: text; charset=utf-8`, `content-length: 44`,
 * "HTTP content length exceeded 10485760 bytes."), and the same text in NHSDigital's national-document-repository
 * e2e test and a sagebrain parity probe of a regional REST API ("413 plain text ..., no CORS").
 */
export function sendPayloadTooLarge(req: http.IncomingMessage, res: http.ServerResponse, limits: ProtocolLimits): void {
  const body = `HTTP content length exceeded ${limits.maxDataPlaneBody} bytes.`;
  res.writeHead(413, { 'Content-Type': 'text; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' });
  res.end(body);
  discardRest(req, res, limits);
}
