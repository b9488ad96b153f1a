/**
 * Reloading a definition into the API it created before (what `--watch` and a repeated `preflight import` do):
 * the API keeps its id, its contents are replaced, and the whole re-import is one control batch, so a definition
 * that fails to import leaves the API as it was (as AWS's PutRestApi mode=overwrite, one call that succeeds or fails
 * as a whole: AGDG api-gateway-import-api-update.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane } from '../../src/control/index.js';
import { IacError } from '../../src/iac/diagnostics.js';
import { loadFile } from '../../src/iac/load.js';
import { Store } from '../../src/store/db.js';

const dir = mkdtempSync(join(tmpdir(), 'pf-iac-reload-'));

/** An OpenAPI REST definition with `n` paths /pN/{id}, each a GET with a MOCK integration. */
function definition(n: number, rename: Record<string, string> = {}, integrationType = 'mock'): string {
  const paths: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const p = rename[`/p${i}/{id}`] ?? `/p${i}/{id}`;
    paths[p] = { get: { responses: { '200': { description: 'ok' } }, 'x-amazon-apigateway-integration': { type: integrationType, requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } } } };
  }
  return JSON.stringify({ openapi: '3.0.1', info: { title: 'big', version: '1' }, paths });
}

const pathsOf = (control: ControlPlane, apiId: string) => [...control.apis.loadTree(apiId).values()].map((n) => n.path);

test('a definition with more resources than one GetResources page (500) reloads into the same API', async () => {
  const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: join(dir, 'code') });
  const file = join(dir, 'big.json');
  writeFileSync(file, definition(300));
  const first = await loadFile(control, file, { workDir: dir });
  const apiId = first.apis[0]!.apiId;
  assert.equal(control.apis.loadTree(apiId).size, 601);
  writeFileSync(file, definition(300, { '/p7/{id}': '/p7b/{id}' }));
  const again = await loadFile(control, file, { workDir: dir, previous: first.state });
  assert.equal(again.apis[0]!.apiId, apiId);
  const paths = pathsOf(control, apiId);
  assert.equal(paths.length, 601, 'every old resource went, the first page and the rest');
  assert.ok(paths.includes('/p7b/{id}') && !paths.includes('/p7/{id}') && !paths.includes('/p7'));
  assert.deepEqual(again.changes, [`re-imported REST API ${apiId}`]);
});

test('a re-import that fails leaves the API as it was, still deployed', async () => {
  const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: join(dir, 'code') });
  const file = join(dir, 'small.json');
  writeFileSync(file, definition(3));
  const first = await loadFile(control, file, { workDir: dir });
  const apiId = first.apis[0]!.apiId;
  const before = { paths: pathsOf(control, apiId).sort(), stages: control.deployments.getStages(apiId) };
  // An integration type API Gateway does not have: ImportRestApi refuses the whole definition.
  writeFileSync(file, definition(4, {}, 'carrier-pigeon'));
  await assert.rejects(loadFile(control, file, { workDir: dir, previous: first.state }), (e: unknown) => {
    assert.ok(e instanceof IacError, String(e));
    assert.match(e.message, /carrier-pigeon|CARRIER-PIGEON/);
    return true;
  });
  assert.deepEqual({ paths: pathsOf(control, apiId).sort(), stages: control.deployments.getStages(apiId) }, before);
});
