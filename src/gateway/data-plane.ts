import type { ControlPlane } from '../control/index.js';
import { newRequestId } from '../control/ids.js';
import { compileApi, type CompiledApi } from './rest/compile.js';
import type { StageView } from './rest/context.js';
import { executeRest, type RestDeps } from './rest/execute.js';
import type { GatewayRequest, GatewayResult } from './types.js';

interface StageEntry {
  view: StageView;
  api: CompiledApi;
}

interface ApiEntry {
  exists: boolean;
  stages: Map<string, StageEntry | null>;
}

/**
 * The data plane's view of the store: stages resolved to compiled deployments, kept in memory so a request never
 * touches SQLite once warm. Control-plane events drop an API's entries; writes by another process (the CLI) are
 * noticed through SQLite's data_version.
 */
export class DataPlane {
  private readonly apis = new Map<string, ApiEntry>();
  private readonly compiled = new Map<string, CompiledApi>();
  private dataVersion: number;
  private lastVersionCheck = 0;

  constructor(
    private readonly control: ControlPlane,
    private readonly deps: RestDeps,
  ) {
    this.dataVersion = control.store.dataVersion();
    control.events.on((e) => {
      if (e.kind === 'restapi') this.apis.delete(e.apiId);
      else if (e.kind === 'external') this.apis.clear();
    });
  }

  /** Serves a REST API request. `stagePath` is the path after the API root: '/{stage}/rest/of/path'. */
  async handleRest(apiId: string, stagePath: string, req: Omit<GatewayRequest, 'path'>): Promise<GatewayResult> {
    this.noticeExternalWrites();
    const entry = this.apiEntry(apiId);
    if (!entry.exists) return notDeployed(apiId);
    const slash = stagePath.indexOf('/', 1);
    const stageName = slash === -1 ? stagePath.slice(1) : stagePath.slice(1, slash);
    const rest = slash === -1 ? '/' : stagePath.slice(slash);
    const stage = stageName ? this.stageEntry(apiId, entry, stageName) : null;
    if (!stage) return forbidden();
    return executeRest({ ...req, path: rest }, stage.api, stage.view, stagePath, this.deps);
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
      entry = { exists: this.control.apis.hasRestApi(apiId), stages: new Map() };
      this.apis.set(apiId, entry);
    }
    return entry;
  }

  private stageEntry(apiId: string, entry: ApiEntry, stageName: string): StageEntry | null {
    const cached = entry.stages.get(stageName);
    if (cached !== undefined) return cached;
    const stage = this.control.deployments.findStage(apiId, stageName);
    let result: StageEntry | null = null;
    if (stage) {
      const key = `${apiId}/${stage.deploymentId}`;
      let api = this.compiled.get(key);
      if (!api) {
        const loaded = this.control.deployments.loadSnapshot(apiId, stage.deploymentId);
        if (loaded) {
          api = compileApi(loaded.snapshot, stage.deploymentId);
          // Deployments never change, so compiled ones stay valid; the cap only bounds memory.
          if (this.compiled.size >= 256) this.compiled.delete(this.compiled.keys().next().value!);
          this.compiled.set(key, api);
        }
      }
      if (api) result = { api, view: { name: stage.stageName, deploymentId: stage.deploymentId, variables: stage.variables ?? {} } };
    }
    // Only a bounded number of unknown stage names are remembered, so probing random names cannot grow memory.
    if (result || entry.stages.size < 1000) entry.stages.set(stageName, result);
    return result;
  }
}

/**
 * A stage that does not exist: 403 {"message":"Forbidden"} (real responses quoted in OWASP/Serverless-Goat#14 and
 * aws-samples/aws-microservices-deploy-options#26).
 */
function forbidden(): GatewayResult {
  return fixedError(403, 'ForbiddenException', '{"message":"Forbidden"}');
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
