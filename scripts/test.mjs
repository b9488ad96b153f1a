#!/usr/bin/env node
// `npm test`: makes sure the machine has what the tests need (Debian's chromium and awscli, the build),
// then runs every test layer with node's test runner through tsx, and ends with a plain count line.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function ensureSystemPackages() {
  const missing = [['/usr/bin/chromium', 'chromium'], ['/usr/bin/aws', 'awscli']].filter(([bin]) => !existsSync(bin));
  if (missing.length === 0) return;
  const names = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() !== 0) {
    console.error(`preflight tests need Debian packages ${names.join(', ')}; run: sudo apt-get install -y ${names.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing Debian packages the tests need: ${names.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names], { env });
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

ensureSystemPackages();
run('npm', ['run', '--silent', 'build']);

const requested = process.argv.slice(2);
const files = requested.length > 0 ? requested : ['test/unit', 'test/e2e', 'test/browser', 'test/conformance'].flatMap(findTests);
const tapDir = mkdtempSync(join(tmpdir(), 'preflight-test-'));
const tapFile = join(tapDir, 'results.tap');
const child = spawn(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  {
    stdio: 'inherit',
    // The SDK's notice about Node 22 is not about anything under test; it would bury the real output.
    env: { ...process.env, PREFLIGHT_TEST: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
);
child.on('exit', (code, signal) => {
  let passed = 0;
  let failed = 0;
  try {
    const tap = readFileSync(tapFile, 'utf8');
    passed = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
    failed = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(tap)?.[1] ?? 0);
  } catch {
    failed = Math.max(failed, 1);
  }
  rmSync(tapDir, { recursive: true, force: true });
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (signal ? 1 : 0));
});
