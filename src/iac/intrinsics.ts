import { IacError } from './diagnostics.js';
import type { JsonPath, SourceDoc } from './source.js';

/** Ref AWS::NoValue: the property that holds it is removed (CloudFormation pseudo-parameters-reference). */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface IntrinsicScope {
  doc: SourceDoc;
  /** Parameter values and pseudo parameters by name. */
  parameters: ReadonlyMap<string, unknown>;
  mappings: Record<string, unknown>;
  condition(name: string, at: JsonPath): boolean;
  /** A resource's Ref value; called only for names that are not parameters. */
  ref(logicalId: string, at: JsonPath): unknown;
  getAtt(logicalId: string, attribute: string, at: JsonPath): unknown;
}

const INTRINSICS = new Set([
  'Ref', 'Condition', 'Fn::Sub', 'Fn::GetAtt', 'Fn::Join', 'Fn::If', 'Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or',
  'Fn::FindInMap', 'Fn::Select', 'Fn::Split', 'Fn::Base64', 'Fn::ImportValue', 'Fn::GetAZs', 'Fn::Cidr', 'Fn::Transform',
  'Fn::ToJsonString', 'Fn::Length',
]);

/** The name of the intrinsic function a value calls, if it is one (`{ "Fn::Join": [...] }`). */
export function intrinsicName(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && INTRINSICS.has(keys[0]!) ? keys[0] : undefined;
}

/** Evaluates every intrinsic function in `value` (at `path` in the document), recursively. */
export function resolveValue(value: unknown, path: JsonPath, scope: IntrinsicScope): unknown {
  const name = intrinsicName(value);
  if (name) return evaluate(name, (value as Record<string, unknown>)[name], [...path, name], scope);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const r = resolveValue(item, [...path, i], scope);
      if (r !== NO_VALUE) out.push(r);
    });
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = resolveValue(v, [...path, k], scope);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return value;
}

function fail(scope: IntrinsicScope, at: JsonPath, problem: string, fix?: string): never {
  throw new IacError(problem, scope.doc.locate(at), fix);
}

function asList(scope: IntrinsicScope, at: JsonPath, fn: string, args: unknown, min: number, max = min): unknown[] {
  if (!Array.isArray(args) || args.length < min || args.length > max) {
    fail(scope, at, `${fn} takes a list of ${min === max ? min : `${min} to ${max}`} arguments`, `see the ${fn} reference in the CloudFormation User Guide`);
  }
  return args;
}

