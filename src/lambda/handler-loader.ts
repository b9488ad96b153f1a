/**
 * Resolves a handler string to a function the way the AWS Node.js runtime does
 * (aws-lambda-nodejs-runtime-interface-client src/UserFunction.js; our own code, same rules):
 * `dir/module.export[.nested]`, tried as extensionless/`.js` CommonJS, then `.js` (type: module), `.mjs`, `.cjs`,
 * then (preflight only) `.ts`, `.mts`, `.cts` through typescript.ts, then Node resolution from the task root. Runs inside
 * an environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './error-shapes.js';

export type UserHandler = (event: unknown, context: object, callback: (err?: unknown, result?: unknown) => void) => unknown;

/**
 * The AWS runtime's own file. User modules are required from a module of this name so that "Require stack" lines in
 * ImportModuleError messages end in `- /var/runtime/index.mjs`, as they do on AWS (e.g. aws-samples/s3-to-lambda-patterns#40).
 */
export const AWS_RUNTIME_FILE = '/var/runtime/index.mjs';
const requireFromRuntime = createRequire(AWS_RUNTIME_FILE);

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function splitModuleRoot(fullHandler: string): [string, string] {
  const handlerString = basename(fullHandler);
  return [fullHandler.substring(0, fullHandler.indexOf(handlerString)), handlerString];
}

function tryRequireFile(file: string): unknown {
  return existsSync(file) ? requireFromRuntime(file) : undefined;
}

async function tryImportFile(file: string): Promise<unknown> {
  return existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

function folderHasTypeModule(folder: string): boolean {
  if (folder.endsWith('/node_modules')) return false;
  const pj = join(folder, 'package.json');
  if (existsSync(pj)) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(pj, 'utf8'));
      if (pkg) return (pkg as { type?: unknown }).type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  if (folder === '/') return false;
  return folderHasTypeModule(resolve(folder, '..'));
}

function hasPackageJsonTypeModule(file: string): boolean {
  const jsPath = file + '.js';
  return existsSync(jsPath) ? folderHasTypeModule(resolve(dirname(jsPath))) : false;
}

async function loadModule(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const lambdaStylePath = resolve(appRoot, moduleRoot, moduleName);
  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) return extensionless;

  const typeModule = hasPackageJsonTypeModule(lambdaStylePath);
  if (!typeModule) {
    const loaded = tryRequireFile(lambdaStylePath + '.js');
    if (loaded) return loaded;
  }
  const loaded =
    (typeModule && (await tryImportFile(lambdaStylePath + '.js'))) ||
    (await tryImportFile(lambdaStylePath + '.mjs')) ||
    tryRequireFile(lambdaStylePath + '.cjs');
  if (loaded) return loaded;

  // Not AWS: TypeScript sources run as their compiled JavaScript would (typescript.ts), so a function works here
  // before its build step exists.
  // Loaded only then: JavaScript functions' cold starts should not pay for it.
  for (const ext of ['.ts', '.mts', '.cts']) {
    if (existsSync(lambdaStylePath + ext)) {
      const { loadTypeScript } = await import('./typescript.js');
      return loadTypeScript(lambdaStylePath + ext, requireFromRuntime);
    }
  }

  // AWS resolves against [cwd-relative moduleRoot, appRoot] with cwd = task root; workers cannot chdir, so the
  // module root is made absolute against the task root, which is where AWS's cwd would put it.
  const nodeStylePath = requireFromRuntime.resolve(moduleName, { paths: [appRoot, resolve(appRoot, moduleRoot)] });
  return requireFromRuntime(nodeStylePath);
}

async function loadUserApp(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  try {
    return await loadModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(String(e));
    if ((e as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(String(e));
    throw e;
  }
}

export async function loadHandler(appRoot: string, fullHandler: string): Promise<UserHandler> {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const [moduleRoot, moduleAndHandler] = splitModuleRoot(fullHandler);
  const match = FUNCTION_EXPR.exec(moduleAndHandler);
  if (!match || match.length !== 3) throw new MalformedHandlerName('Bad handler');
  const moduleName = match[1] ?? '';
  const handlerPath = match[2] ?? '';

  const userApp = await loadUserApp(appRoot, moduleRoot, moduleName);
  const handler = handlerPath.split('.').reduce<unknown>(
    (nested, key) => (nested ? (nested as Record<string, unknown>)[key] : nested),
    userApp,
  );
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler as UserHandler;
}

/** The runtime treats a handler as async when it is declared `async` (its constructor is AsyncFunction). */
export function isAsyncFunction(fn: unknown): boolean {
  try {
    return typeof fn === 'function' && (fn as { constructor?: { name?: string } }).constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}
