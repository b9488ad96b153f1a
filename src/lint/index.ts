import type { ControlPlane } from '../control/index.js';
import { exportHttpApi } from '../iac/openapi/export-http.js';
import { exportRestApi } from '../iac/openapi/export-rest.js';
import { readSource } from '../iac/source.js';
import { IacError } from '../iac/diagnostics.js';
import { check } from './check.js';
import { extractFromDoc } from './extract.js';
import type { Finding, LintFunction } from './types.js';
import { handlerFile } from './handler-scan.js';

export { ALL_RULES, RULES } from './rules.js';
export type { Finding } from './types.js';

/** Lints SAM/CloudFormation templates and OpenAPI files; a file that cannot be read or parsed throws IacError. */
export function lintFiles(files: string[]): Finding[] {
  return files.flatMap((f) => check(extractFromDoc(readSource(f))));
}

/** Lints a live local API, read through the control layer (its export), with its functions' local code. */
export function lintApi(control: ControlPlane, apiId: string): Finding[] {
  const file = `api:${apiId}`;
  const locate = (path: (string | number)[]) => ({ file, line: 1, column: 1, path: path.join('.') });
  const functionsIn = (def: unknown): LintFunction[] =>
    [...new Set([...JSON.stringify(def).matchAll(/function:([A-Za-z0-9_-]+)/g)].map((m) => m[1]!))].flatMap((name) => {
      const f = control.functions.find(name);
      if (!f) return [];
      const src = handlerFile(f.code.directory, f.configuration.Handler, f.configuration.Runtime);
      return [{ name, ...(src ? { file: src } : {}), location: locate(['functions', name]) }];
    });
  if (control.apis.hasRestApi(apiId)) {
    const def = exportRestApi(control, apiId, 'swagger');
    return check({ restApis: [{ name: apiId, definition: def, locate, stages: control.deployments.getStages(apiId).map((s) => s.stageName), functions: functionsIn(def) }], httpApis: [], roles: [] });
  }
  if (control.httpApis.hasApi(apiId)) {
    const def = exportHttpApi(control, apiId);
    return check({ restApis: [], httpApis: [{ name: apiId, definition: def, locate, stages: control.httpApis.getStages(apiId).map((s) => s.stageName), functions: functionsIn(def) }], roles: [] });
  }
  throw new IacError(`no REST or HTTP API with id ${apiId}`, undefined, 'list them with `preflight apis`');
}
