import type { ControlPlane } from '../control/index.js';
import { newRequestId } from '../control/ids.js';
import type { DomainRoute } from '../control/domain-names.js';
import type { DomainMapping } from '../model/domain-names.js';
import { compileApi, type CompiledApi } from './rest/compile.js';
import type { StageView } from './rest/context.js';
import { stageSettingsView } from './rest/stage-settings.js';
import { executeRest, type RestDeps } from './rest/execute.js';
import { compileHttpApi, type CompiledHttpApi } from './http/compile.js';
import type { HttpStageView } from './http/context.js';
import { executeHttp, type HttpDeps } from './http/execute.js';
import type { GatewayRequest, GatewayResult } from './types.js';

interface RestStage {
  view: StageView;
  api: CompiledApi;
}

interface HttpStageEntry {
  view: HttpStageView;
  api: CompiledHttpApi;
}

type ApiEntry =
  | { kind: 'none' }
  | { kind: 'rest'; stages: Map<string, RestStage | null> }
  | { kind: 'http'; stages: Map<string, HttpStageEntry | null>; stageNames: Set<string> };

export type DataPlaneDeps = RestDeps & HttpDeps;

/**
 * A request to an API. Its `path` is replaced by the data plane with the path after the stage (REST) or the route
 * path (HTTP API): the request object is the transport's own, reused rather than copied per request.
 */
export type ApiRequest = GatewayRequest;

/**
 * The data plane's view of the store: stages resolved to compiled deployments, kept in memory so a request never
 * touches SQLite once warm. Control-plane events drop an API's entries; writes by another process (the CLI) are
 * noticed through SQLite's data_version. REST and HTTP APIs share the host namespace; each id is one or the other.
 */
export class DataPlane {
  private readonly apis = new Map<string, ApiEntry>();
  private readonly compiled = new Map<string, CompiledApi | CompiledHttpApi>();
  /** Which compiled deployment each stage ("rest:api/stage", "http:api/stage") was last served from. */
  private readonly servedBy = new Map<string, string>();
  private dataVersion: number;
  private lastVersionCheck = 0;
  /** Custom domain names and their mappings, read once per change. */
  private domainRoutes: Map<string, DomainRoute> | undefined;

  constructor(
    private readonly control: ControlPlane,
    private readonly deps: DataPlaneDeps,
  ) {
    this.dataVersion = control.store.dataVersion();
    control.events.on((e) => {
      if (e.kind === 'restapi') this.apis.delete(e.apiId);
      else if (e.kind === 'httpapi') {
        this.apis.delete(e.apiId);
        // An authorizer's configuration may have changed: its cached decisions no longer stand.
        deps.cache.clear();
      }
      else if (e.kind === 'external') {
        this.apis.clear();
        this.domainRoutes = undefined;
        deps.cache.clear();
      } else if (e.kind === 'domains') this.domainRoutes = undefined;
    });
  }

  /**
   * Serves a request by host form (`path` is everything after the host) or by path form (`stage` is the
   * /restapis/{id}/{stage}/_user_request_ segment, `path` what follows it).
   */
  handle(apiId: string, path: string, req: ApiRequest, pathFormStage?: string): GatewayResult | Promise<GatewayResult> {
    this.noticeExternalWrites();
    const entry = this.apiEntry(apiId);
    if (entry.kind === 'none') return notDeployed(apiId);
    if (entry.kind === 'rest') {
      const stagePath = pathFormStage !== undefined ? `/${pathFormStage}${path}` : path;
      const slash = stagePath.indexOf('/', 1);
      const stageName = slash === -1 ? stagePath.slice(1) : stagePath.slice(1, slash);
      const rest = slash === -1 ? '/' : stagePath.slice(slash);
      const stage = stageName ? this.restStage(apiId, entry, decodeSegment(stageName)) : null;
      if (!stage) return forbidden();
      req.path = rest;
      return executeRest(req, stage.api, stage.view, stagePath, this.deps);
    }
    // HTTP APIs: a path that starts with a named stage goes to it, anything else to $default
    // (AGDG http-api-develop-routes, "stage selection").
    let stageName = '$default';
    let routePath = path;
    if (pathFormStage !== undefined) stageName = decodeSegment(pathFormStage);
    else {
      const slash = path.indexOf('/', 1);
      const first = decodeSegment(slash === -1 ? path.slice(1) : path.slice(1, slash));
      if (first !== '$default' && entry.stageNames.has(first)) {
        stageName = first;
        routePath = slash === -1 ? '/' : path.slice(slash);
      }
    }
    const stage = this.httpStage(apiId, entry, stageName);
    if (!stage) return httpNotFound();
    const rawPath = pathFormStage !== undefined && stageName !== '$default' ? `/${stageName}${path}` : path;
    req.path = routePath;
    return executeHttp(req, stage.api, stage.view, rawPath, this.deps);
  }

