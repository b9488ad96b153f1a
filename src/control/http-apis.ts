import { z } from 'zod';
import type { Store } from '../store/db.js';
import type { Batch } from './batch.js';
import type {
  CorsConfiguration,
  HttpApi,
  HttpApiSnapshot,
  HttpAuthorizer,
  HttpDeployment,
  HttpIntegration,
  HttpRoute,
  HttpStage,
} from '../model/httpapi.js';
import { canonicalJson, sha256 } from '../util/canonical-json.js';
import { badRequest, conflict, notFound } from './errors.js';
import { type ControlEvents, StageFlushes } from './events.js';
import { ACCOUNT_ID, randomId } from './ids.js';
import { parseInput, stringMap } from './validate.js';

export const HTTP_ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
const CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*'];

const corsSchema = z.object({
  allowCredentials: z.boolean().optional(),
  allowHeaders: z.array(z.string()).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowOrigins: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: z.number().int().optional(),
});

const createApiInput = z.object({
  name: z.string().min(1).max(128),
  protocolType: z.enum(['HTTP', 'WEBSOCKET']),
  description: z.string().max(1024).optional(),
  corsConfiguration: corsSchema.optional(),
  disableExecuteApiEndpoint: z.boolean().optional(),
  disableSchemaValidation: z.boolean().optional(),
  routeSelectionExpression: z.string().optional(),
  apiKeySelectionExpression: z.string().optional(),
  ipAddressType: z.enum(['ipv4', 'dualstack']).optional(),
  tags: stringMap.optional(),
  version: z.string().optional(),
  target: z.string().optional(),
  routeKey: z.string().optional(),
  credentialsArn: z.string().optional(),
});

const updateApiInput = createApiInput.partial().omit({ protocolType: true });

const routeInput = z.object({
  routeKey: z.string(),
  target: z.string().optional(),
  authorizationType: z.enum(['NONE', 'AWS_IAM', 'CUSTOM', 'JWT']).optional(),
  authorizerId: z.string().optional(),
  authorizationScopes: z.array(z.string()).optional(),
  apiKeyRequired: z.boolean().optional(),
  operationName: z.string().optional(),
  requestParameters: z.record(z.string(), z.object({ required: z.boolean() })).optional(),
});

const integrationInput = z.object({
  integrationType: z.enum(['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY']),
  integrationUri: z.string().optional(),
  integrationMethod: z.string().optional(),
  payloadFormatVersion: z.string().optional(),
  timeoutInMillis: z.number().int().optional(),
  connectionType: z.enum(['INTERNET', 'VPC_LINK']).optional(),
  connectionId: z.string().optional(),
  description: z.string().optional(),
  requestParameters: stringMap.optional(),
  responseParameters: z.record(z.string(), stringMap).optional(),
  integrationSubtype: z.string().optional(),
  credentialsArn: z.string().optional(),
  tlsConfig: z.object({ serverNameToVerify: z.string().optional() }).optional(),
});

const stageInput = z.object({
  stageName: z.string().min(1).max(128),
  autoDeploy: z.boolean().optional(),
  deploymentId: z.string().optional(),
  description: z.string().optional(),
  stageVariables: stringMap.optional(),
  defaultRouteSettings: z.record(z.string(), z.unknown()).optional(),
  routeSettings: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  tags: stringMap.optional(),
});

const authorizerInput = z.object({
  name: z.string().min(1).max(128),
  authorizerType: z.enum(['REQUEST', 'JWT']),
  identitySource: z.array(z.string()),
  jwtConfiguration: z.object({ audience: z.array(z.string()).optional(), issuer: z.string().optional() }).optional(),
  authorizerUri: z.string().optional(),
  authorizerPayloadFormatVersion: z.string().optional(),
  authorizerResultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
  enableSimpleResponses: z.boolean().optional(),
  identityValidationExpression: z.string().optional(),
  authorizerCredentialsArn: z.string().optional(),
});

export interface HttpStageStatus {
  stageName: string;
  deploymentId?: string;
  autoDeploy: boolean;
  undeployedChanges: boolean;
}

/**
 * Control operations on HTTP APIs: the API and its CORS configuration, routes, integrations, authorizers,
 * deployments and stages. A stage with autoDeploy gets a new deployment after every change, in the same
 * transaction, as AWS releases changes automatically to such stages.
 */
export class HttpApiService {
  /** A stage's cached authorizer decisions must go: ResetAuthorizersCache, or the stage deleted. */
  readonly authorizerCacheFlushes = new StageFlushes();

  constructor(
    private readonly store: Store,
    private readonly events: ControlEvents,
    private readonly region: string,
    /** Whether an id is taken by a REST API: both kinds share the execute-api host namespace. */
    private readonly restApiExists: (id: string) => boolean,
    /** When operations run in a batch, auto-deploying stages are deployed once, at its end. */
    private readonly batch?: Batch,
  ) {}

  /** Statements through the store's cache of prepared statements. */
  private get db(): Pick<Store, 'prepare' | 'freshId'> {
    return this.store;
  }

