// What REST API security adds to a Lambda proxy request (issue 6: "authorizer cache hit path and API key path add
// < 20% to the Lambda proxy request cost"). In-process, through the data plane and a warm Lambda environment, so HTTP
// and load-generator noise on a shared 2-core machine do not drown a difference of a few microseconds: CPU time of
// this process (gateway + worker threads) per request, for the same no-op function behind no auth, a cached TOKEN
// authorizer, and an API key with a usage plan. Run: npx tsx bench/security.ts
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/server.js';
const quiet = { info() {}, warn() {}, error: (m: string) => console.error(m), execution() {}, lambda() {} };
const server = await startServer({ port: 0, ephemeral: true, logger: quiet });
const { apis, deployments, functions } = server.control;
for (const [name, dir] of [['bench-noop', 'noop'], ['bench-authorizer', 'allow-authorizer']]) {
  await functions.createFunction({ FunctionName: name, Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/bench', Handler: 'index.handler', Code: { Directory: fileURLToPath(new URL(`./fixtures/${dir}`, import.meta.url)) } });
}
const api = apis.createRestApi({ name: 'b' });
const auth = server.control.parts.createAuthorizer(api.id, { name: 'a', type: 'TOKEN', authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench-authorizer/invocations', identitySource: 'method.request.header.Authorization' });
const integ = { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:bench-noop/invocations' };
for (const [p, m] of [['items', { authorizationType: 'NONE' }], ['secure', { authorizationType: 'CUSTOM', authorizerId: auth.id }], ['keyed', { authorizationType: 'NONE', apiKeyRequired: true }]] as const) {
  const r = apis.createResource(api.id, api.rootResourceId, { pathPart: p });
  apis.putMethod(api.id, r.id, 'GET', m);
  apis.putIntegration(api.id, r.id, 'GET', integ);
}
deployments.createDeployment(api.id, { stageName: 'bench' });
const key = server.control.apiKeys.createApiKey({ name: 'k', enabled: true, value: 'bench-api-key-0123456789abcdef' });
const plan = server.control.apiKeys.createUsagePlan({ name: 'p', throttle: { rateLimit: 1e9, burstLimit: 1e9 }, apiStages: [{ apiId: api.id, stage: 'bench' }] });
server.control.apiKeys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
const host = `${api.id}.execute-api.localhost:${server.port}`;
const req = (path: string, extra: string[]) => ({ method: 'GET', path, rawQuery: '', rawHeaders: ['Host', host, 'User-Agent', 'bench', ...extra], body: Buffer.alloc(0), sourceIp: '127.0.0.1', host, port: server.port, receivedAt: Date.now() });
const cases = { plain: ['/items', []], authorizer: ['/secure', ['Authorization', 'tok']], apikey: ['/keyed', ['x-api-key', 'bench-api-key-0123456789abcdef']] } as const;
async function run(name: keyof typeof cases, n: number) {
  const [path, extra] = cases[name];
  const t = process.cpuUsage();
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    const rs = await Promise.all(Array.from({ length: batch }, () => server.dataPlane.handle(api.id, `/bench${path}`, req(`/bench${path}`, [...extra]) as never)));
    if (rs[0]!.status !== 200) throw new Error(`${name} ${rs[0]!.status} ${String(rs[0]!.body)}`);
  }
  const c = process.cpuUsage(t);
  return { name, usPerReq: ((c.user + c.system) / n).toFixed(1) };
}
// Warm-up: JIT, the environment pool, the authorizer's cached decision.
for (const n of ['plain', 'authorizer', 'apikey'] as const) await run(n, 5000);
const rounds: Record<string, number[]> = { plain: [], authorizer: [], apikey: [] };
for (let round = 0; round < 3; round++) {
  for (const n of ['plain', 'authorizer', 'apikey'] as const) rounds[n]!.push(Number((await run(n, 40000)).usPerReq));
}
await server.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(rounds['plain']!);
console.log('REST Lambda proxy GET, CPU µs per request (median of 3 rounds of 40,000, in-process)');
for (const [name, label] of [['plain', 'no auth'], ['authorizer', 'TOKEN authorizer, cached'], ['apikey', 'API key + usage plan']] as const) {
  const m = median(rounds[name]!);
  console.log(`  ${label.padEnd(28)}${m.toFixed(1).padStart(7)}  ${name === 'plain' ? '' : `${((m / base - 1) * 100).toFixed(1)}% over no auth`}  (rounds: ${rounds[name]!.join(', ')})`);
}