function asString(scope: IntrinsicScope, at: JsonPath, fn: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  fail(scope, at, `${fn} needs a string here, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function evaluate(name: string, args: unknown, at: JsonPath, scope: IntrinsicScope): unknown {
  switch (name) {
    case 'Ref': {
      const target = asString(scope, at, 'Ref', args);
      if (target === 'AWS::NoValue') return NO_VALUE;
      if (scope.parameters.has(target)) return scope.parameters.get(target);
      if (target.startsWith('AWS::')) fail(scope, at, `unknown pseudo parameter ${target}`, 'use AWS::Region, AWS::AccountId, AWS::StackName, AWS::StackId, AWS::Partition, AWS::URLSuffix or AWS::NoValue');
      return scope.ref(target, at);
    }
    case 'Condition':
      return scope.condition(asString(scope, at, 'Condition', args), at);
    case 'Fn::GetAtt': {
      let parts: unknown[];
      if (typeof args === 'string') {
        const dot = args.indexOf('.');
        parts = dot === -1 ? [args] : [args.slice(0, dot), args.slice(dot + 1)];
      } else parts = asList(scope, at, 'Fn::GetAtt', args, 2);
      if (parts.length !== 2) fail(scope, at, 'Fn::GetAtt takes [LogicalId, Attribute]');
      const attr = resolveValue(parts[1], [...at, 1], scope);
      return scope.getAtt(asString(scope, at, 'Fn::GetAtt', parts[0]), asString(scope, at, 'Fn::GetAtt', attr), at);
    }
    case 'Fn::Sub': {
      let template: string;
      let vars: Record<string, unknown> = {};
      if (typeof args === 'string') template = args;
      else {
        const list = asList(scope, at, 'Fn::Sub', args, 1, 2);
        template = asString(scope, [...at, 0], 'Fn::Sub', list[0]);
        if (list[1] !== undefined) {
          const v = resolveValue(list[1], [...at, 1], scope);
          if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(scope, [...at, 1], 'the second argument of Fn::Sub is a map of variable names to values');
          vars = v as Record<string, unknown>;
        }
      }
      return substitute(template, vars, at, scope);
    }
    case 'Fn::Join': {
      const [delim, list] = asList(scope, at, 'Fn::Join', args, 2);
      const items = resolveValue(list, [...at, 1], scope);
      if (!Array.isArray(items)) fail(scope, [...at, 1], 'Fn::Join joins a list of values');
      return items.map((x, i) => asString(scope, [...at, 1, i], 'Fn::Join', x)).join(asString(scope, [...at, 0], 'Fn::Join', delim));
    }
    case 'Fn::Select': {
      const [index, list] = asList(scope, at, 'Fn::Select', args, 2);
      const i = Number(resolveValue(index, [...at, 0], scope));
      const items = resolveValue(list, [...at, 1], scope);
      if (!Array.isArray(items)) fail(scope, [...at, 1], 'Fn::Select picks from a list');
      if (!Number.isInteger(i) || i < 0 || i >= items.length) fail(scope, [...at, 0], `Fn::Select index ${String(index)} is out of range (the list has ${items.length} items)`);
      return items[i];
    }
    case 'Fn::Split': {
      const [delim, source] = asList(scope, at, 'Fn::Split', args, 2);
      const text = asString(scope, [...at, 1], 'Fn::Split', resolveValue(source, [...at, 1], scope));
      return text.split(asString(scope, [...at, 0], 'Fn::Split', delim));
    }
    case 'Fn::Base64':
      return Buffer.from(asString(scope, at, 'Fn::Base64', resolveValue(args, at, scope))).toString('base64');
    case 'Fn::FindInMap': {
      const list = asList(scope, at, 'Fn::FindInMap', args, 3);
      const [m, top, second] = list.map((x, i) => asString(scope, [...at, i], 'Fn::FindInMap', resolveValue(x, [...at, i], scope)));
      const map = scope.mappings[m!] as Record<string, Record<string, unknown>> | undefined;
      if (!map) fail(scope, at, `Fn::FindInMap: no mapping named ${m} in Mappings`);
      const row = map[top!];
      if (!row) fail(scope, at, `Fn::FindInMap: mapping ${m} has no key ${top} (it has ${Object.keys(map).join(', ')})`);
      if (!(second! in row)) fail(scope, at, `Fn::FindInMap: mapping ${m}.${top} has no key ${second} (it has ${Object.keys(row).join(', ')})`);
      return row[second!];
    }
    case 'Fn::If': {
      const [cond, whenTrue, whenFalse] = asList(scope, at, 'Fn::If', args, 3);
      const branch = scope.condition(asString(scope, [...at, 0], 'Fn::If', cond), [...at, 0]);
      return branch ? resolveValue(whenTrue, [...at, 1], scope) : resolveValue(whenFalse, [...at, 2], scope);
    }
    case 'Fn::Equals': {
      const [a, b] = asList(scope, at, 'Fn::Equals', args, 2);
      return scalarText(resolveValue(a, [...at, 0], scope)) === scalarText(resolveValue(b, [...at, 1], scope));
    }
    case 'Fn::Not': {
      const [a] = asList(scope, at, 'Fn::Not', args, 1);
      return !truth(scope, [...at, 0], resolveValue(a, [...at, 0], scope));
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const list = asList(scope, at, name, args, 2, 10);
      const values = list.map((x, i) => truth(scope, [...at, i], resolveValue(x, [...at, i], scope)));
      return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Fn::ImportValue':
      fail(
        scope,
        at,
        'Fn::ImportValue is not available locally: it reads an output exported by another deployed stack, and preflight has no other stacks',
        'pass the value in as a parameter instead (Parameters + --parameter-overrides Name=Value), or inline it',
      );
    case 'Fn::GetAZs': {
      const region = String(scope.parameters.get('AWS::Region') ?? 'us-east-1');
      return ['a', 'b', 'c'].map((z) => `${region}${z}`);
    }
    case 'Fn::Length': {
      const v = resolveValue(args, at, scope);
      if (!Array.isArray(v)) fail(scope, at, 'Fn::Length counts the items of a list');
      return v.length;
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(args, at, scope));
    default:
      fail(scope, at, `${name} is not supported by preflight`, `replace ${name} with a literal value for local runs`);
  }
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function truth(scope: IntrinsicScope, at: JsonPath, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  fail(scope, at, `a condition function needs true or false here, got ${describe(v)}`);
}

/** Fn::Sub: ${Name} from the variables map, then parameters, resources (${Res} / ${Res.Attr}); ${!Literal} escapes. */
function substitute(template: string, vars: Record<string, unknown>, at: JsonPath, scope: IntrinsicScope): string {
  return template.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (name in vars) return asString(scope, at, 'Fn::Sub', vars[name]);
    if (scope.parameters.has(name)) {
      const v = scope.parameters.get(name);
      return Array.isArray(v) ? v.join(',') : asString(scope, at, 'Fn::Sub', v);
    }
    const dot = name.indexOf('.');
    if (dot > 0) return asString(scope, at, 'Fn::Sub', scope.getAtt(name.slice(0, dot), name.slice(dot + 1), at));
    if (name.startsWith('AWS::')) fail(scope, at, `unknown pseudo parameter ${name} in Fn::Sub`);
    return asString(scope, at, 'Fn::Sub', scope.ref(name, at));
  });
}

/** Every logical id an expression refers to (Ref, Fn::GetAtt, Fn::Sub variables), with where it does. */
export function referencesIn(value: unknown, path: JsonPath, out: { id: string; at: JsonPath }[] = []): { id: string; at: JsonPath }[] {
  const name = intrinsicName(value);
  if (name) {
    const args = (value as Record<string, unknown>)[name];
    const at = [...path, name];
    if (name === 'Ref' && typeof args === 'string') out.push({ id: args, at });
    else if (name === 'Fn::GetAtt') {
      const first = typeof args === 'string' ? args.split('.')[0] : Array.isArray(args) ? args[0] : undefined;
      if (typeof first === 'string') out.push({ id: first, at });
    } else if (name === 'Fn::Sub') {
      const template = typeof args === 'string' ? args : Array.isArray(args) ? args[0] : undefined;
      const vars = Array.isArray(args) && args[1] && typeof args[1] === 'object' ? (args[1] as Record<string, unknown>) : {};
      if (typeof template === 'string') {
        for (const m of template.matchAll(/\$\{([^}!][^}]*)\}/g)) {
          const id = m[1]!.trim().split('.')[0]!;
          if (!(id in vars)) out.push({ id, at });
        }
      }
      if (Array.isArray(args)) referencesIn(args[1], [...at, 1], out);
      return out;
    }
    referencesIn(args, at, out);
    return out;
  }
  if (Array.isArray(value)) value.forEach((v, i) => referencesIn(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) referencesIn(v, [...path, k], out);
  return out;
}
