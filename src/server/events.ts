import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlEvent, ControlEvents } from '../control/events.js';
import type { Logger } from './logger.js';

/** What the console hears on `/_preflight/events`; `data` is JSON. */
export type ServerEvent =
  | { type: 'control'; data: ControlEvent }
  | { type: 'log'; data: { functionName: string; timestamp: number; message: string } }
  | { type: 'execution'; data: { requestId: string; timestamp: number; message: string } };

/** How long EventSource waits before reconnecting after the server went away (a restart, usually). */
const RETRY_MS = 1000;
/** Comment lines keep idle connections from being closed by keep-alive timeouts in between. */
const HEARTBEAT_MS = 15_000;
/** A console that stops reading (a frozen tab) must not make the server buffer without end. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Server-sent events for the console: control-plane changes (so views refresh), function log lines and execution
 * log lines as they happen. Each server run has its own id, sent first, so a console that reconnects knows whether
 * it is talking to the same process (nothing missed but what happened while away) or to a restarted one.
 */
export class EventHub {
  readonly serverId = randomUUID();
  private readonly clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;

  /** Listens to the control layer's change events. */
  watch(events: ControlEvents): void {
    events.on((e) => this.publish({ type: 'control', data: e }));
  }

  /** The server's logger, with function and execution log lines also sent to the console. */
  tap(logger: Logger): Logger {
    return {
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
      execution: (requestId, message) => {
        logger.execution(requestId, message);
        if (this.clients.size) this.publish({ type: 'execution', data: { requestId, timestamp: Date.now(), message } });
      },
      lambda: (functionName, message) => {
        logger.lambda(functionName, message);
        if (this.clients.size) this.publish({ type: 'log', data: { functionName, timestamp: Date.now(), message } });
      },
    };
  }

  publish(event: ServerEvent): void {
    if (this.clients.size === 0) return;
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }

  /** Answers GET /_preflight/events with an open event stream. */
  serve(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive',
    });
    res.write(`retry: ${RETRY_MS}\nevent: hello\ndata: ${JSON.stringify({ serverId: this.serverId })}\n\n`);
    this.clients.add(res);
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, HEARTBEAT_MS).unref();
    const drop = () => {
      this.clients.delete(res);
      if (this.clients.size === 0 && this.heartbeat) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
      }
    };
    req.on('close', drop);
    res.on('close', drop);
  }

  close(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
