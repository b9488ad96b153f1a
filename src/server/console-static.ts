import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PREFIX = '/_preflight/console';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where `vite build` put the console: dist/console beside the compiled server (dist/server/..), or, when the server
 * runs from source through tsx (tests, development), the same folder at the repository's root.
 */
export function consoleRoot(): string | undefined {
  const candidates = [new URL('../console/', import.meta.url), new URL('../../dist/console/', import.meta.url)];
  for (const c of candidates) {
    const dir = fileURLToPath(c);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

interface CachedFile {
  body: Buffer;
  type: string;
}

/**
 * Serves the built console under /_preflight/console/: files by path with their content type, every other path the
 * app's index.html (the app routes on the client). Vite names assets by content hash, so they are cached for good;
 * index.html is revalidated every time so a rebuilt console is picked up at the next load.
 */
export class ConsoleStatic {
  private readonly files = new Map<string, CachedFile>();

  constructor(
    /** The data-plane port, for the Content-Security-Policy's sandbox origins. */
    private readonly port: () => number = () => 0,
    /** Found at the first request, so a console built while the server runs is served without a restart. */
    private root: string | undefined = undefined,
  ) {}

  serve(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The console is read with GET.');
      return;
    }
    if (path === CONSOLE_PREFIX) {
      res.writeHead(308, { Location: `${CONSOLE_PREFIX}/` });
      res.end();
      return;
    }
    this.root ??= consoleRoot();
    if (!this.root) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('The preflight console is not built. Run `npm run build` (npm install does it too), then reload.');
      return;
    }
    const relative = decodePath(path.slice(CONSOLE_PREFIX.length + 1));
    let file = relative === undefined ? undefined : this.read(relative);
    let immutable = relative !== undefined && relative.startsWith('assets/');
    if (!file) {
      // A missing asset (a file type the build makes, or anything under assets/) is an error; any other path is a
      // client-side route of the app, dots and all (/domains/api.myapp.localhost).
      if (relative === undefined || relative.startsWith('assets/') || CONTENT_TYPES[extname(relative)] !== undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Not found');
        return;
      }
      file = this.read('index.html');
      immutable = false;
    }
    if (!file) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The preflight console build is incomplete: index.html is missing. Run `npm run build`.');
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': file.type,
      'Content-Length': String(file.body.length),
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    };
    if (file.type.startsWith('text/html')) {
      const port = this.port();
      // The console changes this machine's state: no other page may frame it (clickjacking). It frames only the
      // playground's sandbox pages, on *.localhost of this port.
      headers['Content-Security-Policy'] =
        `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; ` +
        `frame-src http://*.localhost:${port}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  private read(relative: string): CachedFile | undefined {
    const cached = this.files.get(relative);
    if (cached) return cached;
    const full = normalize(join(this.root!, relative));
    if (!full.startsWith(this.root!.endsWith(sep) ? this.root! : this.root! + sep)) return undefined;
    try {
      if (!statSync(full).isFile()) return undefined;
    } catch {
      return undefined;
    }
    const file = { body: readFileSync(full), type: CONTENT_TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream' };
    // Hashed assets never change; index.html may be rebuilt while the server runs, so it is read each time.
    if (relative.startsWith('assets/')) this.files.set(relative, file);
    return file;
  }
}

function decodePath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((s) => s === '..')) return undefined;
  return decoded === '' ? 'index.html' : decoded;
}
