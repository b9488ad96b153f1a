/**
 * `preflight start TEMPLATE --watch` (src/iac/watch.ts) with the server's Lambda runtime, as the CLI runs them:
 * - an edit to handler code served from a directory (CodeUri: src/) is picked up by the runtime's hot reload alone:
 *   the next invocation runs it in a fresh environment, and the function is not rewritten in the store (no
 *   UpdateFunctionCode, its RevisionId stays);
 * - a template edit re-imports what changed into the same API id;
 * - a new .zip at a CodeUri is a new deployment package: UpdateFunctionCode with it (a new RevisionId, as Lambda gives
 *   every code update: botocore UpdateFunctionCode "RevisionId ... changes when the function is updated").
 * Not AWS behaviour beyond that: AWS has no watch mode; `sam sync --watch` is the closest.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFile, type LoadResult } from '../../src/iac/load.js';
import { TemplateWatcher } from '../../src/iac/watch.js';
import { rawRequest, startTestServer, zipOf, type TestServer } from '../helpers/server.js';

const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/iac/${p}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pf-iac-watch-'));
const workDir = join(dir, 'work');
let server: TestServer;
let watcher: TemplateWatcher;
const info: string[] = [];
const errors: string[] = [];
const reloaded: LoadResult[] = [];
const codeUpdated: string[] = [];
let notes: LoadResult;
let zipped: LoadResult;

const zipHandler = (body: string) => zipOf({ 'index.mjs': `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} });\n` });

before(async () => {
  mkdirSync(join(dir, 'src'));
  copyFileSync(fixture('sam-rest-cors/template.yaml'), join(dir, 'template.yaml'));
  copyFileSync(fixture('sam-rest-cors/src/notes.mjs'), join(dir, 'src', 'notes.mjs'));
  writeFileSync(join(dir, 'pkg.zip'), zipHandler('zip v1'));
  writeFileSync(
    join(dir, 'zipped.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Zipped:',
      '    Type: AWS::Serverless::Function',
      '    Properties: {FunctionName: zipped, Runtime: nodejs20.x, Handler: index.handler, CodeUri: pkg.zip, Events: {Get: {Type: Api, Properties: {Path: /zipped, Method: get}}}}',
      '',
    ].join('\n'),
  );
  server = await startTestServer();
  notes = await loadFile(server.control, join(dir, 'template.yaml'), { workDir });
  zipped = await loadFile(server.control, join(dir, 'zipped.yaml'), { workDir });
  watcher = new TemplateWatcher(server.control, { workDir }, {
    info: (m) => info.push(m),
    error: (m) => errors.push(m),
    reloaded: (r) => reloaded.push(r),
    codeUpdated: (name) => codeUpdated.push(name),
  });
  watcher.add(notes);
  watcher.add(zipped);
});
after(async () => {
  watcher?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; info: ${JSON.stringify(info)}; errors: ${JSON.stringify(errors)}`);
    await sleep(20);
  }
}
const restPath = (r: LoadResult, stage: string, path: string) => `/restapis/${r.apis[0]!.apiId}/${stage}/_user_request_${path}`;
const get = (r: LoadResult, stage: string, path: string) => rawRequest(server.port, { method: 'GET', path: restPath(r, stage, path) });

test('a handler edit under CodeUri: the runtime\'s hot reload runs it next, the function is not rewritten', async () => {
  const first = await get(notes, 'dev', '/notes');
  assert.equal(first.status, 200);
  assert.equal(JSON.parse(first.body).stage, 'dev');
  const revision = server.control.functions.get('notes-dev').configuration.RevisionId;
  const source = readFileSync(join(dir, 'src', 'notes.mjs'), 'utf8');
  writeFileSync(join(dir, 'src', 'notes.mjs'), source.replace('stage: process.env.STAGE', "stage: 'edited-' + process.env.STAGE"));
  await until('the edited handler to answer', async () => JSON.parse((await get(notes, 'dev', '/notes')).body).stage === 'edited-dev');
  assert.equal(server.control.functions.get('notes-dev').configuration.RevisionId, revision, 'no UpdateFunctionCode');
  assert.ok(server.logs.some((l) => l === `info function notes-dev: code changed in ${join(dir, 'src')}; the next invocation runs it in a fresh environment`), JSON.stringify(server.logs.filter((l) => l.startsWith('info'))));
  assert.ok(!info.some((m) => m.includes('notes-dev')), JSON.stringify(info));
  assert.deepEqual(errors, []);
});

test('a template edit re-imports the API into the same id', async () => {
  const apiId = notes.apis[0]!.apiId;
  const template = readFileSync(join(dir, 'template.yaml'), 'utf8');
  writeFileSync(join(dir, 'template.yaml'), template.replace(`MaxAge: "'600'"`, `MaxAge: "'300'"`));
  await until('the reload', () => reloaded.length === 1);
  assert.equal(reloaded[0]!.apis.find((a) => a.logicalId === 'NotesApi')!.apiId, apiId);
  assert.ok(info.some((m) => m === `${join(dir, 'template.yaml')} changed: re-imported REST API NotesApi (${apiId})`), JSON.stringify(info));
  const pre = await rawRequest(server.port, { method: 'OPTIONS', path: restPath(notes, 'dev', '/notes'), headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers['access-control-max-age'], '300');
  assert.deepEqual(errors, []);
});

test('a new .zip at CodeUri: UpdateFunctionCode with it, the next invocation runs it', async () => {
  assert.equal((await get(zipped, 'Prod', '/zipped')).body, 'zip v1');
  const revision = server.control.functions.get('zipped').configuration.RevisionId;
  // Build tools write the package elsewhere and move it into place.
  writeFileSync(join(dir, 'pkg.zip.partial'), zipHandler('zip v2'));
  renameSync(join(dir, 'pkg.zip.partial'), join(dir, 'pkg.zip'));
  await until('the code update', () => codeUpdated.includes('zipped'));
  assert.equal((await get(zipped, 'Prod', '/zipped')).body, 'zip v2');
  assert.notEqual(server.control.functions.get('zipped').configuration.RevisionId, revision);
  assert.ok(info.some((m) => m.startsWith(`function zipped: new package ${join(dir, 'pkg.zip')}; the next invocation runs it (`)), JSON.stringify(info));
  assert.deepEqual(codeUpdated, ['zipped'], 'only the function deployed from the zip');
  assert.deepEqual(errors, []);
});
