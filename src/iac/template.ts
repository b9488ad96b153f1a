import { dirname } from 'node:path';
import { IacError, type Diagnostic } from './diagnostics.js';
import { intrinsicName, resolveValue, type IntrinsicScope } from './intrinsics.js';
import type { JsonPath, SourceDoc } from './source.js';

export const ACCOUNT_ID = '000000000000';

/** A CloudFormation resource as written (intrinsics unresolved). */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  Metadata?: Record<string, unknown>;
}

/**
 * A template ready to deploy: CloudFormation resources (after the SAM transform, if any), parameter values,
 * conditions and mappings, and where each resource came from in the user's file.
 */
export interface Template {
  doc: SourceDoc;
  /** Directory relative CodeUri / DefinitionUri paths are resolved from. */
  dir: string;
  stackName: string;
  region: string;
  resources: Record<string, CfnResource>;
  /** For resources a transform generated: the path of the resource they were generated from. */
  origins: Map<string, JsonPath>;
  parameters: Map<string, unknown>;
  mappings: Record<string, unknown>;
  conditionDefs: Record<string, unknown>;
  diagnostics: Diagnostic[];
  /** The template's Transform declares AWS::Serverless-2016-10-31. */
  isSam: boolean;
}

export interface TemplateOptions {
  parameterOverrides?: Record<string, string>;
  region: string;
  stackName?: string;
}

/** Where a value of a (possibly generated) resource is in the user's file. */
export function locateIn(t: Pick<Template, 'doc' | 'origins'>, path: JsonPath) {
  if (path[0] === 'Resources' && typeof path[1] === 'string') {
    const origin = t.origins.get(path[1]);
    if (origin) return t.doc.locate(origin);
  }
  return t.doc.locate(path);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reads the template's top level: Parameters (with overrides), Mappings, Conditions, Resources. */
export function readTemplate(doc: SourceDoc, options: TemplateOptions): Template {
  const root = doc.value;
  if (!isObject(root)) throw new IacError('a template is a map with a Resources section', doc.locate([]), 'start the file with AWSTemplateFormatVersion and Resources');
  const resources = root['Resources'];
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    throw new IacError('the template has no Resources', doc.locate(['Resources']), 'add a Resources section with at least one resource');
  }
  const transform = root['Transform'];
  const transforms = Array.isArray(transform) ? transform : transform === undefined ? [] : [transform];
  const isSam = transforms.some((t) => typeof t === 'string' && t.startsWith('AWS::Serverless'));
  for (const t of transforms) {
    if (typeof t === 'string' && (t.startsWith('AWS::Serverless') || t === 'AWS::LanguageExtensions')) continue;
    throw new IacError(`the transform ${JSON.stringify(t)} is not supported locally`, doc.locate(['Transform']), 'only AWS::Serverless-2016-10-31 is applied; expand other macros before running locally');
  }
  const stackName = options.stackName ?? 'preflight';
  const parameters = new Map<string, unknown>([
    ['AWS::Region', options.region],
    ['AWS::AccountId', ACCOUNT_ID],
    ['AWS::StackName', stackName],
    ['AWS::StackId', `arn:aws:cloudformation:${options.region}:${ACCOUNT_ID}:stack/${stackName}/00000000-0000-0000-0000-000000000000`],
    ['AWS::Partition', 'aws'],
    ['AWS::URLSuffix', 'amazonaws.com'],
    ['AWS::NotificationARNs', []],
  ]);
  const declared = root['Parameters'];
  const overrides = { ...(options.parameterOverrides ?? {}) };
  if (declared !== undefined && !isObject(declared)) throw new IacError('Parameters must be a map', doc.locate(['Parameters']));
  for (const [name, def] of Object.entries(declared ?? {})) {
    const at = ['Parameters', name];
    if (!isObject(def)) throw new IacError(`parameter ${name} must be a map with a Type`, doc.locate(at));
    const type = String(def['Type'] ?? 'String');
    const given = name in overrides ? overrides[name] : def['Default'];
    delete overrides[name];
    if (given === undefined) {
      throw new IacError(`parameter ${name} has no Default and no value was given`, doc.locate(at), `pass it: --parameter-overrides ${name}=VALUE, or add a Default`);
    }
    if (type.startsWith('AWS::SSM::Parameter::Value')) {
      throw new IacError(`parameter ${name} reads SSM Parameter Store (${type}), which is not available locally`, doc.locate([...at, 'Type']), `pass the value: --parameter-overrides ${name}=VALUE`);
    }
    const text = Array.isArray(given) ? given.join(',') : String(given);
    const allowed = def['AllowedValues'];
    if (Array.isArray(allowed) && !allowed.map(String).includes(text)) {
      throw new IacError(`parameter ${name} is '${text}', not one of its AllowedValues (${allowed.join(', ')})`, doc.locate([...at, 'AllowedValues']), `use one of ${allowed.join(', ')}`);
    }
    if (typeof def['AllowedPattern'] === 'string' && !new RegExp(`^(?:${def['AllowedPattern']})$`).test(text)) {
      throw new IacError(`parameter ${name} is '${text}', which does not match its AllowedPattern ${def['AllowedPattern']}`, doc.locate([...at, 'AllowedPattern']));
    }
    if (type === 'Number' && Number.isNaN(Number(text))) throw new IacError(`parameter ${name} is of Type Number but got '${text}'`, doc.locate(at));
    // List types resolve to lists (CloudFormation parameters-section-structure: CommaDelimitedList, List<...>).
    parameters.set(name, type === 'CommaDelimitedList' || type.startsWith('List<') ? text.split(',').map((s) => s.trim()) : text);
  }
  const unknown = Object.keys(overrides);
  if (unknown.length) {
    throw new IacError(`--parameter-overrides names ${unknown.join(', ')}, which the template does not declare`, doc.locate(['Parameters']), `declared parameters: ${Object.keys(declared ?? {}).join(', ') || 'none'}`);
  }
  const mappings = root['Mappings'];
  const conditionDefs = root['Conditions'];
  return {
    doc,
    dir: dirname(doc.file),
    stackName,
    region: options.region,
    resources: structuredClone(resources) as Record<string, CfnResource>,
    origins: new Map(),
    parameters,
    mappings: isObject(mappings) ? mappings : {},
    conditionDefs: isObject(conditionDefs) ? conditionDefs : {},
    diagnostics: [],
    isSam,
  };
}

