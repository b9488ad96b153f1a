import { createHash } from 'node:crypto';
import type { ControlPlane } from '../../control/index.js';
import { IacError } from '../diagnostics.js';
import { resolveValue, type IntrinsicScope } from '../intrinsics.js';
import { conditionEvaluator, isObject, locateIn, type Template } from '../template.js';
import * as gw from './apigateway.js';
import * as v2 from './apigatewayv2.js';
import type { DeployContext, DeployState, Physical, ResourceHandler } from './context.js';
import { creationOrder } from './graph.js';
import { deployFunction } from './lambda.js';
import * as domains from './domain-names.js';

const HANDLERS: Record<string, ResourceHandler> = {
  'AWS::Lambda::Function': deployFunction,
  'AWS::ApiGateway::RestApi': gw.restApi,
  'AWS::ApiGateway::Resource': gw.resource,
  'AWS::ApiGateway::Method': gw.method,
  'AWS::ApiGateway::Deployment': gw.deployment,
  'AWS::ApiGateway::Stage': gw.stage,
  'AWS::ApiGateway::GatewayResponse': gw.gatewayResponse,
  'AWS::ApiGateway::Authorizer': gw.authorizer,
  'AWS::ApiGateway::RequestValidator': gw.requestValidator,
  'AWS::ApiGateway::Model': gw.model,
  'AWS::ApiGateway::ApiKey': gw.apiKey,
  'AWS::ApiGateway::UsagePlan': gw.usagePlan,
  'AWS::ApiGateway::UsagePlanKey': gw.usagePlanKey,
  'AWS::ApiGatewayV2::Api': v2.httpApi,
  'AWS::ApiGatewayV2::Route': v2.route,
  'AWS::ApiGatewayV2::Integration': v2.integration,
  'AWS::ApiGatewayV2::Authorizer': v2.authorizer,
  'AWS::ApiGatewayV2::Stage': v2.stage,
  'AWS::ApiGatewayV2::Deployment': v2.deployment,
  'AWS::ApiGateway::DomainName': domains.domainName,
  'AWS::ApiGateway::BasePathMapping': domains.basePathMapping,
  'AWS::ApiGatewayV2::DomainName': domains.domainNameV2,
  'AWS::ApiGatewayV2::ApiMapping': domains.apiMapping,
};

