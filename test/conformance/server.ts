// The scenario server: one port, three origins by Host (the page on localhost, the API on api.localhost, a third
// origin on other.localhost), every scenario under /s/{id}/. It records what Chromium sent. A small HTTP/1.1 server
// of its own on node:net, because node:http refuses methods such as `patch` (lowercase) or `PROPFIND`-like
// extension methods with a 400 of its own, and adds headers of its own to responses.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { respond, type Hosts, type Scenario } from './scenario.js';
import type { WireRecord } from './model.js';

export interface ScenarioServer {
  hosts: Hosts;
  register(id: string, scenario: Scenario): void;
  received(id: string): WireRecord[];
  forget(id: string): void;
  close(): Promise<void>;
}

const PAGE = '<!doctype html><meta charset="utf-8"><title>conformance</title><p>conformance page</p>';

interface ParsedRequest {
  method: string;
  target: string;
  headers: [string, string][];
}

export async function startScenarioServer(): Promise<ScenarioServer> {
  const scenarios = new Map<string, Scenario>();
  const records = new Map<string, WireRecord[]>();
  const sockets = new Set<net.Socket>();
  let hosts!: Hosts;

  function answer(req: ParsedRequest): Buffer {
    const get = (n: string) => req.headers.find(([k]) => k.toLowerCase() === n)?.[1];
    const host = get('host') ?? '';
    const path = req.target.split('?')[0]!;
    const m = /^\/s\/([^/]+)\/h\d+$/.exec(path);
    const scenario = m ? scenarios.get(m[1]!) : undefined;
    if (!m || !scenario) {
      const body = path === '/' ? PAGE : 'not found';
      return raw(path === '/' ? 200 : 404, [['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-store'], ['Content-Length', String(Buffer.byteLength(body))]], body);
    }
    const id = m[1]!;
    const url = `http://${host}${req.target}`;
    records.get(id)!.push({
      method: req.method,
      url,
      origin: get('origin') ?? null,
      acrm: get('access-control-request-method') ?? null,
      acrh: get('access-control-request-headers') ?? null,
    });
    const r = respond(scenario, hosts, id, { method: req.method, url, headers: req.headers });
    return raw(r.status, r.headers, r.body);
  }

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const [method = '', target = '/'] = lines[0]!.split(' ');
        const headers: [string, string][] = [];
        for (const line of lines.slice(1)) {
          const i = line.indexOf(':');
          if (i > 0) headers.push([line.slice(0, i), line.slice(i + 1).trim()]);
        }
        const length = Number(headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.subarray(end + 4 + length);
        socket.write(answer({ method, target, headers }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  hosts = { page: `http://localhost:${port}`, api: `http://api.localhost:${port}`, other: `http://other.localhost:${port}`, port };
  return {
    hosts,
    register(id, scenario) {
      scenarios.set(id, scenario);
      records.set(id, []);
    },
    received: (id) => records.get(id) ?? [],
    forget(id) {
      scenarios.delete(id);
      records.delete(id);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };

/** The response exactly as the scenario says: header order, duplicates and values untouched. */
function raw(status: number, headers: readonly (readonly [string, string])[], body: string): Buffer {
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), Buffer.from(body, 'latin1')]);
}
