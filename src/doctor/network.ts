import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { HttpResponse, WireRequest } from '../cors/index.js';
import { DoctorError } from './types.js';

/**
 * Browsers resolve `localhost` and every `*.localhost` name to loopback themselves (RFC 6761); Node asks the system
 * resolver, which usually does not know `abc.execute-api.localhost`. So do what the browser does.
 */
const lookupLocalhost: LookupFunction = (hostname, options, callback) => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  import('node:dns').then(({ lookup }) => lookup(hostname, options, callback), (e: Error) => callback(e as NodeJS.ErrnoException, '', 4));
};

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** Closes pooled connections so a CLI process can exit at once. */
export function closeConnections(): void {
  agents.http.destroy();
  agents.https.destroy();
}

function describeNetworkError(e: NodeJS.ErrnoException, url: URL): DoctorError {
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  const code = e.code ?? 'ERR';
  if (code === 'ECONNREFUSED') return new DoctorError(`network error: connection refused by ${where} (nothing listens there). This is not a CORS problem: start the server or fix the URL.`, 'network', code);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new DoctorError(`network error: the host name ${url.hostname} does not resolve (DNS ${code}). This is not a CORS problem.`, 'network', code);
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new DoctorError(`network error: ${code} talking to ${where}. This is not a CORS problem.`, 'network', code);
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code.includes('SSL') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return new DoctorError(`network error: TLS failed with ${where} (${code}: ${e.message}). This is not a CORS problem; the browser would fail the same way before any CORS check.`, 'network', code);
  }
  return new DoctorError(`network error talking to ${where}: ${code} ${e.message}. This is not a CORS problem.`, 'network', code);
}

/** Sends one request exactly as given (method, headers, body) and returns status and raw header list. */
export function send(request: WireRequest, body: string | undefined, timeoutMs = 10_000): Promise<HttpResponse> {
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {};
  for (const [k, v] of request.headers) headers[k] = v;
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        lookup: lookupLocalhost,
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
      },
      (res) => {
        const list: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) list.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: list }));
        res.on('error', (e: NodeJS.ErrnoException) => reject(describeNetworkError(e, url)));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => reject(describeNetworkError(e, url)));
    if (body !== undefined && request.purpose === 'actual' && request.method !== 'GET' && request.method !== 'HEAD') req.end(body);
    else req.end();
  });
}

/** GETs a small JSON document from the local emulator; undefined when anything goes wrong (it is only a bonus). */
export async function getJson(url: string, timeoutMs = 2000): Promise<unknown> {
  return new Promise((resolve) => {
    const req = http.get(url, { lookup: lookupLocalhost, agent: agents.http, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(undefined);
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
