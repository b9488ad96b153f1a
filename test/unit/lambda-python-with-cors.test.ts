/**
 * The Python twin of withCors (python/preflight_lambda): its unittest suite
 * (test/fixtures/python/with-cors-unittest, cases mirroring test/unit/with-cors*.test.ts) under the local python3,
 * and the rule that everything we ship for Python uses the standard library only (no PyPI in users' functions or in
 * our runtime bootstrap).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const PYTHON_DIR = fileURLToPath(new URL('../../python/', import.meta.url));
const SUITE = fileURLToPath(new URL('../fixtures/python/with-cors-unittest/', import.meta.url));
const python = process.env.PREFLIGHT_PYTHON ?? 'python3';

describe('python/preflight_lambda (with_cors)', () => {
  it('passes its unittest suite', () => {
    const r = spawnSync(python, ['-B', '-m', 'unittest', '-v', 'test_with_cors'], {
      cwd: SUITE,
      env: { ...process.env, PYTHONPATH: PYTHON_DIR },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\nRan \d+ tests in [\d.]+s\n\nOK\n?$/);
    assert.doesNotMatch(r.stderr, /skipped|expected failures/);
  });

  it('imports only the Python standard library, as does the runtime bootstrap', () => {
    const files = [
      ...readdirSync(join(PYTHON_DIR, 'preflight_lambda')).filter((f) => f.endsWith('.py')).map((f) => join(PYTHON_DIR, 'preflight_lambda', f)),
      join(PYTHON_DIR, 'runtime', 'bootstrap.py'),
    ];
    const modules = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))/gm)) {
        const name = (m[1] ?? m[2] ?? '').split('.')[0] ?? '';
        if (name !== '') modules.add(name);
      }
    }
    assert.ok(modules.size > 5, [...modules].join(' '));
    // -S leaves site-packages off the path and -I ignores PYTHON* variables and the user's directory: what imports
    // there is the standard library.
    const r = spawnSync(python, ['-I', '-S', '-c', `import ${[...modules].join(', ')}`], { encoding: 'utf8', cwd: tmpdir() });
    assert.equal(r.status, 0, `not all in the standard library: ${r.stderr}`);
  });
});
