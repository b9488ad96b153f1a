// The mixed-traffic-while-deploying scenario of test/e2e/hardening-load.test.ts and bench/soak.ts: CORS preflights,
// Lambda proxy calls, authorizer refusals and approvals, API-key quota refusals, unknown routes and a versioned MOCK,
// all on one REST API that is redeployed (template, a new resource and a stage variable changing together) while the
// traffic runs. Loopback only; seeded.
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '../../src/server/server.js';
import { lambdaUri, TEST_ROLE } from './server.js';
import { seededRandom } from './hardening.js';

export interface Reply {
  status: number;
  body: string;
}

export function send(agent: http.Agent, port: number, host: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { Host: host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end();
  });
}

/** Runs `tasks` with at most `width` in flight. */
export async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** The functions the scenarios use, created from directories under `codeDir`. */
export async function createScenarioFunctions(server: RunningServer, codeDir: string): Promise<void> {
  const fn = async (name: string, source: string) => {
    mkdirSync(join(codeDir, name), { recursive: true });
    writeFileSync(join(codeDir, name, 'index.mjs'), source);
    await server.control.functions.createFunction({ FunctionName: name, Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: join(codeDir, name) } });
  };
  await fn('echo', "export const handler = async (e) => ({ statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ principal: e.requestContext?.authorizer?.principalId ?? e.requestContext?.authorizer?.lambda?.token ?? null, token: e.requestContext?.authorizer?.token ?? null }) });");
  // TOKEN authorizer: allow-* tokens are allowed, with the token as principal and in the context; others denied.
  await fn('token-auth', "export const handler = async (e) => { const t = e.authorizationToken; const allow = t.startsWith('allow-'); return { principalId: t, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: allow ? 'Allow' : 'Deny', Resource: e.methodArn }] }, context: { token: t } }; };");
  // An authorizer whose policy covers the whole API (as AWS recommends when caching), and a stricter one: nothing.
  await fn('allow-any', "export const handler = async (e) => ({ principalId: e.authorizationToken, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] } });");
  await fn('deny-all', "export const handler = async (e) => ({ principalId: 'nobody', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: '*' }] } });");
  // REQUEST authorizer over a header and a query parameter: allowed only when they agree.
  await fn('pair-auth', "export const handler = async (e) => { const h = Object.entries(e.headers).find(([k]) => k.toLowerCase() === 'x-user')?.[1]; const q = e.queryStringParameters.user; return { principalId: `${h}|${q}`, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: h === q ? 'Allow' : 'Deny', Resource: '*' }] }, context: { token: `${h}|${q}` } }; };");
  // HTTP API Lambda authorizer with simple responses.
  await fn('simple-auth', "export const handler = async (e) => ({ isAuthorized: e.headers.authorization.startsWith('allow-'), context: { token: e.headers.authorization } });");
}

export type Kind = 'preflight' | 'proxy' | 'no-token' | 'denied' | 'allowed' | 'keyed' | 'version' | 'unknown';
const KINDS: Kind[] = ['preflight', 'proxy', 'no-token', 'denied', 'allowed', 'keyed', 'version', 'unknown'];

export interface MixedLoad {
  /** Sends `total` requests (16 at a time) while up to `deployments` deployments happen; returns what was seen. */
  run(total: number, deployments: number, seed: number): Promise<LoadRound>;
  quota: number;
}

export interface LoadRound {
  requests: number;
  deployed: number;
  keyedOk: number;
  keyedTotal: number;
  statuses: Map<string, number>;
  /** Responses that break a rule: a 5xx, a wrong status for their kind, another token's decision, a mixed deployment. */
  violations: string[];
}

