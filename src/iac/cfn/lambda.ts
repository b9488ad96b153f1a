import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isAwsError } from '../../control/errors.js';
import { DEFAULT_ROLE } from '../../control/functions.js';
import { IacError } from '../diagnostics.js';
import { isObject } from '../template.js';
import type { DeployContext, Physical } from './context.js';
import { str } from './context.js';

const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

/** Where a function's code lives locally, for watch mode. */
export interface LocalCode {
  kind: 'directory' | 'zip';
  path: string;
}

/**
 * AWS::Lambda::Function (and what SAM's Function becomes). The function is named FunctionName or, as `sam local`
 * does, its logical id. Code: inline ZipFile (written as index.js / index.py, as CloudFormation does), a local
 * directory or .zip (SAM CodeUri), never S3.
 */
export async function deployFunction(ctx: DeployContext, id: string, props: Record<string, unknown>): Promise<Physical> {
  const at = ['Resources', id, 'Properties'];
  const name = str(props['FunctionName']) ?? id;
  const runtime = str(props['Runtime']);
  const handler = str(props['Handler']);
  if (props['PackageType'] === 'Image' || props['ImageUri'] !== undefined) {
    throw new IacError(`function ${id} is a container image, which preflight does not run`, ctx.locate([...at, 'PackageType']), 'package the function as a directory or zip (PackageType: Zip, CodeUri: src/)');
  }
  const code = isObject(props['Code']) ? props['Code'] : {};
  const codeAt = ctx.template.origins.has(id) ? at : [...at, 'Code'];
  let codeInput: { Directory?: string; ZipFile?: Buffer };
  let local: LocalCode | undefined;
  if (code['ZipFile'] !== undefined) {
    const dir = join(ctx.workDir, 'inline', name);
    mkdirSync(dir, { recursive: true });
    const ext = runtime?.startsWith('python') ? 'py' : 'js';
    writeFileSync(join(dir, `index.${ext}`), String(code['ZipFile']));
    codeInput = { Directory: dir };
  } else if (code['Preflight::LocalPath'] !== undefined || code['Directory'] !== undefined) {
    const given = String(code['Preflight::LocalPath'] ?? code['Directory']);
    const path = isAbsolute(given) ? given : resolve(ctx.template.dir, given);
    const where = ctx.locate([...at, 'CodeUri']);
    if (!existsSync(path)) throw new IacError(`CodeUri ${given} of ${id} does not exist (looked for ${path})`, where, 'point CodeUri at the directory that holds the handler file, relative to the template');
    if (statSync(path).isDirectory()) {
      codeInput = { Directory: path };
      local = { kind: 'directory', path };
      if (handler && runtime) checkHandlerFile(ctx, id, path, handler, runtime);
    } else if (/\.(zip|jar)$/i.test(path)) {
      codeInput = { ZipFile: readFileSync(path) };
      local = { kind: 'zip', path };
    } else {
      throw new IacError(`CodeUri ${given} of ${id} is a file but not a .zip`, where, 'point CodeUri at a directory or a .zip deployment package');
    }
  } else if (code['S3Bucket'] !== undefined) {
    throw new IacError(
      `the code of ${id} is in S3 (s3://${String(code['S3Bucket'])}/${String(code['S3Key'] ?? '')}), which is not available locally`,
      ctx.locate(ctx.template.isSam ? [...at, 'CodeUri'] : [...at, 'Code']),
      'use a local path: CodeUri: src/ (SAM) or Code.ZipFile (inline); `sam build` output directories work too',
    );
  } else {
    throw new IacError(`function ${id} has no Code`, ctx.locate(codeAt), 'add Code.ZipFile (inline) or, with SAM, CodeUri');
  }
  const role = str(props['Role']);
  const env = isObject(props['Environment']) && isObject(props['Environment']['Variables']) ? props['Environment']['Variables'] : undefined;
  const config: Record<string, unknown> = {
    Runtime: runtime,
    Handler: handler,
    Role: role && ROLE_ARN.test(role) ? role : DEFAULT_ROLE,
    Description: str(props['Description']) ?? '',
    ...(props['Timeout'] !== undefined ? { Timeout: Number(props['Timeout']) } : {}),
    ...(props['MemorySize'] !== undefined ? { MemorySize: Number(props['MemorySize']) } : {}),
    Environment: { Variables: Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)])) },
  };
  const fns = ctx.control.functions;
  try {
    if (fns.find(name)) {
      // A reload, or a state directory kept from an earlier run: the function keeps its name and gets the new code.
      fns.updateFunctionConfiguration(name, config);
      await fns.updateFunctionCode(name, codeInput);
    } else {
      await fns.createFunction({ FunctionName: name, ...config, Code: codeInput, ...(Array.isArray(props['Architectures']) ? { Architectures: props['Architectures'] } : {}) });
    }
  } catch (e) {
    if (isAwsError(e)) {
      const field = /'(\w+)'/.exec(e.message)?.[1];
      const prop = field ? field.charAt(0).toUpperCase() + field.slice(1) : undefined;
      throw new IacError(`function ${id}: ${e.message}`, ctx.locate(prop && prop in props ? [...at, prop] : at), 'Lambda would refuse this too; fix the value');
    }
    throw e;
  }
  const arn = fns.get(name).configuration.FunctionArn;
  return { type: 'AWS::Lambda::Function', id: name, attrs: { Arn: arn, ...(local ? { 'Preflight::LocalCode': local } : {}) } };
}

/** The AWS runtimes resolve the handler's module relative to the code root; a missing file fails every invoke. */
function checkHandlerFile(ctx: DeployContext, id: string, dir: string, handler: string, runtime: string): void {
  const dot = handler.lastIndexOf('.');
  const module = dot > 0 ? handler.slice(0, dot) : handler;
  const candidates = runtime.startsWith('python')
    ? [`${module.replace(/\./g, '/')}.py`, `${module.replace(/\./g, '/')}/__init__.py`]
    : runtime.startsWith('nodejs')
      ? ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'].map((e) => `${module}${e}`)
      : [];
  if (candidates.length === 0 || candidates.some((c) => existsSync(join(dir, c)))) return;
  throw new IacError(
    `handler file for ${id} not found: Handler ${handler} needs ${candidates[0]} in ${dir}`,
    ctx.locate(['Resources', id, 'Properties', 'Handler']),
    `create ${candidates[0]} exporting ${handler.slice(dot + 1)}, or fix Handler / CodeUri`,
  );
}
