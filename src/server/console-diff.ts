import type { ApiSnapshot, Method, Resource } from '../model/restapi.js';
import type { HttpApiSnapshot } from '../model/httpapi.js';

/** One difference between what a stage serves and the API as it is now. */
export interface SnapshotChange {
  kind: 'added' | 'removed' | 'changed';
  /** Where, in the console's words: "POST /users", "OPTIONS /users › integration › requestTemplates › application/json". */
  target: string;
  /** The deployed value (removed, changed). */
  before?: unknown;
  /** The current value (added, changed). */
  after?: unknown;
}

/**
 * What changed in a REST API since a deployment: resources and methods added or removed, and for methods on both
 * sides, each differing field down to the leaf (an integration URI, one mapping template, one response header).
 */
export function diffRestSnapshots(deployed: ApiSnapshot, current: ApiSnapshot): SnapshotChange[] {
  const out: SnapshotChange[] = [];
  diffValue(out, 'API settings', deployed.api, current.api);
  const before = new Map(deployed.resources.map((r) => [r.id, r]));
  const after = new Map(current.resources.map((r) => [r.id, r]));
  for (const r of deployed.resources) {
    if (!after.has(r.id)) out.push({ kind: 'removed', target: `resource ${r.path}`, before: methodNames(r) });
  }
  for (const r of current.resources) {
    const old = before.get(r.id);
    if (!old) {
      out.push({ kind: 'added', target: `resource ${r.path}`, after: methodNames(r) });
      continue;
    }
    if (old.path !== r.path) out.push({ kind: 'changed', target: `resource ${old.path}`, before: old.path, after: r.path });
    diffMethods(out, r.path, old.resourceMethods ?? {}, r.resourceMethods ?? {});
  }
  diffKeyed(out, 'gateway response', deployed.gatewayResponses, current.gatewayResponses, (g) => g.responseType);
  return out;
}

/** The same for HTTP APIs: the API's CORS configuration, routes, integrations and authorizers. */
export function diffHttpSnapshots(deployed: HttpApiSnapshot, current: HttpApiSnapshot): SnapshotChange[] {
  const out: SnapshotChange[] = [];
  diffValue(out, 'API settings', deployed.api, current.api);
  diffKeyed(out, 'route', deployed.routes, current.routes, (r) => r.routeKey);
  diffKeyed(out, 'integration', deployed.integrations, current.integrations, (i) => i.integrationId);
  diffKeyed(out, 'authorizer', deployed.authorizers, current.authorizers, (a) => a.name);
  return out;
}

function methodNames(r: Resource): string[] {
  return Object.keys(r.resourceMethods ?? {}).sort();
}

function diffMethods(out: SnapshotChange[], path: string, before: Record<string, Method>, after: Record<string, Method>): void {
  for (const name of Object.keys(before).sort()) {
    if (!(name in after)) out.push({ kind: 'removed', target: `${name} ${path}`, before: summary(before[name]!) });
  }
  for (const name of Object.keys(after).sort()) {
    const label = `${name} ${path}`;
    if (!(name in before)) out.push({ kind: 'added', target: label, after: summary(after[name]!) });
    else diffValue(out, label, renamed(before[name]!), renamed(after[name]!));
  }
}

/** Method fields under the console's names, so a path reads "integration › uri" rather than "methodIntegration.uri". */
function renamed(m: Method): Record<string, unknown> {
  const { methodIntegration, methodResponses, ...rest } = m;
  const out: Record<string, unknown> = { ...rest };
  if (methodResponses) out['method responses'] = methodResponses;
  if (methodIntegration) {
    const { integrationResponses, ...integration } = methodIntegration;
    out['integration'] = integration;
    if (integrationResponses) out['integration responses'] = integrationResponses;
  }
  return out;
}

function summary(m: Method): string {
  const i = m.methodIntegration;
  return i ? `${i.type}${i.uri ? ` ${i.uri}` : ''}` : 'no integration';
}

function diffKeyed<T>(out: SnapshotChange[], what: string, before: T[], after: T[], key: (t: T) => string): void {
  const b = new Map(before.map((t) => [key(t), t]));
  const a = new Map(after.map((t) => [key(t), t]));
  for (const [k, v] of b) if (!a.has(k)) out.push({ kind: 'removed', target: `${what} ${k}`, before: v });
  for (const [k, v] of a) {
    const old = b.get(k);
    if (old === undefined) out.push({ kind: 'added', target: `${what} ${k}`, after: v });
    else diffValue(out, `${what} ${k}`, old, v);
  }
}

/** Leaf-level differences between two JSON values; objects are compared key by key, anything else as a whole. */
function diffValue(out: SnapshotChange[], target: string, before: unknown, after: unknown): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      const at = `${target} › ${k}`;
      if (!(k in after)) out.push({ kind: 'removed', target: at, before: before[k] });
      else if (!(k in before)) out.push({ kind: 'added', target: at, after: after[k] });
      else diffValue(out, at, before[k], after[k]);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ kind: 'changed', target, before, after });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
