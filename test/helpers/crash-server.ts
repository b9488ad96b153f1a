// A preflight server on a state directory, with a large API to deploy; used by the crash-consistency tests, which
// kill this process with SIGKILL mid-write.
//
//   crash-server.ts DATA_DIR [RESOURCES]
//
// PREFLIGHT_KILL_AT=N makes the process SIGKILL itself just before the N-th SQLite statement it runs after start-up
// (BEGIN, each INSERT/UPDATE/DELETE, COMMIT: better-sqlite3 runs them all through Statement#run), a kill point chosen
// by the test rather than by timing. SIGTERM prints {"statements": N} and exits, so a test can count a workload's
// statements in a dry run.
import { startServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';

const dataDir = process.argv[2]!;
const resources = Number(process.argv[3] ?? 1000);
const killAt = Number(process.env['PREFLIGHT_KILL_AT'] ?? 0);
const server = await startServer({ port: 0, dataDir, logger: memoryLogger() });
const { apis } = server.control;
let api = apis.getRestApis().items.find((a) => a.name === 'crash');
if (!api) {
  api = apis.createRestApi({ name: 'crash' });
  const id = api.id;
  server.control.store.tx(() => {
    for (let i = 0; i < resources; i++) {
      const r = apis.createResource(id, api!.rootResourceId, { pathPart: `r${i}` });
      apis.putMethod(id, r.id, 'GET', { authorizationType: 'NONE' });
      apis.putIntegration(id, r.id, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    }
  });
}

let statements = 0;
const proto = Object.getPrototypeOf(server.control.store.db.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown };
const run = proto.run;
proto.run = function (this: unknown, ...args: unknown[]) {
  statements++;
  if (killAt > 0 && statements === killAt) process.kill(process.pid, 'SIGKILL');
  return run.apply(this, args);
};
process.on('SIGTERM', () => {
  console.log(JSON.stringify({ statements }));
  process.exit(0);
});
console.log(JSON.stringify({ port: server.port, apiId: api.id }));
