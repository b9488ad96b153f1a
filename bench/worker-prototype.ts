// The yardstick for a Lambda proxy request (issue 10: "a 30-line prototype of node:http + one worker thread reaches
// about 50%"): node:http handing each request to one worker thread as a small JSON event and writing back what it
// returns, with the headers preflight sends. No routing, ids, logs, timeouts or validation: what is left of
// preflight's cost above this is the price of those.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { announce } from './announce.js';

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
  const handler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
  parentPort.on('message', async (m) => parentPort.postMessage({ id: m.id, payload: JSON.stringify(await handler(JSON.parse(m.event))) }));`,
  { eval: true },
);
const pending = new Map<number, http.ServerResponse>();
let next = 0;
worker.on('message', (m: { id: number; payload: string }) => {
  const res = pending.get(m.id)!;
  pending.delete(m.id);
  const r = JSON.parse(m.payload) as { statusCode: number; body: string };
  res.writeHead(r.statusCode, [
    'Content-Type', 'application/json',
    'x-amzn-RequestId', '00000000-0000-0000-0000-000000000000',
    'x-amz-apigw-id', 'AAAAAAAAAAAAAAA=',
    'X-Amzn-Trace-Id', 'Root=1-00000000-000000000000000000000000',
    'Content-Length', String(r.body.length),
  ]);
  res.end(r.body);
});
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const id = next++;
    pending.set(id, res);
    const event = { resource: req.url, path: req.url, httpMethod: req.method, headers: req.headers, requestContext: { requestId: String(id) } };
    worker.postMessage({ id, event: JSON.stringify(event) });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => announce({ port: (server.address() as AddressInfo).port }));