  /**
   * One transaction per operation; auto-deploying stages are brought up to date before it commits (in a batch:
   * before the batch commits, once).
   */
  private mutate<T>(apiId: string, fn: () => T, options: { autoDeploy?: boolean } = {}): T {
    const result = this.store.tx(() => {
      const r = fn();
      if (options.autoDeploy !== false) {
        const deploy = () => {
          if (this.findApi(apiId)) this.autoDeploy(apiId);
        };
        if (this.batch) this.batch.deferToEnd(`auto-deploy:${apiId}`, deploy);
        else deploy();
      }
      return r;
    });
    this.events.emit({ kind: 'httpapi', apiId });
    return result;
  }

  // ---- APIs ------------------------------------------------------------------------------------------------

  createApi(input: unknown): HttpApi {
    const v = parseInput(createApiInput, input, 'createApiInput');
    if (v.protocolType !== 'HTTP') throw badRequest('WebSocket APIs are not supported by preflight; use protocolType HTTP');
    if (v.corsConfiguration) checkCors(v.corsConfiguration);
    let id = randomId(10);
    while (this.findApi(id) || this.restApiExists(id)) id = randomId(10);
    const api: HttpApi = {
      apiId: id,
      name: v.name,
      protocolType: 'HTTP',
      apiEndpoint: `https://${id}.execute-api.${this.region}.amazonaws.com`,
      apiKeySelectionExpression: v.apiKeySelectionExpression ?? '$request.header.x-api-key',
      routeSelectionExpression: v.routeSelectionExpression ?? '$request.method $request.path',
      createdDate: isoNow(),
      disableExecuteApiEndpoint: v.disableExecuteApiEndpoint ?? false,
      ipAddressType: v.ipAddressType ?? 'ipv4',
      tags: v.tags ?? {},
    };
    if (v.description !== undefined) api.description = v.description;
    if (v.version !== undefined) api.version = v.version;
    if (v.disableSchemaValidation !== undefined) api.disableSchemaValidation = v.disableSchemaValidation;
    if (v.corsConfiguration) api.corsConfiguration = normalizeCors(v.corsConfiguration);
    if (v.routeKey !== undefined && v.target === undefined) throw badRequest('RouteKey can only be specified together with Target (quick create)');
    return this.mutate(id, () => {
      this.db.prepare('INSERT INTO http_apis (id, doc) VALUES (?, ?)').run(id, JSON.stringify(api));
      if (v.target !== undefined) this.quickCreate(api, v.target, v.routeKey ?? '$default', v.credentialsArn);
      return api;
    });
  }

  /**
   * Quick create (AGDG http-api-develop): an integration to the target, a route ($default unless a RouteKey is
   * given) and a $default stage that deploys automatically, all managed by API Gateway.
   */
  private quickCreate(api: HttpApi, target: string, routeKey: string, credentialsArn: string | undefined): void {
    const isLambda = /^arn:aws[a-z-]*:lambda:/.test(target);
    const integration: HttpIntegration = {
      integrationId: randomId(7),
      integrationType: isLambda ? 'AWS_PROXY' : 'HTTP_PROXY',
      integrationUri: target,
      integrationMethod: isLambda ? 'POST' : 'ANY',
      payloadFormatVersion: isLambda ? '2.0' : '1.0',
      timeoutInMillis: 30000,
      connectionType: 'INTERNET',
      apiGatewayManaged: true,
    };
    if (credentialsArn) integration.credentialsArn = credentialsArn;
    if (!isLambda && !/^https?:\/\//.test(target)) throw badRequest(`Invalid target ${target}: use a Lambda function ARN or an http(s) URL`);
    this.saveIntegration(api.apiId, integration, true);
    const route: HttpRoute = {
      routeId: randomId(7),
      routeKey: checkRouteKey(routeKey),
      target: `integrations/${integration.integrationId}`,
      authorizationType: 'NONE',
      apiKeyRequired: false,
      apiGatewayManaged: true,
    };
    this.saveRoute(api.apiId, route, true);
    const stage = newStage('$default', true);
    stage.apiGatewayManaged = true;
    this.saveStage(api.apiId, stage, true);
  }

  findApi(apiId: string): HttpApi | undefined {
    const row = this.db.prepare('SELECT doc FROM http_apis WHERE id = ?').get(apiId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as HttpApi) : undefined;
  }

  hasApi(apiId: string): boolean {
    return this.db.prepare('SELECT 1 FROM http_apis WHERE id = ?').get(apiId) !== undefined;
  }

  getApi(apiId: string): HttpApi {
    const api = this.findApi(apiId);
    if (!api) throw notFound(`Invalid API identifier specified ${ACCOUNT_ID}:${apiId}`);
    return api;
  }

  getApis(): HttpApi[] {
    const rows = this.db.prepare('SELECT doc FROM http_apis ORDER BY rowid').all() as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as HttpApi);
  }

