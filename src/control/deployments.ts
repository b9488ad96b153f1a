import { z } from 'zod';
import type { Store } from '../store/db.js';
import { CACHE_CLUSTER_SIZES, type ApiSnapshot, type Deployment, type Stage } from '../model/restapi.js';
import { canonicalJson, sha256 } from '../util/canonical-json.js';
import { badRequest, conflict, notFound } from './errors.js';
import { StageFlushes } from './events.js';
import { newDeploymentId } from './ids.js';
import { type PatchOperation, patchMap, pathSegments, requireValue, parseBooleanValue, unsupportedPatch } from './patch.js';
import {
  invalidStagePath,
  parseCacheClusterSize,
  parseMethodSettingKey,
  parseMethodSettingPath,
  patchMethodSetting,
  removeMethodSetting,
} from './method-settings.js';
import { nowSeconds, paginate, type Page, type RestApiService } from './rest-apis.js';
import { parseInput, stringMap } from './validate.js';
import type { RestApiParts } from './rest-api-parts.js';

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{1,512}$/;

// The stage cache's capacity, an enum in the AWS model (botocore apigateway CacheClusterSize).
const cacheClusterSize = z.enum(CACHE_CLUSTER_SIZES);

const createDeploymentInput = z.object({
  stageName: z.string().optional(),
  stageDescription: z.string().optional(),
  description: z.string().optional(),
  variables: stringMap.optional(),
  cacheClusterEnabled: z.boolean().optional(),
  cacheClusterSize: cacheClusterSize.optional(),
  tracingEnabled: z.boolean().optional(),
});

const createStageInput = z.object({
  stageName: z.string(),
  deploymentId: z.string(),
  description: z.string().optional(),
  variables: stringMap.optional(),
  tags: stringMap.optional(),
  cacheClusterEnabled: z.boolean().optional(),
  cacheClusterSize: cacheClusterSize.optional(),
  tracingEnabled: z.boolean().optional(),
});

/** Called when a stage's cache must be emptied: FlushStageCache, the cache deleted, resized, or its stage deleted. */
export type StageCacheFlushListener = (apiId: string, stageName: string) => void;

export interface StageStatus {
  stageName: string;
  deploymentId: string;
  /** True when the API now differs from what this stage serves: edits since its deployment are not live. */
  undeployedChanges: boolean;
  deployedAt: number;
}

/**
 * Deployments freeze an API into an immutable snapshot; stages point at one deployment and are what the data plane
 * serves. Nothing an API edit changes is live until a deployment is made and a stage points at it.
 */
export class DeploymentService {
  /** Set by the ControlPlane: a deployment freezes the API's authorizers, validators and models too. */
  parts?: RestApiParts;
  private readonly cacheFlushes = new StageFlushes();
  /** A stage's cached authorizer decisions must go: FlushStageAuthorizersCache, or the stage deleted. */
  readonly authorizerCacheFlushes = new StageFlushes();

  constructor(
    private readonly store: Store,
    private readonly apis: RestApiService,
  ) {}

  /** Statements through the store's cache of prepared statements. */
  private get db(): Pick<Store, 'prepare' | 'freshId'> {
    return this.store;
  }

  /** The API as it is now, in the shape a deployment freezes. */
  snapshot(apiId: string): ApiSnapshot {
    const api = this.apis.getRestApi(apiId);
    const snapshotApi: ApiSnapshot['api'] = {
      id: api.id,
      name: api.name,
      apiKeySource: api.apiKeySource,
      disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
      rootResourceId: api.rootResourceId,
    };
    if (api.binaryMediaTypes) snapshotApi.binaryMediaTypes = api.binaryMediaTypes;
    if (api.minimumCompressionSize !== undefined) snapshotApi.minimumCompressionSize = api.minimumCompressionSize;
    if (api.policy !== undefined) snapshotApi.policy = api.policy;
    const snapshot: ApiSnapshot = {
      format: 1,
      api: snapshotApi,
      resources: this.apis.fullResources(apiId),
      gatewayResponses: this.apis.getCustomGatewayResponses(apiId),
    };
    if (this.parts) {
      snapshot.authorizers = this.parts.getAuthorizers(apiId);
      snapshot.requestValidators = this.parts.getRequestValidators(apiId);
      snapshot.models = this.parts.getModels(apiId);
    }
    return snapshot;
  }

