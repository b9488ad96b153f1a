import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/db.js';
import { canonicalJson, sha256 } from '../../src/util/canonical-json.js';
import { rawRequest, zipOf } from '../helpers/server.js';
import { seededRandom } from '../helpers/hardening.js';
import { runWorkload, verifyState, type Acknowledged } from '../helpers/crash-workload.js';

function start(dataDir: string, env: Record<string, string> = {}, resources = 1500): Promise<{ child: ChildProcess; port: number; apiId: string; lines: AsyncIterator<string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-server.ts', dataDir, String(resources)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    lines.next().then((first) => {
      if (first.done) return reject(new Error('server exited early'));
      resolve({ child, lines, ...(JSON.parse(first.value) as { port: number; apiId: string }) });
    }, reject);
    child.once('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal})`)));
  });
}

/**
 * SIGKILL while deployments are being written, several times over: after each restart the database is intact,
 * every deployment the server acknowledged is there, and no deployment is half-written (its snapshot parses and
 * matches its hash; stages point at deployments that exist). Kill times are seeded, so a failure replays.
 */
test('SIGKILL during deployments loses no acknowledged write and leaves nothing half-written', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-crash-'));
  const acknowledged = new Set<string>();
  const random = seededRandom(7);
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
      await new Promise((r) => setTimeout(r, 150 + random() * 250));
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

/**
 * Kill points instead of kill times: a workload of every kind of control-plane write (REST API, resource, method,
 * integration, deployment of a large API, function from a zip, function configuration, HTTP API with its auto-deployed
 * stage, API key) is counted in SQLite statements in a dry run; then, for kill points spread over that count, the
 * server SIGKILLs itself just before that statement (a BEGIN, a write, a COMMIT) and is restarted on the same state.
 * After every kill: the database passes integrity and foreign-key checks, every write the server acknowledged is there
 * as acknowledged (function code on disk included), and nothing is half-applied. `npm run soak` runs every kill point.
 */
test('SIGKILL at kill points across every kind of control-plane write: acknowledged writes survive, nothing half-applied', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'preflight-killpoints-'));
  const zip = Buffer.from(zipOf({ 'index.mjs': 'export const handler = async () => "ok";' })).toString('base64');
  const acknowledged: Acknowledged[] = [];
  try {
    // Dry run: how many statements one round of the workload runs.
    const dry = await start(dataDir, {}, 300);
    await runWorkload(dry.port, dry.apiId, 'dry', zip, acknowledged);
    const exitedDry = new Promise<void>((r) => dry.child.once('exit', () => r()));
    dry.child.kill('SIGTERM');
    const total = (JSON.parse((await dry.lines.next()).value as string) as { statements: number }).statements;
    await exitedDry;
    assert.ok(total > 20, `the workload runs statements (${total})`);
    verifyState(dataDir, acknowledged);

    // Kill points spread over the whole workload, first and last statements included; seeded.
    const random = seededRandom(11);
    const points = [1, total, ...Array.from({ length: 6 }, (_, i) => Math.max(1, Math.floor(((i + random()) * total) / 6)))];
    let survived = 0;
    for (const [i, point] of points.entries()) {
      const s = await start(dataDir, { PREFLIGHT_KILL_AT: String(point) }, 300);
      const exited = new Promise<string>((r) => s.child.once('exit', (code, signal) => r(String(signal ?? code))));
      await runWorkload(s.port, s.apiId, `k${i}`, zip, acknowledged);
      // A kill point past the end of the workload: end the server the same way.
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      verifyState(dataDir, acknowledged);
      survived++;
    }
    assert.equal(survived, points.length);
    // The state still serves: a server starts on it and lists every acknowledged REST API.
    const last = await start(dataDir, {}, 300);
    try {
      const listed = JSON.parse((await rawRequest(last.port, { method: 'GET', path: '/restapis?limit=500' })).body) as { item: { id: string }[] };
      const ids = new Set(listed.item.map((a) => a.id));
      for (const a of acknowledged) if (a.kind === 'restapi') assert.ok(ids.has(a.id), a.id);
    } finally {
      last.child.kill('SIGKILL');
    }
    assert.ok(acknowledged.length > 10);
    // Function code is unpacked before its row is written: every acknowledged function has its files.
    for (const a of acknowledged) if (a.kind === 'function') assert.ok(existsSync(a.codeFile!) && readFileSync(a.codeFile!, 'utf8').includes('handler'), a.id);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
