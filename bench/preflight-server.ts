// preflight from the built package, with one API: OPTIONS (Enable CORS mock), GET and POST (Lambda proxy) on /items.
// It logs as `preflight start` does (the console logger: START/END/REPORT lines of every invocation); the runner
// sends stdout to /dev/null, so the cost measured is producing the lines, not a terminal drawing them.
// BENCH_LOGGER=quiet drops them, to see what logging costs.
import { fileURLToPath } from 'node:url';
import { announce } from './announce.js';

type ServerModule = typeof import('../src/server/server.js');
type LoggerModule = typeof import('../src/server/logger.js');
const { startServer } = (await import(new URL('../dist/server/server.js', import.meta.url).href)) as ServerModule;
const { consoleLogger } = (await import(new URL('../dist/server/logger.js', import.meta.url).href)) as LoggerModule;

const quiet = { info() {}, warn() {}, error: (m: string) => console.error(m), execution() {}, lambda() {} };
const server = await startServer({ port: 0, ephemeral: true, logger: process.env['BENCH_LOGGER'] === 'quiet' ? quiet : consoleLogger() });
const { apis, deployments, functions } = server.control;
await functions.createFunction({
  FunctionName: 'bench-noop',
  Runtime: 'nodejs20.x',
  Role: 'arn:aws:iam::000000000000:role/bench',
  Handler: 'index.handler',
  Code: { Directory: fileURLToPath(new URL('./fixtures/noop', import.meta.url)) },
});
const api = apis.createRestApi({ name: 'bench' });
const items = apis.createResource(api.id, api.rootResourceId, { pathPart: 'items' });
apis.putMethod(api.id, items.id, 'GET', { authorizationType: 'NONE' });
apis.putIntegration(api.id, items.id, 'GET', {
  type: 'AWS_PROXY',
  integrationHttpMethod: 'POST',
  uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench-noop/invocations`,
});
server.control.enableCors(api.id, items.id, {});
// POST after Enable CORS, so the preflight's Allow-Methods stays what the bare server sends.
apis.putMethod(api.id, items.id, 'POST', { authorizationType: 'NONE' });
apis.putIntegration(api.id, items.id, 'POST', {
  type: 'AWS_PROXY',
  integrationHttpMethod: 'POST',
  uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench-noop/invocations`,
});
// The same Lambda behind a TOKEN authorizer (decisions cached, the default 300 s) and behind an API key whose usage
// plan throttles far above the load, so the key lookup, plan lookup and token bucket all run.
await functions.createFunction({
  FunctionName: 'bench-authorizer',
  Runtime: 'nodejs20.x',
  Role: 'arn:aws:iam::000000000000:role/bench',
  Handler: 'index.handler',
  Code: { Directory: fileURLToPath(new URL('./fixtures/allow-authorizer', import.meta.url)) },
});
const authorizer = server.control.parts.createAuthorizer(api.id, {
  name: 'bench',
  type: 'TOKEN',
  authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench-authorizer/invocations',
  identitySource: 'method.request.header.Authorization',
});
const lambdaIntegration = {
  type: 'AWS_PROXY',
  integrationHttpMethod: 'POST',
  uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench-noop/invocations`,
};
const secure = apis.createResource(api.id, api.rootResourceId, { pathPart: 'secure' });
apis.putMethod(api.id, secure.id, 'GET', { authorizationType: 'CUSTOM', authorizerId: authorizer.id });
apis.putIntegration(api.id, secure.id, 'GET', lambdaIntegration);
const keyed = apis.createResource(api.id, api.rootResourceId, { pathPart: 'keyed' });
apis.putMethod(api.id, keyed.id, 'GET', { authorizationType: 'NONE', apiKeyRequired: true });
apis.putIntegration(api.id, keyed.id, 'GET', lambdaIntegration);
deployments.createDeployment(api.id, { stageName: 'bench' });
const key = server.control.apiKeys.createApiKey({ name: 'bench', enabled: true, value: 'bench-api-key-0123456789abcdef' });
const plan = server.control.apiKeys.createUsagePlan({ name: 'bench', throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 }, apiStages: [{ apiId: api.id, stage: 'bench' }] });
server.control.apiKeys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
// The HTTP API: CorsConfiguration (automatic preflight) and GET /items to the same function, payload 2.0.
const h = server.control.httpApis;
const httpApi = h.createApi({
  name: 'bench-http',
  protocolType: 'HTTP',
  corsConfiguration: { allowOrigins: ['http://localhost:3000'], allowMethods: ['GET', 'POST'], allowHeaders: ['content-type'] },
});
const integration = h.createIntegration(httpApi.apiId, {
  integrationType: 'AWS_PROXY',
  integrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:bench-noop',
  payloadFormatVersion: '2.0',
});
h.createRoute(httpApi.apiId, { routeKey: 'GET /http/items', target: `integrations/${integration.integrationId}` });
h.createStage(httpApi.apiId, { stageName: '$default', autoDeploy: true });
announce({ port: server.port, pid: process.pid, host: `${api.id}.execute-api.localhost:${server.port}`, httpHost: `${httpApi.apiId}.execute-api.localhost:${server.port}` });
process.on('SIGINT', () => process.exit(0));