  createDeployment(apiId: string, input: unknown): Deployment {
    const v = parseInput(createDeploymentInput, input, 'createDeploymentInput');
    if (v.stageName !== undefined) checkStageName(v.stageName);
    if (v.variables) checkVariables(v.variables);
    return this.apis.mutate(apiId, () => {
      const snapshot = this.snapshot(apiId);
      checkDeployable(snapshot);
      const text = canonicalJson(snapshot);
      const deployment: Deployment = { id: this.db.freshId('deployments', apiId, newDeploymentId), createdDate: nowSeconds() };
      if (v.description !== undefined) deployment.description = v.description;
      this.db
        .prepare('INSERT INTO deployments (api_id, id, doc, snapshot, snapshot_hash) VALUES (?, ?, ?, ?, ?)')
        .run(apiId, deployment.id, JSON.stringify(deployment), text, sha256(text));
      if (v.stageName) {
        const existing = this.findStage(apiId, v.stageName);
        if (existing) {
          existing.deploymentId = deployment.id;
          existing.lastUpdatedDate = deployment.createdDate;
          if (v.variables) existing.variables = { ...(existing.variables ?? {}), ...v.variables };
          if (v.stageDescription !== undefined) existing.description = v.stageDescription;
          if (v.tracingEnabled !== undefined) existing.tracingEnabled = v.tracingEnabled;
          this.setCacheCluster(apiId, existing, v.cacheClusterEnabled, v.cacheClusterSize);
          this.saveStage(apiId, existing, false);
        } else {
          const stage = newStage(v.stageName, deployment.id);
          if (v.stageDescription !== undefined) stage.description = v.stageDescription;
          if (v.variables && Object.keys(v.variables).length) stage.variables = v.variables;
          if (v.tracingEnabled !== undefined) stage.tracingEnabled = v.tracingEnabled;
          this.setCacheCluster(apiId, stage, v.cacheClusterEnabled, v.cacheClusterSize);
          this.saveStage(apiId, stage, true);
        }
      }
      return deployment;
    });
  }

  getDeployment(apiId: string, deploymentId: string): Deployment {
    this.apis.getRestApi(apiId);
    const row = this.db.prepare('SELECT doc FROM deployments WHERE api_id = ? AND id = ?').get(apiId, deploymentId) as
      | { doc: string }
      | undefined;
    if (!row) throw notFound('Invalid Deployment identifier specified');
    return JSON.parse(row.doc) as Deployment;
  }

