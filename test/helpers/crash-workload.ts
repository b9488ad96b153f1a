// The control-plane workload of the kill-point tests (test/e2e/crash-consistency.test.ts, bench/soak.ts): one of each
// kind of write, through the AWS wire API, recording what the server acknowledged; and the check run on the state
// directory after every SIGKILL.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store/db.js';
import { ControlPlane, defaultCodeRoot } from '../../src/control/index.js';
import { canonicalJson, sha256 } from '../../src/util/canonical-json.js';
import { rawRequest, TEST_ROLE } from './server.js';

export interface Acknowledged {
  kind: 'restapi' | 'resource' | 'method' | 'integration' | 'deployment' | 'big-deployment' | 'function' | 'function-config' | 'httpapi' | 'apikey';
  id: string;
  apiId?: string;
  resourceId?: string;
  /** The zip's handler file, for functions. */
  codeFile?: string;
  expect?: Record<string, unknown>;
}

/**
 * Runs one round of writes; stops quietly when the server dies (the kill point was reached). Everything answered
 * with a 2xx is pushed to `acknowledged`.
 */
export async function runWorkload(port: number, bigApiId: string, tag: string, zipBase64: string, acknowledged: Acknowledged[]): Promise<number> {
  let requests = 0;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> } | undefined> => {
    try {
      requests++;
      const r = await rawRequest(port, { method, path, headers: { 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, json: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
    } catch {
      return undefined; // the server died under us
    }
  };
  const ok = (r: { status: number } | undefined) => r !== undefined && r.status >= 200 && r.status < 300;

  const api = await call('POST', '/restapis', { name: `api-${tag}` });
  if (!ok(api)) return requests;
  const apiId = api!.json['id'] as string;
  acknowledged.push({ kind: 'restapi', id: apiId, expect: { name: `api-${tag}` } });
  const root = await call('GET', `/restapis/${apiId}/resources`);
  if (!ok(root)) return requests;
  const rootId = ((root!.json['item'] as { id: string; path: string }[]).find((r) => r.path === '/'))!.id;
  const res = await call('POST', `/restapis/${apiId}/resources/${rootId}`, { pathPart: 'items' });
  if (!ok(res)) return requests;
  const resourceId = res!.json['id'] as string;
  acknowledged.push({ kind: 'resource', id: resourceId, apiId, expect: { path: '/items' } });
  if (!ok(await call('PUT', `/restapis/${apiId}/resources/${resourceId}/methods/GET`, { authorizationType: 'NONE' }))) return requests;
  acknowledged.push({ kind: 'method', id: 'GET', apiId, resourceId });
  if (!ok(await call('PUT', `/restapis/${apiId}/resources/${resourceId}/methods/GET/integration`, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }))) return requests;
  acknowledged.push({ kind: 'integration', id: 'GET', apiId, resourceId, expect: { type: 'MOCK' } });
  const dep = await call('POST', `/restapis/${apiId}/deployments`, { stageName: 'dev' });
  if (!ok(dep)) return requests;
  acknowledged.push({ kind: 'deployment', id: dep!.json['id'] as string, apiId, expect: { stage: 'dev' } });
  for (let i = 0; i < 2; i++) {
    const big = await call('POST', `/restapis/${bigApiId}/deployments`, { stageName: 'prod', description: `${tag}-${i}` });
    if (!ok(big)) return requests;
    acknowledged.push({ kind: 'big-deployment', id: big!.json['id'] as string, apiId: bigApiId });
  }
  const fn = `fn-${tag}`;
  const created = await call('POST', '/2015-03-31/functions', { FunctionName: fn, Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: zipBase64 } });
  if (!ok(created)) return requests;
  acknowledged.push({ kind: 'function', id: fn });
  if (!ok(await call('PUT', `/2015-03-31/functions/${fn}/configuration`, { Timeout: 7 }))) return requests;
  acknowledged.push({ kind: 'function-config', id: fn, expect: { Timeout: 7 } });
  const http = await call('POST', '/v2/apis', { name: `http-${tag}`, protocolType: 'HTTP', target: `arn:aws:lambda:us-east-1:000000000000:function:${fn}` });
  if (!ok(http)) return requests;
  acknowledged.push({ kind: 'httpapi', id: http!.json['apiId'] as string });
  const key = await call('POST', '/apikeys', { name: `key-${tag}`, enabled: true });
  if (!ok(key)) return requests;
  acknowledged.push({ kind: 'apikey', id: key!.json['id'] as string });
  return requests;
}

/** The state directory after a crash: intact, consistent, and holding every acknowledged write as acknowledged. */
export function verifyState(dataDir: string, acknowledged: Acknowledged[]): void {
  const store = new Store({ file: join(dataDir, 'state.db') });
  try {
    assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(store.db.pragma('foreign_key_check'), [], 'no dangling references');
    const control = new ControlPlane(store, { codeRoot: defaultCodeRoot(dataDir) });
    for (const a of acknowledged) {
      switch (a.kind) {
        case 'restapi':
          assert.equal(control.apis.getRestApi(a.id).name, a.expect!['name']);
          break;
        case 'resource':
          assert.equal(control.apis.getResource(a.apiId!, a.id).path, a.expect!['path']);
          break;
        case 'method':
          control.apis.getMethod(a.apiId!, a.resourceId!, a.id);
          break;
        case 'integration':
          assert.equal(control.apis.getMethod(a.apiId!, a.resourceId!, a.id).methodIntegration?.type, a.expect!['type']);
          break;
        case 'deployment':
        case 'big-deployment':
          control.deployments.getDeployment(a.apiId!, a.id);
          break;
        case 'function': {
          const f = control.functions.get(a.id);
          a.codeFile = join(f.code.directory, 'index.mjs');
          assert.ok(existsSync(a.codeFile), `code of ${a.id}`);
          break;
        }
        case 'function-config':
          assert.equal(control.functions.get(a.id).configuration.Timeout, a.expect!['Timeout']);
          break;
        case 'httpapi':
          control.httpApis.getApi(a.id);
          break;
        case 'apikey':
          control.apiKeys.getApiKey(a.id);
          break;
      }
    }
    // Nothing half-written, acknowledged or not: full snapshots matching their hashes, stages on existing
    // deployments, quick-created HTTP APIs with their deployed $default stage, functions with their code.
    const deployments = store.db.prepare('SELECT api_id, id, snapshot, snapshot_hash FROM deployments').all() as { api_id: string; id: string; snapshot: string; snapshot_hash: string }[];
    const ids = new Set(deployments.map((d) => `${d.api_id}/${d.id}`));
    for (const d of deployments) assert.equal(sha256(canonicalJson(JSON.parse(d.snapshot))), d.snapshot_hash, `deployment ${d.id}`);
    for (const s of store.db.prepare('SELECT api_id, deployment_id FROM stages').all() as { api_id: string; deployment_id: string }[]) {
      assert.ok(ids.has(`${s.api_id}/${s.deployment_id}`), 'a stage points at a deployment that exists');
    }
    for (const api of control.httpApis.getApis()) {
      if (!api.name.startsWith('http-')) continue;
      const stage = control.httpApis.findStage(api.apiId, '$default');
      assert.ok(stage?.deploymentId, `quick-created ${api.apiId} has its auto-deployed $default stage`);
    }
    for (const f of control.functions.listFunctions({ MaxItems: 10_000 }).Functions) {
      assert.ok(existsSync(control.functions.get(f.FunctionName!).code.directory), `code directory of ${f.FunctionName}`);
    }
  } finally {
    store.close();
  }
}
