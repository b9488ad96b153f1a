import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { extname, join, normalize } from 'node:path';
import { startServer, type RunningServer } from '../server/server.js';
import { setupDemoApi } from './setup.js';
import { consoleLogger } from '../server/logger.js';

// demo/ sits at the package root, two levels above both src/demo and dist/demo.
const DEMO_ROOT = fileURLToPath(new URL('../../demo/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

export interface Demo {
  emulator: RunningServer;
  frontEndUrl: string;
  apiUrl: string;
  close(): Promise<void>;
}

/** `npm start`: the emulator with the demo API, and the demo front end on another origin. */
export async function runDemo(options: { port?: number; webPort?: number; host?: string; quiet?: boolean; controlPlaneOrigins?: string[] } = {}): Promise<Demo> {
  const emulator = await startServer({
    port: options.port ?? 4010,
    ephemeral: true,
    ...(options.controlPlaneOrigins ? { controlPlaneOrigins: options.controlPlaneOrigins } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.quiet ? { logger: consoleLogger({ quiet: true }) } : {}),
  });
  let apiUrl = '';
  const web = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = normalize(join(DEMO_ROOT, 'web', path === '/' ? 'index.html' : path));
    if (!file.startsWith(join(DEMO_ROOT, 'web'))) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (data) => {
        let body: Buffer | string = data;
        if (file.endsWith('index.html')) {
          // The page learns where the API lives from the server that hands it out.
          body = data.toString('utf8').replace('<!--CONFIG-->', `<script>window.PREFLIGHT_DEMO = ${JSON.stringify({ apiUrl })};</script>`);
        }
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
        res.end(body);
      },
      () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      web.once('error', reject);
      web.listen(options.webPort ?? 3000, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (e) {
    await emulator.close();
    throw e;
  }
  const frontEndUrl = `http://localhost:${(web.address() as { port: number }).port}`;
  const { apiId, stage } = await setupDemoApi(emulator.control, join(DEMO_ROOT, 'functions'), frontEndUrl);
  apiUrl = emulator.restApiUrl(apiId, stage);
  if (!options.quiet) {
    console.log('');
    console.log('preflight demo');
    console.log(`  front end:  ${frontEndUrl}   (open it in Chrome/Chromium; it calls the API on another origin)`);
    console.log(`  API:        ${apiUrl}/users`);
    console.log(`  emulator:   ${emulator.url}  (aws --endpoint-url ${emulator.url} apigateway get-rest-apis)`);
    console.log('  Ctrl+C stops both.');
    console.log('');
  }
  return {
    emulator,
    frontEndUrl,
    apiUrl,
    async close() {
      web.closeAllConnections();
      await new Promise<void>((r) => web.close(() => r()));
      await emulator.close();
    },
  };
}
