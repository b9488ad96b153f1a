import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlPlane } from '../control/index.js';
import { isForeignBrowserRequest, isLoopbackHost } from './local-only.js';
import { compileApi } from '../gateway/rest/compile.js';
import type { Method, Resource } from '../model/restapi.js';
import type { CorsConfiguration } from '../model/httpapi.js';

/**
 * GET /_preflight/api/inspect?api=ID&stage=S&path=/users&method=POST — what `preflight doctor` needs to know about a
 * URL served here, read-only: the API and its kind, the stage and whether its deployment predates the API's current
 * state, the resource the path reaches in the deployed API and in the API as it is now (with or without OPTIONS),
 * the integration of the method (the Lambda behind a proxy integration), and which gateway responses carry CORS
 * headers. Served on loopback only, like the control plane.
 */
export interface InspectReport {
  kind: 'rest' | 'http' | 'none';
  api?: { id: string; name: string };
  stage?: { name: string; deploymentId: string; deployedAt: number; undeployedChanges: boolean } | null;
  stages?: string[];
  /** The resource as the stage serves it. */
  deployed?: ResourceView | null;
  /** The same path in the API as it is now (edits not deployed yet included). */
  current?: ResourceView | null;
  method?: { httpMethod: string; integrationType: string | null; functionName: string | null; authorizationType: string; apiKeyRequired: boolean } | null;
  /** Access-Control-Allow-Origin mapping of the deployed DEFAULT_4XX / DEFAULT_5XX gateway responses, null when none. */
  gatewayResponses?: { DEFAULT_4XX: string | null; DEFAULT_5XX: string | null };
  corsConfiguration?: CorsConfiguration | null;
}

export interface ResourceView {
  id: string;
  path: string;
  methods: string[];
  options: { integrationType: string | null; allowOrigin: string | null; allowMethods: string | null; allowHeaders: string | null } | null;
}

function headerMapping(method: Method | undefined, name: string): string | null {
  const v = method?.methodIntegration?.integrationResponses?.['200']?.responseParameters?.[`method.response.header.${name}`];
  return v === undefined ? null : v.replace(/^'(.*)'$/, '$1');
}

function view(resource: Resource | undefined): ResourceView | null {
  if (!resource) return null;
  const methods = resource.resourceMethods ?? {};
  const options = methods['OPTIONS'];
  return {
    id: resource.id,
    path: resource.path,
    methods: Object.keys(methods).sort(),
    options: options
      ? {
          integrationType: options.methodIntegration?.type ?? null,
          allowOrigin: headerMapping(options, 'Access-Control-Allow-Origin'),
          allowMethods: headerMapping(options, 'Access-Control-Allow-Methods'),
          allowHeaders: headerMapping(options, 'Access-Control-Allow-Headers'),
        }
      : null,
  };
}

/** The resource a request path reaches, whatever its methods, by the deployment's own routing trie. */
function resourceFor(resources: Resource[], deploymentId: string, snapshotOf: () => Parameters<typeof compileApi>[0], path: string): Resource | undefined {
  try {
    const compiled = compileApi(snapshotOf(), deploymentId);
    const byId = new Map(resources.map((r) => [r.id, r]));
    return compiled.routes.match(path, (res) => byId.get(res.resource.id) ?? res.resource) ?? undefined;
  } catch {
    return resources.find((r) => r.path === path);
  }
}

function functionNameOf(uri: string | undefined): string | null {
  const m = /:function:([^/:]+)/.exec(uri ?? '');
  return m ? m[1]! : null;
}

export function inspect(control: ControlPlane, query: URLSearchParams): InspectReport {
  const apiId = (query.get('api') ?? '').toLowerCase();
  const stageName = query.get('stage') ?? '';
  const path = query.get('path') || '/';
  const httpMethod = (query.get('method') ?? 'GET').toUpperCase();
  if (control.httpApis.hasApi(apiId)) {
    const api = control.httpApis.getApi(apiId);
    return { kind: 'http', api: { id: api.apiId, name: api.name }, corsConfiguration: api.corsConfiguration ?? null };
  }
  if (!control.apis.hasRestApi(apiId)) return { kind: 'none' };
  const api = control.apis.getRestApi(apiId);
  const statuses = control.deployments.stageStatuses(apiId);
  const status = statuses.find((s) => s.stageName === stageName);
  const report: InspectReport = {
    kind: 'rest',
    api: { id: api.id, name: api.name },
    stages: statuses.map((s) => s.stageName),
    stage: status ? { name: status.stageName, deploymentId: status.deploymentId, deployedAt: status.deployedAt, undeployedChanges: status.undeployedChanges } : null,
  };
  const currentSnapshot = control.deployments.snapshot(apiId);
  report.current = view(resourceFor(currentSnapshot.resources, 'current', () => currentSnapshot, path));
  if (status) {
    const loaded = control.deployments.loadSnapshot(apiId, status.deploymentId);
    if (loaded) {
      const deployed = resourceFor(loaded.snapshot.resources, status.deploymentId, () => loaded.snapshot, path);
      report.deployed = view(deployed);
      const m = deployed?.resourceMethods?.[httpMethod] ?? deployed?.resourceMethods?.['ANY'];
      report.method = m
        ? {
            httpMethod: m.httpMethod,
            integrationType: m.methodIntegration?.type ?? null,
            functionName: functionNameOf(m.methodIntegration?.uri),
            authorizationType: m.authorizationType,
            apiKeyRequired: m.apiKeyRequired,
          }
        : null;
      const gr = (type: string) => {
        const g = loaded.snapshot.gatewayResponses.find((x) => x.responseType === type);
        const v = g?.responseParameters?.['gatewayresponse.header.Access-Control-Allow-Origin'];
        return v === undefined ? null : v.replace(/^'(.*)'$/, '$1');
      };
      report.gatewayResponses = { DEFAULT_4XX: gr('DEFAULT_4XX'), DEFAULT_5XX: gr('DEFAULT_5XX') };
    }
  }
  return report;
}

/** Answers the inspect endpoint; like the control plane it refuses foreign Hosts and cross-site browser requests. */
export function serveInspect(req: IncomingMessage, res: ServerResponse, control: ControlPlane, rawQuery: string): void {
  const host = req.headers.host ?? '';
  let status = 200;
  let body: unknown;
  if (!isLoopbackHost(host) || isForeignBrowserRequest(req.headers, host)) {
    status = 403;
    body = { message: 'The preflight inspect endpoint only accepts requests from this machine (loopback Host, no foreign Origin).' };
  } else if (req.method !== 'GET') {
    status = 405;
    body = { message: 'inspect is read-only: use GET' };
  } else {
    body = inspect(control, new URLSearchParams(rawQuery));
  }
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
