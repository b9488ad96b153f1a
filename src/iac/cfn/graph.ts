import { IacError } from '../diagnostics.js';
import { referencesIn } from '../intrinsics.js';
import { locateIn, type CfnResource, type Template } from '../template.js';

/** The order resources are created in: dependencies first, API definitions before their deployments. */
const PHASE: Record<string, number> = {
  'AWS::IAM::Role': 0,
  'AWS::Lambda::Function': 1,
  'AWS::ApiGateway::Deployment': 3,
  'AWS::ApiGateway::Stage': 4,
  'AWS::ApiGatewayV2::Deployment': 3,
  'AWS::ApiGatewayV2::Stage': 4,
  'AWS::ApiGateway::ApiKey': 5,
  'AWS::ApiGateway::UsagePlan': 5,
  'AWS::ApiGateway::UsagePlanKey': 6,
  // A mapping names its API's stage: it is no part of what the API's deployment freezes.
  'AWS::ApiGateway::DomainName': 7,
  'AWS::ApiGatewayV2::DomainName': 7,
  'AWS::ApiGateway::BasePathMapping': 8,
  'AWS::ApiGatewayV2::ApiMapping': 8,
};

function phaseOf(type: string): number {
  return PHASE[type] ?? 2;
}

/**
 * Orders the template's resources so each comes after everything it refers to (Ref, Fn::GetAtt, Fn::Sub,
 * DependsOn). A REST deployment also waits for every method of its API, as CloudFormation users intend even when
 * DependsOn is missing. A cycle is an error naming it, as CloudFormation's "Circular dependency between resources".
 */
export function creationOrder(t: Template, active: Set<string>): string[] {
  const deps = new Map<string, Set<string>>();
  for (const id of active) {
    const r = t.resources[id]!;
    const set = new Set<string>();
    for (const ref of referencesIn(r.Properties ?? {}, ['Resources', id, 'Properties'])) {
      if (t.parameters.has(ref.id) || ref.id === 'AWS::NoValue') continue;
      if (!(ref.id in t.resources)) {
        throw new IacError(`${id} refers to ${ref.id}, which is neither a parameter nor a resource of this template`, locateIn(t, ref.at), `check the spelling; resources: ${Object.keys(t.resources).slice(0, 12).join(', ')}`);
      }
      if (active.has(ref.id) && ref.id !== id) set.add(ref.id);
      if (ref.id === id) throw new IacError(`circular dependency: ${id} refers to itself`, locateIn(t, ref.at), 'a resource cannot Ref or Fn::GetAtt itself');
    }
    for (const d of dependsOn(r)) {
      if (!(d in t.resources)) throw new IacError(`${id} DependsOn ${d}, which is not a resource of this template`, locateIn(t, ['Resources', id, 'DependsOn']));
      if (active.has(d)) set.add(d);
    }
    deps.set(id, set);
  }
  // A cycle among explicit references is the user's; report it before adding the implicit edges.
  findCycle(t, deps);
  const apiOf = (r: CfnResource) => JSON.stringify(r.Properties?.['RestApiId'] ?? r.Properties?.['ApiId'] ?? null);
  for (const id of active) {
    const r = t.resources[id]!;
    if (r.Type !== 'AWS::ApiGateway::Deployment' && r.Type !== 'AWS::ApiGatewayV2::Deployment') continue;
    for (const other of active) {
      const o = t.resources[other]!;
      if (other !== id && phaseOf(o.Type) === 2 && apiOf(o) === apiOf(r) && !deps.get(other)!.has(id)) deps.get(id)!.add(other);
    }
  }
  const order: string[] = [];
  const done = new Set<string>();
  const remaining = [...active].sort((a, b) => phaseOf(t.resources[a]!.Type) - phaseOf(t.resources[b]!.Type));
  while (remaining.length) {
    const i = remaining.findIndex((id) => [...deps.get(id)!].every((d) => done.has(d)));
    if (i === -1) findCycle(t, deps, true);
    const [id] = remaining.splice(i === -1 ? 0 : i, 1);
    order.push(id!);
    done.add(id!);
  }
  return order;
}

export function dependsOn(r: CfnResource): string[] {
  return r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn.map(String) : [String(r.DependsOn)];
}

function findCycle(t: Template, deps: Map<string, Set<string>>, mustFind = false): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(id)), id];
      throw new IacError(`circular dependency between resources: ${cycle.join(' -> ')}`, locateIn(t, ['Resources', id]), 'remove one of the references (Ref, Fn::GetAtt, Fn::Sub or DependsOn) in the cycle');
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of deps.get(id) ?? []) visit(d);
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of deps.keys()) visit(id);
  if (mustFind) throw new IacError('circular dependency between resources', locateIn(t, ['Resources']));
}
