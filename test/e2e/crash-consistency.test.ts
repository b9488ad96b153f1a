import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/db.js';
import { canonicalJson, sha256 } from '../../src/util/canonical-json.js';
import { rawRequest } from '../helpers/server.js';

function start(dataDir: string): Promise<{ child: ChildProcess; port: number; apiId: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-server.ts', dataDir, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, ...(JSON.parse(line) as { port: number; apiId: string }) }));
    child.once('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal})`)));
  });
}

/**
 * SIGKILL while deployments are being written, several times over: after each restart the database is intact,
 * every deployment the server acknowledged is there, and no deployment is half-written (its snapshot parses and
 * matches its hash; stages point at deployments that exist).
 */
test('SIGKILL during deployments loses no acknowledged write and leaves nothing half-written', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-crash-'));
  const acknowledged = new Set<string>();
  let apiId = '';
  try {
    for (let round = 0; round < 6; round++) {
      const s = await start(dataDir);
      apiId = s.apiId;
      const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
      let stop = false;
      const loop = (async () => {
        while (!stop) {
          try {
            const r = await rawRequest(s.port, {
              method: 'POST',
              path: `/restapis/${s.apiId}/deployments`,
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ stageName: 'prod', description: `round ${round}` }),
            });
            if (r.status === 201) acknowledged.add((JSON.parse(r.body) as { id: string }).id);
          } catch {
            return; // the server died under us
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 250));
      s.child.kill('SIGKILL');
      stop = true;
      await exited;
      await loop;

      const store = new Store({ file: join(dataDir, 'state.db') });
      try {
        assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
        const rows = store.db.prepare('SELECT id, snapshot, snapshot_hash FROM deployments WHERE api_id = ?').all(apiId) as { id: string; snapshot: string; snapshot_hash: string }[];
        const ids = new Set(rows.map((r) => r.id));
        for (const id of acknowledged) assert.ok(ids.has(id), `acknowledged deployment ${id} survived round ${round}`);
        for (const r of rows) {
          const snapshot = JSON.parse(r.snapshot) as { resources: unknown[] };
          assert.equal(snapshot.resources.length, 1501, 'a full snapshot');
          assert.equal(sha256(canonicalJson(snapshot)), r.snapshot_hash);
        }
        const stages = store.db.prepare('SELECT deployment_id FROM stages WHERE api_id = ?').all(apiId) as { deployment_id: string }[];
        for (const st of stages) assert.ok(ids.has(st.deployment_id), 'the stage points at a deployment that exists');
      } finally {
        store.close();
      }
    }
    assert.ok(acknowledged.size > 0, 'some deployments were acknowledged');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
