// withCors options: validation at wrap time (every problem reported, each with a fix), origin syntax, and the
// constraint that preflight/lambda runs in users' functions with no runtime dependencies.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  withCors,
  checkOrigin,
  CorsOptionsError,
  DEFAULT_ALLOW_HEADERS,
  type CorsOptionsIssue,
  type WithCorsOptions,
} from '../../src/lib/lambda.js';

const handler = async () => ({ statusCode: 200, body: '' });
const APP = 'https://app.example.com';

const savedEnv = process.env.CORS_ALLOWED_ORIGINS;
before(() => {
  delete process.env.CORS_ALLOWED_ORIGINS;
});
after(() => {
  if (savedEnv === undefined) delete process.env.CORS_ALLOWED_ORIGINS;
  else process.env.CORS_ALLOWED_ORIGINS = savedEnv;
});

function issuesOf(fn: () => unknown): readonly CorsOptionsIssue[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CorsOptionsError, `expected CorsOptionsError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail('expected withCors to throw');
}

describe('invalid options are rejected at wrap time with a message saying what and how to fix', () => {
  const cases: { name: string; options: unknown; path: (string | number)[]; message: RegExp }[] = [
    {
      name: "'*' with credentials (AWS's own wording included)",
      options: { origins: '*', credentials: true },
      path: ['credentials'],
      message: /allow-credentials is not supported if 'allow-origin' is \*.*Fix: list the exact origins/s,
    },
    { name: 'trailing slash', options: { origins: [`${APP}/`] }, path: ['origins', 0], message: /trailing slash\. Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'path', options: { origins: ['http://localhost:3000', `${APP}/api`] }, path: ['origins', 1], message: /path, query or fragment \("\/api"\)\. Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'query', options: { origins: [`${APP}?x=1`] }, path: ['origins', 0], message: /Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'missing scheme', options: { origins: ['app.example.com'] }, path: ['origins', 0], message: /no scheme.*Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'uppercase', options: { origins: ['HTTPS://App.Example.com'] }, path: ['origins', 0], message: /uppercase.*Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'default port', options: { origins: ['https://app.example.com:443'] }, path: ['origins', 0], message: /default port :443.*Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'default http port with slash', options: { origins: ['http://localhost:80/'] }, path: ['origins', 0], message: /trailing slash; it has the default port :80.*Fix: use "http:\/\/localhost"/ },
    { name: 'port out of range', options: { origins: ['http://localhost:99999'] }, path: ['origins', 0], message: /not a valid origin.*port in 1\.\.65535/ },
    { name: 'user info', options: { origins: ['https://user@app.example.com'] }, path: ['origins', 0], message: /user credentials.*Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'unicode host', options: { origins: ['https://bücher.example'] }, path: ['origins', 0], message: /serialize it as "https:\/\/xn--bcher-kva\.example"/ },
    { name: 'wildcard pattern', options: { origins: ['https://*.example.com'] }, path: ['origins', 0], message: /wildcard pattern; withCors matches origins exactly/ },
    { name: '"null"', options: { origins: ['null'] }, path: ['origins', 0], message: /sandboxed iframes/ },
    { name: 'file: origin', options: { origins: ['file://host'] }, path: ['origins', 0], message: /Origin: null/ },
    { name: "'*' inside a list", options: { origins: ['*', APP] }, path: ['origins', 0], message: /origins: '\*' on its own/ },
    { name: 'whitespace', options: { origins: [` ${APP}`] }, path: ['origins', 0], message: /whitespace.*Fix: use "https:\/\/app\.example\.com"/ },
    { name: 'a single string instead of an array', options: { origins: APP }, path: ['origins'], message: /Fix: origins: \["https:\/\/app\.example\.com"\]/ },
    { name: 'empty list', options: { origins: [] }, path: ['origins'], message: /Empty list/ },
    { name: 'non-string origin', options: { origins: [42] }, path: ['origins', 0], message: /received number 42/ },
    { name: 'unknown key with a likely meaning', options: { origin: [APP] }, path: ['origin'], message: /Unrecognized key "origin"\. Did you mean "origins"\?/ },
    { name: 'unknown key from another library', options: { origins: [APP], allowedHeaders: ['X'] }, path: ['allowedHeaders'], message: /Did you mean "allowHeaders"\?/ },
    { name: 'unknown key', options: { origins: [APP], zzz: 1 }, path: ['zzz'], message: /Known keys: origins, credentials/ },
    { name: 'credentials not boolean', options: { origins: [APP], credentials: 'true' }, path: ['credentials'], message: /Expected true or false, received string "true"/ },
    { name: 'negative maxAge', options: { origins: [APP], maxAge: -1 }, path: ['maxAge'], message: /integer number of seconds from 0 to 86400/ },
    { name: 'fractional maxAge', options: { origins: [APP], maxAge: 1.5 }, path: ['maxAge'], message: /integer/ },
    { name: 'huge maxAge', options: { origins: [APP], maxAge: 100000 }, path: ['maxAge'], message: /86400/ },
    { name: 'lowercase standard method', options: { origins: [APP], allowMethods: ['GET', 'put'] }, path: ['allowMethods', 1], message: /Fix: use "PUT"/ },
    { name: 'forbidden method', options: { origins: [APP], allowMethods: ['TRACE'] }, path: ['allowMethods', 0], message: /forbidden method/ },
    { name: 'header name with a space', options: { origins: [APP], allowHeaders: ['Content Type'] }, path: ['allowHeaders', 0], message: /not a valid header name/ },
    { name: 'allowHeaders * with credentials', options: { origins: [APP], credentials: true, allowHeaders: ['*'] }, path: ['allowHeaders'], message: /literal name "\*"/ },
    { name: 'exposeHeaders * with credentials', options: { origins: [APP], credentials: true, exposeHeaders: '*' }, path: ['exposeHeaders'], message: /literal name "\*"/ },
    { name: 'exposing Set-Cookie', options: { origins: [APP], exposeHeaders: ['Set-Cookie'] }, path: ['exposeHeaders', 0], message: /never exposed/ },
    { name: 'empty allowMethods', options: { origins: [APP], allowMethods: [] }, path: ['allowMethods'], message: /Empty list/ },
    { name: 'bad env var name', options: { origins: [APP], originsEnvVar: '1X' }, path: ['originsEnvVar'], message: /environment variable name/ },
    { name: 'bad stage variable name', options: { origins: [APP], originsStageVariable: 'a-b' }, path: ['originsStageVariable'], message: /stage variable name/ },
    { name: 'options not an object', options: 'https://app.example.com', path: [], message: /Expected an options object/ },
    {
      name: 'nowhere to get origins from',
      options: { originsEnvVar: false, originsStageVariable: false },
      path: ['origins'],
      message: /No allowed origins.*Fix: pass origins/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const issues = issuesOf(() => withCors(handler, c.options as WithCorsOptions));
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.deepEqual(issues[0]?.path, c.path);
      assert.match(issues[0]?.message ?? '', c.message);
    });
  }

  test('every problem is reported at once, formatted like zod (✖ message / → at path)', () => {
    let error: unknown;
    try {
      withCors(handler, { origins: [APP, 'https://b.example.com/', 'c.example.com'], maxAge: -5 });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof CorsOptionsError);
    assert.equal(error.name, 'CorsOptionsError');
    assert.equal(error.issues.length, 3);
    const lines = error.message.split('\n');
    assert.equal(lines[0], 'withCors: invalid CORS configuration (3 issues):');
    assert.match(lines[1] ?? '', /^✖ "https:\/\/b\.example\.com\/" is not an origin as browsers send it: it has a trailing slash\. Fix: use "https:\/\/b\.example\.com"\.$/);
    assert.equal(lines[2], '  → at origins[1]');
    assert.equal(lines[4], '  → at origins[2]');
    assert.equal(lines[6], '  → at maxAge');
  });

  test('the environment variable is validated too, with its own path', () => {
    process.env.CORS_ALLOWED_ORIGINS = `${APP},https://b.example.com/`;
    try {
      const issues = issuesOf(() => withCors(handler));
      assert.deepEqual(issues[0]?.path, ['env', 'CORS_ALLOWED_ORIGINS', 1]);
      assert.match(issues[0]?.message ?? '', /^In environment variable CORS_ALLOWED_ORIGINS: .*trailing slash/);
    } finally {
      delete process.env.CORS_ALLOWED_ORIGINS;
    }
  });

  test("CORS_ALLOWED_ORIGINS='*' with credentials is rejected at wrap time", () => {
    process.env.CORS_ALLOWED_ORIGINS = '*';
    try {
      const issues = issuesOf(() => withCors(handler, { origins: [APP], credentials: true }));
      assert.deepEqual(issues[0]?.path, ['env', 'CORS_ALLOWED_ORIGINS']);
      assert.match(issues[0]?.message ?? '', /allow-credentials is not supported/);
    } finally {
      delete process.env.CORS_ALLOWED_ORIGINS;
    }
  });

  test("'*' as one entry of the environment variable is rejected", () => {
    process.env.CORS_ALLOWED_ORIGINS = `${APP},*`;
    try {
      const issues = issuesOf(() => withCors(handler));
      assert.match(issues[0]?.message ?? '', /"\*" must be the whole value/);
    } finally {
      delete process.env.CORS_ALLOWED_ORIGINS;
    }
  });

  test('a handler that is not a function is a TypeError', () => {
    assert.throws(() => withCors(undefined as never, { origins: [APP] }), { name: 'TypeError', message: /expected a handler function/ });
  });
});

