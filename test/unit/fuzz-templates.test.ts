// Fuzzing template loading (src/iac: parseSource → readTemplate → SAM transform → deploy into the control layer, as
// `preflight start template.yaml` does) with the project's own fixtures, mutated: values replaced by wrong types,
// broken intrinsics, dangling and circular references, keys removed. Whatever the input, loading ends with a result or
// with an IacError/AwsError (which the CLI prints as one line and a fix), never another exception, never a hang.
// Seeded; bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ControlPlane } from '../../src/control/index.js';
import { isAwsError } from '../../src/control/errors.js';
import { IacError } from '../../src/iac/diagnostics.js';
import { loadFile } from '../../src/iac/load.js';
import { parseSource } from '../../src/iac/source.js';
import { Store } from '../../src/store/db.js';

const SEED = 20261125;
const FIXTURES = fileURLToPath(new URL('../fixtures/iac/', import.meta.url));

let work: string;
/** Each fixture's directory (copied, so CodeUri paths resolve) and its document. */
const fixtures: { dir: string; name: string; doc: unknown; json: boolean }[] = [];

before(() => {
  work = mkdtempSync(join(tmpdir(), 'preflight-fuzz-iac-'));
  cpSync(FIXTURES, join(work, 'fx'), { recursive: true });
  for (const entry of readdirSync(join(work, 'fx'))) {
    const dir = join(work, 'fx', entry);
    if (!statSync(dir).isDirectory() || entry === 'bad') continue;
    for (const name of readdirSync(dir)) {
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      const file = join(dir, name);
      fixtures.push({ dir, name, doc: parseSource(file, readFileSync(file, 'utf8')).value, json: name.endsWith('.json') });
    }
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Paths to every value in a document. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

const REPLACEMENTS: unknown[] = [
  null,
  0,
  -1,
  1e308,
  '',
  'x'.repeat(5000),
  [],
  {},
  true,
  '${AWS::NoSuch}',
  { Ref: 'Nope' },
  { Ref: 'AWS::NoValue' },
  { 'Fn::GetAtt': ['Nope', 'Arn'] },
  { 'Fn::GetAtt': 'Nope' },
  { 'Fn::Sub': '${Nope.Arn} ${AWS::Region} ${!Literal}' },
  { 'Fn::Sub': ['${A}${B}', { A: { 'Fn::Sub': '${B}' }, B: { 'Fn::Sub': '${A}' } }] },
  { 'Fn::Join': [',', [{ Ref: 'AWS::NoValue' }, 1, null]] },
  { 'Fn::Join': 'notalist' },
  { 'Fn::Select': [99, []] },
  { 'Fn::Select': ['-1', ['a']] },
  { 'Fn::Split': [',', { 'Fn::Join': [',', ['a', 'b']] }] },
  { 'Fn::If': ['NoSuchCondition', 'a', 'b'] },
  { 'Fn::If': 'broken' },
  { 'Fn::Equals': [1] },
  { 'Fn::FindInMap': ['M', 'k', 'v'] },
  { 'Fn::Base64': { 'Fn::Base64': 'x' } },
  { 'Fn::Cidr': ['10.0.0.0/8', 256, 8] },
  { 'Fn::GetAZs': '' },
  { 'Fn::ImportValue': 'x' },
  { 'Fn::Transform': { Name: 'AWS::Include' } },
  { 'Fn::ToJsonString': { a: [1, { Ref: 'AWS::Region' }] } },
  { 'Fn::Length': [1, 2, 3] },
  { Ref: 'AWS::Region', Extra: 1 },
  { 'Fn::Unknown': 1 },
  '{proxy+}',
  '/{a}/{a}',
  'arn:aws:lambda:us-east-1:000000000000:function:',
  '../../../../etc',
  '\u0000\ud800',
];

const mutation = fc.record({
  fixture: fc.nat(),
  edits: fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'delete', 'cycle'), value: fc.nat({ max: REPLACEMENTS.length - 1 }) }), { minLength: 1, maxLength: 4 }),
  yaml: fc.boolean(),
});

function setAt(doc: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return remove ? {} : value;
  const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else (parent as Record<string | number, unknown>)[key] = value;
  return doc;
}