  /** The custom domain a Host header names, if any (port and case ignored). */
  domainFor(host: string): DomainRoute | undefined {
    this.noticeExternalWrites();
    const routes = (this.domainRoutes ??= this.control.domains.routes());
    if (routes.size === 0) return undefined;
    const colon = host.lastIndexOf(':');
    return routes.get((colon === -1 ? host : host.slice(0, colon)).toLowerCase());
  }

  /**
   * A request to a custom domain: the mapping with the longest base path that matches whole segments of the path,
   * else the "(none)" one (AGDG rest-api-mappings: "routes requests to the API mapping that has the longest matching
   * path"); the base path is stripped and the mapping names the stage. No mapping: 403 Forbidden, "no place to point
   * an event" (Zappa#1248, quoting AWS's answer).
   */
  handleDomain(route: DomainRoute, req: ApiRequest): GatewayResult | Promise<GatewayResult> {
    const path = req.path;
    let mapping: DomainMapping | undefined;
    let rest = path;
    for (const m of route.mappings) {
      if (m.key === '') {
        mapping = m;
        break;
      }
      const base = `/${m.key}`;
      if (path === base || path.startsWith(`${base}/`)) {
        mapping = m;
        rest = path.slice(base.length) || '/';
        break;
      }
    }
    if (!mapping) return forbidden();
    const entry = this.apiEntry(mapping.apiId);
    if (entry.kind === 'rest') {
      let stageName = mapping.stage;
      let routePath = rest;
      if (stageName === undefined) {
        // A mapping without a stage: the caller names it after the base path (botocore apigateway model,
        // BasePathMapping.stage).
        const slash = rest.indexOf('/', 1);
        stageName = decodeSegment(slash === -1 ? rest.slice(1) : rest.slice(1, slash));
        routePath = slash === -1 ? '/' : rest.slice(slash);
      }
      const stage = stageName ? this.restStage(mapping.apiId, entry, stageName) : null;
      if (!stage) return forbidden();
      // The event's path and requestContext.path keep the base path and show no stage (real events:
      // aws-powertools/powertools-lambda-python#579; LocalStack's AWS observations in localstack#12295).
      req.eventPath = path;
      req.path = routePath;
      return executeRest(req, stage.api, stage.view, path, this.deps);
    }
    if (entry.kind === 'http') {
      const stage = this.httpStage(mapping.apiId, entry, mapping.stage ?? '$default');
      if (!stage) return forbidden();
      // rawPath leaves the mapping key out but keeps a named stage (user reports: serverless-express#465,
      // powertools#621; UNCERTAIN: no recorded event).
      req.path = rest;
      return executeHttp(req, stage.api, stage.view, stage.view.name === '$default' ? rest : `/${stage.view.name}${rest}`, this.deps);
    }
    return forbidden();
  }

