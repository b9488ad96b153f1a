// A preflight server on a state directory, with a large API to deploy; used by the crash-consistency test,
// which kills this process with SIGKILL mid-deployment.
import { startServer } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';

const dataDir = process.argv[2]!;
const resources = Number(process.argv[3] ?? 1000);
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
console.log(JSON.stringify({ port: server.port, apiId: api.id }));
