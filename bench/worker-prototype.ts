// The yardstick for a Lambda proxy request (issue 10: "a 30-line prototype of node:http + one worker thread reaches
// about 50%"): node:http handing each request to one worker thread as a small JSON event and writing back what it
// returns, with the headers preflight sends. No routing, ids, logs, timeouts or validation: what is left of
// preflight's cost above this is the price of those.
import { Worker } from 'node:worker_threads';
import { servePrototype } from './prototype-http.js';

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
  const handler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
  parentPort.on('message', async (m) => parentPort.postMessage({ id: m.id, payload: JSON.stringify(await handler(JSON.parse(m.event))) }));`,
  { eval: true },
);
const respond = servePrototype((id, event) => worker.postMessage({ id, event }));
worker.on('message', (m: { id: number; payload: string }) => respond(m.id, m.payload));
