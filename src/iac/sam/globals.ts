import { IacError } from '../diagnostics.js';
import { intrinsicName } from '../intrinsics.js';
import { isObject, type Template } from '../template.js';

/** Resource types each Globals section applies to (SAM specification, "Globals section of the AWS SAM template"). */
const SECTIONS: Record<string, string> = {
  Function: 'AWS::Serverless::Function',
  Api: 'AWS::Serverless::Api',
  HttpApi: 'AWS::Serverless::HttpApi',
  SimpleTable: 'AWS::Serverless::SimpleTable',
  LayerVersion: 'AWS::Serverless::LayerVersion',
  StateMachine: 'AWS::Serverless::StateMachine',
  CapacityProvider: 'AWS::Serverless::CapacityProvider',
};

/**
 * Applies SAM Globals the way samtranslator 1.110 does (plugins/globals/globals.py, GlobalProperties._do_merge):
 * the resource's own scalar wins, maps merge key by key (the resource's keys win), lists are the global items
 * followed by the resource's, and an intrinsic on either side replaces rather than merges.
 */
export function applyGlobals(t: Template, root: Record<string, unknown>): void {
  const globals = root['Globals'];
  if (globals === undefined) return;
  if (!isObject(globals)) throw new IacError('Globals must be a map of sections (Function, Api, HttpApi, ...)', t.doc.locate(['Globals']));
  for (const [section, props] of Object.entries(globals)) {
    const type = SECTIONS[section];
    if (!type) {
      throw new IacError(`'${section}' is not a supported Globals section`, t.doc.locate(['Globals', section]), `use one of ${Object.keys(SECTIONS).join(', ')}`);
    }
    if (!isObject(props)) throw new IacError(`Globals.${section} must be a map of properties`, t.doc.locate(['Globals', section]));
    for (const r of Object.values(t.resources)) {
      if (r.Type !== type) continue;
      r.Properties = merge(structuredClone(props), r.Properties ?? {}) as Record<string, unknown>;
    }
  }
}

function merge(global: unknown, local: unknown): unknown {
  if (intrinsicName(global) || intrinsicName(local)) return local;
  if (Array.isArray(global) && Array.isArray(local)) return [...global, ...local];
  if (isObject(global) && isObject(local)) {
    const out: Record<string, unknown> = { ...global };
    for (const [k, v] of Object.entries(local)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return local;
}