  updateApi(apiId: string, input: unknown): HttpApi {
    const v = parseInput(updateApiInput, input, 'updateApiInput');
    return this.mutate(apiId, () => {
      const api = this.getApi(apiId);
      if (v.name !== undefined) api.name = v.name;
      if (v.description !== undefined) api.description = v.description;
      if (v.version !== undefined) api.version = v.version;
      if (v.disableExecuteApiEndpoint !== undefined) api.disableExecuteApiEndpoint = v.disableExecuteApiEndpoint;
      if (v.disableSchemaValidation !== undefined) api.disableSchemaValidation = v.disableSchemaValidation;
      if (v.routeSelectionExpression !== undefined) api.routeSelectionExpression = v.routeSelectionExpression;
      if (v.apiKeySelectionExpression !== undefined) api.apiKeySelectionExpression = v.apiKeySelectionExpression;
      if (v.ipAddressType !== undefined) api.ipAddressType = v.ipAddressType;
      if (v.corsConfiguration !== undefined) {
        // UpdateApi merges the CORS members it is given into the existing configuration.
        const merged = { ...(api.corsConfiguration ?? {}), ...stripUndefined(v.corsConfiguration) };
        checkCors(merged);
        api.corsConfiguration = normalizeCors(merged);
      }
      this.saveApi(api);
      return api;
    });
  }

  deleteCorsConfiguration(apiId: string): void {
    this.mutate(apiId, () => {
      const api = this.getApi(apiId);
      delete api.corsConfiguration;
      this.saveApi(api);
    });
  }

  deleteApi(apiId: string): void {
    this.store.tx(() => {
      this.getApi(apiId);
      this.db.prepare('DELETE FROM http_apis WHERE id = ?').run(apiId);
    });
    this.events.emit({ kind: 'httpapi', apiId });
  }

  private saveApi(api: HttpApi): void {
    this.db.prepare('UPDATE http_apis SET doc = ? WHERE id = ?').run(JSON.stringify(api), api.apiId);
  }

  // ---- routes ----------------------------------------------------------------------------------------------

  createRoute(apiId: string, input: unknown): HttpRoute {
    const v = parseInput(routeInput, input, 'createRouteInput');
    return this.mutate(apiId, () => {
      this.getApi(apiId);
      const route: HttpRoute = {
        routeId: this.db.freshId('http_routes', apiId, () => randomId(7)),
        routeKey: checkRouteKey(v.routeKey),
        authorizationType: v.authorizationType ?? 'NONE',
        apiKeyRequired: v.apiKeyRequired ?? false,
      };
      this.applyRouteFields(apiId, route, v);
      if (this.routeByKey(apiId, route.routeKey)) throw conflict(`Route with key ${route.routeKey} already exists for this API`);
      this.saveRoute(apiId, route, true);
      return route;
    });
  }

  getRoutes(apiId: string): HttpRoute[] {
    this.getApi(apiId);
    const rows = this.db.prepare('SELECT doc FROM http_routes WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as HttpRoute);
  }

  getRoute(apiId: string, routeId: string): HttpRoute {
    this.getApi(apiId);
    const row = this.db.prepare('SELECT doc FROM http_routes WHERE api_id = ? AND id = ?').get(apiId, routeId) as { doc: string } | undefined;
    if (!row) throw notFound(`Invalid Route identifier specified ${routeId}`);
    return JSON.parse(row.doc) as HttpRoute;
  }

  updateRoute(apiId: string, routeId: string, input: unknown): HttpRoute {
    const v = parseInput(routeInput.partial(), input, 'updateRouteInput');
    return this.mutate(apiId, () => {
      const route = this.getRoute(apiId, routeId);
      if (v.routeKey !== undefined && v.routeKey !== route.routeKey) {
        route.routeKey = checkRouteKey(v.routeKey);
        const other = this.routeByKey(apiId, route.routeKey);
        if (other && other.routeId !== routeId) throw conflict(`Route with key ${route.routeKey} already exists for this API`);
      }
      if (v.authorizationType !== undefined) route.authorizationType = v.authorizationType;
      if (v.apiKeyRequired !== undefined) route.apiKeyRequired = v.apiKeyRequired;
      this.applyRouteFields(apiId, route, v);
      this.saveRoute(apiId, route, false);
      return route;
    });
  }

  deleteRoute(apiId: string, routeId: string): void {
    this.mutate(apiId, () => {
      this.getRoute(apiId, routeId);
      this.db.prepare('DELETE FROM http_routes WHERE api_id = ? AND id = ?').run(apiId, routeId);
    });
  }

  private applyRouteFields(apiId: string, route: HttpRoute, v: Partial<z.infer<typeof routeInput>>): void {
    if (v.target !== undefined) {
      if (v.target === '') delete route.target;
      else {
        const m = /^integrations\/([A-Za-z0-9]+)$/.exec(v.target);
        if (!m) throw badRequest(`Invalid target ${v.target}: a route targets integrations/{integrationId}`);
        if (!this.findIntegration(apiId, m[1]!)) throw notFound(`Invalid integration identifier specified: ${m[1]}`);
        route.target = v.target;
      }
    }
    if (v.authorizerId !== undefined) route.authorizerId = v.authorizerId;
    if (v.authorizationScopes !== undefined) route.authorizationScopes = v.authorizationScopes;
    if (v.operationName !== undefined) route.operationName = v.operationName;
    if (v.requestParameters !== undefined) route.requestParameters = v.requestParameters;
    if (route.authorizationType === 'JWT' || route.authorizationType === 'CUSTOM') {
      if (!route.authorizerId) throw badRequest(`An authorizerId is required for authorization type ${route.authorizationType}`);
      const authorizer = this.findAuthorizer(apiId, route.authorizerId);
      if (!authorizer) throw notFound(`Invalid authorizer identifier specified: ${route.authorizerId}`);
      const expected = route.authorizationType === 'JWT' ? 'JWT' : 'REQUEST';
      if (authorizer.authorizerType !== expected) {
        throw badRequest(`Authorizer ${authorizer.authorizerId} is a ${authorizer.authorizerType} authorizer; authorization type ${route.authorizationType} needs a ${expected} authorizer`);
      }
    } else if (route.authorizationType === 'NONE') {
      delete route.authorizerId;
    }
    if (route.authorizationScopes?.length && route.authorizationType !== 'JWT') {
      throw badRequest('Authorization scopes are supported only for JWT authorizers');
    }
  }

  private routeByKey(apiId: string, key: string): HttpRoute | undefined {
    const row = this.db.prepare('SELECT doc FROM http_routes WHERE api_id = ? AND route_key = ?').get(apiId, key) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as HttpRoute) : undefined;
  }

