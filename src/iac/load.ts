import { basename, dirname, extname } from 'node:path';
import type { ControlPlane } from '../control/index.js';
import { deployTemplate } from './cfn/deploy.js';
import type { DeployState, Physical } from './cfn/context.js';
import type { LocalCode } from './cfn/lambda.js';
import { clearHttpApi, clearRestApi } from './cfn/reset.js';
import { IacError, type Diagnostic } from './diagnostics.js';
import { importHttpApi } from './openapi/import-http.js';
import { importRestApi } from './openapi/import-rest.js';
import { isMap } from './openapi/common.js';
import { samTransform } from './sam/transform.js';
import { readSource, type SourceDoc } from './source.js';
import { readTemplate } from './template.js';

export interface LoadOptions {
  parameterOverrides?: Record<string, string>;
  /** Where inline function code is written. */
  workDir: string;
  /** What the previous load of this file created: a reload updates it in place. */
  previous?: DeployState;
  progress?: (message: string) => void;
}

export interface LoadedApi {
  kind: 'rest' | 'http';
  logicalId: string;
  apiId: string;
  name: string;
  stages: string[];
}

export interface LoadedFunction {
  logicalId: string;
  name: string;
  local?: LocalCode;
}

export interface LoadResult {
  file: string;
  kind: 'template' | 'openapi';
  state: DeployState;
  apis: LoadedApi[];
  functions: LoadedFunction[];
  diagnostics: Diagnostic[];
  changes: string[];
}

/** What a file is: a SAM/CloudFormation template, or an OpenAPI/Swagger definition. */
export function fileKind(doc: SourceDoc): 'template' | 'openapi' {
  const v = doc.value;
  if (isMap(v) && ('openapi' in v || 'swagger' in v)) return 'openapi';
  if (isMap(v) && ('Resources' in v || 'AWSTemplateFormatVersion' in v || 'Transform' in v)) return 'template';
  throw new IacError('not a SAM/CloudFormation template (no Resources) nor an OpenAPI definition (no openapi/swagger)', doc.locate([]), 'pass a template.yaml or an openapi.yaml');
}

/**
 * An OpenAPI 3 file is an HTTP API definition when it uses what only HTTP APIs have (x-amazon-apigateway-cors,
 * payloadFormatVersion, the export marker x-amazon-apigateway-importexport-version); otherwise a REST API.
 */
export function isHttpApiDefinition(doc: Record<string, unknown>): boolean {
  if ('swagger' in doc) return false;
  if ('x-amazon-apigateway-cors' in doc || 'x-amazon-apigateway-importexport-version' in doc) return true;
  return JSON.stringify(doc['paths'] ?? {}).includes('"payloadFormatVersion"');
}

/** A stage name from an exported definition's base path (Swagger basePath, OpenAPI servers' basePath variable). */
function stageFromDefinition(doc: Record<string, unknown>): string | undefined {
  const fromPath = (p: unknown) => (typeof p === 'string' && /^\/[A-Za-z0-9_-]+$/.test(p) ? p.slice(1) : undefined);
  if (typeof doc['basePath'] === 'string') return fromPath(doc['basePath']);
  const servers = Array.isArray(doc['servers']) ? doc['servers'] : [];
  for (const s of servers) {
    if (!isMap(s)) continue;
    const vars = isMap(s['variables']) && isMap(s['variables']['basePath']) ? s['variables']['basePath'] : undefined;
    const v = fromPath(typeof vars?.['default'] === 'string' ? `/${String(vars['default']).replace(/^\//, '')}` : undefined);
    if (v) return v;
  }
  return undefined;
}

export function stackNameFor(file: string): string {
  const base = basename(file, extname(file));
  const name = base === 'template' ? basename(dirname(file)) : base;
  return name.replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '') || 'preflight';
}

/** Loads one file into the control plane and deploys it: what `preflight start FILE` and `preflight import` do. */
export async function loadFile(control: ControlPlane, file: string, options: LoadOptions): Promise<LoadResult> {
  try {
    return await loadParsed(control, readSource(file), options);
  } catch (e) {
    // Every stage walks the document recursively; thousands of nested values exhaust the stack. That is a template
    // problem to report as one, not a RangeError with a stack trace (found by test/unit/fuzz-templates).
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new IacError('the document nests too deeply to load', { file, line: 1, column: 1, path: '' }, 'flatten the deeply nested values (intrinsic functions inside intrinsic functions, lists inside lists)');
    }
    throw e;
  }
}

