/**
 * TypeScript handlers (src/lambda/typescript.ts): transpiled on load with esbuild, CommonJS or ES module by the same
 * rules as their compiled JavaScript, with source maps so stack traces point at the .ts lines. Not AWS behaviour
 * (Lambda runs JavaScript); errors are reported as the AWS Node.js runtime reports the JavaScript equivalents
 * (aws-lambda-nodejs-runtime-interface-client src/UserFunction.js, src/Errors.js).
 *
 * The handlers are written to a temporary directory: as files under test/ the project's own type check would
 * compile them (and the one with a syntax error on purpose would fail it).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LambdaRuntime } from '../../src/lambda/runtime.js';
import type { FunctionSpec } from '../../src/lambda/spec.js';

let root: string;
const runtime = new LambdaRuntime();

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'preflight-ts-'));
  write({
    'cjs/package.json': '{"type":"commonjs"}',
    'cjs/greet.ts': ['export interface Greeting {', '  message: string;', '}', '', 'export function greet(name: string): Greeting {', '  return { message: `hello ${name}` };', '}', ''].join('\n'),
    'cjs/index.ts': [
      "import { greet, type Greeting } from './greet';",
      '',
      'let calls = 0;',
      '',
      'export const handler = async (event: { name?: string; fail?: boolean }): Promise<Greeting & { calls: number }> => {',
      '  calls += 1;',
      '  if (event.fail) {',
      "    throw new Error('failed in TypeScript');",
      '  }',
      "  return { ...greet(event.name ?? 'world'), calls };",
      '};',
      '',
    ].join('\n'),
    'esm/package.json': '{"type":"module"}',
    'esm/util.ts': 'export const double = (n: number): number => n * 2;\n',
    'esm/index.ts': [
      "import { double } from './util.js';",
      '',
      'const base: number = await Promise.resolve(21);',
      '',
      'export async function handler(event: { fail?: boolean }): Promise<{ value: number }> {',
      "  if (event.fail) throw new TypeError('failed in an ES module');",
      '  return { value: double(base) };',
      '}',
      '',
    ].join('\n'),
    // import.meta exists only in ES modules.
    'mts/app.mts': "export const handler = async (): Promise<string> => import.meta.url.split('/').pop() ?? '';\n",
    'syntax/package.json': '{"type":"commonjs"}',
    'syntax/index.ts': 'export const handler = async (): Promise<string> => {\n  const x: number = ;\n  return String(x);\n};\n',
  });
});
after(async () => {
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
});

let seq = 0;
function spec(dir: string, handler = 'index.handler'): FunctionSpec {
  const name = `ts-${++seq}`;
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime: 'nodejs20.x',
    handler,
    codeDirectory: join(root, dir),
    codeVersion: '1',
    timeoutSeconds: 10,
    memoryMb: 256,
    environment: {},
    region: 'us-east-1',
  };
}

describe('TypeScript handlers', () => {
  it('runs a CommonJS .ts handler importing another .ts file, and keeps module state', async () => {
    const s = spec('cjs');
    assert.equal((await runtime.invoke(s, { payload: '{"name":"ts"}' })).payload, '{"message":"hello ts","calls":1}');
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '{"message":"hello world","calls":2}');
  });

  it('points stack traces at the .ts line (source maps)', async () => {
    const r = await runtime.invoke(spec('cjs'), { payload: '{"fail":true}' });
    assert.equal(r.functionError, 'Unhandled');
    const err = JSON.parse(r.payload) as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'failed in TypeScript');
    assert.equal(err.trace[1], `    at handler (${join(root, 'cjs', 'index.ts')}:8:11)`);
  });

  it('runs an ES module .ts handler ("type": "module", top-level await, NodeNext ./util.js import)', async () => {
    const s = spec('esm');
    assert.equal((await runtime.invoke(s, { payload: '{}' })).payload, '{"value":42}');
    const failed = JSON.parse((await runtime.invoke(s, { payload: '{"fail":true}' })).payload) as { errorType: string; trace: string[] };
    assert.equal(failed.errorType, 'TypeError');
    assert.equal(failed.trace[1], `    at handler (${join(root, 'esm', 'index.ts')}:6:25)`);
  });

  it('treats .mts as an ES module', async () => {
    assert.equal((await runtime.invoke(spec('mts', 'app.handler'), { payload: '{}' })).payload, '"app.mts"');
  });

  it('reports a syntax error as Runtime.UserCodeSyntaxError with the .ts location', async () => {
    const r = await runtime.invoke(spec('syntax'), { payload: '{}' });
    const err = JSON.parse(r.payload) as { errorType: string; errorMessage: string };
    // RIC _loadUserApp wraps a SyntaxError as Runtime.UserCodeSyntaxError ("SyntaxError: ..."), as for JavaScript.
    assert.equal(err.errorType, 'Runtime.UserCodeSyntaxError');
    assert.equal(err.errorMessage, `SyntaxError: ${join(root, 'syntax', 'index.ts')}:2:20: Unexpected ";"`);
  });
});