  getDeployments(apiId: string, opts: { position?: string; limit?: number } = {}): Page<Deployment> {
    this.apis.getRestApi(apiId);
    const rows = this.db.prepare('SELECT doc FROM deployments WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[];
    return paginate(
      rows.map((r) => JSON.parse(r.doc) as Deployment),
      opts,
    );
  }

  updateDeployment(apiId: string, deploymentId: string, ops: PatchOperation[]): Deployment {
    return this.apis.mutate(apiId, () => {
      const d = this.getDeployment(apiId, deploymentId);
      for (const op of ops) {
        if (op.path !== '/description') unsupportedPatch(op, ['/description']);
        if (op.op === 'remove') delete d.description;
        else d.description = requireValue(op);
      }
      this.db.prepare('UPDATE deployments SET doc = ? WHERE api_id = ? AND id = ?').run(JSON.stringify(d), apiId, deploymentId);
      return d;
    });
  }

  deleteDeployment(apiId: string, deploymentId: string): void {
    this.apis.mutate(apiId, () => {
      this.getDeployment(apiId, deploymentId);
      const used = this.db.prepare('SELECT 1 FROM stages WHERE api_id = ? AND deployment_id = ?').get(apiId, deploymentId);
      if (used) throw badRequest('Active stages pointing to this deployment must be moved or deleted');
      this.db.prepare('DELETE FROM deployments WHERE api_id = ? AND id = ?').run(apiId, deploymentId);
    });
  }

  /** The frozen API a deployment serves, and its hash. */
  loadSnapshot(apiId: string, deploymentId: string): { snapshot: ApiSnapshot; hash: string } | undefined {
    const row = this.db
      .prepare('SELECT snapshot, snapshot_hash FROM deployments WHERE api_id = ? AND id = ?')
      .get(apiId, deploymentId) as { snapshot: string; snapshot_hash: string } | undefined;
    if (!row) return undefined;
    return { snapshot: JSON.parse(row.snapshot) as ApiSnapshot, hash: row.snapshot_hash };
  }

  // ---- stages -----------------------------------------------------------------------------------------------

  createStage(apiId: string, input: unknown): Stage {
    const v = parseInput(createStageInput, input, 'createStageInput');
    checkStageName(v.stageName);
    if (v.variables) checkVariables(v.variables);
    return this.apis.mutate(apiId, () => {
      if (!this.db.prepare('SELECT 1 FROM deployments WHERE api_id = ? AND id = ?').get(apiId, v.deploymentId)) {
        throw badRequest('Deployment id does not exist');
      }
      if (this.findStage(apiId, v.stageName)) throw conflict('Stage already exists');
      const stage = newStage(v.stageName, v.deploymentId);
      if (v.description !== undefined) stage.description = v.description;
      if (v.variables && Object.keys(v.variables).length) stage.variables = v.variables;
      if (v.tags && Object.keys(v.tags).length) stage.tags = v.tags;
      if (v.tracingEnabled !== undefined) stage.tracingEnabled = v.tracingEnabled;
      this.setCacheCluster(apiId, stage, v.cacheClusterEnabled, v.cacheClusterSize);
      this.saveStage(apiId, stage, true);
      return stage;
    });
  }

  getStage(apiId: string, stageName: string): Stage {
    this.apis.getRestApi(apiId);
    const s = this.findStage(apiId, stageName);
    // Lower-case "stage": AWS's own text (real SDK logs in wso2/api-manager#4257).
    if (!s) throw notFound('Invalid stage identifier specified');
    return s;
  }

  findStage(apiId: string, stageName: string): Stage | undefined {
    const row = this.db.prepare('SELECT doc FROM stages WHERE api_id = ? AND stage_name = ?').get(apiId, stageName) as
      | { doc: string }
      | undefined;
    return row ? (JSON.parse(row.doc) as Stage) : undefined;
  }

  getStages(apiId: string, deploymentId?: string): Stage[] {
    this.apis.getRestApi(apiId);
    const rows = (
      deploymentId
        ? this.db.prepare('SELECT doc FROM stages WHERE api_id = ? AND deployment_id = ? ORDER BY rowid').all(apiId, deploymentId)
        : this.db.prepare('SELECT doc FROM stages WHERE api_id = ? ORDER BY rowid').all(apiId)
    ) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as Stage);
  }

  /**
   * UpdateStage: the paths AWS lists in its own error for an unknown one, with method settings keyed and defaulted
   * as AWS keys and defaults them (see method-settings.ts). Every operation is checked before anything is saved.
   */
  updateStage(apiId: string, stageName: string, ops: PatchOperation[]): Stage {
    return this.apis.mutate(apiId, () => {
      const stage = this.getStage(apiId, stageName);
      const methodSettings = { ...stage.methodSettings };
      let cacheEnabled: boolean | undefined;
      let cacheSize: Stage['cacheClusterSize'];
      for (const op of ops) {
        switch (op.path) {
          case '/deploymentId': {
            const id = requireValue(op);
            // AWS's text for a deployment that does not exist (LocalStack AWS-validated snapshot
            // test_apigateway_canary "update-stage-no-deployment"), as CreateStage answers.
            if (!this.db.prepare('SELECT 1 FROM deployments WHERE api_id = ? AND id = ?').get(apiId, id)) throw badRequest('Deployment id does not exist');
            stage.deploymentId = id;
            continue;
          }
          case '/description':
            if (op.op === 'remove') delete stage.description;
            else stage.description = requireValue(op);
            continue;
          case '/tracingEnabled':
            stage.tracingEnabled = parseBooleanValue(op);
            continue;
          case '/cacheClusterEnabled':
            cacheEnabled = parseBooleanValue(op);
            continue;
          case '/cacheClusterSize':
            cacheSize = parseCacheClusterSize(requireValue(op), op.path);
            continue;
          case '/clientCertificateId':
            if (op.op === 'remove' || !op.value) delete stage.clientCertificateId;
            else stage.clientCertificateId = op.value;
            continue;
        }
        if (op.path === '/accessLogSettings' || op.path.startsWith('/accessLogSettings/')) {
          patchAccessLogSettings(stage, op);
          continue;
        }
        if (op.path.startsWith('/variables/')) {
          const name = pathSegments(op.path).slice(1).join('/');
          const next = patchMap(stage.variables, name, op, requireValue);
          if (next) checkVariables(next);
          if (next) stage.variables = next;
          else delete stage.variables;
          continue;
        }
        const setting = parseMethodSettingPath(op.path);
        if (setting && op.op !== 'remove') {
          patchMethodSetting(methodSettings, setting.key, setting.setting, op);
          continue;
        }
        const key = op.op === 'remove' ? parseMethodSettingKey(op.path) : undefined;
        if (key !== undefined) {
          removeMethodSetting(methodSettings, key);
          continue;
        }
        throw invalidStagePath(op.path);
      }
      stage.methodSettings = methodSettings;
      this.setCacheCluster(apiId, stage, cacheEnabled, cacheSize);
      stage.lastUpdatedDate = nowSeconds();
      this.saveStage(apiId, stage, false);
      return stage;
    });
  }