  private noticeExternalWrites(): void {
    const now = Date.now();
    if (now - this.lastVersionCheck < 50) return;
    this.lastVersionCheck = now;
    const v = this.control.store.dataVersion();
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      // Another process (the CLI) wrote: everything derived from the store may be stale.
      this.control.events.emit({ kind: 'external' });
    }
  }

  private apiEntry(apiId: string): ApiEntry {
    let entry = this.apis.get(apiId);
    if (!entry) {
      if (this.control.apis.hasRestApi(apiId)) entry = { kind: 'rest', stages: new Map() };
      else if (this.control.httpApis.hasApi(apiId)) {
        entry = { kind: 'http', stages: new Map(), stageNames: new Set(this.control.httpApis.getStages(apiId).map((s) => s.stageName)) };
      } else entry = { kind: 'none' };
      this.apis.set(apiId, entry);
    }
    return entry;
  }

  private restStage(apiId: string, entry: Extract<ApiEntry, { kind: 'rest' }>, stageName: string): RestStage | null {
    const cached = entry.stages.get(stageName);
    if (cached !== undefined) return cached;
    const stage = this.control.deployments.findStage(apiId, stageName);
    let result: RestStage | null = null;
    if (stage) {
      const key = `${apiId}/${stage.deploymentId}`;
      const api = this.compiledFor(key, () => {
        const loaded = this.control.deployments.loadSnapshot(apiId, stage.deploymentId);
        return loaded ? compileApi(loaded.snapshot, stage.deploymentId) : undefined;
      }) as CompiledApi | undefined;
      this.servedFrom(`rest:${apiId}/${stageName}`, key);
      if (api) {
        result = {
          api,
          view: { name: stage.stageName, deploymentId: stage.deploymentId, variables: stage.variables ?? {}, settings: stageSettingsView(stage) },
        };
      }
    }
    remember(entry.stages, stageName, result);
    return result;
  }

  private httpStage(apiId: string, entry: Extract<ApiEntry, { kind: 'http' }>, stageName: string): HttpStageEntry | null {
    const cached = entry.stages.get(stageName);
    if (cached !== undefined) return cached;
    const stage = this.control.httpApis.findStage(apiId, stageName);
    let result: HttpStageEntry | null = null;
    const deploymentId = stage?.deploymentId;
    if (stage && deploymentId) {
      const key = `http:${apiId}/${deploymentId}`;
      const api = this.compiledFor(key, () => {
        const snapshot = this.control.httpApis.loadSnapshot(apiId, deploymentId);
        return snapshot ? compileHttpApi(snapshot, deploymentId) : undefined;
      }) as CompiledHttpApi | undefined;
      this.servedFrom(`http:${apiId}/${stageName}`, key);
      if (api) result = { api, view: { name: stage.stageName, deploymentId, variables: stage.stageVariables ?? {} } };
    }
    remember(entry.stages, stageName, result);
    return result;
  }

  /**
   * A stage moved to another deployment: the one it left is dropped unless another stage still serves it. Without
   * this, every superseded deployment of a busy API stayed compiled until the cap (256 of them, each as large as the
   * API: over 100 MB after a few hundred redeployments of a mid-sized API; found by bench/soak.ts).
   */
  private servedFrom(stage: string, key: string): void {
    const previous = this.servedBy.get(stage);
    this.servedBy.set(stage, key);
    if (previous === undefined || previous === key) return;
    for (const k of this.servedBy.values()) if (k === previous) return;
    this.compiled.delete(previous);
  }

  /** Deployments never change, so compiled ones stay valid; the cap only bounds memory. */
  private compiledFor(key: string, build: () => CompiledApi | CompiledHttpApi | undefined): CompiledApi | CompiledHttpApi | undefined {
    let api = this.compiled.get(key);
    if (!api) {
      api = build();
      if (api) {
        if (this.compiled.size >= 256) this.compiled.delete(this.compiled.keys().next().value!);
        this.compiled.set(key, api);
      }
    }
    return api;
  }
}

/** Only a bounded number of unknown stage names are remembered, so probing random names cannot grow memory. */
function remember<T>(stages: Map<string, T | null>, name: string, value: T | null): void {
  if (value || stages.size < 1000) stages.set(name, value);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A stage that does not exist: 403 {"message":"Forbidden"} (real responses quoted in OWASP/Serverless-Goat#14 and
 * aws-samples/aws-microservices-deploy-options#26).
 */
function forbidden(): GatewayResult {
  return fixedError(403, 'ForbiddenException', '{"message":"Forbidden"}');
}

/** HTTP APIs answer a path no stage serves with {"message":"Not Found"} (AGDG http-api-develop-routes). */
function httpNotFound(): GatewayResult {
  return { status: 404, headers: [['content-type', 'application/json'], ['apigw-requestid', newRequestId()]], body: '{"message":"Not Found"}' };
}

/**
 * An API id that does not exist has no DNS name on AWS, so there is no AWS answer to copy; like LocalStack we answer
 * 404 and say which id was not found.
 */
function notDeployed(apiId: string): GatewayResult {
  return fixedError(404, 'NotFoundException', JSON.stringify({ message: `The API id '${apiId}' does not correspond to a deployed API Gateway API` }));
}

function fixedError(status: number, errorType: string, body: string): GatewayResult {
  return {
    status,
    headers: [
      ['Content-Type', 'application/json'],
      ['x-amzn-RequestId', newRequestId()],
      ['x-amzn-ErrorType', errorType],
    ],
    body,
  };
}
