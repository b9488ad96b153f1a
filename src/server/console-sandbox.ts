import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Hosts the playground's sandbox pages answer on: any `{name}.localhost` other than the data plane's
 * `{apiId}.execute-api.localhost` (matched before this). Chromium resolves every *.localhost name to loopback by
 * itself, so `http://app.localhost:{port}` is a real second origin on this one port, cross-site to the APIs.
 */
const SANDBOX_HOST = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.localhost(?::(\d+))?$/i;

export function isSandboxHost(host: string): boolean {
  return SANDBOX_HOST.test(host);
}

/** The default origin the playground fetches from. */
export function sandboxOrigin(port: number, name = 'app'): string {
  return `http://${name}.localhost:${port}`;
}

/** Console origins allowed to drive a sandbox page: the loopback names of this port. */
function consoleOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

/**
 * The sandbox page: a blank page on its own origin that runs `fetch` for the console (its parent frame) and posts
 * back what the page could see: status, readable headers and body, or the TypeError a blocked request gives. It
 * takes orders only from the console's origins, and only the console may frame it, so it is no open fetch relay.
 * It knows nothing of the control plane: on a non-loopback Host, the control plane refuses it anyway.
 */
export function serveSandbox(req: IncomingMessage, res: ServerResponse, port: number): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' || path !== '/') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('preflight sandbox: only / is served here');
    return;
  }
  const parents = consoleOrigins(port);
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': `default-src 'none'; script-src 'unsafe-inline'; connect-src *; frame-ancestors ${parents.join(' ')}`,
  });
  res.end(sandboxHtml(parents));
}

function sandboxHtml(parents: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>preflight sandbox</title></head>
<body><p>preflight playground sandbox: requests from this origin are made by the browser itself.</p>
<script>
const parents = ${JSON.stringify(parents)};
window.addEventListener('message', async (event) => {
  if (!parents.includes(event.origin) || !event.data || event.data.kind !== 'preflight-fetch') return;
  const { id, url, method, headers, body, credentials } = event.data;
  const reply = (result) => event.source.postMessage({ kind: 'preflight-fetch-result', id, origin: location.origin, ...result }, event.origin);
  const started = performance.now();
  try {
    const init = { method, headers, credentials, cache: 'no-store', mode: 'cors' };
    if (body !== undefined && body !== '' && method !== 'GET' && method !== 'HEAD') init.body = body;
    const res = await fetch(url, init);
    const readable = {};
    res.headers.forEach((v, k) => { readable[k] = v; });
    const text = await res.text();
    reply({ ok: true, status: res.status, statusText: res.statusText, type: res.type, headers: readable, body: text.slice(0, 65536), ms: Math.round(performance.now() - started) });
  } catch (e) {
    reply({ ok: false, error: String(e), ms: Math.round(performance.now() - started) });
  }
});
if (window.parent !== window) window.parent.postMessage({ kind: 'preflight-sandbox-ready', origin: location.origin }, '*');
</script></body></html>`;
}