async function loadParsed(control: ControlPlane, doc: SourceDoc, options: LoadOptions): Promise<LoadResult> {
  const file = doc.file;
  const kind = fileKind(doc);
  if (kind === 'openapi') return loadDefinition(control, doc, options);
  const template = readTemplate(doc, { region: control.functions.region, stackName: stackNameFor(file), ...(options.parameterOverrides ? { parameterOverrides: options.parameterOverrides } : {}) });
  if (template.isSam) samTransform(template);
  const outcome = await deployTemplate(control, template, { workDir: options.workDir, ...(options.previous ? { previous: options.previous } : {}), ...(options.progress ? { progress: options.progress } : {}) });
  return { file, kind, state: outcome.state, ...summarize(control, outcome.state), diagnostics: template.diagnostics, changes: outcome.changes };
}

async function loadDefinition(control: ControlPlane, doc: SourceDoc, options: LoadOptions): Promise<LoadResult> {
  const def = doc.value as Record<string, unknown>;
  const prior = options.previous?.['Api'];
  const http = isHttpApiDefinition(def);
  const name = basename(doc.file, extname(doc.file));
  let physical: Physical;
  if (http) {
    const reuse = prior && control.httpApis.hasApi(prior.id) ? prior.id : undefined;
    // One unit: a definition that fails to import leaves the API as it was, and the stage deploys once.
    const apiId = control.batch(() => {
      if (reuse) clearHttpApi(control, reuse);
      const id = importHttpApi(control, def, { ...(reuse ? { apiId: reuse } : {}), defaultName: name, locate: doc.locate });
      if (!control.httpApis.findStage(id, '$default')) control.httpApis.createStage(id, { stageName: '$default', autoDeploy: true });
      return id;
    });
    physical = { type: 'AWS::ApiGatewayV2::Api', id: apiId, attrs: {} };
  } else {
    const reuse = prior && control.apis.hasRestApi(prior.id) ? prior.id : undefined;
    const stage = stageFromDefinition(def) ?? 'dev';
    const apiId = control.batch(() => {
      if (reuse) clearRestApi(control, reuse);
      const id = importRestApi(control, def, { ...(reuse ? { apiId: reuse } : {}), defaultName: name, locate: doc.locate });
      control.deployments.createDeployment(id, { stageName: stage });
      return id;
    });
    physical = { type: 'AWS::ApiGateway::RestApi', id: apiId, attrs: {} };
  }
  const state: DeployState = { Api: physical };
  return { file: doc.file, kind: 'openapi', state, ...summarize(control, state), diagnostics: [], changes: [`${prior ? 're-imported' : 'imported'} ${http ? 'HTTP' : 'REST'} API ${physical.id}`] };
}

function summarize(control: ControlPlane, state: DeployState): { apis: LoadedApi[]; functions: LoadedFunction[] } {
  const apis: LoadedApi[] = [];
  const functions: LoadedFunction[] = [];
  for (const [logicalId, p] of Object.entries(state)) {
    if (p.type === 'AWS::ApiGateway::RestApi' && control.apis.hasRestApi(p.id)) {
      apis.push({ kind: 'rest', logicalId, apiId: p.id, name: control.apis.getRestApi(p.id).name, stages: control.deployments.getStages(p.id).map((s) => s.stageName) });
    } else if (p.type === 'AWS::ApiGatewayV2::Api' && control.httpApis.hasApi(p.id)) {
      apis.push({ kind: 'http', logicalId, apiId: p.id, name: control.httpApis.getApi(p.id).name, stages: control.httpApis.getStages(p.id).map((s) => s.stageName) });
    } else if (p.type === 'AWS::Lambda::Function') {
      const local = p.attrs['Preflight::LocalCode'] as LocalCode | undefined;
      functions.push({ logicalId, name: p.id, ...(local ? { local } : {}) });
    }
  }
  return { apis, functions };
}
