import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { stringify } from 'yaml';
import { Store } from '../store/db.js';
import { ControlPlane, defaultCodeRoot } from '../control/index.js';
import { isAwsError } from '../control/errors.js';
import type { RunningServer } from '../server/server.js';
import { formatDiagnostic, IacError, isIacError } from '../iac/diagnostics.js';
import { loadFile, type LoadResult } from '../iac/load.js';
import { IacStateFile } from '../iac/state-file.js';
import { TemplateWatcher } from '../iac/watch.js';
import { exportRestApi, type ExportFormat } from '../iac/openapi/export-rest.js';
import { exportHttpApi } from '../iac/openapi/export-http.js';
import { exportSam } from '../iac/export-sam.js';

/** `--parameter-overrides Key=Value Key2=Value2` (also `Key=Value,Key2=Value2`), as `sam deploy` takes them. */
export function parseParameterOverrides(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of list ?? []) {
    for (const part of entry.split(/\s+(?=[A-Za-z0-9]+=)/)) {
      const m = /^(?:ParameterKey=)?([A-Za-z0-9]+)(?:=|,ParameterValue=)(.*)$/.exec(part.trim());
      if (!m) throw new IacError(`--parameter-overrides takes Name=Value, got '${part}'`, undefined, 'e.g. --parameter-overrides Env=prod FrontendOrigin=https://app.example.com');
      out[m[1]!] = m[2]!;
    }
  }
  return out;
}

export function invokeUrls(server: Pick<RunningServer, 'port'>, r: LoadResult): string[] {
  const lines: string[] = [];
  for (const api of r.apis) {
    for (const stage of api.stages) {
      const base = `http://${api.apiId}.execute-api.localhost:${server.port}`;
      const url = api.kind === 'rest' ? `${base}/${stage}/` : stage === '$default' ? `${base}/` : `${base}/${stage}/`;
      lines.push(`  ${api.kind === 'rest' ? 'REST' : 'HTTP'} API ${api.logicalId} (${api.apiId}) stage ${stage}: ${url}`);
    }
  }
  return lines;
}