describe('valid options', () => {
  const valid = [
    'https://app.example.com',
    'http://localhost:3000',
    'http://localhost',
    'http://127.0.0.1:8080',
    'http://[::1]:5173',
    'https://xn--bcher-kva.example',
    'capacitor://localhost',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
  ];
  for (const origin of valid) {
    test(`accepts ${origin}`, () => {
      assert.equal(checkOrigin(origin), undefined);
      assert.doesNotThrow(() => withCors(handler, { origins: [origin] }));
    });
  }

  test('the defaults need no options beyond origins', () => {
    assert.doesNotThrow(() => withCors(handler, { origins: [APP] }));
    assert.doesNotThrow(() => withCors(handler, { origins: '*' }));
    assert.doesNotThrow(() => withCors(handler, { origins: [APP], credentials: true, allowHeaders: DEFAULT_ALLOW_HEADERS }));
    assert.doesNotThrow(() => withCors(handler, { origins: '*', allowHeaders: '*', exposeHeaders: '*', allowMethods: '*' }));
  });

  test('no options at all is allowed (origins may come from a stage variable)', () => {
    assert.doesNotThrow(() => withCors(handler));
  });

  test('DEFAULT_ALLOW_HEADERS is the API Gateway console value', () => {
    // design.md §3: console "Enable CORS" default Allow-Headers.
    assert.equal(DEFAULT_ALLOW_HEADERS.join(','), 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token');
    assert.ok(Object.isFrozen(DEFAULT_ALLOW_HEADERS));
  });
});

describe('preflight/lambda ships without runtime dependencies', () => {
  const libDir = fileURLToPath(new URL('../../src/lib/', import.meta.url));
  const files = readdirSync(libDir).filter((f) => /^lambda.*\.ts$/.test(f));

  test('its modules import only each other (type-only imports aside)', () => {
    assert.ok(files.includes('lambda.ts'));
    for (const file of files) {
      const source = readFileSync(join(libDir, file), 'utf8');
      for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
        if (m[2]) continue;
        assert.match(m[3] ?? '', /^\.\/lambda[\w-]*\.js$/, `${file} imports ${m[3]}`);
      }
      assert.doesNotMatch(source, /\bimport\(|\brequire\(/, `${file} has a dynamic import`);
      assert.doesNotMatch(source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''), /:\s*any\b|as any\b|<any>/, `${file} uses any`);
    }
  });

  test('compiled alone (as `npm run build` emits dist/lib/lambda.js) it loads and works in plain Node', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const out = mkdtempSync(join(tmpdir(), 'with-cors-build-'));
    try {
      const tsc = spawnSync(
        process.execPath,
        [
          join(root, 'node_modules/typescript/bin/tsc'),
          ...files.map((f) => join(libDir, f)),
          '--outDir', out, '--rootDir', libDir,
          '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023',
          '--strict', '--noUncheckedIndexedAccess', '--verbatimModuleSyntax', '--declaration',
          '--types', 'node', '--typeRoots', join(root, 'node_modules/@types'),
        ],
        { encoding: 'utf8', cwd: root },
      );
      assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
      // An ESM package scope, as the published package has ("type": "module").
      spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(out, 'package.json'))}, '{"type":"module"}')`]);
      const script = `
        const { withCors } = await import(${JSON.stringify(join(out, 'lambda.js'))});
        const h = withCors(async () => ({ statusCode: 200, body: 'x' }), { origins: ['https://a.example.com'] });
        const r = await h({ httpMethod: 'GET', headers: { Origin: 'https://a.example.com' } }, {});
        process.stdout.write(JSON.stringify(r));`;
      const node = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: tmpdir() });
      assert.equal(node.status, 0, node.stderr);
      const response = JSON.parse(node.stdout) as { headers: Record<string, string> };
      assert.equal(response.headers['Access-Control-Allow-Origin'], 'https://a.example.com');
      assert.ok(readFileSync(join(out, 'lambda.d.ts'), 'utf8').includes('export declare function withCors'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