  /**
   * FlushStageCache: empties the stage's response cache. AWS reports FLUSH_IN_PROGRESS for a couple of minutes and
   * then AVAILABLE (AGDG api-gateway-caching, "Flush the API stage cache"); a local flush is done at once.
   */
  flushStageCache(apiId: string, stageName: string): void {
    this.getStage(apiId, stageName);
    this.cacheFlushes.emit(apiId, stageName);
  }

  /** Registers what empties a stage's cache (the data plane's stage cache); returns the unregistration. */
  onStageCacheFlush(listener: StageCacheFlushListener): () => void {
    return this.cacheFlushes.on(listener);
  }

  /**
   * FlushStageAuthorizersCache: the stage's cached authorizer decisions are dropped, so the next request with the
   * same identity runs the authorizer again (what a developer calls after changing an authorizer's code or policy).
   */
  flushStageAuthorizersCache(apiId: string, stageName: string): void {
    this.getStage(apiId, stageName);
    this.authorizerCacheFlushes.emit(apiId, stageName);
  }

  /**
   * Turns the stage cache on or off and sizes it. AWS creates a cache instance in about four minutes
   * (CREATE_IN_PROGRESS, then AVAILABLE) and deletes it the same way (DELETE_IN_PROGRESS); a local cache is there
   * at once, so the status goes straight to AVAILABLE or NOT_AVAILABLE, as LocalStack and moto do. The size
   * defaults to 0.5 GB once enabled (AWS CLI get-stage example; moto). Resizing replaces the instance and "all
   * existing cached data is deleted"; disabling deletes it (AGDG api-gateway-caching).
   */
  private setCacheCluster(apiId: string, stage: Stage, enabled: boolean | undefined, size: Stage['cacheClusterSize']): void {
    const wasEnabled = stage.cacheClusterEnabled;
    const oldSize = stage.cacheClusterSize;
    if (size !== undefined) stage.cacheClusterSize = size;
    if (enabled !== undefined) stage.cacheClusterEnabled = enabled;
    if (stage.cacheClusterEnabled) {
      stage.cacheClusterSize ??= '0.5';
      stage.cacheClusterStatus = 'AVAILABLE';
    } else {
      stage.cacheClusterStatus = 'NOT_AVAILABLE';
    }
    const deleted = wasEnabled && !stage.cacheClusterEnabled;
    const resized = wasEnabled && stage.cacheClusterEnabled && oldSize !== stage.cacheClusterSize;
    if (deleted || resized) this.cacheFlushes.emit(apiId, stage.stageName);
  }

  deleteStage(apiId: string, stageName: string): void {
    this.apis.mutate(apiId, () => {
      this.getStage(apiId, stageName);
      this.db.prepare('DELETE FROM stages WHERE api_id = ? AND stage_name = ?').run(apiId, stageName);
    });
    // The stage's caches go with it: a new stage of the same name starts empty.
    this.cacheFlushes.emit(apiId, stageName);
    this.authorizerCacheFlushes.emit(apiId, stageName);
  }