export interface StartTemplatesOptions {
  watch?: boolean;
  parameterOverrides?: string[];
  /** State directory (absent with --ephemeral): what each template created is remembered there. */
  dataDir?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * `preflight start TEMPLATE...`: imports and deploys each file into the running emulator, prints the invoke URLs,
 * and with --watch keeps them in sync with the files. Returns a closer, or undefined after printing a template
 * error (the caller stops with exit code 1).
 */
export async function startTemplates(server: RunningServer, files: string[], options: StartTemplatesOptions = {}): Promise<{ close(): void; results: LoadResult[] } | undefined> {
  const out = options.out ?? ((l: string) => console.log(l));
  const err = options.err ?? ((l: string) => console.error(l));
  const stateFile = options.dataDir ? new IacStateFile(options.dataDir) : undefined;
  const workDir = options.dataDir ? join(resolve(options.dataDir), 'iac') : mkdtempSync(join(tmpdir(), 'preflight-iac-'));
  let parameterOverrides: Record<string, string>;
  const results: LoadResult[] = [];
  try {
    parameterOverrides = parseParameterOverrides(options.parameterOverrides);
    for (const file of files) {
      out(`loading ${file} ...`);
      const started = performance.now();
      const previous = stateFile?.get(file);
      const r = await loadFile(server.control, file, { workDir, parameterOverrides, ...(previous ? { previous } : {}), progress: (m) => out(m) });
      stateFile?.set(file, r.state);
      results.push(r);
      for (const d of r.diagnostics) err(formatDiagnostic(d));
      out(`loaded ${file} in ${(performance.now() - started).toFixed(0)} ms: ${r.functions.length} function(s), ${r.apis.length} API(s)`);
      for (const line of invokeUrls(server, r)) out(line);
    }
  } catch (e) {
    if (isIacError(e)) err(`preflight: ${e.describe()}`);
    else if (isAwsError(e)) err(`preflight: ${e.type}: ${e.message}`);
    else throw e;
    return undefined;
  }
  let watcher: TemplateWatcher | undefined;
  if (options.watch) {
    watcher = new TemplateWatcher(server.control, { workDir, parameterOverrides }, {
      info: (m) => out(m),
      error: (m) => err(m),
      reloaded: (r) => {
        stateFile?.set(r.file, r.state);
        for (const line of invokeUrls(server, r)) out(line);
      },
    });
    for (const r of results) watcher.add(r);
    out(`watching ${files.length} template(s) and their functions' code for changes`);
  }
  return { close: () => watcher?.close(), results };
}

function openControl(dataDir: string): ControlPlane {
  const dir = resolve(dataDir);
  return new ControlPlane(new Store({ file: join(dir, 'state.db') }), { codeRoot: defaultCodeRoot(dir) });
}

async function runIac(fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (isIacError(e)) {
      console.error(`preflight: ${e.describe()}`);
      process.exitCode = 1;
      return;
    }
    if (isAwsError(e)) {
      console.error(`preflight: ${e.type}: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

/** `preflight import FILE` and `preflight export API_ID --format oas30|swagger|sam [--stage S]` (design doc §2). */
export function registerIac(program: Command): void {
  const dataOption = () => new Option('--data <dir>', 'state directory').default('.preflight');
  program
    .command('import')
    .description('import a SAM/CloudFormation template or an OpenAPI/Swagger definition into the state directory, and deploy it')
    .argument('<file>', 'template.yaml, template.json, openapi.yaml or swagger.json')
    .option('--parameter-overrides <Name=Value...>', 'template parameter values')
    .option('--json', 'print the result as JSON')
    .addOption(dataOption())
    .action((file: string, opts: { parameterOverrides?: string[]; json?: boolean; data: string }) =>
      runIac(async () => {
        const control = openControl(opts.data);
        const stateFile = new IacStateFile(opts.data);
        try {
          const previous = stateFile.get(file);
          const r = await loadFile(control, file, { workDir: join(resolve(opts.data), 'iac'), parameterOverrides: parseParameterOverrides(opts.parameterOverrides), ...(previous ? { previous } : {}) });
          stateFile.set(file, r.state);
          for (const d of r.diagnostics) console.error(formatDiagnostic(d));
          if (opts.json) console.log(JSON.stringify({ file, apis: r.apis, functions: r.functions.map((f) => f.name), changes: r.changes }, null, 2));
          else {
            for (const c of r.changes) console.log(c);
            for (const a of r.apis) console.log(`${a.kind === 'rest' ? 'REST' : 'HTTP'} API ${a.apiId} (${a.name}), stages: ${a.stages.join(', ')}`);
          }
        } finally {
          control.store.close();
        }
      }),
    );
  program
    .command('export')
    .description('export a REST or HTTP API as OpenAPI 3 (oas30), Swagger 2 (swagger) with API Gateway extensions, or a SAM template')
    .argument('<apiId>', 'REST or HTTP API id')
    .requiredOption('--format <format>', 'oas30, swagger or sam')
    .option('--stage <name>', 'export what this stage serves (default: the API as it is now)')
    .option('--output <file>', 'write to a file instead of stdout')
    .option('--yaml', 'YAML instead of JSON (oas30/swagger)')
    .addOption(dataOption())
    .action((apiId: string, opts: { format: string; stage?: string; output?: string; yaml?: boolean; data: string }) =>
      runIac(() => {
        if (!['oas30', 'swagger', 'sam'].includes(opts.format)) throw new IacError(`--format must be oas30, swagger or sam; got '${opts.format}'`);
        const control = openControl(opts.data);
        try {
          let text: string;
          if (opts.format === 'sam') text = exportSam(control, apiId, opts.stage);
          else {
            let doc: Record<string, unknown>;
            if (control.apis.hasRestApi(apiId)) doc = exportRestApi(control, apiId, opts.format as ExportFormat, opts.stage);
            else if (control.httpApis.hasApi(apiId)) {
              if (opts.format === 'swagger') throw new IacError('HTTP APIs export as OpenAPI 3 only (--format oas30), as apigatewayv2 ExportApi does');
              doc = exportHttpApi(control, apiId, opts.stage);
            } else throw new IacError(`no REST or HTTP API with id ${apiId} in ${resolve(opts.data)}`, undefined, 'list them with `preflight apis`');
            text = opts.yaml ? stringify(doc, { lineWidth: 0 }) : JSON.stringify(doc, null, 2);
          }
          if (opts.output) writeFileSync(opts.output, text.endsWith('\n') ? text : `${text}\n`);
          else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        } finally {
          control.store.close();
        }
      }),
    );
}