/**
 * Evaluates conditions on demand with cycle detection: a condition that (through others) refers to itself is an
 * error naming the cycle.
 */
export function conditionEvaluator(t: Template, scopeFor: () => IntrinsicScope): (name: string, at: JsonPath) => boolean {
  const cache = new Map<string, boolean>();
  const visiting: string[] = [];
  return (name, at) => {
    const hit = cache.get(name);
    if (hit !== undefined) return hit;
    if (!(name in t.conditionDefs)) {
      throw new IacError(`no condition named ${name} in Conditions`, locateIn(t, at), `declared conditions: ${Object.keys(t.conditionDefs).join(', ') || 'none'}`);
    }
    if (visiting.includes(name)) {
      throw new IacError(`circular condition: ${[...visiting.slice(visiting.indexOf(name)), name].join(' -> ')}`, t.doc.locate(['Conditions', name]), 'break the cycle: a condition cannot depend on itself');
    }
    visiting.push(name);
    try {
      const v = resolveValue(t.conditionDefs[name], ['Conditions', name], scopeFor());
      if (typeof v !== 'boolean') throw new IacError(`condition ${name} must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition`, t.doc.locate(['Conditions', name]));
      cache.set(name, v);
      return v;
    } finally {
      visiting.pop();
    }
  };
}

/** A scope for values that must not depend on resources (SAM-time evaluation of parameters, conditions). */
export function staticScope(t: Template): IntrinsicScope {
  const scope: IntrinsicScope = {
    doc: { file: t.doc.file, value: t.doc.value, locate: (p) => locateIn(t, p) },
    parameters: t.parameters,
    mappings: t.mappings,
    condition: () => false,
    ref: (id, at) => {
      throw new IacError(`Ref to ${id}: no parameter or resource by that name`, locateIn(t, at), 'check the spelling; Ref takes a parameter or a resource logical id');
    },
    getAtt: (id, _attr, at) => {
      throw new IacError(`Fn::GetAtt on ${id} cannot be used here`, locateIn(t, at));
    },
  };
  scope.condition = conditionEvaluator(t, () => scope);
  return scope;
}

/** Resolves a value if it only uses parameters, mappings and conditions; otherwise returns it unchanged. */
export function tryStatic(t: Template, value: unknown, path: JsonPath): unknown {
  if (intrinsicName(value) === undefined && !isObject(value) && !Array.isArray(value)) return value;
  try {
    return resolveValue(value, path, staticScope(t));
  } catch {
    return value;
  }
}
