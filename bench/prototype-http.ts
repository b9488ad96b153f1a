// The node:http half of the yardsticks (bench/worker-prototype*.ts): each request becomes a small JSON event handed
// to `toWorker`; the function returned writes what the worker answered, with the headers preflight sends.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce } from './announce.js';

export function servePrototype(toWorker: (id: number, event: string) => void): (id: number, payload: string) => void {
  const pending = new Map<number, http.ServerResponse>();
  let next = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = next;
      next = (next + 1) >>> 0;
      pending.set(id, res);
      const event = { resource: req.url, path: req.url, httpMethod: req.method, headers: req.headers, requestContext: { requestId: String(id) } };
      toWorker(id, JSON.stringify(event));
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => announce({ port: (server.address() as AddressInfo).port }));
  return (id, payload) => {
    const res = pending.get(id)!;
    pending.delete(id);
    const r = JSON.parse(payload) as { statusCode: number; body: string };
    res.writeHead(r.statusCode, [
      'Content-Type', 'application/json',
      'x-amzn-RequestId', '00000000-0000-0000-0000-000000000000',
      'x-amz-apigw-id', 'AAAAAAAAAAAAAAA=',
      'X-Amzn-Trace-Id', 'Root=1-00000000-000000000000000000000000',
      'Content-Length', String(r.body.length),
    ]);
    res.end(r.body);
  };
}
