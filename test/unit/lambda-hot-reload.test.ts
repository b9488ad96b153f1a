/**
 * Hot reload of functions served from a directory (src/lambda/code-watcher.ts, LambdaRuntime): after an edit the
 * next invocation runs the new code in a fresh environment, while an invocation in flight finishes on the old code.
 * Not an AWS feature: it stands in for the deploy a real function would need (UpdateFunctionCode also starts new
 * environments on AWS, LDG lambda-runtime-environment.md).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LambdaRuntime } from '../../src/lambda/runtime.js';
import type { FunctionSpec } from '../../src/lambda/spec.js';

const messages: string[] = [];
const runtime = new LambdaRuntime({ onMessage: (_level, m) => messages.push(m), hotReloadDebounceMs: 50 });
const dirs: string[] = [];
after(async () => {
  await runtime.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function codeDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-reload-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function spec(name: string, runtimeId: string, dir: string, handler: string): FunctionSpec {
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime: runtimeId,
    handler,
    codeDirectory: dir,
    codeVersion: 'same',
    timeoutSeconds: 5,
    memoryMb: 128,
    environment: {},
    region: 'us-east-1',
    watchCode: true,
  };
}

async function reloaded(name: string, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  const seen = () => messages.filter((m) => m.startsWith(`function ${name}: code changed`)).length;
  while (seen() < count) {
    if (Date.now() > deadline) assert.fail(`no reload of ${name}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const nodeSource = (version: string) =>
  `exports.handler = async (event) => { if (event.ms) await new Promise((r) => setTimeout(r, event.ms)); return '${version}'; };`;

describe('hot reload', () => {
  it('runs edited Node.js code in a fresh environment; the invocation in flight finishes on the old code', async () => {
    const dir = codeDir({ 'package.json': '{"type":"commonjs"}', 'index.js': nodeSource('v1') });
    const s = spec('reload-node', 'nodejs20.x', dir, 'index.handler');
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '"v1"');
    const inFlight = runtime.invoke(s, { payload: '{"ms":400}' });
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(join(dir, 'index.js'), nodeSource('v2'));
    await reloaded('reload-node', 1);
    const fresh = await runtime.invoke(s, { payload: '{}' });
    assert.equal(fresh.payload, '"v2"');
    assert.ok(fresh.initDurationMs !== undefined, 'a new environment');
    assert.equal((await inFlight).payload, '"v1"', 'the invocation in flight finished on the old code');
  });

  it('reloads a module in a subdirectory too', async () => {
    const dir = codeDir({ 'package.json': '{"type":"commonjs"}', 'index.js': "exports.handler = async () => require('./lib/value').value;" });
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'value.js'), "exports.value = 'a';");
    const s = spec('reload-sub', 'nodejs20.x', dir, 'index.handler');
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '"a"');
    writeFileSync(join(dir, 'lib', 'value.js'), "exports.value = 'b';");
    await reloaded('reload-sub', 1);
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '"b"');
  });

  it('reloads Python code', async () => {
    const dir = codeDir({ 'app.py': 'def handler(event, context):\n    return "py1"\n' });
    const s = spec('reload-py', 'python3.12', dir, 'app.handler');
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '"py1"');
    writeFileSync(join(dir, 'app.py'), 'def handler(event, context):\n    return "py2"\n');
    await reloaded('reload-py', 1);
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '"py2"');
  });
});
