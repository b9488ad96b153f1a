import http from 'node:http';
import https from 'node:https';
import type { HeaderList } from './types.js';

export interface BackendRequest {
  method: string;
  url: URL;
  headers: HeaderList;
  body: Buffer;
  timeoutMs: number;
}

export interface BackendResponse {
  status: number;
  headers: HeaderList;
  body: Buffer;
}

export class BackendError extends Error {
  constructor(
    readonly kind: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

const agentOptions = { keepAlive: true, maxSockets: 256 };
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);

/**
 * Calls an HTTP/HTTP_PROXY integration backend, keeping header case and repeats both ways (fetch would fold them)
 * and bounding the whole exchange by the integration timeout.
 */
/** API Gateway's payload limit (AGDG limits.md: 10 MB), for what a backend sends back too. */
const MAX_BACKEND_RESPONSE = 10 * 1024 * 1024;

export function callBackend(req: BackendRequest): Promise<BackendResponse> {
  return new Promise((resolve, reject) => {
    const lib = req.url.protocol === 'https:' ? https : http;
    // Host is the backend's, as API Gateway sends it; with a raw header list Node would send none at all.
    const flat: string[] = ['Host', req.url.host];
    for (const [k, v] of req.headers) {
      const lower = k.toLowerCase();
      if (lower === 'host') continue;
      // We frame the body ourselves: a stale length or chunked marker from the client would corrupt it.
      if (lower === 'content-length' || lower === 'transfer-encoding') continue;
      flat.push(k, v);
    }
    // With headers given as a raw list Node adds no framing of its own.
    if (req.body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method)) flat.push('Content-Length', String(req.body.length));
    const r = lib.request(req.url, {
      method: req.method,
      headers: flat,
      agent: req.url.protocol === 'https:' ? httpsAgent : httpAgent,
    });
    const timer = setTimeout(() => {
      r.destroy(new BackendError('timeout', `no response within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    r.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        // A backend that streams without end would otherwise fill the server's memory within the timeout; nothing
        // over API Gateway's 10 MB payload limit can be answered anyway.
        if (size > MAX_BACKEND_RESPONSE) r.destroy(new BackendError('network', `the response is larger than ${MAX_BACKEND_RESPONSE} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const headers: HeaderList = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e instanceof BackendError ? e : new BackendError('network', e.message));
      });
    });
    r.on('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof BackendError ? e : new BackendError('network', e.message));
    });
    r.end(req.body.length > 0 ? req.body : undefined);
  });
}