  /** Whether each stage serves the API as it is now, or an older deployment of it. */
  stageStatuses(apiId: string): StageStatus[] {
    const current = sha256(canonicalJson(this.snapshot(apiId)));
    const rows = this.db
      .prepare(
        `SELECT s.stage_name, s.deployment_id, d.snapshot_hash, d.doc FROM stages s
         JOIN deployments d ON d.api_id = s.api_id AND d.id = s.deployment_id
         WHERE s.api_id = ? ORDER BY s.rowid`,
      )
      .all(apiId) as { stage_name: string; deployment_id: string; snapshot_hash: string; doc: string }[];
    return rows.map((r) => ({
      stageName: r.stage_name,
      deploymentId: r.deployment_id,
      undeployedChanges: r.snapshot_hash !== current,
      deployedAt: (JSON.parse(r.doc) as Deployment).createdDate,
    }));
  }

  private saveStage(apiId: string, stage: Stage, insert: boolean): void {
    if (insert) {
      this.db
        .prepare('INSERT INTO stages (api_id, stage_name, deployment_id, doc) VALUES (?, ?, ?, ?)')
        .run(apiId, stage.stageName, stage.deploymentId, JSON.stringify(stage));
    } else {
      this.db
        .prepare('UPDATE stages SET deployment_id = ?, doc = ? WHERE api_id = ? AND stage_name = ?')
        .run(stage.deploymentId, JSON.stringify(stage), apiId, stage.stageName);
    }
  }
}

function newStage(stageName: string, deploymentId: string): Stage {
  const now = nowSeconds();
  return {
    stageName,
    deploymentId,
    cacheClusterEnabled: false,
    cacheClusterStatus: 'NOT_AVAILABLE',
    methodSettings: {},
    tracingEnabled: false,
    createdDate: now,
    lastUpdatedDate: now,
  };
}

/**
 * Access log settings: add or replace `/accessLogSettings/destinationArn` or `/format`, remove only the whole
 * `/accessLogSettings`. AWS's texts (LocalStack AWS-validated snapshot test_stage_access_log_settings_validation).
 */
function patchAccessLogSettings(stage: Stage, op: PatchOperation): void {
  if (op.op === 'remove') {
    if (op.path !== '/accessLogSettings') {
      throw badRequest(`Cannot remove method setting ${op.path.slice(1)} because there is no method setting for this method `);
    }
    delete stage.accessLogSettings;
    return;
  }
  if (op.op !== 'add' && op.op !== 'replace') unsupportedPatch(op, ['/accessLogSettings/destinationArn', '/accessLogSettings/format']);
  const field = op.path === '/accessLogSettings/destinationArn' ? 'destinationArn' : op.path === '/accessLogSettings/format' ? 'format' : undefined;
  if (!field) throw badRequest('Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]');
  if (!op.value) throw badRequest('Access Log value must not be empty');
  stage.accessLogSettings = { ...(stage.accessLogSettings ?? {}), [field]: op.value };
}

function checkStageName(name: string): void {
  if (!STAGE_NAME.test(name)) {
    throw badRequest(`Stage name only allows a-zA-Z0-9_- and at most 128 characters; got '${name}'`);
  }
}

function checkVariables(vars: Record<string, string>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!VARIABLE_NAME.test(k)) throw badRequest(`Stage variable names must only contain alphanumeric characters and underscores; got '${k}'`);
    if (!VARIABLE_VALUE.test(v)) {
      throw badRequest(`Stage variable value '${v}' for '${k}' is invalid: values must match [A-Za-z0-9-._~:/?#&=,]+ (at most 512 characters)`);
    }
  }
}

/** AWS refuses to deploy an API with no methods, or with a method that has no integration. */
function checkDeployable(snapshot: ApiSnapshot): void {
  let methods = 0;
  for (const r of snapshot.resources) {
    for (const m of Object.values(r.resourceMethods ?? {})) {
      methods++;
      if (!m.methodIntegration) throw badRequest('No integration defined for method');
    }
  }
  if (methods === 0) throw badRequest("The REST API doesn't contain any methods");
}
