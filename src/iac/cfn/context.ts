import { isAwsError } from '../../control/errors.js';
import type { ControlPlane } from '../../control/index.js';
import { IacError, type Diagnostic } from '../diagnostics.js';
import type { JsonPath } from '../source.js';
import type { Template } from '../template.js';

/** What a created resource is known by: its Ref value and its Fn::GetAtt attributes. */
export interface Physical {
  type: string;
  id: string;
  attrs: Record<string, unknown>;
  /** Content hash of the resource as written, to tell on reload whether it changed. */
  hash?: string;
}

/** What one load created, by logical id; a reload passes it back in to keep ids and skip what did not change. */
export type DeployState = Record<string, Physical>;

export interface DeployContext {
  control: ControlPlane;
  template: Template;
  /** Directory for inline (ZipFile / InlineCode) function code. */
  workDir: string;
  physical: Map<string, Physical>;
  previous: DeployState;
  diagnostics: Diagnostic[];
  /** Resource logical ids whose content changed (or are new) in this load. */
  changed: Set<string>;
  locate(path: JsonPath): ReturnType<Template['doc']['locate']>;
  progress?: (message: string) => void;
}

export interface ResourceHandler {
  (ctx: DeployContext, id: string, props: Record<string, unknown>): Promise<Physical> | Physical;
}

/** CloudFormation's PascalCase property names to the camelCase of the API Gateway wire shapes, one level deep. */
export function camel(props: Record<string, unknown>, skip: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (skip.includes(k)) continue;
    out[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  }
  return out;
}

export function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** Runs a control-plane call for a resource; AWS's refusal becomes an error at the resource's properties. */
export function call<T>(ctx: DeployContext, id: string, path: JsonPath, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isAwsError(e)) throw new IacError(`${id} (${ctx.template.resources[id]?.Type}): ${e.message}`, ctx.locate(['Resources', id, 'Properties', ...path]), 'API Gateway would refuse this too; fix the value');
    throw e;
  }
}
