/**
 * ControlPlane.batch (src/control/batch.ts): what importers use to run many control operations as one unit. Not an
 * AWS API: AWS's ImportRestApi / PutRestApi are single calls that succeed or fail as a whole, which is what a batch
 * gives the importers. Also the resource-tree operations an import leans on (createResource, deleteResource), which
 * no longer read the whole tree per call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlPlane } from '../../src/control/index.js';
import type { ControlEvent } from '../../src/control/events.js';
import { Store } from '../../src/store/db.js';

function controlPlane(): { control: ControlPlane; seen: ControlEvent[] } {
  const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: '/tmp/pf-unit-batch-code' });
  const seen: ControlEvent[] = [];
  control.events.on((e) => seen.push(e));
  return { control, seen };
}

const paths = (control: ControlPlane, apiId: string) => [...control.apis.loadTree(apiId).values()].map((n) => n.path).sort();

test('a batch is one transaction: change events wait for the commit and come once per API', () => {
  const { control, seen } = controlPlane();
  const a = control.apis.createRestApi({ name: 'a' });
  const b = control.apis.createRestApi({ name: 'b' });
  seen.length = 0;
  const created = control.batch(() => {
    const users = control.apis.createResource(a.id, a.rootResourceId, { pathPart: 'users' });
    control.apis.createResource(a.id, users.id, { pathPart: '{id}' });
    control.apis.putMethod(a.id, users.id, 'GET', { authorizationType: 'NONE' });
    control.apis.createResource(b.id, b.rootResourceId, { pathPart: 'items' });
    // A batch inside a batch is part of it.
    control.batch(() => control.apis.createResource(a.id, a.rootResourceId, { pathPart: 'orders' }));
    assert.deepEqual(seen, [], 'nothing announced before the commit');
    return users.id;
  });
  assert.match(created, /^[a-z0-9]{6}$/);
  assert.deepEqual(seen, [
    { kind: 'restapi', apiId: a.id },
    { kind: 'restapi', apiId: b.id },
  ]);
  assert.deepEqual(paths(control, a.id), ['/', '/orders', '/users', '/users/{id}']);
});

test('a batch that fails leaves nothing behind, nested operations included', () => {
  const { control } = controlPlane();
  const api = control.apis.createRestApi({ name: 'a' });
  assert.throws(
    () =>
      control.batch(() => {
        control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
        control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' }); // ConflictException
      }),
    { name: 'ConflictException', message: 'Another resource with the same parent already has this name: users' },
  );
  assert.deepEqual(paths(control, api.id), ['/']);
  // An operation that fails inside a batch whose caller carries on rolls back alone (a savepoint).
  control.batch(() => {
    control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'a' });
    assert.throws(() => control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'a b' }), { name: 'BadRequestException' });
    control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'b' });
  });
  assert.deepEqual(paths(control, api.id), ['/', '/a', '/b']);
});

test('a batch must be synchronous: an async function is refused and what it did rolled back', () => {
  const { control } = controlPlane();
  const api = control.apis.createRestApi({ name: 'a' });
  assert.throws(
    () =>
      control.batch(async () => {
        control.apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
      }),
    { name: 'TypeError', message: 'control batch: the function must be synchronous (a transaction cannot span an await)' },
  );
  assert.deepEqual(paths(control, api.id), ['/']);
});

test('HTTP API stages with autoDeploy deploy once per batch, with everything the batch did', () => {
  const { control } = controlPlane();
  const h = control.httpApis;
  const api = h.createApi({ name: 'auto', protocolType: 'HTTP' });
  h.createStage(api.apiId, { stageName: '$default', autoDeploy: true });
  const count = () => h.getDeployments(api.apiId).length;
  const start = count();
  h.createRoute(api.apiId, { routeKey: 'GET /one' });
  assert.equal(count(), start + 1, 'outside a batch every change deploys (AWS: automatic deployments)');
  control.batch(() => {
    for (const p of ['two', 'three', 'four']) h.createRoute(api.apiId, { routeKey: `GET /${p}` });
    assert.equal(count(), start + 1, 'not before the batch ends');
  });
  assert.equal(count(), start + 2);
  const stage = h.getStage(api.apiId, '$default');
  const served = h.loadSnapshot(api.apiId, stage.deploymentId!)!.routes.map((r) => r.routeKey).sort();
  assert.deepEqual(served, ['GET /four', 'GET /one', 'GET /three', 'GET /two']);
  // A batch that changes nothing deploys nothing.
  control.batch(() => h.getRoutes(api.apiId));
  assert.equal(count(), start + 2);
});

test('createResource and deleteResource in a large tree: siblings checked, subtrees removed with their methods', () => {
  const { control } = controlPlane();
  const api = control.apis.createRestApi({ name: 'big' });
  const root = api.rootResourceId;
  control.batch(() => {
    for (let i = 0; i < 600; i++) {
      const r = control.apis.createResource(api.id, root, { pathPart: `r${i}` });
      const id = control.apis.createResource(api.id, r.id, { pathPart: '{id}' });
      control.apis.putMethod(api.id, id.id, 'GET', { authorizationType: 'NONE' });
    }
  });
  assert.equal(control.apis.loadTree(api.id).size, 1201);
  const r7 = [...control.apis.loadTree(api.id).values()].find((n) => n.path === '/r7')!;
  const deep = control.apis.createResource(api.id, [...control.apis.loadTree(api.id).values()].find((n) => n.path === '/r7/{id}')!.id, { pathPart: 'history' });
  assert.equal(deep.path, '/r7/{id}/history');
  assert.throws(() => control.apis.createResource(api.id, r7.id, { pathPart: '{other}' }), { message: 'A sibling ({id}) of this resource already has a variable path part -- only one is allowed' });
  assert.throws(() => control.apis.createResource(api.id, root, { pathPart: 'r599' }), { message: 'Another resource with the same parent already has this name: r599' });
  control.apis.deleteResource(api.id, r7.id);
  const left = control.apis.loadTree(api.id);
  assert.equal(left.size, 1201 + 1 - 3, '/r7, /r7/{id} and /r7/{id}/history went');
  assert.ok(![...left.values()].some((n) => n.path.startsWith('/r7/') || n.path === '/r7'));
  assert.ok([...left.values()].some((n) => n.path === '/r70/{id}'), 'a sibling whose name starts the same stays');
  assert.throws(() => control.apis.deleteResource(api.id, r7.id), { message: 'Invalid Resource identifier specified' });
  assert.equal(control.deployments.snapshot(api.id).resources.filter((r) => r.resourceMethods?.['GET']).length, 599);
});