/** Sets up the API (with its own usage plan of `quota` requests a day) and returns the scenario to run on it. */
export function mixedLoad(server: RunningServer, agent: http.Agent, quota: number): MixedLoad {
  const { apis, deployments, parts, apiKeys } = server.control;
  const api = apis.createRestApi({ name: 'load' });
  const root = api.rootResourceId;
  const mock = (resourceId: string, method: string, template: string) => {
    apis.putMethod(api.id, resourceId, method, { authorizationType: 'NONE' });
    apis.putIntegration(api.id, resourceId, method, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    apis.putMethodResponse(api.id, resourceId, method, '200', {});
    apis.putIntegrationResponse(api.id, resourceId, method, '200', { responseTemplates: { 'application/json': template } });
  };
  const items = apis.createResource(api.id, root, { pathPart: 'items' });
  apis.putMethod(api.id, items.id, 'GET', { authorizationType: 'NONE' });
  apis.putIntegration(api.id, items.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') });
  server.control.enableCors(api.id, items.id, { allowOrigin: '*' });
  const secure = apis.createResource(api.id, root, { pathPart: 'secure' });
  const authorizerId = parts.createAuthorizer(api.id, { name: 'tok', type: 'TOKEN', authorizerUri: lambdaUri('token-auth'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300 }).id;
  apis.putMethod(api.id, secure.id, 'GET', { authorizationType: 'CUSTOM', authorizerId });
  apis.putIntegration(api.id, secure.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('echo') });
  const keyed = apis.createResource(api.id, root, { pathPart: 'keyed' });
  apis.putMethod(api.id, keyed.id, 'GET', { authorizationType: 'NONE', apiKeyRequired: true });
  apis.putIntegration(api.id, keyed.id, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
  apis.putMethodResponse(api.id, keyed.id, 'GET', '200', {});
  apis.putIntegrationResponse(api.id, keyed.id, 'GET', '200', {});
  const version = apis.createResource(api.id, root, { pathPart: 'v' });
  // Each deployment puts its number in the template and in a stage variable: a response mixing two deployments'
  // halves would show two numbers.
  mock(version.id, 'GET', '{"tpl":"0","var":"$stageVariables.v"}');
  deployments.createDeployment(api.id, { stageName: 'dev', variables: { v: '0' } });
  const key = apiKeys.createApiKey({ name: 'load', enabled: true });
  const plan = apiKeys.createUsagePlan({ name: 'load', quota: { limit: quota, period: 'DAY' }, apiStages: [{ apiId: api.id, stage: 'dev' }] });
  apiKeys.createUsagePlanKey(plan.id, { keyId: key.id, keyType: 'API_KEY' });
  const host = `${api.id}.execute-api.localhost:${server.port}`;
  let deploymentNumber = 0;

  const request = (kind: Kind, i: number): Promise<Reply> => {
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => send(agent, server.port, host, path, method, headers);
    switch (kind) {
      case 'preflight':
        return get('/dev/items', { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' }, 'OPTIONS');
      case 'proxy':
        return get('/dev/items');
      case 'no-token':
        return get('/dev/secure');
      case 'denied':
        return get('/dev/secure', { Authorization: `deny-${i % 7}` });
      case 'allowed':
        return get('/dev/secure', { Authorization: `allow-${i % 40}` });
      case 'keyed':
        return get('/dev/keyed', { 'x-api-key': key.value! });
      case 'version':
        return get('/dev/v');
      default:
        return get(`/dev/nothing/${i}`);
    }
  };

  const check = (kind: Kind, r: Reply, i: number): string | undefined => {
    const expect = (ok: boolean) => (ok ? undefined : `${kind}: ${r.status} ${r.body.slice(0, 200)}`);
    if (r.status >= 500) return expect(false);
    switch (kind) {
      case 'preflight':
      case 'proxy':
        return expect(r.status === 200);
      case 'no-token':
        return expect(r.status === 401);
      case 'denied':
        return expect(r.status === 403);
      case 'allowed': {
        const token = `allow-${i % 40}`;
        return expect(r.status === 200 && r.body === JSON.stringify({ principal: token, token }));
      }
      case 'keyed':
        return expect(r.status === 200 || r.status === 429);
      case 'version': {
        const v = r.status === 200 ? (JSON.parse(r.body) as { tpl: string; var: string }) : undefined;
        return expect(v !== undefined && v.tpl === v.var);
      }
      default:
        // REST: an unknown route is 403 Missing Authentication Token.
        return expect(r.status === 403);
    }
  };

  return {
    quota,
    async run(total, maxDeployments, seed) {
      const random = seededRandom(seed);
      let deployed = 0;
      let stop = false;
      const deployer = (async () => {
        while (!stop && deployed < maxDeployments) {
          const n = ++deploymentNumber;
          // A real change in each deployment: the template, a new resource, and the stage variable.
          apis.putIntegrationResponse(api.id, version.id, 'GET', '200', { responseTemplates: { 'application/json': `{"tpl":"${n}","var":"$stageVariables.v"}` } });
          const extra = apis.createResource(api.id, root, { pathPart: `r${n}` });
          mock(extra.id, 'GET', `{"r":${n}}`);
          deployments.createDeployment(api.id, { stageName: 'dev', variables: { v: String(n) } });
          deployed++;
          await new Promise((r) => setTimeout(r, 5 + Math.floor(random() * 20)));
        }
      })();
      const kinds = Array.from({ length: total }, () => KINDS[Math.floor(random() * KINDS.length)]!);
      const replies = await pool(kinds.map((k, i) => () => request(k, i)), 16);
      stop = true;
      await deployer;
      const statuses = new Map<string, number>();
      const violations: string[] = [];
      let keyedOk = 0;
      replies.forEach((r, i) => {
        const kind = kinds[i]!;
        statuses.set(`${kind} ${r.status}`, (statuses.get(`${kind} ${r.status}`) ?? 0) + 1);
        const v = check(kind, r, i);
        if (v) violations.push(v);
        if (kind === 'keyed' && r.status === 200) keyedOk++;
      });
      return { requests: total, deployed, keyedOk, keyedTotal: kinds.filter((k) => k === 'keyed').length, statuses, violations };
    },
  };
}
