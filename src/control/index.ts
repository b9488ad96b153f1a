import { join } from 'node:path';
import type { Store } from '../store/db.js';
import { ControlEvents } from './events.js';
import { RestApiService } from './rest-apis.js';
import { DeploymentService } from './deployments.js';
import { FunctionService } from './functions.js';
import { HttpApiService } from './http-apis.js';
import { RestApiParts } from './rest-api-parts.js';
import { ApiKeyService } from './api-keys.js';
import { DomainNameService } from './domain-names.js';
import { enableCors, type EnableCorsResult } from './enable-cors.js';
import { Batch } from './batch.js';

export interface ControlPlaneOptions {
  /** Where uploaded function code is unpacked. */
  codeRoot: string;
  region?: string;
}

/**
 * The one service layer: the AWS wire API, the CLI, the console and the importers all call these, and nothing
 * else writes to the store.
 */
export class ControlPlane {
  readonly events = new ControlEvents();
  readonly apis: RestApiService;
  readonly deployments: DeploymentService;
  readonly functions: FunctionService;
  readonly httpApis: HttpApiService;
  /** Authorizers, request validators and models of REST APIs. */
  readonly parts: RestApiParts;
  readonly apiKeys: ApiKeyService;
  readonly domains: DomainNameService;
  private readonly batcher: Batch;

  constructor(
    readonly store: Store,
    options: ControlPlaneOptions,
  ) {
    this.batcher = new Batch(store, this.events);
    this.apis = new RestApiService(store, this.events, (id) => this.httpApis.hasApi(id));
    this.deployments = new DeploymentService(store, this.apis);
    const fnOptions: { region?: string } = {};
    if (options.region) fnOptions.region = options.region;
    this.functions = new FunctionService(store, this.events, options.codeRoot, fnOptions);
    this.httpApis = new HttpApiService(store, this.events, this.functions.region, (id) => this.apis.hasRestApi(id), this.batcher);
    this.parts = new RestApiParts(store, this.apis);
    this.apis.parts = this.parts;
    this.deployments.parts = this.parts;
    this.domains = new DomainNameService(store, this.events, this.functions.region, {
      kindOf: (id) => (this.apis.hasRestApi(id) ? 'rest' : this.httpApis.hasApi(id) ? 'http' : undefined),
      stageExists: (id, stage) => (this.apis.hasRestApi(id) ? this.deployments.findStage(id, stage) : this.httpApis.hasApi(id) ? this.httpApis.findStage(id, stage) : undefined) !== undefined,
    });
    this.apis.domainMappings = (id) => this.domains.hasMappingsTo(id);
    this.apiKeys = new ApiKeyService(store, this.events, (apiId, stage) => {
      if (!this.apis.hasRestApi(apiId)) return 'no-api';
      return this.deployments.findStage(apiId, stage) ? 'ok' : 'no-stage';
    });
  }

  /**
   * Runs many operations (synchronous ones: a transaction cannot span an await) as one unit: one transaction, one
   * change event per API or function after it commits, auto-deploying HTTP API stages deployed once at the end. What
   * importers use; a batch inside a batch is part of it.
   */
  batch<T>(fn: () => T): T {
    return this.batcher.run(fn);
  }

  enableCors(apiId: string, resourceId: string, input: unknown, options: { dryRun?: boolean } = {}): EnableCorsResult {
    return enableCors(this.apis, apiId, resourceId, input, options);
  }
}

export function defaultCodeRoot(dataDir: string): string {
  return join(dataDir, 'functions');
}

export { AwsError, isAwsError } from './errors.js';
export type { EnableCorsResult } from './enable-cors.js';
