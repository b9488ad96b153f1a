/**
 * TypeScript handlers: transpiled on load with esbuild (types stripped, not checked, as tsx does), with inline
 * source maps so stack traces and error payloads point at the `.ts` lines. Runs inside a worker environment.
 *
 * CommonJS `.ts`/`.cts` files load through a require extension; ES modules (`.mts`, or `.ts` under
 * `"type": "module"`) through module.register() loader hooks, which run on their own thread. Both sides share one
 * transpiler, written as a self-contained ES module (below) so the hooks thread can load it from a data: URL in the
 * built package and under tsx alike. Transpiled output is cached on disk by content, so only the first environment
 * of a function pays for esbuild; the esbuild service stops again when idle.
 */
import { createRequire, register } from 'node:module';
import Module from 'node:module';
import { pathToFileURL } from 'node:url';

const ESBUILD_FILE = createRequire(import.meta.url).resolve('esbuild');

/** Plain JavaScript: it is evaluated as its own module in the worker and in the loader-hooks thread. */
const TRANSPILER = `
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const ESBUILD_FILE = ${JSON.stringify(ESBUILD_FILE)};
const TS = /\\.(ts|mts|cts)$/;
let esbuild;
let stopTimer;
function service() {
  esbuild ??= createRequire(ESBUILD_FILE)(ESBUILD_FILE);
  clearTimeout(stopTimer);
  // A handler's modules load together; an esbuild service kept for the environment's life would only cost memory.
  stopTimer = setTimeout(() => esbuild.stop(), 2000);
  stopTimer.unref?.();
  return esbuild;
}

function typeModule(dir) {
  for (let d = dir; ; d = dirname(d)) {
    if (d.endsWith('/node_modules')) return false;
    const pj = join(d, 'package.json');
    if (existsSync(pj)) {
      try { return JSON.parse(readFileSync(pj, 'utf8')).type === 'module'; } catch { return false; }
    }
    if (dirname(d) === d) return false;
  }
}

export function formatOf(filename) {
  if (filename.endsWith('.mts')) return 'esm';
  if (filename.endsWith('.cts')) return 'cjs';
  return typeModule(dirname(filename)) ? 'esm' : 'cjs';
}

function tsconfigFor(filename) {
  for (let d = dirname(filename); ; d = dirname(d)) {
    const f = join(d, 'tsconfig.json');
    if (existsSync(f)) return readFileSync(f, 'utf8');
    if (d.endsWith('/node_modules') || dirname(d) === d) return undefined;
  }
}

function cacheDir() {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const dir = join(tmpdir(), 'preflight-typescript-' + uid);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    // Cached code is executed: only a directory of our own user is trusted.
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch { return undefined; }
}

function prepare(filename, format) {
  const source = readFileSync(filename, 'utf8');
  const tsconfig = tsconfigFor(filename);
  const options = {
    loader: 'ts',
    format,
    sourcemap: 'inline',
    sourcefile: filename,
    target: 'node' + process.versions.node.split('.')[0],
    ...(tsconfig !== undefined ? { tsconfigRaw: tsconfig } : {}),
  };
  const key = createHash('sha256').update(JSON.stringify([ESBUILD_FILE, options])).update('\\0').update(source).digest('hex');
  const dir = cacheDir();
  const file = dir && join(dir, key + '.js');
  let code;
  if (file && existsSync(file)) { try { code = readFileSync(file, 'utf8'); } catch {} }
  return { source, options, file, code };
}

function save(file, code) {
  if (!file) return;
  try {
    const tmp = file + '.' + process.pid + '.' + Math.random().toString(36).slice(2);
    writeFileSync(tmp, code, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {}
}

// esbuild's failure as the SyntaxError a JavaScript file would throw, so it reads as Runtime.UserCodeSyntaxError.
function syntaxError(e, filename) {
  const first = e && Array.isArray(e.errors) ? e.errors[0] : undefined;
  if (!first) return e;
  const loc = first.location;
  const where = loc ? (loc.file || filename) + ':' + loc.line + ':' + loc.column + ': ' : filename + ': ';
  return new SyntaxError(where + first.text);
}

export function transpileSync(filename, format) {
  const p = prepare(filename, format);
  if (p.code !== undefined) return p.code;
  let out;
  try { out = service().transformSync(p.source, p.options); } catch (e) { throw syntaxError(e, filename); }
  save(p.file, out.code);
  return out.code;
}

export async function transpile(filename, format) {
  const p = prepare(filename, format);
  if (p.code !== undefined) return p.code;
  let out;
  try { out = await service().transform(p.source, p.options); } catch (e) { throw syntaxError(e, filename); }
  save(p.file, out.code);
  return out.code;
}

// Loader hooks (module.register): TypeScript sources import each other as './x.js' (NodeNext) or './x' (bundler
// style); both find x.ts.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const parent = context.parentURL;
    if (!parent || !parent.startsWith('file:') || !TS.test(parent) || !/^\\.{0,2}\\//.test(specifier)) throw e;
    const candidates = [
      specifier.replace(/\\.js$/, '.ts'), specifier.replace(/\\.mjs$/, '.mts'), specifier.replace(/\\.cjs$/, '.cts'),
      specifier + '.ts', specifier + '/index.ts',
    ];
    for (const c of candidates) {
      if (c === specifier) continue;
      const url = new URL(c, parent);
      if (existsSync(fileURLToPath(url))) return next(url.href, context);
    }
    throw e;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !TS.test(url)) return next(url, context);
  const filename = fileURLToPath(url);
  const format = formatOf(filename);
  // CommonJS goes to the require extension, which transpiles it in the module's own thread.
  if (format === 'cjs') return { format: 'commonjs', shortCircuit: true };
  return { format: 'module', source: await transpile(filename, 'esm'), shortCircuit: true };
}
`;

