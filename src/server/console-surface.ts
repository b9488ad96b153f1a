import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONSOLE_API_PREFIX, consoleApiRoutes, serveConsoleApi, type ConsoleApiDeps } from './console-api.js';
import { CONSOLE_PREFIX, ConsoleStatic } from './console-static.js';
import type { EventHub } from './events.js';
import { isForeignBrowserRequest, isLoopbackHost } from './local-only.js';

const EVENTS_PATH = '/_preflight/events';
/** The console API's requests are small JSON documents; test invocations carry at most an API Gateway payload. */
const MAX_BODY = 10 * 1024 * 1024;

/**
 * Everything the console needs from the server, behind one check: the app's files, its JSON API and the event stream.
 * All three are local-only surfaces like the control plane (design doc): a loopback Host (no DNS rebinding) and no
 * browser request from a foreign origin; no CORS headers, ever.
 */
export class ConsoleSurface {
  private readonly files: ConsoleStatic;
  private readonly api;

  constructor(
    deps: Omit<ConsoleApiDeps, 'serverId'>,
    private readonly events: EventHub,
  ) {
    this.files = new ConsoleStatic(deps.port);
    this.api = consoleApiRoutes({ ...deps, serverId: events.serverId });
  }

  handles(path: string): boolean {
    return (
      path === EVENTS_PATH ||
      path === CONSOLE_PREFIX ||
      path.startsWith(`${CONSOLE_PREFIX}/`) ||
      (path.startsWith(CONSOLE_API_PREFIX) && path !== '/_preflight/api/inspect')
    );
  }

  async serve(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): Promise<void> {
    const host = req.headers.host ?? '';
    if (!isLoopbackHost(host) || isForeignBrowserRequest(req.headers, host)) {
      res.writeHead(403, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ message: 'The preflight console only accepts requests from this machine (loopback Host, no foreign Origin).' }));
      return;
    }
    if (path === EVENTS_PATH) return this.events.serve(req, res);
    if (!path.startsWith(CONSOLE_API_PREFIX)) return this.files.serve(req, res, path);
    const body = await readBody(req);
    if (body === null) {
      res.writeHead(413, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'Request must be smaller than 10 MB' }));
      return;
    }
    await serveConsoleApi(this.api, req, res, path, rawQuery, body);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