function allowed(e: unknown): boolean {
  return e instanceof IacError || isAwsError(e);
}

test('mutated fixtures load or fail with an IacError/AwsError, nothing else', async () => {
  assert.ok(fixtures.length >= 5, 'the fixtures were found');
  let loaded = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(mutation, async ({ fixture, edits, yaml }) => {
      const fx = fixtures[fixture % fixtures.length]!;
      let doc = structuredClone(fx.doc);
      for (const edit of edits) {
        const all = paths(doc);
        const at = all[edit.at % all.length]!;
        if (edit.kind === 'cycle') {
          // Two resources that depend on each other, by DependsOn and by Ref.
          const resources = (doc as { Resources?: Record<string, Record<string, unknown>> }).Resources;
          const ids = resources ? Object.keys(resources) : [];
          if (ids.length >= 2) {
            resources![ids[0]!]!['DependsOn'] = ids[1];
            resources![ids[1]!]!['DependsOn'] = [ids[0]];
            resources![ids[1]!]!['Properties'] = { ...((resources![ids[1]!]!['Properties'] as object) ?? {}), Description: { Ref: ids[0] } };
          }
        } else doc = setAt(doc, at, structuredClone(REPLACEMENTS[edit.value]), edit.kind === 'delete');
      }
      const file = join(fx.dir, `mutated.${yaml && !fx.json ? 'yaml' : 'json'}`);
      writeFileSync(file, yaml && !fx.json ? stringify(doc) : JSON.stringify(doc));
      const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: join(work, 'code') });
      try {
        await loadFile(control, file, { workDir: join(work, 'inline') });
        loaded++;
      } catch (e) {
        assert.ok(allowed(e), `${fx.name} with ${JSON.stringify(edits)}: ${(e as Error).stack ?? String(e)}`);
        refused++;
      } finally {
        control.store.close();
      }
    }),
    { seed: SEED, numRuns: 150 },
  );
  assert.ok(loaded > 0 && refused > 0, `both outcomes occur (${loaded} loaded, ${refused} refused)`);
});

test('hostile files: deep nesting, alias bombs, huge and binary content end with a clear error', async () => {
  const cases: [string, string][] = [
    ['deep.json', `{"Resources":${'['.repeat(200_000)}${']'.repeat(200_000)}}`],
    ['deep.yaml', `Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Description: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`],
    ['deepintrinsic.json', `{"Transform":"AWS::Serverless-2016-10-31","Resources":{"A":{"Type":"AWS::Serverless::Function","Properties":{"Handler":"x","Runtime":"nodejs20.x","InlineCode":"x","Description":${'{"Fn::Base64":'.repeat(5000)}"x"${'}'.repeat(5000)}}}}}`],
    ['bomb.yaml', `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nResources: {}\n`],
    ['binary.yaml', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]).toString('latin1')],
    ['empty.yaml', ''],
    ['scalar.yaml', '42'],
    ['tags.yaml', 'Resources:\n  A: !Ref\n  B: !GetAtt [\n'],
    ['keys.yaml', `Resources:\n${Array.from({ length: 5_000 }, (_, i) => `  R${i}: {Type: AWS::SNS::Topic}`).join('\n')}\n`],
    ['dup.yaml', 'Resources:\n  A: {Type: AWS::SNS::Topic}\n  A: {Type: AWS::SNS::Topic}\n'],
    ['condloop.yaml', 'Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: A\n'],
    ['subloop.yaml', "Resources:\n  T:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: !Sub '${T.Arn}'\n      Runtime: nodejs20.x\n      InlineCode: 'x'\n"],
  ];
  for (const [name, text] of cases) {
    const file = join(work, name);
    writeFileSync(file, text, 'latin1');
    const control = new ControlPlane(new Store({ ephemeral: true }), { codeRoot: join(work, 'code') });
    try {
      await loadFile(control, file, { workDir: join(work, 'inline') });
    } catch (e) {
      assert.ok(allowed(e), `${name}: ${(e as Error).stack ?? String(e)}`);
    } finally {
      control.store.close();
    }
  }
});
