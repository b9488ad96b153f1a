import { z } from 'zod';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Store } from '../store/db.js';
import type { FunctionConfiguration, StoredFunction } from '../model/lambda.js';
import type { FunctionSpec } from '../lambda/spec.js';
import { RUNTIMES } from '../lambda/runtimes.js';
import { lambdaConflict, lambdaInvalid, lambdaNotFound, validationError } from './errors.js';
import { DEFAULT_REGION, lambdaArn } from './ids.js';
import type { ControlEvents } from './events.js';
import { codeDirectoryFor, unzipTo } from './unzip.js';

/** Runtime identifiers as AWS names them (Lambda "Runtime" enum); all run on this machine's Node/Python. */
export { RUNTIMES };

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
export const DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

const environmentSchema = z.object({ Variables: z.record(z.string(), z.string()).optional() });

const createFunctionInput = z.object({
  FunctionName: z.string(),
  Runtime: z.string().optional(),
  Role: z.string(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().int().optional(),
  MemorySize: z.number().int().optional(),
  Environment: environmentSchema.optional(),
  PackageType: z.enum(['Zip', 'Image']).optional(),
  Architectures: z.array(z.enum(['x86_64', 'arm64'])).optional(),
  Publish: z.boolean().optional(),
  Tags: z.record(z.string(), z.string()).optional(),
  Code: z.object({
    ZipFile: z.instanceof(Buffer).optional(),
    S3Bucket: z.string().optional(),
    S3Key: z.string().optional(),
    S3ObjectVersion: z.string().optional(),
    ImageUri: z.string().optional(),
    /** preflight only: serve the code from this directory as it is (no upload; edits are picked up). */
    Directory: z.string().optional(),
  }),
});
export type CreateFunctionInput = z.input<typeof createFunctionInput>;

const updateConfigurationInput = z.object({
  Runtime: z.string().optional(),
  Role: z.string().optional(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().int().optional(),
  MemorySize: z.number().int().optional(),
  Environment: environmentSchema.optional(),
  RevisionId: z.string().optional(),
});

const putConcurrencyInput = z.object({
  // botocore ReservedConcurrentExecutions: integer, min 0.
  ReservedConcurrentExecutions: z.number().int().min(0, { message: 'Member must have value greater than or equal to 0' }),
});

/** AWS's default account concurrency and the part of it that must stay unreserved. */
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED_CONCURRENCY = 100;

export interface UpdateCodeInput {
  ZipFile?: Buffer;
  Directory?: string;
  S3Bucket?: string;
  S3Key?: string;
  RevisionId?: string;
}

/**
 * Lambda functions: configuration in the store, code unpacked under `codeRoot` (or a user's directory served in
 * place). Every operation validates as the Lambda API does and answers with its error types.
 */
export class FunctionService {
  readonly region: string;

  constructor(
    private readonly store: Store,
    private readonly events: ControlEvents,
    private readonly codeRoot: string,
    options: { region?: string } = {},
  ) {
    this.region = options.region ?? DEFAULT_REGION;
  }

  /** Statements through the store's cache of prepared statements. */
  private get db(): Pick<Store, 'prepare'> {
    return this.store;
  }

  async createFunction(input: unknown): Promise<FunctionConfiguration> {
    const v = parseLambdaInput(createFunctionInput, input);
    checkName(v.FunctionName);
    if (v.PackageType === 'Image' || v.Code.ImageUri) {
      throw lambdaInvalid('Container image functions are not supported locally; package the function as a zip or a directory');
    }
    if (!v.Runtime) throw lambdaInvalid('Runtime is required for .zip file deployment packages');
    checkRuntime(v.Runtime);
    if (!v.Handler) throw lambdaInvalid('Handler is required for .zip file deployment packages');
    checkHandler(v.Handler);
    checkRole(v.Role);
    const timeout = checkTimeout(v.Timeout ?? 3);
    const memory = checkMemory(v.MemorySize ?? 128);
    if (v.Environment?.Variables) checkEnvironment(v.Environment.Variables);
    if (this.find(v.FunctionName)) throw lambdaConflict(`Function already exist: ${v.FunctionName}`);

    const code = await this.materializeCode(v.FunctionName, v.Code);
    const configuration: FunctionConfiguration = {
      FunctionName: v.FunctionName,
      FunctionArn: lambdaArn(this.region, v.FunctionName),
      Runtime: v.Runtime,
      Role: v.Role,
      Handler: v.Handler,
      CodeSize: code.size,
      Description: v.Description ?? '',
      Timeout: timeout,
      MemorySize: memory,
      LastModified: lambdaTimestamp(),
      CodeSha256: code.sha256,
      Version: '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: randomUUID(),
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: v.Architectures ?? ['x86_64'],
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${v.FunctionName}` },
    };
    if (v.Environment?.Variables && Object.keys(v.Environment.Variables).length) {
      configuration.Environment = { Variables: v.Environment.Variables };
    }
    const stored: StoredFunction = { configuration, code: code.source };
    try {
      this.store.tx(() => {
        if (this.find(v.FunctionName)) throw lambdaConflict(`Function already exist: ${v.FunctionName}`);
        this.db.prepare('INSERT INTO functions (name, doc) VALUES (?, ?)').run(v.FunctionName, JSON.stringify(stored));
      });
    } catch (e) {
      if (code.source.kind === 'zip') await rm(code.source.directory, { recursive: true, force: true });
      throw e;
    }
    this.events.emit({ kind: 'function', name: v.FunctionName });
    // CreateFunction answers while the function is still being created; GetFunction then shows it Active
    // (LocalStack AWS-validated snapshot test_lambda_api test_lambda_code_location_zipfile).
    const { LastUpdateStatus: _ignored, ...rest } = configuration;
    return { ...rest, State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' } as FunctionConfiguration;
  }

  find(name: string): StoredFunction | undefined {
    const row = this.db.prepare('SELECT doc FROM functions WHERE name = ?').get(functionNameOf(name)) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as StoredFunction) : undefined;
  }

  get(name: string): StoredFunction {
    const f = this.find(name);
    if (!f) throw lambdaNotFound(`Function not found: ${lambdaArn(this.region, functionNameOf(name))}`);
    return f;
  }

  getFunction(name: string): {
    Configuration: FunctionConfiguration;
    Code: { RepositoryType: string; Location: string };
    Concurrency?: { ReservedConcurrentExecutions: number };
  } {
    const f = this.get(name);
    return {
      Configuration: f.configuration,
      Code: { RepositoryType: f.code.kind === 'directory' ? 'Directory' : 'S3', Location: `file://${f.code.directory}` },
      // Only present when reserved concurrency is configured (botocore GetFunctionResponse; LocalStack snapshots).
      ...(f.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: f.reservedConcurrency } } : {}),
    };
  }

  /**
   * PutFunctionConcurrency. Lambda keeps 100 of the account's concurrency (1000 by default) unreserved: "You can
   * reserve up to the Unreserved account concurrency value minus 100" (LDG configuration-concurrency.md), refused
   * with InvalidParameterValueException and the message captured in milliHQ/terraform-aws-next-js#251.
   */
  putFunctionConcurrency(name: string, input: unknown): { ReservedConcurrentExecutions: number } {
    const v = parseLambdaInput(putConcurrencyInput, input);
    const n = v.ReservedConcurrentExecutions;
    const result = this.store.tx(() => {
      const f = this.get(name);
      const others = this.reservedByOthers(f.configuration.FunctionName);
      if (others + n > ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY) {
        throw lambdaInvalid(
          `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
        );
      }
      f.reservedConcurrency = n;
      this.db.prepare('UPDATE functions SET doc = ? WHERE name = ?').run(JSON.stringify(f), f.configuration.FunctionName);
      return f.configuration.FunctionName;
    });
    this.events.emit({ kind: 'function', name: result });
    return { ReservedConcurrentExecutions: n };
  }

  /** GetFunctionConcurrency: `{}` when none is reserved (botocore GetFunctionConcurrencyResponse, member optional). */
  getFunctionConcurrency(name: string): { ReservedConcurrentExecutions?: number } {
    const f = this.get(name);
    return f.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: f.reservedConcurrency };
  }

  deleteFunctionConcurrency(name: string): void {
    const fn = this.store.tx(() => {
      const f = this.get(name);
      delete f.reservedConcurrency;
      this.db.prepare('UPDATE functions SET doc = ? WHERE name = ?').run(JSON.stringify(f), f.configuration.FunctionName);
      return f.configuration.FunctionName;
    });
    this.events.emit({ kind: 'function', name: fn });
  }

  private reservedByOthers(functionName: string): number {
    let total = 0;
    for (const row of this.db.prepare('SELECT name, doc FROM functions').all() as { name: string; doc: string }[]) {
      if (row.name === functionName) continue;
      total += (JSON.parse(row.doc) as StoredFunction).reservedConcurrency ?? 0;
    }
    return total;
  }

  listFunctions(opts: { Marker?: string; MaxItems?: number } = {}): { Functions: FunctionConfiguration[]; NextMarker?: string } {
    const rows = this.db.prepare('SELECT doc FROM functions ORDER BY name').all() as { doc: string }[];
    // ListFunctions leaves out the state fields (botocore ListFunctions documentation).
    const all = rows.map((r) => {
      const { State: _s, LastUpdateStatus: _l, ...c } = (JSON.parse(r.doc) as StoredFunction).configuration;
      return c as FunctionConfiguration;
    });
    const start = opts.Marker ? Number.parseInt(opts.Marker, 10) || 0 : 0;
    const max = Math.min(Math.max(opts.MaxItems ?? 50, 1), 10000);
    const out: { Functions: FunctionConfiguration[]; NextMarker?: string } = { Functions: all.slice(start, start + max) };
    if (start + max < all.length) out.NextMarker = String(start + max);
    return out;
  }

  async updateFunctionCode(name: string, input: UpdateCodeInput): Promise<FunctionConfiguration> {
    const f = this.get(name);
    if (input.RevisionId && input.RevisionId !== f.configuration.RevisionId) throw preconditionFailed();
    const code = await this.materializeCode(f.configuration.FunctionName, input);
    const previous = f.code;
    const next = this.store.tx(() => {
      const cur = this.get(name);
      cur.code = code.source;
      cur.configuration.CodeSha256 = code.sha256;
      cur.configuration.CodeSize = code.size;
      cur.configuration.LastModified = lambdaTimestamp();
      cur.configuration.RevisionId = randomUUID();
      this.db.prepare('UPDATE functions SET doc = ? WHERE name = ?').run(JSON.stringify(cur), cur.configuration.FunctionName);
      return cur.configuration;
    });
    if (previous.kind === 'zip' && previous.directory !== code.source.directory) {
      // In-flight invocations may still read the old files; they are removed when the function is deleted or the
      // server restarts with the code directory garbage-collected.
    }
    this.events.emit({ kind: 'function', name: next.FunctionName });
    return inProgress(next);
  }

  updateFunctionConfiguration(name: string, input: unknown): FunctionConfiguration {
    const v = parseLambdaInput(updateConfigurationInput, input);
    const next = this.store.tx(() => {
      const f = this.get(name);
      const c = f.configuration;
      if (v.RevisionId && v.RevisionId !== c.RevisionId) throw preconditionFailed();
      if (v.Runtime !== undefined) {
        checkRuntime(v.Runtime);
        c.Runtime = v.Runtime;
      }
      if (v.Handler !== undefined) {
        checkHandler(v.Handler);
        c.Handler = v.Handler;
      }
      if (v.Role !== undefined) {
        checkRole(v.Role);
        c.Role = v.Role;
      }
      if (v.Description !== undefined) c.Description = v.Description;
      if (v.Timeout !== undefined) c.Timeout = checkTimeout(v.Timeout);
      if (v.MemorySize !== undefined) c.MemorySize = checkMemory(v.MemorySize);
      if (v.Environment !== undefined) {
        const vars = v.Environment.Variables ?? {};
        checkEnvironment(vars);
        if (Object.keys(vars).length) c.Environment = { Variables: vars };
        else delete c.Environment;
      }
      c.LastModified = lambdaTimestamp();
      c.RevisionId = randomUUID();
      this.db.prepare('UPDATE functions SET doc = ? WHERE name = ?').run(JSON.stringify(f), c.FunctionName);
      return c;
    });
    this.events.emit({ kind: 'function', name: next.FunctionName });
    return inProgress(next);
  }

  async deleteFunction(name: string): Promise<void> {
    const f = this.get(name);
    this.store.tx(() => {
      this.db.prepare('DELETE FROM functions WHERE name = ?').run(f.configuration.FunctionName);
    });
    this.events.emit({ kind: 'function', name: f.configuration.FunctionName });
    if (f.code.kind === 'zip') await rm(join(this.codeRoot, f.configuration.FunctionName), { recursive: true, force: true });
  }

  /** What the runtime needs to run a function. */
  spec(f: StoredFunction): FunctionSpec {
    const c = f.configuration;
    return {
      name: c.FunctionName,
      arn: c.FunctionArn,
      runtime: c.Runtime,
      handler: c.Handler,
      codeDirectory: f.code.directory,
      codeVersion: `${c.CodeSha256}:${c.RevisionId}`,
      timeoutSeconds: c.Timeout,
      memoryMb: c.MemorySize,
      environment: c.Environment?.Variables ?? {},
      region: this.region,
      ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
      ...(f.code.kind === 'directory' ? { watchCode: true } : {}),
    };
  }

  private async materializeCode(
    functionName: string,
    code: { ZipFile?: Buffer | undefined; S3Bucket?: string | undefined; S3Key?: string | undefined; Directory?: string | undefined },
  ): Promise<{ source: StoredFunction['code']; sha256: string; size: number }> {
    // LocalStack's convention for "serve my directory": S3Bucket "hot-reload" with the path as S3Key.
    const directory = code.Directory ?? (code.S3Bucket === 'hot-reload' ? code.S3Key : undefined);
    if (directory !== undefined) {
      const dir = isAbsolute(directory) ? directory : resolve(directory);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw lambdaInvalid(`Code directory ${dir} does not exist or is not a directory`);
      }
      const sha256 = createHash('sha256').update(dir).digest('base64');
      return { source: { kind: 'directory', directory: dir }, sha256, size: 0 };
    }
    if (code.S3Bucket) {
      throw lambdaInvalid(
        `Code in S3 (s3://${code.S3Bucket}/${code.S3Key ?? ''}) is not available locally: upload the zip (ZipFile) or point at a directory`,
      );
    }
    if (!code.ZipFile || code.ZipFile.length === 0) {
      throw lambdaInvalid('Please provide a source for function code: ZipFile bytes, or a local Directory');
    }
    if (code.ZipFile.length > 50 * 1024 * 1024) {
      throw lambdaInvalid(`Unzipped size must be smaller than 262144000 bytes`);
    }
    const hash = createHash('sha256').update(code.ZipFile);
    const hex = hash.copy().digest('hex');
    const dir = codeDirectoryFor(this.codeRoot, functionName, hex);
    await unzipTo(code.ZipFile, dir);
    return { source: { kind: 'zip', directory: dir }, sha256: hash.digest('base64'), size: code.ZipFile.length };
  }
}

/** Lambda accepts a name, a partial ARN (ACCOUNT:function:NAME) or a full ARN wherever it takes FunctionName. */
export function functionNameOf(nameOrArn: string): string {
  // A plain name (no ARN, no qualifier) is its own answer: the gateway asks this on every Lambda request.
  if (!nameOrArn.includes(':')) return nameOrArn;
  const m = /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?([^:]+)(?::(\$LATEST|[A-Za-z0-9-_]+))?$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

function parseLambdaInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(body)';
  let value: unknown = input;
  for (const k of issue.path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k] : undefined;
  if (value === undefined) {
    throw validationError(`1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`);
  }
  throw validationError(`1 validation error detected: Value '${String(value)}' at '${lowerFirst(field)}' failed to satisfy constraint: ${issue.message}`);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function checkName(name: string): void {
  if (!FUNCTION_NAME.test(name)) {
    throw lambdaInvalid(
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
}

function checkRuntime(runtime: string): void {
  if (!(RUNTIMES as readonly string[]).includes(runtime)) {
    throw lambdaInvalid(
      `Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${RUNTIMES.join(', ')}] or be a valid ARN`,
    );
  }
}

function checkHandler(handler: string): void {
  if (!/^[^\s]{1,128}$/.test(handler)) {
    throw validationError(`1 validation error detected: Value '${handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`);
  }
}

function checkRole(role: string): void {
  if (!ROLE_ARN.test(role)) {
    throw validationError(
      `1 validation error detected: Value '${role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
    );
  }
}

function checkTimeout(t: number): number {
  if (t < 1 || t > 900) {
    throw validationError(`1 validation error detected: Value '${t}' at 'timeout' failed to satisfy constraint: Member must have value ${t < 1 ? 'greater than or equal to 1' : 'less than or equal to 900'}`);
  }
  return t;
}

function checkMemory(m: number): number {
  if (m < 128 || m > 10240) {
    throw validationError(`1 validation error detected: Value '${m}' at 'memorySize' failed to satisfy constraint: Member must have value ${m < 128 ? 'greater than or equal to 128' : 'less than or equal to 10240'}`);
  }
  return m;
}

function checkEnvironment(vars: Record<string, string>): void {
  let size = 0;
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) {
      throw lambdaInvalid(`Environment variable name '${k}' is invalid: names start with a letter and contain only letters, digits and underscores`);
    }
    size += k.length + v.length;
  }
  // Lambda: "the total size of all environment variables doesn't exceed 4 KB".
  if (size > 4096) throw lambdaInvalid('Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.');
}

function preconditionFailed() {
  return Object.assign(lambdaInvalid('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id'), {
    status: 412,
    type: 'PreconditionFailedException',
  });
}

/** Update* responses report the update as still in progress, as AWS does; GetFunction shows it done. */
function inProgress(c: FunctionConfiguration): FunctionConfiguration {
  return { ...c, LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' } as FunctionConfiguration;
}

/** Lambda's LastModified format: 2024-01-31T12:34:56.789+0000 */
export function lambdaTimestamp(d = new Date()): string {
  return d.toISOString().replace('Z', '+0000');
}