/** Accepted and kept (lint reads them), nothing to run locally. */
const ACCEPTED = new Set(['AWS::Lambda::Permission', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::Logs::LogGroup', 'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CloudFormation::WaitConditionHandle']);

const ROOTS: Record<string, true> = { 'AWS::ApiGateway::RestApi': true, 'AWS::ApiGatewayV2::Api': true };

export interface DeployOutcome {
  state: DeployState;
  /** Human lines: what was created, updated, reused or removed. */
  changes: string[];
}

/**
 * Creates (or, given the previous state, updates in place) what the template describes, through the control
 * layer, in dependency order. APIs are rebuilt as a whole when anything of theirs changed, into the same id.
 */
export async function deployTemplate(control: ControlPlane, template: Template, options: { workDir: string; previous?: DeployState; progress?: (m: string) => void }): Promise<DeployOutcome> {
  const previous = options.previous ?? {};
  const ctx: DeployContext = {
    control,
    template,
    workDir: options.workDir,
    physical: new Map(),
    previous,
    diagnostics: template.diagnostics,
    changed: new Set(),
    locate: (p) => locateIn(template, p),
    ...(options.progress ? { progress: options.progress } : {}),
  };
  const scope = resourceScope(ctx);
  const active = new Set<string>();
  for (const [id, r] of Object.entries(template.resources)) {
    if (!isObject(r) || typeof r.Type !== 'string') throw new IacError(`resource ${id} needs a Type`, ctx.locate(['Resources', id]));
    if (r.Condition !== undefined && !scope.condition(String(r.Condition), ['Resources', id, 'Condition'])) continue;
    active.add(id);
  }
  const order = creationOrder(template, active);
  const groups = groupHashes(template, active);
  const changes: string[] = [];
  const rebuilt = new Set<string>();
  let done = 0;
  /** Creates or updates one resource; a promise when its handler has to wait (function code to unpack). */
  const step = (id: string): Promise<void> | undefined => {
    const r = template.resources[id]!;
    const handler = HANDLERS[r.Type];
    done++;
    if (ctx.progress && order.length > 50 && done % 50 === 0) ctx.progress(`  ${done}/${order.length} resources`);
    if (!handler) {
      if (!ACCEPTED.has(r.Type)) {
        template.diagnostics.push({ severity: 'warning', message: `${r.Type} (${id}) is not emulated by preflight; it is skipped and the rest is served`, location: ctx.locate(['Resources', id, 'Type']), fix: 'references to it resolve to its logical id' });
      }
      const props = safeResolve(r.Properties ?? {}, ['Resources', id, 'Properties'], scope);
      ctx.physical.set(id, acceptedPhysical(template, id, r.Type, props));
      return undefined;
    }
    const group = groups.get(id);
    const prior = previous[id];
    const unchanged = prior && group && prior.hash === group.hash && stillExists(control, prior);
    if (unchanged) {
      ctx.physical.set(id, prior);
      return undefined;
    }
    const props = resolveValue(r.Properties ?? {}, ['Resources', id, 'Properties'], scope) as Record<string, unknown>;
    if (r.Type === 'AWS::Lambda::Function') {
      const hash = digest(props);
      if (prior && prior.hash === hash && control.functions.find(prior.id)) {
        ctx.physical.set(id, prior);
        return undefined;
      }
      return Promise.resolve(handler(ctx, id, props)).then((p) => {
        p.hash = hash;
        ctx.physical.set(id, p);
        changes.push(`${prior ? 'updated' : 'created'} function ${p.id}`);
      });
    }
    const made = (p: Physical) => {
      if (group) p.hash = group.hash;
      ctx.physical.set(id, p);
      if (ROOTS[r.Type] && !rebuilt.has(id)) {
        rebuilt.add(id);
        changes.push(`${prior ? 're-imported' : 'created'} ${r.Type === 'AWS::ApiGateway::RestApi' ? 'REST' : 'HTTP'} API ${id} (${p.id})`);
      }
    };
    const p = handler(ctx, id, props);
    if (p instanceof Promise) return p.then(made);
    made(p);
    return undefined;
  };
  // Runs of resources whose handlers need not wait are one control batch each (one transaction, one change event
  // per API, HTTP API stages auto-deployed once): an API with its resources, methods, deployment and stages
  // typically. A batch ends at a handler that waits; what it writes after waiting is its own transaction.
  let next = 0;
  while (next < order.length) {
    const waiting = control.batch(() => {
      while (next < order.length) {
        const pending = step(order[next++]!);
        if (pending) return { pending };
      }
      return undefined;
    });
    if (waiting) await waiting.pending;
  }
  // Mappings go before anything else: an API a domain still maps to cannot be deleted.
  const gone = Object.entries(previous).filter(([id]) => !ctx.physical.has(id));
  gone.sort(([, a], [, b]) => Number(b.type.endsWith('Mapping')) - Number(a.type.endsWith('Mapping')));
  for (const [id, prior] of gone) {
    await removeResource(control, prior);
    if (prior.type === 'AWS::Lambda::Function' || ROOTS[prior.type]) changes.push(`removed ${prior.type} ${id} (${prior.id})`);
  }
  return { state: Object.fromEntries(ctx.physical), changes };
}

function stillExists(control: ControlPlane, p: Physical): boolean {
  if (p.type === 'AWS::ApiGateway::RestApi') return control.apis.hasRestApi(p.id);
  if (p.type === 'AWS::ApiGatewayV2::Api') return control.httpApis.hasApi(p.id);
  if (p.type === 'AWS::ApiGateway::DomainName' || p.type === 'AWS::ApiGatewayV2::DomainName') return control.domains.find(p.id) !== undefined;
  return true;
}

async function removeResource(control: ControlPlane, p: Physical): Promise<void> {
  try {
    if (p.type === 'AWS::Lambda::Function') await control.functions.deleteFunction(p.id);
    else if (p.type === 'AWS::ApiGateway::RestApi') control.apis.deleteRestApi(p.id);
    else if (p.type === 'AWS::ApiGatewayV2::Api') control.httpApis.deleteApi(p.id);
    else if (p.type === 'AWS::ApiGateway::ApiKey') control.apiKeys.deleteApiKey(p.id);
    else if (p.type === 'AWS::ApiGateway::UsagePlan') control.apiKeys.deleteUsagePlan(p.id);
    else if (domains.DOMAIN_TYPES.includes(p.type)) domains.removeDomainResource({ control }, p);
  } catch {
    // Already gone (removed by hand or with its API).
  }
}

function digest(v: unknown): string {
  return createHash('sha1').update(JSON.stringify(v)).digest('hex');
}

/**
 * Each API with everything that names it (RestApiId / ApiId) is one unit on reload: its hash covers all of their
 * definitions and the parameter values, so an edit anywhere in it rebuilds the API, and nothing else does.
 */
function groupHashes(t: Template, active: Set<string>): Map<string, { root: string; hash: string }> {
  const rootOf = (id: string): string | undefined => {
    const r = t.resources[id]!;
    if (ROOTS[r.Type]) return id;
    const ref = r.Properties?.['RestApiId'] ?? r.Properties?.['ApiId'];
    return isObject(ref) && typeof ref['Ref'] === 'string' ? ref['Ref'] : undefined;
  };
  const members = new Map<string, string[]>();
  for (const id of active) {
    const root = rootOf(id);
    if (!root) continue;
    members.set(root, [...(members.get(root) ?? []), id]);
  }
  const params = JSON.stringify([...t.parameters]);
  const out = new Map<string, { root: string; hash: string }>();
  for (const [root, ids] of members) {
    const hash = digest([params, ids.sort().map((id) => [id, t.resources[id]])]);
    for (const id of ids) out.set(id, { root, hash });
  }
  return out;
}

function acceptedPhysical(t: Template, id: string, type: string, props: Record<string, unknown>): Physical {
  if (type === 'AWS::IAM::Role') {
    const name = typeof props['RoleName'] === 'string' ? props['RoleName'] : `${t.stackName}-${id}`;
    return { type, id: name, attrs: { Arn: `arn:aws:iam::000000000000:role/${name}`, RoleId: name } };
  }
  return { type, id, attrs: {} };
}

function safeResolve(v: unknown, path: (string | number)[], scope: IntrinsicScope): Record<string, unknown> {
  try {
    const r = resolveValue(v, path, scope);
    return isObject(r) ? r : {};
  } catch {
    return {};
  }
}

/** Intrinsics against what has been created so far. */
function resourceScope(ctx: DeployContext): IntrinsicScope {
  const t = ctx.template;
  const scope: IntrinsicScope = {
    doc: { file: t.doc.file, value: t.doc.value, locate: ctx.locate },
    parameters: t.parameters,
    mappings: t.mappings,
    condition: () => false,
    ref: (id, at) => {
      const p = ctx.physical.get(id);
      if (p) return p.id;
      if (id in t.resources) {
        throw new IacError(`${id} is referred to before it exists (its Condition is false, or it is created later)`, ctx.locate(at), 'add a DependsOn or give both resources the same Condition');
      }
      throw new IacError(`Ref to ${id}: no parameter or resource by that name`, ctx.locate(at), 'check the spelling');
    },
    getAtt: (id, attr, at) => {
      const p = ctx.physical.get(id);
      if (!p) return scope.ref(id, at);
      if (attr in p.attrs) return p.attrs[attr];
      if (!HANDLERS[p.type]) return `${id}.${attr}`;
      throw new IacError(`${id} (${p.type}) has no attribute ${attr} locally`, ctx.locate(at), `attributes: ${Object.keys(p.attrs).filter((a) => !a.startsWith('Preflight::')).join(', ') || 'none'}`);
    },
  };
  scope.condition = conditionEvaluator(t, () => scope);
  return scope;
}
