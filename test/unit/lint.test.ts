import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lintFiles } from '../../src/lint/index.js';
import { formatSarif } from '../../src/lint/format.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/lint/${name}`, import.meta.url));
const ids = (file: string) => lintFiles([fx(file)]).map((f) => f.ruleId);

// One positive and one negative fixture per rule: the positive must raise the rule, the negative must not.
const CASES: [string, string, string][] = [
  ['PF001', 'pf001-wildcard-with-auth.json', 'pf001-ok.json'],
  ['PF002', 'pf002-credentials-wildcard.json', 'pf002-ok.json'],
  ['PF003', 'pf003-missing-options.json', 'pf003-ok.json'],
  ['PF004', 'pf004-http-lambda-cors.yaml', 'pf004-ok.yaml'],
  ['PF005', 'pf005-gateway-responses.json', 'pf005-ok.json'],
  ['PF006', 'pf006-allow-headers-wildcard.json', 'pf006-ok.json'],
  ['PF007', 'pf007-insecure-origin-prod.yaml', 'pf007-ok.yaml'],
  ['PF008', 'pf008-null-origin.json', 'pf008-ok.json'],
  ['PF009', 'pf009-overbroad-pattern.json', 'pf009-ok.json'],
  ['PF010', 'pf010-admin-role.yaml', 'pf010-ok.yaml'],
  ['PF011', 'pf011-handler-missing-cors.yaml', 'pf011-ok.yaml'],
];

for (const [rule, positive, negative] of CASES) {
  test(`${rule}: raised by ${positive}, not by ${negative}`, () => {
    assert.ok(ids(positive).includes(rule), `${positive}: ${ids(positive).join(', ')}`);
    assert.ok(!ids(negative).includes(rule), `${negative}: ${ids(negative).join(', ')}`);
  });
}

test('findings carry file:line:column, explanation and fix; handler findings point into the code', () => {
  const [f] = lintFiles([fx('pf011-handler-missing-cors.yaml')]).filter((x) => x.ruleId === 'PF011');
  assert.ok(f);
  assert.ok(f.location.file.endsWith('partial-cors.mjs'));
  assert.equal(f.location.line, 4);
  assert.ok(f.explanation.length > 20 && f.fix.length > 10);
  const admin = lintFiles([fx('pf010-admin-role.yaml')]).filter((x) => x.ruleId === 'PF010');
  assert.equal(admin.length, 2);
  assert.ok(admin.every((a) => a.location.line > 1));
  assert.ok(ids('pf009-overbroad-handler.yaml').includes('PF009'));
});

test('SARIF 2.1.0 output names rules and locations', () => {
  const sarif = JSON.parse(formatSarif(lintFiles([fx('pf001-wildcard-with-auth.json')]), fileURLToPath(new URL('../fixtures/lint/', import.meta.url))));
  assert.equal(sarif.version, '2.1.0');
  const r = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'PF001');
  assert.equal(r.level, 'error');
  assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, 'pf001-wildcard-with-auth.json');
  assert.ok(r.locations[0].physicalLocation.region.startLine > 1);
});

test('CLI exit codes: 1 with errors, 0 with warnings only, 2 for unreadable input', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('./src/cli/main.ts').then(async (m) => { const c = await m.main(process.argv.slice(1)); process.exit(c || process.exitCode || 0); })`, '--', ...args], { encoding: 'utf8' });
  assert.equal(cli('lint', fx('pf001-wildcard-with-auth.json')).status, 1);
  assert.equal(cli('lint', fx('pf005-gateway-responses.json')).status, 0);
  const bad = cli('lint', fx('../iac/bad/syntax.yaml'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /syntax\.yaml:6:1: YAML syntax error/);
  assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
  const json = cli('lint', '--format', 'json', fx('pf008-null-origin.json'));
  assert.equal(JSON.parse(json.stdout).summary.errors, 1);
});