  private saveRoute(apiId: string, route: HttpRoute, insert: boolean): void {
    if (insert) {
      this.db.prepare('INSERT INTO http_routes (api_id, id, route_key, doc) VALUES (?, ?, ?, ?)').run(apiId, route.routeId, route.routeKey, JSON.stringify(route));
    } else {
      this.db.prepare('UPDATE http_routes SET route_key = ?, doc = ? WHERE api_id = ? AND id = ?').run(route.routeKey, JSON.stringify(route), apiId, route.routeId);
    }
  }

  // ---- integrations ----------------------------------------------------------------------------------------

  createIntegration(apiId: string, input: unknown): HttpIntegration {
    const v = parseInput(integrationInput, input, 'createIntegrationInput');
    return this.mutate(apiId, () => {
      this.getApi(apiId);
      const integration = buildIntegration(this.db.freshId('http_integrations', apiId, () => randomId(7)), v);
      this.saveIntegration(apiId, integration, true);
      return integration;
    });
  }

  getIntegrations(apiId: string): HttpIntegration[] {
    this.getApi(apiId);
    const rows = this.db.prepare('SELECT doc FROM http_integrations WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as HttpIntegration);
  }

  findIntegration(apiId: string, integrationId: string): HttpIntegration | undefined {
    const row = this.db.prepare('SELECT doc FROM http_integrations WHERE api_id = ? AND id = ?').get(apiId, integrationId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as HttpIntegration) : undefined;
  }

  getIntegration(apiId: string, integrationId: string): HttpIntegration {
    this.getApi(apiId);
    const i = this.findIntegration(apiId, integrationId);
    if (!i) throw notFound(`Invalid Integration identifier specified ${integrationId}`);
    return i;
  }

  updateIntegration(apiId: string, integrationId: string, input: unknown): HttpIntegration {
    const v = parseInput(integrationInput.partial(), input, 'updateIntegrationInput');
    return this.mutate(apiId, () => {
      const current = this.getIntegration(apiId, integrationId);
      const merged = { ...current, ...stripUndefined(v) } as z.infer<typeof integrationInput>;
      const next = buildIntegration(integrationId, merged);
      if (current.apiGatewayManaged) next.apiGatewayManaged = true;
      this.saveIntegration(apiId, next, false);
      return next;
    });
  }

  deleteIntegration(apiId: string, integrationId: string): void {
    this.mutate(apiId, () => {
      this.getIntegration(apiId, integrationId);
      const user = this.getRoutes(apiId).find((r) => r.target === `integrations/${integrationId}`);
      if (user) throw conflict(`Cannot delete integration ${integrationId}: route ${user.routeKey} (${user.routeId}) targets it`);
      this.db.prepare('DELETE FROM http_integrations WHERE api_id = ? AND id = ?').run(apiId, integrationId);
    });
  }

  private saveIntegration(apiId: string, integration: HttpIntegration, insert: boolean): void {
    const sql = insert ? 'INSERT INTO http_integrations (doc, api_id, id) VALUES (?, ?, ?)' : 'UPDATE http_integrations SET doc = ? WHERE api_id = ? AND id = ?';
    this.db.prepare(sql).run(JSON.stringify(integration), apiId, integration.integrationId);
  }

  // ---- authorizers -----------------------------------------------------------------------------------------

  createAuthorizer(apiId: string, input: unknown): HttpAuthorizer {
    const v = parseInput(authorizerInput, input, 'createAuthorizerInput');
    return this.mutate(apiId, () => {
      this.getApi(apiId);
      const authorizer = buildAuthorizer(this.db.freshId('http_authorizers', apiId, () => randomId(6)), v);
      this.db.prepare('INSERT INTO http_authorizers (api_id, id, doc) VALUES (?, ?, ?)').run(apiId, authorizer.authorizerId, JSON.stringify(authorizer));
      return authorizer;
    });
  }

  getAuthorizers(apiId: string): HttpAuthorizer[] {
    this.getApi(apiId);
    const rows = this.db.prepare('SELECT doc FROM http_authorizers WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as HttpAuthorizer);
  }

  findAuthorizer(apiId: string, authorizerId: string): HttpAuthorizer | undefined {
    const row = this.db.prepare('SELECT doc FROM http_authorizers WHERE api_id = ? AND id = ?').get(apiId, authorizerId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as HttpAuthorizer) : undefined;
  }

  getAuthorizer(apiId: string, authorizerId: string): HttpAuthorizer {
    this.getApi(apiId);
    const a = this.findAuthorizer(apiId, authorizerId);
    if (!a) throw notFound(`Invalid Authorizer identifier specified ${authorizerId}`);
    return a;
  }

  updateAuthorizer(apiId: string, authorizerId: string, input: unknown): HttpAuthorizer {
    const v = parseInput(authorizerInput.partial(), input, 'updateAuthorizerInput');
    return this.mutate(apiId, () => {
      const current = this.getAuthorizer(apiId, authorizerId);
      const next = buildAuthorizer(authorizerId, { ...current, ...stripUndefined(v) } as z.infer<typeof authorizerInput>);
      this.db.prepare('UPDATE http_authorizers SET doc = ? WHERE api_id = ? AND id = ?').run(JSON.stringify(next), apiId, authorizerId);
      return next;
    });
  }

  deleteAuthorizer(apiId: string, authorizerId: string): void {
    this.mutate(apiId, () => {
      this.getAuthorizer(apiId, authorizerId);
      const user = this.getRoutes(apiId).find((r) => r.authorizerId === authorizerId);
      if (user) throw conflict(`Cannot delete authorizer ${authorizerId}: route ${user.routeKey} uses it`);
      this.db.prepare('DELETE FROM http_authorizers WHERE api_id = ? AND id = ?').run(apiId, authorizerId);
    });
  }

  // ---- deployments and stages ------------------------------------------------------------------------------

  snapshot(apiId: string): HttpApiSnapshot {
    const api = this.getApi(apiId);
    const snapshotApi: HttpApiSnapshot['api'] = { apiId: api.apiId, name: api.name, disableExecuteApiEndpoint: api.disableExecuteApiEndpoint };
    if (api.corsConfiguration) snapshotApi.corsConfiguration = api.corsConfiguration;
    return { format: 1, api: snapshotApi, routes: this.getRoutes(apiId), integrations: this.getIntegrations(apiId), authorizers: this.getAuthorizers(apiId) };
  }

  createDeployment(apiId: string, input: unknown): HttpDeployment {
    const v = parseInput(z.object({ description: z.string().optional(), stageName: z.string().optional() }), input, 'createDeploymentInput');
    return this.mutate(
      apiId,
      () => {
        this.getApi(apiId);
        let stage: HttpStage | undefined;
        if (v.stageName !== undefined) {
          stage = this.findStage(apiId, v.stageName);
          if (!stage) throw notFound(`Invalid stage identifier specified ${v.stageName}`);
          if (stage.autoDeploy) throw badRequest(`Stage ${v.stageName} has automatic deployments enabled; changes deploy by themselves`);
        }
        const d = this.writeDeployment(apiId, v.description, false);
        if (stage) {
          stage.deploymentId = d.deploymentId;
          stage.lastUpdatedDate = isoNow();
          this.saveStage(apiId, stage, false);
        }
        return d;
      },
      { autoDeploy: false },
    );
  }

  getDeployments(apiId: string): HttpDeployment[] {
    this.getApi(apiId);
    const rows = this.db.prepare('SELECT doc FROM http_deployments WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as HttpDeployment);
  }

  getDeployment(apiId: string, deploymentId: string): HttpDeployment {
    this.getApi(apiId);
    const row = this.db.prepare('SELECT doc FROM http_deployments WHERE api_id = ? AND id = ?').get(apiId, deploymentId) as { doc: string } | undefined;
    if (!row) throw notFound(`Invalid Deployment identifier specified ${deploymentId}`);
    return JSON.parse(row.doc) as HttpDeployment;
  }

  deleteDeployment(apiId: string, deploymentId: string): void {
    this.mutate(
      apiId,
      () => {
        this.getDeployment(apiId, deploymentId);
        const used = this.db.prepare('SELECT stage_name FROM http_stages WHERE api_id = ? AND deployment_id = ?').get(apiId, deploymentId) as { stage_name: string } | undefined;
        if (used) throw badRequest(`Deployment ${deploymentId} is used by stage ${used.stage_name}; point the stage at another deployment first`);
        this.db.prepare('DELETE FROM http_deployments WHERE api_id = ? AND id = ?').run(apiId, deploymentId);
      },
      { autoDeploy: false },
    );
  }

  loadSnapshot(apiId: string, deploymentId: string): HttpApiSnapshot | undefined {
    const row = this.db.prepare('SELECT snapshot FROM http_deployments WHERE api_id = ? AND id = ?').get(apiId, deploymentId) as { snapshot: string } | undefined;
    return row ? (JSON.parse(row.snapshot) as HttpApiSnapshot) : undefined;
  }

  createStage(apiId: string, input: unknown): HttpStage {
    const v = parseInput(stageInput, input, 'createStageInput');
    checkStageName(v.stageName);
    return this.mutate(apiId, () => {
      this.getApi(apiId);
      if (this.findStage(apiId, v.stageName)) throw conflict(`Stage ${v.stageName} already exists`);
      const stage = newStage(v.stageName, v.autoDeploy ?? false);
      if (v.deploymentId !== undefined) {
        this.getDeployment(apiId, v.deploymentId);
        stage.deploymentId = v.deploymentId;
      }
      applyStageFields(stage, v);
      this.saveStage(apiId, stage, true);
      return stage;
    });
  }

  getStages(apiId: string): HttpStage[] {
    this.getApi(apiId);
    const rows = this.db.prepare('SELECT doc FROM http_stages WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as HttpStage);
  }

  findStage(apiId: string, stageName: string): HttpStage | undefined {
    const row = this.db.prepare('SELECT doc FROM http_stages WHERE api_id = ? AND stage_name = ?').get(apiId, stageName) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as HttpStage) : undefined;
  }

  getStage(apiId: string, stageName: string): HttpStage {
    this.getApi(apiId);
    const s = this.findStage(apiId, stageName);
    if (!s) throw notFound(`Invalid stage identifier specified ${stageName}`);
    return s;
  }

  updateStage(apiId: string, stageName: string, input: unknown): HttpStage {
    const v = parseInput(stageInput.partial(), input, 'updateStageInput');
    return this.mutate(apiId, () => {
      const stage = this.getStage(apiId, stageName);
      if (v.deploymentId !== undefined) {
        this.getDeployment(apiId, v.deploymentId);
        stage.deploymentId = v.deploymentId;
      }
      if (v.autoDeploy !== undefined) stage.autoDeploy = v.autoDeploy;
      applyStageFields(stage, v);
      stage.lastUpdatedDate = isoNow();
      this.saveStage(apiId, stage, false);
      return stage;
    });
  }

  deleteStage(apiId: string, stageName: string): void {
    this.mutate(
      apiId,
      () => {
        this.getStage(apiId, stageName);
        this.db.prepare('DELETE FROM http_stages WHERE api_id = ? AND stage_name = ?').run(apiId, stageName);
      },
      { autoDeploy: false },
    );
    this.authorizerCacheFlushes.emit(apiId, stageName);
  }

  /** ResetAuthorizersCache: the stage's cached authorizer decisions are dropped; the next request asks again. */
  resetAuthorizersCache(apiId: string, stageName: string): void {
    this.getStage(apiId, stageName);
    this.authorizerCacheFlushes.emit(apiId, stageName);
  }

  stageStatuses(apiId: string): HttpStageStatus[] {
    const current = sha256(canonicalJson(this.snapshot(apiId)));
    return this.getStages(apiId).map((s) => {
      const row = s.deploymentId
        ? (this.db.prepare('SELECT snapshot_hash FROM http_deployments WHERE api_id = ? AND id = ?').get(apiId, s.deploymentId) as { snapshot_hash: string } | undefined)
        : undefined;
      const status: HttpStageStatus = { stageName: s.stageName, autoDeploy: s.autoDeploy, undeployedChanges: row?.snapshot_hash !== current };
      if (s.deploymentId) status.deploymentId = s.deploymentId;
      return status;
    });
  }

  private writeDeployment(apiId: string, description: string | undefined, autoDeployed: boolean): HttpDeployment {
    const snapshot = this.snapshot(apiId);
    const text = canonicalJson(snapshot);
    const d: HttpDeployment = { deploymentId: this.db.freshId('http_deployments', apiId, () => randomId(6)), createdDate: isoNow(), deploymentStatus: 'DEPLOYED', autoDeployed };
    if (description !== undefined) d.description = description;
    this.db
      .prepare('INSERT INTO http_deployments (api_id, id, doc, snapshot, snapshot_hash) VALUES (?, ?, ?, ?, ?)')
      .run(apiId, d.deploymentId, JSON.stringify(d), text, sha256(text));
    return d;
  }

  /** Brings every auto-deploying stage up to the API as it is now (one shared deployment when something changed). */
  private autoDeploy(apiId: string): void {
    const stages = this.getStages(apiId).filter((s) => s.autoDeploy);
    if (stages.length === 0) return;
    const hash = sha256(canonicalJson(this.snapshot(apiId)));
    let deployment: HttpDeployment | undefined;
    for (const stage of stages) {
      const current = stage.deploymentId
        ? (this.db.prepare('SELECT snapshot_hash FROM http_deployments WHERE api_id = ? AND id = ?').get(apiId, stage.deploymentId) as { snapshot_hash: string } | undefined)
        : undefined;
      if (current?.snapshot_hash === hash) continue;
      deployment ??= this.writeDeployment(apiId, 'Automatic deployment triggered by changes to the Api configuration', true);
      stage.deploymentId = deployment.deploymentId;
      stage.lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${deployment.deploymentId}'`;
      stage.lastUpdatedDate = isoNow();
      this.saveStage(apiId, stage, false);
    }
  }

  private saveStage(apiId: string, stage: HttpStage, insert: boolean): void {
    if (insert) {
      this.db.prepare('INSERT INTO http_stages (api_id, stage_name, deployment_id, doc) VALUES (?, ?, ?, ?)').run(apiId, stage.stageName, stage.deploymentId ?? null, JSON.stringify(stage));
    } else {
      this.db.prepare('UPDATE http_stages SET deployment_id = ?, doc = ? WHERE api_id = ? AND stage_name = ?').run(stage.deploymentId ?? null, JSON.stringify(stage), apiId, stage.stageName);
    }
  }
}

function isoNow(): string {
  // The v2 API's timestamps are ISO 8601 at second precision (botocore __timestampIso8601).
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function newStage(stageName: string, autoDeploy: boolean): HttpStage {
  const now = isoNow();
  return { stageName, autoDeploy, createdDate: now, lastUpdatedDate: now, defaultRouteSettings: { detailedMetricsEnabled: false }, routeSettings: {}, stageVariables: {}, tags: {} };
}

function applyStageFields(stage: HttpStage, v: Partial<z.infer<typeof stageInput>>): void {
  if (v.description !== undefined) stage.description = v.description;
  if (v.stageVariables !== undefined) {
    for (const [k, val] of Object.entries(v.stageVariables)) {
      if (!/^[A-Za-z0-9_]+$/.test(k)) throw badRequest(`Stage variable names must only contain alphanumeric characters and underscores; got '${k}'`);
      if (!/^[A-Za-z0-9\-._~:/?#&=,]+$/.test(val)) throw badRequest(`Stage variable value '${val}' for '${k}' is invalid: values must match [A-Za-z0-9-._~:/?#&=,]+`);
    }
    stage.stageVariables = v.stageVariables;
  }
  if (v.defaultRouteSettings !== undefined) stage.defaultRouteSettings = { ...stage.defaultRouteSettings, ...v.defaultRouteSettings };
  if (v.routeSettings !== undefined) stage.routeSettings = v.routeSettings as HttpStage['routeSettings'];
  if (v.tags !== undefined) stage.tags = v.tags;
}

function checkStageName(name: string): void {
  if (name !== '$default' && !/^[A-Za-z0-9_\-]{1,128}$/.test(name)) {
    throw badRequest(`Stage name only allows a-zA-Z0-9_- (or $default); got '${name}'`);
  }
}

/**
 * Route keys are "$default" or "METHOD /path" with literal, {param} and a final {greedy+} segments
 * (AGDG http-api-develop-routes).
 */
export function checkRouteKey(key: string): string {
  if (key === '') throw badRequest('Route key is required');
  if (key === '$default') return key;
  const m = /^([A-Z]+) (\/.*)$/.exec(key);
  if (!m || !(HTTP_ROUTE_METHODS as readonly string[]).includes(m[1]!)) {
    throw badRequest(
      `Invalid route key: '${key}'. Use '$default' or 'METHOD /path' with METHOD one of ${HTTP_ROUTE_METHODS.join(', ')}, e.g. 'GET /items/{id}'`,
    );
  }
  const path = m[2]!;
  if (path !== '/') {
    const parts = path.slice(1).split('/');
    parts.forEach((part, i) => {
      if (part === '') throw badRequest(`Invalid route key: '${key}'. Paths have no empty segments or trailing slash`);
      const greedy = /^\{[\w.:-]+\+\}$/.test(part);
      if (greedy && i !== parts.length - 1) throw badRequest(`Invalid route key: '${key}'. A greedy path variable such as {proxy+} must be the last part of the path`);
      // AWS's own message and pattern (anomalyco/sst#207; the current pattern, with ':', in aws/aws-lambda-dotnet#1911).
      if (!/^(\{[\w.:-]+\+?\}|[a-zA-Z0-9.:_-]+)$/.test(part)) {
        throw badRequest('One or more path parts appear to be invalid. Parts are validated against this regular expression: ^(\\{[\\w.:-]+\\+?\\}|[a-zA-Z0-9.:_-]+)$');
      }
    });
  }
  return key;
}

function buildIntegration(id: string, v: z.infer<typeof integrationInput>): HttpIntegration {
  const type = v.integrationType;
  if (type === 'AWS' || type === 'HTTP' || type === 'MOCK') {
    // Real service text quoted in aws/aws-cli#6363.
    throw badRequest('Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)');
  }
  if (!v.integrationUri) throw badRequest(`IntegrationUri is required for integration type ${type}`);
  let payloadFormatVersion = v.payloadFormatVersion;
  if (type === 'AWS_PROXY') {
    if (!/^arn:aws[a-z-]*:(lambda|apigateway):/.test(v.integrationUri)) {
      throw badRequest(`Invalid IntegrationUri ${v.integrationUri}: an AWS_PROXY integration targets a Lambda function ARN`);
    }
    if (payloadFormatVersion === undefined) throw badRequest('PayloadFormatVersion is required for AWS_PROXY integrations: use "1.0" or "2.0"');
    if (payloadFormatVersion !== '1.0' && payloadFormatVersion !== '2.0') {
      throw badRequest(`Invalid payload format version ${payloadFormatVersion}: use "1.0" or "2.0"`);
    }
  } else {
    if (!/^https?:\/\/[^/\s]+/.test(v.integrationUri)) throw badRequest(`Invalid IntegrationUri ${v.integrationUri}: an HTTP_PROXY integration targets an http(s) URL`);
    if (!v.integrationMethod) throw badRequest('IntegrationMethod is required for HTTP_PROXY integrations, e.g. ANY or GET');
    // HTTP proxy integrations only support payload format 1.0.
    if (payloadFormatVersion !== undefined && payloadFormatVersion !== '1.0') {
      throw badRequest('HTTP_PROXY integrations support only payload format version 1.0');
    }
    payloadFormatVersion = '1.0';
  }
  const timeout = v.timeoutInMillis ?? 30000;
  if (timeout < 50 || timeout > 30000) throw badRequest('Timeout must be between 50 milliseconds and 30 seconds');
  const out: HttpIntegration = {
    integrationId: id,
    integrationType: type,
    integrationUri: v.integrationUri,
    payloadFormatVersion,
    timeoutInMillis: timeout,
    connectionType: v.connectionType ?? 'INTERNET',
  };
  if (v.integrationMethod !== undefined) out.integrationMethod = v.integrationMethod.toUpperCase();
  else if (type === 'AWS_PROXY') out.integrationMethod = 'POST';
  if (v.connectionId !== undefined) out.connectionId = v.connectionId;
  if (v.description !== undefined) out.description = v.description;
  if (v.requestParameters !== undefined) out.requestParameters = v.requestParameters;
  if (v.responseParameters !== undefined) out.responseParameters = v.responseParameters;
  if (v.integrationSubtype !== undefined) out.integrationSubtype = v.integrationSubtype;
  if (v.credentialsArn !== undefined) out.credentialsArn = v.credentialsArn;
  if (v.tlsConfig !== undefined) out.tlsConfig = v.tlsConfig;
  return out;
}

function buildAuthorizer(id: string, v: z.infer<typeof authorizerInput>): HttpAuthorizer {
  const a: HttpAuthorizer = { authorizerId: id, name: v.name, authorizerType: v.authorizerType, identitySource: v.identitySource };
  for (const source of v.identitySource) {
    if (!/^\$(request\.(header|querystring)\.[^\s]+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$/.test(source)) {
      throw badRequest(
        `Invalid identity source '${source}': use $request.header.NAME, $request.querystring.NAME, $context.NAME or $stageVariables.NAME`,
      );
    }
  }
  if (v.authorizerType === 'JWT') {
    if (!v.jwtConfiguration?.issuer) throw badRequest('JwtConfiguration.Issuer is required for JWT authorizers');
    if (!v.jwtConfiguration.audience?.length) throw badRequest('JwtConfiguration.Audience is required for JWT authorizers');
    if (v.identitySource.length !== 1) throw badRequest('A JWT authorizer takes exactly one identity source, e.g. $request.header.Authorization');
    a.jwtConfiguration = v.jwtConfiguration;
  } else {
    if (!v.authorizerUri) throw badRequest('AuthorizerUri is required for REQUEST authorizers');
    const version = v.authorizerPayloadFormatVersion;
    if (version !== '1.0' && version !== '2.0') throw badRequest('AuthorizerPayloadFormatVersion is required for REQUEST authorizers: "1.0" or "2.0"');
    if (v.enableSimpleResponses && version !== '2.0') throw badRequest('Simple responses are supported only with payload format version 2.0');
    if ((v.authorizerResultTtlInSeconds ?? 0) > 0 && v.identitySource.length === 0) {
      throw badRequest('Caching authorizer results needs at least one identity source');
    }
    a.authorizerUri = v.authorizerUri;
    a.authorizerPayloadFormatVersion = version;
    a.authorizerResultTtlInSeconds = v.authorizerResultTtlInSeconds ?? 0;
    a.enableSimpleResponses = v.enableSimpleResponses ?? false;
  }
  if (v.identityValidationExpression !== undefined) a.identityValidationExpression = v.identityValidationExpression;
  if (v.authorizerCredentialsArn !== undefined) a.authorizerCredentialsArn = v.authorizerCredentialsArn;
  return a;
}

/** CorsConfiguration as AWS validates it (CreateApi/UpdateApi). */
function checkCors(c: z.infer<typeof corsSchema>): void {
  if (c.allowCredentials && c.allowOrigins?.includes('*')) {
    // Real service text quoted in aws/aws-cdk#9076.
    throw badRequest("allow-credentials is not supported if 'allow-origin' is *");
  }
  if (c.maxAge !== undefined && (c.maxAge < -1 || c.maxAge > 86400)) {
    throw badRequest(`Invalid maxAge ${c.maxAge}: use a number of seconds from -1 to 86400`);
  }
  for (const m of c.allowMethods ?? []) {
    if (!CORS_METHODS.includes(m.toUpperCase())) throw badRequest(`Invalid CORS allowMethods entry '${m}': use ${CORS_METHODS.join(', ')}`);
  }
  for (const o of c.allowOrigins ?? []) {
    if (o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(o)) {
      throw badRequest(`Invalid CORS allowOrigins entry '${o}': use '*' or an origin such as https://example.com (scheme and host, no path or trailing slash)`);
    }
  }
}

function normalizeCors(c: z.infer<typeof corsSchema>): CorsConfiguration {
  const out: CorsConfiguration = {};
  if (c.allowCredentials !== undefined) out.allowCredentials = c.allowCredentials;
  if (c.allowHeaders !== undefined) out.allowHeaders = c.allowHeaders;
  if (c.allowMethods !== undefined) out.allowMethods = c.allowMethods;
  if (c.allowOrigins !== undefined) out.allowOrigins = c.allowOrigins;
  if (c.exposeHeaders !== undefined) out.exposeHeaders = c.exposeHeaders;
  if (c.maxAge !== undefined) out.maxAge = c.maxAge;
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