const TRANSPILER_URL = 'data:text/javascript,' + encodeURIComponent(TRANSPILER);

interface Transpiler {
  formatOf(filename: string): 'esm' | 'cjs';
  transpileSync(filename: string, format: 'cjs'): string;
}

/** The parts of Node's CommonJS loader the require extension plugs into (not in @types/node). */
interface CjsModule {
  _compile(code: string, filename: string): unknown;
}
interface CjsLoader {
  _extensions: Record<string, (module: CjsModule, filename: string) => void>;
  _resolveFilename: (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
}

let transpiler: Promise<Transpiler> | undefined;

function install(): Promise<Transpiler> {
  transpiler ??= (async () => {
    const t = (await import(TRANSPILER_URL)) as Transpiler;
    process.setSourceMapsEnabled(true);
    const loader = Module as unknown as CjsLoader;
    for (const ext of ['.ts', '.cts']) {
      loader._extensions[ext] = (module, filename) => {
        if (t.formatOf(filename) === 'esm') {
          throw Object.assign(new Error(`require() of ES module ${filename} not supported.`), { code: 'ERR_REQUIRE_ESM' });
        }
        module._compile(t.transpileSync(filename, 'cjs'), filename);
      };
    }
    // require('./util.js') from TypeScript means util.ts, as tsc's NodeNext resolution has it.
    const resolveFilename = loader._resolveFilename;
    loader._resolveFilename = function (request, parent, ...rest) {
      try {
        return resolveFilename.call(this, request, parent, ...rest);
      } catch (e) {
        const from = parent?.filename;
        if (!from || !/\.(c?ts|mts)$/.test(from) || !/^\.{0,2}\//.test(request) || !/\.c?js$/.test(request)) throw e;
        return resolveFilename.call(this, request.replace(/js$/, 'ts'), parent, ...rest);
      }
    };
    register(TRANSPILER_URL);
    return t;
  })();
  return transpiler;
}

/** Loads a TypeScript handler module as Node would load its JavaScript twin (CommonJS or ES module). */
export async function loadTypeScript(filename: string, requireFrom: NodeJS.Require): Promise<unknown> {
  const t = await install();
  if (t.formatOf(filename) === 'esm') return import(pathToFileURL(filename).href);
  return requireFrom(filename);
}
