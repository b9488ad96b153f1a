import { z } from 'zod';
import type { Store } from '../store/db.js';
import {
  AUTHORIZATION_TYPES,
  HTTP_METHODS,
  INTEGRATION_TYPES,
  PASSTHROUGH_BEHAVIORS,
  type GatewayResponse,
  type Integration,
  type IntegrationResponse,
  type Method,
  type MethodResponse,
  type Resource,
  type RestApi,
} from '../model/restapi.js';
import { badRequest, conflict, notFound, validationError } from './errors.js';
import { GATEWAY_RESPONSE_ENUM_ORDER, GATEWAY_RESPONSE_TYPES, effectiveGatewayResponse } from '../model/gateway-responses.js';
import { newResourceId, newRestApiId, newRootResourceId, ACCOUNT_ID } from './ids.js';
import {
  type PatchOperation,
  parseBooleanValue,
  requireReplace,
  patchMap,
  pathSegments,
  requireValue,
  unsupportedPatch,
} from './patch.js';
import { booleanMap, parseInput, stringMap } from './validate.js';
import type { ControlEvents } from './events.js';
import type { RestApiParts } from './rest-api-parts.js';
import { validateResponseParameters, validateRequestParameters } from './mapping-expressions.js';

// Input schemas, field names as on the wire (botocore apigateway 2015-07-09).
const createRestApiInput = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  version: z.string().optional(),
  binaryMediaTypes: z.array(z.string()).optional(),
  minimumCompressionSize: z.number().int().min(0).max(10485760).optional(),
  apiKeySource: z.enum(['HEADER', 'AUTHORIZER']).optional(),
  endpointConfiguration: z
    .object({ types: z.array(z.enum(['EDGE', 'REGIONAL', 'PRIVATE'])).optional(), vpcEndpointIds: z.array(z.string()).optional() })
    .optional(),
  policy: z.string().optional(),
  tags: stringMap.optional(),
  disableExecuteApiEndpoint: z.boolean().optional(),
});
export type CreateRestApiInput = z.input<typeof createRestApiInput>;

const putMethodInput = z.object({
  authorizationType: z.enum(AUTHORIZATION_TYPES as [string, ...string[]]),
  authorizerId: z.string().optional(),
  apiKeyRequired: z.boolean().optional(),
  operationName: z.string().optional(),
  requestParameters: booleanMap.optional(),
  requestModels: stringMap.optional(),
  requestValidatorId: z.string().optional(),
  authorizationScopes: z.array(z.string()).optional(),
});
export type PutMethodInput = z.input<typeof putMethodInput>;

const putMethodResponseInput = z.object({
  responseParameters: booleanMap.optional(),
  responseModels: stringMap.optional(),
});
export type PutMethodResponseInput = z.input<typeof putMethodResponseInput>;

const putIntegrationInput = z.object({
  type: z.enum(INTEGRATION_TYPES as [string, ...string[]]),
  /** On the wire the member integrationHttpMethod is sent as "httpMethod" (botocore locationName). */
  httpMethod: z.string().optional(),
  integrationHttpMethod: z.string().optional(),
  uri: z.string().optional(),
  connectionType: z.enum(['INTERNET', 'VPC_LINK']).optional(),
  connectionId: z.string().optional(),
  credentials: z.string().optional(),
  requestParameters: stringMap.optional(),
  requestTemplates: stringMap.optional(),
  passthroughBehavior: z.enum(PASSTHROUGH_BEHAVIORS as [string, ...string[]]).optional(),
  cacheNamespace: z.string().optional(),
  cacheKeyParameters: z.array(z.string()).optional(),
  contentHandling: z.enum(['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT']).optional(),
  timeoutInMillis: z.number().int().optional(),
  tlsConfig: z.object({ insecureSkipVerification: z.boolean().optional() }).optional(),
});
export type PutIntegrationInput = z.input<typeof putIntegrationInput>;

const createResourceInput = z.object({ pathPart: z.string() });
const putGatewayResponseInput = z.object({ statusCode: z.string().optional(), responseParameters: stringMap.optional(), responseTemplates: stringMap.optional() });

const putIntegrationResponseInput = z.object({
  selectionPattern: z.string().optional(),
  responseParameters: stringMap.optional(),
  responseTemplates: stringMap.optional(),
  contentHandling: z.enum(['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT']).optional(),
});
export type PutIntegrationResponseInput = z.input<typeof putIntegrationResponseInput>;

/** AWS: "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace." */
const PATH_PART = /^(?:[A-Za-z0-9._\-]+|\{[A-Za-z0-9._\-]+\+?\})$/;
const STATUS_CODE = /^[1-5]\d\d$/;

interface ResourceRow {
  id: string;
  parent_id: string | null;
  path_part: string | null;
}

export interface Page<T> {
  items: T[];
  position?: string;
}

export interface ResourceQuery {
  embedMethods?: boolean;
}

/**
 * Control operations on REST APIs and everything that hangs off them (resources, methods, integrations and their
 * responses, gateway responses). Each public method is one AWS operation and one transaction.
 */
export class RestApiService {
  /** Set by the ControlPlane: methods refer to authorizers, validators and models by id or name. */
  parts?: RestApiParts;
  /** Set by the ControlPlane: whether a custom domain maps to the API, which then cannot be deleted. */
  domainMappings?: (apiId: string) => boolean;

  constructor(
    private readonly store: Store,
    private readonly events: ControlEvents,
    /** Whether an id is taken by an HTTP API: both kinds share the execute-api host namespace. */
    private readonly idTakenElsewhere: (id: string) => boolean = () => false,
  ) {}

  /** Statements through the store's cache of prepared statements. */
  private get db(): Pick<Store, 'prepare' | 'freshId'> {
    return this.store;
  }

  private changed(apiId: string): void {
    this.events.emit({ kind: 'restapi', apiId });
  }

  // ---- REST APIs -------------------------------------------------------------------------------------------

  createRestApi(input: unknown): RestApi {
    const v = parseInput(createRestApiInput, input, 'createRestApiInput');
    if (v.description === '') throw badRequest('Description cannot be an empty string');
    const types = v.endpointConfiguration?.types ?? ['EDGE'];
    if (types.length > 1) throw badRequest('Cannot create an api with multiple Endpoint Types.');
    let id = newRestApiId();
    while (this.hasRestApi(id) || this.idTakenElsewhere(id)) id = newRestApiId();
    const api: RestApi = {
      id,
      name: v.name,
      createdDate: nowSeconds(),
      apiKeySource: v.apiKeySource ?? 'HEADER',
      endpointConfiguration: {
        types,
        // AWS added ipAddressType in 2025: ipv4 by default, dualstack forced for PRIVATE (test_create_rest_api_verify_defaults).
        ipAddressType: types[0] === 'PRIVATE' ? 'dualstack' : 'ipv4',
      },
      disableExecuteApiEndpoint: v.disableExecuteApiEndpoint ?? false,
      rootResourceId: newRootResourceId(),
    };
    if (v.description !== undefined) api.description = v.description;
    if (v.version !== undefined) api.version = v.version;
    if (v.binaryMediaTypes?.length) api.binaryMediaTypes = v.binaryMediaTypes;
    if (v.minimumCompressionSize !== undefined) api.minimumCompressionSize = v.minimumCompressionSize;
    if (v.policy !== undefined) api.policy = checkedPolicy(v.policy);
    if (v.tags !== undefined) api.tags = v.tags;
    this.store.tx(() => {
      this.db.prepare('INSERT INTO rest_apis (id, doc) VALUES (?, ?)').run(api.id, JSON.stringify(api));
      this.db
        .prepare('INSERT INTO resources (api_id, id, parent_id, path_part) VALUES (?, ?, NULL, NULL)')
        .run(api.id, api.rootResourceId);
      this.parts?.addDefaultModels(api.id);
    });
    this.changed(api.id);
    return api;
  }

  getRestApi(apiId: string): RestApi {
    const row = this.db.prepare('SELECT doc FROM rest_apis WHERE id = ?').get(apiId) as { doc: string } | undefined;
    if (!row) throw notFound(`Invalid API identifier specified ${ACCOUNT_ID}:${apiId}`);
    return JSON.parse(row.doc) as RestApi;
  }

  hasRestApi(apiId: string): boolean {
    return this.db.prepare('SELECT 1 FROM rest_apis WHERE id = ?').get(apiId) !== undefined;
  }

  getRestApis(opts: { position?: string; limit?: number } = {}): Page<RestApi> {
    const rows = this.db.prepare('SELECT doc FROM rest_apis ORDER BY rowid').all() as { doc: string }[];
    return paginate(
      rows.map((r) => JSON.parse(r.doc) as RestApi),
      opts,
    );
  }

  updateRestApi(apiId: string, ops: PatchOperation[]): RestApi {
    return this.mutate(apiId, () => {
      const api = this.getRestApi(apiId);
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        switch (field) {
          case 'name':
            api.name = requireValue(op);
            break;
          case 'description':
            if (op.op === 'remove') delete api.description;
            else api.description = requireValue(op);
            break;
          case 'version':
            if (op.op === 'remove') delete api.version;
            else api.version = requireValue(op);
            break;
          case 'policy':
            if (op.op === 'remove') delete api.policy;
            else api.policy = checkedPolicy(requireValue(op));
            break;
          case 'apiKeySource': {
            const v = requireValue(op);
            if (v !== 'HEADER' && v !== 'AUTHORIZER') throw badRequest(`Invalid apiKeySource '${v}': use HEADER or AUTHORIZER`);
            api.apiKeySource = v;
            break;
          }
          case 'minimumCompressionSize':
            if (op.op === 'remove' || !op.value) delete api.minimumCompressionSize;
            else api.minimumCompressionSize = Number(requireValue(op));
            break;
          case 'disableExecuteApiEndpoint':
            api.disableExecuteApiEndpoint = parseBooleanValue(op);
            break;
          case 'binaryMediaTypes': {
            // AWS puts the media type in the path: add /binaryMediaTypes/image~1png.
            const type = rest.join('/');
            if (!type) throw badRequest(`Invalid patch path '${op.path}': name the media type, e.g. /binaryMediaTypes/image~1png`);
            const set = new Set(api.binaryMediaTypes ?? []);
            if (op.op === 'add') set.add(type);
            else if (op.op === 'remove') set.delete(type);
            else if (op.op === 'replace') {
              set.delete(type);
              set.add(requireValue(op));
            }
            if (set.size > 0) api.binaryMediaTypes = [...set];
            else delete api.binaryMediaTypes;
            break;
          }
          default:
            unsupportedPatch(op, ['/name', '/description', '/version', '/policy', '/apiKeySource', '/minimumCompressionSize', '/disableExecuteApiEndpoint', '/binaryMediaTypes/{type}']);
        }
      }
      this.db.prepare('UPDATE rest_apis SET doc = ? WHERE id = ?').run(JSON.stringify(api), apiId);
      return api;
    });
  }

  deleteRestApi(apiId: string): void {
    this.mutate(apiId, () => {
      this.getRestApi(apiId);
      // Real AWS text: serverless-domain-manager#406.
      if (this.domainMappings?.(apiId)) {
        throw badRequest(`Deleting RestApi ${apiId} failed. Please remove all base path mappings related to the RestApi in your domains.`);
      }
      // Stages reference deployments; remove them first so the foreign keys hold during the cascade.
      this.db.prepare('DELETE FROM stages WHERE api_id = ?').run(apiId);
      this.db.prepare('DELETE FROM methods WHERE api_id = ?').run(apiId);
      this.db.prepare('DELETE FROM rest_apis WHERE id = ?').run(apiId);
    });
  }

  // ---- resources --------------------------------------------------------------------------------------------

  createResource(apiId: string, parentId: string, input: unknown): Resource {
    const { pathPart } = parseInput(createResourceInput, input, 'createResourceInput');
    return this.mutate(apiId, () => {
      this.getRestApi(apiId);
      // The parent's ancestry and its children only, not the whole tree: an import creates hundreds of resources.
      const parent = this.resourceNode(apiId, parentId);
      if (!parent) throw notFound('Invalid Resource identifier specified');
      this.checkPathPart(parent, this.clashingChildren(apiId, parentId, pathPart), pathPart, undefined);
      const id = this.db.freshId('resources', apiId, newResourceId);
      this.db
        .prepare('INSERT INTO resources (api_id, id, parent_id, path_part) VALUES (?, ?, ?, ?)')
        .run(apiId, id, parentId, pathPart);
      const path = parent.path === '/' ? `/${pathPart}` : `${parent.path}/${pathPart}`;
      return { id, parentId, pathPart, path };
    });
  }

  getResource(apiId: string, resourceId: string, q: ResourceQuery = {}): Resource {
    this.getRestApi(apiId);
    const tree = this.loadTree(apiId);
    const node = tree.get(resourceId);
    if (!node) throw notFound('Invalid Resource identifier specified');
    return this.toResource(apiId, node, q);
  }

  getResources(apiId: string, q: ResourceQuery & { position?: string; limit?: number } = {}): Page<Resource> {
    this.getRestApi(apiId);
    const tree = this.loadTree(apiId);
    const methods = this.loadAllMethods(apiId);
    const all = [...tree.values()].map((n) => this.toResource(apiId, n, q, methods.get(n.id)));
    return paginate(all, q);
  }

  updateResource(apiId: string, resourceId: string, ops: PatchOperation[]): Resource {
    return this.mutate(apiId, () => {
      this.getRestApi(apiId);
      let tree = this.loadTree(apiId);
      const node = tree.get(resourceId);
      if (!node) throw notFound('Invalid Resource identifier specified');
      for (const op of ops) {
        if (op.path !== '/pathPart' && op.path !== '/parentId') unsupportedPatch(op, ['/parentId', '/pathPart']);
        if (op.op !== 'replace') {
          throw badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`);
        }
        if (node.parentId === undefined) throw badRequest(`Root resource cannot update its ${op.path.slice(1)}.`);
        if (op.path === '/pathPart') {
          const part = requireValue(op);
          this.checkNewPathPart(tree, node.parentId!, part, resourceId);
          this.db.prepare('UPDATE resources SET path_part = ? WHERE api_id = ? AND id = ?').run(part, apiId, resourceId);
        } else if (op.path === '/parentId') {
          const parentId = requireValue(op);
          if (!tree.has(parentId)) throw notFound('Invalid Resource identifier specified');
          for (let p: string | undefined = parentId; p; p = tree.get(p)?.parentId) {
            if (p === resourceId) throw badRequest('Resources cannot be cyclical.');
          }
          this.checkNewPathPart(tree, parentId, node.pathPart!, resourceId);
          this.db.prepare('UPDATE resources SET parent_id = ? WHERE api_id = ? AND id = ?').run(parentId, apiId, resourceId);
        }
        tree = this.loadTree(apiId);
      }
      return this.toResource(apiId, tree.get(resourceId)!, {});
    });
  }

  deleteResource(apiId: string, resourceId: string): void {
    this.mutate(apiId, () => {
      const api = this.getRestApi(apiId);
      if (!this.db.prepare('SELECT 1 FROM resources WHERE api_id = ? AND id = ?').get(apiId, resourceId)) throw notFound('Invalid Resource identifier specified');
      if (resourceId === api.rootResourceId) throw badRequest('Cannot delete the root resource');
      // The resource and its descendants, found through the (api_id, parent_id) index rather than the whole tree
      // (clearing an API for a re-import deletes every child of the root).
      const doomed = this.db
        .prepare(
          'WITH RECURSIVE sub(id, depth) AS (SELECT ?, 0 UNION ALL SELECT r.id, sub.depth + 1 FROM sub CROSS JOIN resources r WHERE r.api_id = ? AND r.parent_id = sub.id AND sub.depth < 1000) SELECT id, depth FROM sub',
        )
        .all(resourceId, apiId) as { id: string; depth: number }[];
      // Children first, so no row ever points at a deleted parent.
      doomed.sort((a, b) => b.depth - a.depth);
      const delMethods = this.db.prepare('DELETE FROM methods WHERE api_id = ? AND resource_id = ?');
      const delRes = this.db.prepare('DELETE FROM resources WHERE api_id = ? AND id = ?');
      for (const n of doomed) {
        delMethods.run(apiId, n.id);
        delRes.run(apiId, n.id);
      }
    });
  }

  // ---- methods ----------------------------------------------------------------------------------------------

  putMethod(apiId: string, resourceId: string, httpMethod: string, input: unknown): Method {
    const v = parseInput(putMethodInput, input, 'putMethodInput');
    const m = normalizeHttpMethod(httpMethod);
    return this.mutate(apiId, () => {
      this.requireResource(apiId, resourceId);
      if (this.findMethod(apiId, resourceId, m)) throw conflict('Method already exists for this resource');
      const method: Method = {
        httpMethod: m,
        authorizationType: v.authorizationType as Method['authorizationType'],
        apiKeyRequired: v.apiKeyRequired ?? false,
      };
      if (v.authorizerId !== undefined) method.authorizerId = v.authorizerId;
      if (v.operationName !== undefined) method.operationName = v.operationName;
      if (v.requestValidatorId !== undefined) method.requestValidatorId = v.requestValidatorId;
      this.checkMethodReferences(apiId, method, v.requestModels);
      if (v.requestParameters && Object.keys(v.requestParameters).length) {
        validateRequestParameterNames(v.requestParameters);
        method.requestParameters = v.requestParameters;
      }
      if (v.requestModels && Object.keys(v.requestModels).length) method.requestModels = v.requestModels;
      if (v.authorizationScopes?.length) method.authorizationScopes = v.authorizationScopes;
      this.saveMethod(apiId, resourceId, method, true);
      return method;
    });
  }

  getMethod(apiId: string, resourceId: string, httpMethod: string): Method {
    this.requireResource(apiId, resourceId);
    const m = this.findMethod(apiId, resourceId, normalizeHttpMethod(httpMethod));
    if (!m) throw notFound('Invalid Method identifier specified');
    return m;
  }

  updateMethod(apiId: string, resourceId: string, httpMethod: string, ops: PatchOperation[]): Method {
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const allowed = ['/authorizationType', '/authorizerId', '/apiKeyRequired', '/operationName', '/requestValidatorId', '/requestParameters/{name}', '/requestModels/{type}', '/authorizationScopes'];
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        const key = rest.join('/');
        switch (field) {
          case 'authorizationType': {
            requireReplace(op);
            const v = requireValue(op);
            if (!(AUTHORIZATION_TYPES as readonly string[]).includes(v)) {
              throw badRequest(`Invalid authorization type '${v}'. Valid values are: ${AUTHORIZATION_TYPES.join(', ')}`);
            }
            method.authorizationType = v as Method['authorizationType'];
            break;
          }
          case 'apiKeyRequired':
            requireReplace(op);
            // AWS reads anything but "true" as false here (test_update_method_validation).
            method.apiKeyRequired = requireValue(op).toLowerCase() === 'true';
            break;
          case 'authorizerId':
          case 'operationName':
          case 'requestValidatorId':
            requireReplace(op);
            if (!op.value) delete method[field];
            else method[field] = op.value;
            break;
          case 'requestParameters': {
            const next = patchMap(method.requestParameters, key, op, (o) => (o.value === undefined ? false : parseBooleanValue(o)));
            if (next) validateRequestParameterNames(next);
            setOrDelete(method, 'requestParameters', next);
            break;
          }
          case 'requestModels':
            setOrDelete(method, 'requestModels', patchMap(method.requestModels, key, op, requireValue));
            break;
          case 'authorizationScopes': {
            const scopes = new Set(method.authorizationScopes ?? []);
            if (op.op === 'remove') scopes.delete(op.value ?? key);
            else scopes.add(requireValue(op));
            setOrDelete(method, 'authorizationScopes', scopes.size ? [...scopes] : undefined);
            break;
          }
          default:
            unsupportedPatch(op, allowed);
        }
      }
      this.checkMethodReferences(apiId, method, method.requestModels);
      this.saveMethod(apiId, resourceId, method, false);
      return method;
    });
  }

  /**
   * A method's authorizer, validator and models must exist (LocalStack AWS-validated test_apigateway_api:
   * "Invalid authorizer ID specified...", "Invalid Request Validator identifier specified",
   * "Invalid model identifier specified: petModel").
   */
  private checkMethodReferences(apiId: string, method: Method, models: Record<string, string> | undefined): void {
    const parts = this.parts;
    if (!parts) return;
    if (method.authorizationType === 'CUSTOM' || method.authorizationType === 'COGNITO_USER_POOLS') {
      const a = method.authorizerId ? parts.findAuthorizer(apiId, method.authorizerId) : undefined;
      const expected = method.authorizationType === 'CUSTOM' ? ['TOKEN', 'REQUEST'] : ['COGNITO_USER_POOLS'];
      if (!a || !expected.includes(a.type)) {
        throw badRequest('Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.');
      }
    }
    if (method.requestValidatorId !== undefined && !parts.findRequestValidator(apiId, method.requestValidatorId)) {
      throw badRequest('Invalid Request Validator identifier specified');
    }
    for (const name of Object.values(models ?? {})) {
      if (!parts.findModel(apiId, name)) throw badRequest(`Invalid model identifier specified: ${name}`);
    }
  }

  deleteMethod(apiId: string, resourceId: string, httpMethod: string): void {
    this.mutate(apiId, () => {
      this.getMethod(apiId, resourceId, httpMethod);
      this.db
        .prepare('DELETE FROM methods WHERE api_id = ? AND resource_id = ? AND http_method = ?')
        .run(apiId, resourceId, normalizeHttpMethod(httpMethod));
    });
  }

  // ---- method responses -------------------------------------------------------------------------------------

  putMethodResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string, input: unknown): MethodResponse {
    const v = parseInput(putMethodResponseInput, input, 'putMethodResponseInput');
    checkStatusCode(statusCode);
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const response: MethodResponse = { statusCode };
      if (v.responseParameters && Object.keys(v.responseParameters).length) {
        validateMethodResponseParameterNames(v.responseParameters);
        response.responseParameters = v.responseParameters;
      }
      if (v.responseModels && Object.keys(v.responseModels).length) response.responseModels = v.responseModels;
      method.methodResponses = { ...(method.methodResponses ?? {}), [statusCode]: response };
      this.saveMethod(apiId, resourceId, method, false);
      return response;
    });
  }

  getMethodResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string): MethodResponse {
    const method = this.getMethod(apiId, resourceId, httpMethod);
    const r = method.methodResponses?.[statusCode];
    if (!r) throw notFound('Invalid Response status code specified');
    return r;
  }

  updateMethodResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string, ops: PatchOperation[]): MethodResponse {
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const response = method.methodResponses?.[statusCode];
      if (!response) throw notFound('Invalid Response status code specified');
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        const key = rest.join('/');
        if (field === 'responseParameters') {
          const next = patchMap(response.responseParameters, key, op, (o) => (o.value === undefined ? false : parseBooleanValue(o)));
          if (next) validateMethodResponseParameterNames(next);
          setOrDelete(response, 'responseParameters', next);
        } else if (field === 'responseModels') {
          setOrDelete(response, 'responseModels', patchMap(response.responseModels, key, op, requireValue));
        } else {
          unsupportedPatch(op, ['/responseParameters/{name}', '/responseModels/{type}']);
        }
      }
      this.saveMethod(apiId, resourceId, method, false);
      return response;
    });
  }

  deleteMethodResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string): void {
    this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      if (!method.methodResponses?.[statusCode]) throw notFound('Invalid Response status code specified');
      delete method.methodResponses[statusCode];
      if (Object.keys(method.methodResponses).length === 0) delete method.methodResponses;
      this.saveMethod(apiId, resourceId, method, false);
    });
  }

  // ---- integrations -----------------------------------------------------------------------------------------

  putIntegration(apiId: string, resourceId: string, httpMethod: string, input: unknown): Integration {
    const v = parseInput(putIntegrationInput, input, 'putIntegrationInput');
    const integrationHttpMethod = v.httpMethod ?? v.integrationHttpMethod;
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const type = v.type as Integration['type'];
      const integration: Integration = {
        type,
        passthroughBehavior: (v.passthroughBehavior as Integration['passthroughBehavior']) ?? 'WHEN_NO_MATCH',
        timeoutInMillis: v.timeoutInMillis ?? 29000,
        cacheNamespace: v.cacheNamespace ?? resourceId,
        cacheKeyParameters: v.cacheKeyParameters ?? [],
      };
      if (type !== 'MOCK') {
        if (!integrationHttpMethod) throw badRequest('Enumeration value for HttpMethod must be non-empty');
        if (!v.uri) {
          throw badRequest(type.startsWith('HTTP') ? 'Invalid HTTP endpoint specified for URI' : 'Invalid ARN specified in the request');
        }
        integration.httpMethod = normalizeIntegrationHttpMethod(integrationHttpMethod);
        integration.uri = v.uri;
        checkIntegrationUri(type, v.uri);
        // HTTP integrations report their connection type; AWS ones do not (test_put_integration_validation).
        if (type === 'HTTP' || type === 'HTTP_PROXY') integration.connectionType = v.connectionType ?? 'INTERNET';
      } else if (integrationHttpMethod) {
        integration.httpMethod = normalizeIntegrationHttpMethod(integrationHttpMethod);
      }
      if (integration.timeoutInMillis < 50 || integration.timeoutInMillis > 29000) {
        throw badRequest('Timeout should be between 50 ms and 29000 ms');
      }
      if (v.connectionType !== undefined && type !== 'MOCK') integration.connectionType = v.connectionType;
      if (v.connectionId !== undefined) integration.connectionId = v.connectionId;
      if (v.credentials !== undefined) integration.credentials = v.credentials;
      if (v.requestParameters && Object.keys(v.requestParameters).length) {
        validateRequestParameters(v.requestParameters, method);
        integration.requestParameters = v.requestParameters;
      }
      if (v.requestTemplates && Object.keys(v.requestTemplates).length) integration.requestTemplates = v.requestTemplates;
      if (v.contentHandling !== undefined) integration.contentHandling = v.contentHandling;
      if (v.tlsConfig !== undefined) integration.tlsConfig = v.tlsConfig;
      // Replacing an integration keeps its integration responses, as PutIntegration on AWS does.
      const previous = method.methodIntegration?.integrationResponses;
      if (previous) integration.integrationResponses = previous;
      method.methodIntegration = integration;
      this.saveMethod(apiId, resourceId, method, false);
      return integration;
    });
  }

  getIntegration(apiId: string, resourceId: string, httpMethod: string): Integration {
    const method = this.getMethod(apiId, resourceId, httpMethod);
    if (!method.methodIntegration) throw notFound('Invalid Integration identifier specified');
    return method.methodIntegration;
  }

  updateIntegration(apiId: string, resourceId: string, httpMethod: string, ops: PatchOperation[]): Integration {
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const integration = method.methodIntegration;
      if (!integration) throw notFound('Invalid Integration identifier specified');
      const allowed = ['/uri', '/httpMethod', '/type', '/passthroughBehavior', '/timeoutInMillis', '/credentials', '/contentHandling', '/connectionType', '/connectionId', '/cacheNamespace', '/requestParameters/{name}', '/requestTemplates/{type}', '/cacheKeyParameters/{name}'];
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        const key = rest.join('/');
        switch (field) {
          case 'uri':
            integration.uri = requireValue(op);
            checkIntegrationUri(integration.type, integration.uri);
            break;
          case 'httpMethod':
            integration.httpMethod = normalizeIntegrationHttpMethod(requireValue(op));
            break;
          case 'type': {
            const t = requireValue(op);
            if (!(INTEGRATION_TYPES as readonly string[]).includes(t)) throw badRequest(`Invalid integration type '${t}'. Valid values are: ${INTEGRATION_TYPES.join(', ')}`);
            integration.type = t as Integration['type'];
            break;
          }
          case 'passthroughBehavior': {
            const p = requireValue(op);
            if (!(PASSTHROUGH_BEHAVIORS as readonly string[]).includes(p)) throw badRequest(`Invalid passthrough behavior '${p}'. Valid values are: ${PASSTHROUGH_BEHAVIORS.join(', ')}`);
            integration.passthroughBehavior = p as Integration['passthroughBehavior'];
            break;
          }
          case 'timeoutInMillis': {
            const t = Number(requireValue(op));
            if (!Number.isInteger(t) || t < 50 || t > 29000) throw badRequest('Timeout should be between 50 ms and 29000 ms');
            integration.timeoutInMillis = t;
            break;
          }
          case 'credentials':
          case 'connectionId':
          case 'cacheNamespace':
            if (op.op === 'remove') delete integration[field];
            else integration[field] = requireValue(op);
            break;
          case 'contentHandling': {
            if (op.op === 'remove' || !op.value) delete integration.contentHandling;
            else if (op.value === 'CONVERT_TO_BINARY' || op.value === 'CONVERT_TO_TEXT') integration.contentHandling = op.value;
            else throw badRequest(`Invalid contentHandling '${op.value}': use CONVERT_TO_BINARY or CONVERT_TO_TEXT`);
            break;
          }
          case 'connectionType': {
            const c = requireValue(op);
            if (c !== 'INTERNET' && c !== 'VPC_LINK') throw badRequest(`Invalid connectionType '${c}': use INTERNET or VPC_LINK`);
            integration.connectionType = c;
            break;
          }
          case 'requestParameters': {
            const next = patchMap(integration.requestParameters, key, op, requireValue);
            if (next) validateRequestParameters(next, method);
            setOrDelete(integration, 'requestParameters', next);
            break;
          }
          case 'requestTemplates':
            setOrDelete(integration, 'requestTemplates', patchMap(integration.requestTemplates, key, op, (o) => o.value ?? ''));
            break;
          case 'cacheKeyParameters': {
            const set = new Set(integration.cacheKeyParameters);
            if (op.op === 'remove') set.delete(key);
            else set.add(key || requireValue(op));
            integration.cacheKeyParameters = [...set];
            break;
          }
          default:
            unsupportedPatch(op, allowed);
        }
      }
      this.saveMethod(apiId, resourceId, method, false);
      return integration;
    });
  }

  deleteIntegration(apiId: string, resourceId: string, httpMethod: string): void {
    this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      if (!method.methodIntegration) throw notFound('Invalid Integration identifier specified');
      delete method.methodIntegration;
      this.saveMethod(apiId, resourceId, method, false);
    });
  }

  // ---- integration responses --------------------------------------------------------------------------------

  putIntegrationResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string, input: unknown): IntegrationResponse {
    const v = parseInput(putIntegrationResponseInput, input, 'putIntegrationResponseInput');
    checkStatusCode(statusCode);
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const integration = method.methodIntegration;
      if (!integration) throw notFound('Invalid Integration identifier specified');
      const methodResponse = method.methodResponses?.[statusCode];
      if (!methodResponse) throw notFound('Invalid Response status code specified');
      const response: IntegrationResponse = { statusCode };
      if (v.selectionPattern !== undefined) response.selectionPattern = v.selectionPattern;
      if (v.responseParameters && Object.keys(v.responseParameters).length) {
        validateResponseParameters(v.responseParameters, methodResponse);
        response.responseParameters = v.responseParameters;
      }
      if (v.responseTemplates && Object.keys(v.responseTemplates).length) response.responseTemplates = v.responseTemplates;
      if (v.contentHandling !== undefined) response.contentHandling = v.contentHandling;
      integration.integrationResponses = { ...(integration.integrationResponses ?? {}), [statusCode]: response };
      this.saveMethod(apiId, resourceId, method, false);
      return response;
    });
  }

  getIntegrationResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string): IntegrationResponse {
    const integration = this.getIntegration(apiId, resourceId, httpMethod);
    const r = integration.integrationResponses?.[statusCode];
    if (!r) throw notFound('Invalid Response status code specified');
    return r;
  }

  updateIntegrationResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string, ops: PatchOperation[]): IntegrationResponse {
    return this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const response = method.methodIntegration?.integrationResponses?.[statusCode];
      if (!method.methodIntegration) throw notFound('Invalid Integration identifier specified');
      if (!response) throw notFound('Invalid Response status code specified');
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        const key = rest.join('/');
        if (field === 'responseParameters') {
          const next = patchMap(response.responseParameters, key, op, requireValue);
          if (next) validateResponseParameters(next, method.methodResponses?.[statusCode] ?? { statusCode });
          setOrDelete(response, 'responseParameters', next);
        } else if (field === 'responseTemplates') {
          setOrDelete(response, 'responseTemplates', patchMap(response.responseTemplates, key, op, (o) => o.value ?? ''));
        } else if (field === 'selectionPattern') {
          if (op.op === 'remove') delete response.selectionPattern;
          else response.selectionPattern = op.value ?? '';
        } else if (field === 'contentHandling') {
          if (op.op === 'remove' || !op.value) delete response.contentHandling;
          else if (op.value === 'CONVERT_TO_BINARY' || op.value === 'CONVERT_TO_TEXT') response.contentHandling = op.value;
          else throw badRequest(`Invalid contentHandling '${op.value}': use CONVERT_TO_BINARY or CONVERT_TO_TEXT`);
        } else {
          unsupportedPatch(op, ['/selectionPattern', '/contentHandling', '/responseParameters/{name}', '/responseTemplates/{type}']);
        }
      }
      this.saveMethod(apiId, resourceId, method, false);
      return response;
    });
  }

  deleteIntegrationResponse(apiId: string, resourceId: string, httpMethod: string, statusCode: string): void {
    this.mutate(apiId, () => {
      const method = this.getMethod(apiId, resourceId, httpMethod);
      const responses = method.methodIntegration?.integrationResponses;
      if (!method.methodIntegration) throw notFound('Invalid Integration identifier specified');
      if (!responses?.[statusCode]) throw notFound('Invalid Response status code specified');
      delete responses[statusCode];
      if (Object.keys(responses).length === 0) delete method.methodIntegration!.integrationResponses;
      this.saveMethod(apiId, resourceId, method, false);
    });
  }

  // ---- gateway responses ------------------------------------------------------------------------------------

  putGatewayResponse(apiId: string, responseType: string, input: unknown): GatewayResponse {
    const v = parseInput(putGatewayResponseInput, input, 'putGatewayResponseInput');
    const type = checkGatewayResponseType(responseType);
    if (v.statusCode !== undefined) checkStatusCode(v.statusCode);
    return this.mutate(apiId, () => {
      this.getRestApi(apiId);
      // PutGatewayResponse replaces the whole entry: what is left out falls back to the type's defaults
      // (test_apigateway_api test_gateway_response_put).
      const defaults = effectiveGatewayResponse(type, []);
      const response: GatewayResponse = {
        responseType: type,
        defaultResponse: false,
        responseParameters: {},
        responseTemplates: defaults.responseTemplates ?? {},
      };
      const code = v.statusCode ?? defaults.statusCode;
      if (code !== undefined) response.statusCode = code;
      if (v.responseParameters && Object.keys(v.responseParameters).length) {
        for (const k of Object.keys(v.responseParameters)) {
          if (!/^gatewayresponse\.header\.[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) {
            throw badRequest(`Invalid mapping expression specified: ${k}. Use gatewayresponse.header.<name>`);
          }
        }
        response.responseParameters = v.responseParameters;
      }
      if (v.responseTemplates && Object.keys(v.responseTemplates).length) response.responseTemplates = v.responseTemplates;
      this.writeGatewayResponse(apiId, response);
      return response;
    });
  }

  /** Customised gateway responses only; the data plane falls back to AWS's defaults for the rest. */
  getCustomGatewayResponses(apiId: string): GatewayResponse[] {
    const rows = this.db
      .prepare('SELECT doc FROM gateway_responses WHERE api_id = ? ORDER BY response_type')
      .all(apiId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as GatewayResponse);
  }

  getGatewayResponse(apiId: string, responseType: string): GatewayResponse {
    const type = checkGatewayResponseType(responseType);
    this.getRestApi(apiId);
    return effectiveGatewayResponse(type, this.getCustomGatewayResponses(apiId));
  }

  /** All 21 types, as GetGatewayResponses lists them even for an API that customised none. */
  getGatewayResponses(apiId: string): GatewayResponse[] {
    this.getRestApi(apiId);
    const custom = this.getCustomGatewayResponses(apiId);
    return GATEWAY_RESPONSE_TYPES.map((t) => effectiveGatewayResponse(t, custom));
  }

  updateGatewayResponse(apiId: string, responseType: string, ops: PatchOperation[]): GatewayResponse {
    const type = checkGatewayResponseType(responseType);
    return this.mutate(apiId, () => {
      const current = this.getGatewayResponse(apiId, type);
      const next: GatewayResponse = { ...current, defaultResponse: false };
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        const key = rest.join('/');
        if (field === 'statusCode' && rest.length === 0) {
          requireReplace(op);
          const code = requireValue(op);
          checkStatusCode(code);
          next.statusCode = code;
        } else if (field === 'responseParameters' && key) {
          next.responseParameters = patchMap(next.responseParameters, key, op, requireValue) ?? {};
        } else if (field === 'responseTemplates' && key) {
          if (op.op !== 'remove' && !op.value) throw badRequest('Invalid null or empty value in responseTemplates');
          next.responseTemplates = patchMap(next.responseTemplates, key, op, requireValue) ?? {};
        } else {
          throw badRequest(`Invalid patch path ${op.path}`);
        }
      }
      this.writeGatewayResponse(apiId, next);
      return next;
    });
  }

  deleteGatewayResponse(apiId: string, responseType: string): void {
    const type = checkGatewayResponseType(responseType);
    this.mutate(apiId, () => {
      this.getRestApi(apiId);
      const r = this.db.prepare('DELETE FROM gateway_responses WHERE api_id = ? AND response_type = ?').run(apiId, type);
      if (r.changes === 0) throw notFound('Gateway response type not defined on api');
    });
  }

  private writeGatewayResponse(apiId: string, response: GatewayResponse): void {
    this.db
      .prepare('INSERT OR REPLACE INTO gateway_responses (api_id, response_type, doc) VALUES (?, ?, ?)')
      .run(apiId, response.responseType, JSON.stringify(response));
  }

  // ---- internals shared with deployments and Enable CORS ----------------------------------------------------

  /** Runs a mutation in one transaction and announces the change once it is committed. */
  mutate<T>(apiId: string, fn: () => T): T {
    const result = this.store.tx(fn);
    this.changed(apiId);
    return result;
  }

  requireResource(apiId: string, resourceId: string): void {
    // Method-level operations on an unknown API answer with the resource message (LocalStack AWS-validated
    // snapshot test_put_method_validation::wrong-api).
    if (!this.hasRestApi(apiId)) throw notFound('Invalid Resource identifier specified');
    const row = this.db.prepare('SELECT 1 FROM resources WHERE api_id = ? AND id = ?').get(apiId, resourceId);
    if (!row) throw notFound('Invalid Resource identifier specified');
  }

  findMethod(apiId: string, resourceId: string, httpMethod: string): Method | undefined {
    const row = this.db
      .prepare('SELECT doc FROM methods WHERE api_id = ? AND resource_id = ? AND http_method = ?')
      .get(apiId, resourceId, httpMethod) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Method) : undefined;
  }

  methodsOf(apiId: string, resourceId: string): Method[] {
    const rows = this.db
      .prepare('SELECT doc FROM methods WHERE api_id = ? AND resource_id = ? ORDER BY http_method')
      .all(apiId, resourceId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as Method);
  }

  saveMethod(apiId: string, resourceId: string, method: Method, insert: boolean): void {
    const sql = insert
      ? 'INSERT INTO methods (doc, api_id, resource_id, http_method) VALUES (?, ?, ?, ?)'
      : 'UPDATE methods SET doc = ? WHERE api_id = ? AND resource_id = ? AND http_method = ?';
    this.db.prepare(sql).run(JSON.stringify(method), apiId, resourceId, method.httpMethod);
  }

  /** Every resource with its full methods, in path order: the body of a deployment snapshot. */
  fullResources(apiId: string): Resource[] {
    const tree = this.loadTree(apiId);
    const methods = this.loadAllMethods(apiId);
    return [...tree.values()]
      .map((n) => this.toResource(apiId, n, { embedMethods: true }, methods.get(n.id)))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private loadAllMethods(apiId: string): Map<string, Method[]> {
    const rows = this.db
      .prepare('SELECT resource_id, doc FROM methods WHERE api_id = ? ORDER BY http_method')
      .all(apiId) as { resource_id: string; doc: string }[];
    const out = new Map<string, Method[]>();
    for (const r of rows) {
      const list = out.get(r.resource_id) ?? [];
      list.push(JSON.parse(r.doc) as Method);
      out.set(r.resource_id, list);
    }
    return out;
  }

  private toResource(apiId: string, node: TreeNode, q: ResourceQuery, preloaded?: Method[]): Resource {
    const resource: Resource = { id: node.id, path: node.path };
    if (node.parentId !== undefined) resource.parentId = node.parentId;
    if (node.pathPart !== undefined) resource.pathPart = node.pathPart;
    const methods = preloaded ?? this.methodsOf(apiId, node.id);
    if (methods.length > 0) {
      // Without embed, AWS lists the methods of a resource as empty objects (names only).
      resource.resourceMethods = Object.fromEntries(methods.map((m) => [m.httpMethod, q.embedMethods ? m : ({} as Method)]));
    }
    return resource;
  }

  loadTree(apiId: string): Map<string, TreeNode> {
    const rows = this.db
      .prepare('SELECT id, parent_id, path_part FROM resources WHERE api_id = ? ORDER BY rowid')
      .all(apiId) as ResourceRow[];
    return buildTree(rows);
  }

  private checkNewPathPart(tree: Map<string, TreeNode>, parentId: string, pathPart: string, selfId: string | undefined): void {
    this.checkPathPart(tree.get(parentId)!, [...tree.values()].filter((n) => n.parentId === parentId), pathPart, selfId);
  }

  /** One resource with its path, read by walking up its ancestors (no cycles: updateResource refuses them). */
  private resourceNode(apiId: string, resourceId: string): TreeNode | undefined {
    const byId = this.db.prepare('SELECT id, parent_id, path_part FROM resources WHERE api_id = ? AND id = ?');
    const row = byId.get(apiId, resourceId) as ResourceRow | undefined;
    if (!row) return undefined;
    const parts: string[] = [];
    for (let r: ResourceRow | undefined = row; r && r.parent_id !== null; r = byId.get(apiId, r.parent_id) as ResourceRow | undefined) {
      parts.unshift(r.path_part ?? '');
      if (parts.length > 1000) throw new Error('resource tree has a cycle');
    }
    const node: TreeNode = { id: row.id, path: `/${parts.join('/')}` };
    if (row.parent_id !== null) node.parentId = row.parent_id;
    if (row.path_part !== null) node.pathPart = row.path_part;
    return node;
  }

  /** The children of parentId a new child named pathPart could clash with: the same name, or a {variable}. */
  private clashingChildren(apiId: string, parentId: string, pathPart: string): TreeNode[] {
    // Both lookups are ranges of the (api_id, parent_id, path_part) index; '{' < '|' brackets the variables.
    const rows = this.db
      .prepare("SELECT id, parent_id, path_part FROM resources WHERE api_id = ? AND parent_id = ? AND (path_part = ? OR (path_part >= '{' AND path_part < '|'))")
      .all(apiId, parentId, pathPart) as ResourceRow[];
    return rows.map((r) => ({ id: r.id, parentId, ...(r.path_part !== null ? { pathPart: r.path_part } : {}), path: '' }));
  }

  private checkPathPart(parent: TreeNode, children: TreeNode[], pathPart: string, selfId: string | undefined): void {
    if (!PATH_PART.test(pathPart)) {
      throw badRequest(
        "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
      );
    }
    if (parent.pathPart && /^\{.+\+\}$/.test(parent.pathPart)) {
      throw badRequest(`Cannot create a child of a resource with a greedy path variable: ${parent.pathPart}`);
    }
    const siblings = children.filter((n) => n.id !== selfId);
    if (siblings.some((s) => s.pathPart === pathPart)) {
      throw conflict(`Another resource with the same parent already has this name: ${pathPart}`);
    }
    if (pathPart.startsWith('{')) {
      const variable = siblings.find((s) => s.pathPart?.startsWith('{'));
      if (variable) {
        throw badRequest(`A sibling (${variable.pathPart}) of this resource already has a variable path part -- only one is allowed`);
      }
    }
  }
}

export interface TreeNode {
  id: string;
  parentId?: string;
  pathPart?: string;
  path: string;
}

function buildTree(rows: ResourceRow[]): Map<string, TreeNode> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = new Map<string, TreeNode>();
  const pathOf = (r: ResourceRow, depth = 0): string => {
    if (r.parent_id === null) return '/';
    if (depth > 1000) throw new Error('resource tree has a cycle');
    const parent = byId.get(r.parent_id);
    if (!parent) return `/${r.path_part}`;
    const pp = pathOf(parent, depth + 1);
    return pp === '/' ? `/${r.path_part}` : `${pp}/${r.path_part}`;
  };
  for (const r of rows) {
    const node: TreeNode = { id: r.id, path: pathOf(r) };
    if (r.parent_id !== null) node.parentId = r.parent_id;
    if (r.path_part !== null) node.pathPart = r.path_part;
    out.set(r.id, node);
  }
  return out;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function paginate<T>(all: T[], opts: { position?: string; limit?: number }): Page<T> {
  const start = opts.position ? Number.parseInt(opts.position, 10) || 0 : 0;
  const limit = Math.min(Math.max(opts.limit ?? 500, 1), 500);
  const items = all.slice(start, start + limit);
  const page: Page<T> = { items };
  if (start + limit < all.length) page.position = String(start + limit);
  return page;
}

export function normalizeHttpMethod(m: string): string {
  const upper = m.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(upper)) {
    throw badRequest(`Invalid HttpMethod specified. Valid options are ${HTTP_METHODS.join(',')}`);
  }
  return upper;
}

function normalizeIntegrationHttpMethod(m: string): string {
  const upper = m.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(upper)) {
    throw badRequest(`Invalid integration HTTP method '${m}'. Valid options are ${HTTP_METHODS.join(',')}`);
  }
  return upper;
}

function checkStatusCode(code: string): void {
  if (!STATUS_CODE.test(code)) {
    throw validationError(
      `1 validation error detected: Value '${code}' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d`,
    );
  }
}

function checkIntegrationUri(type: Integration['type'], uri: string): void {
  if (type === 'HTTP' || type === 'HTTP_PROXY') {
    if (!/^https?:\/\/[^/\s]+/i.test(uri)) throw badRequest('Invalid HTTP endpoint specified for URI');
  } else if (type === 'AWS' || type === 'AWS_PROXY') {
    if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[^:]*:.+/.test(uri)) throw badRequest('Invalid ARN specified in the request');
    if (!/^arn:aws[a-z-]*:apigateway:[^:]*:[^:]+:(path|action)\/.+/.test(uri)) {
      throw badRequest('AWS ARN for integration must contain path or action');
    }
    if (type === 'AWS_PROXY' && !/:lambda:path\/2015-03-31\/functions\//.test(uri)) {
      throw badRequest('Integrations of type \'AWS_PROXY\' currently only supports Lambda function and Firehose stream invocations.');
    }
  }
}

export function checkGatewayResponseType(t: string): GatewayResponse['responseType'] {
  if (!(GATEWAY_RESPONSE_TYPES as readonly string[]).includes(t)) {
    throw validationError(
      `1 validation error detected: Value '${t}' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [${GATEWAY_RESPONSE_ENUM_ORDER.join(', ')}]`,
    );
  }
  return t as GatewayResponse['responseType'];
}

function validateRequestParameterNames(params: Record<string, boolean>): void {
  for (const k of Object.keys(params)) {
    if (!/^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.[^\s]+$/.test(k)) {
      throw badRequest(
        `Invalid mapping expression specified: ${k}. Request parameters look like method.request.{path|querystring|header}.NAME`,
      );
    }
  }
}

function validateMethodResponseParameterNames(params: Record<string, boolean>): void {
  for (const k of Object.keys(params)) {
    if (!/^method\.response\.header\.[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) {
      throw badRequest(`Invalid mapping expression specified: ${k}. Method response parameters look like method.response.header.NAME`);
    }
  }
}

function setOrDelete<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}

/**
 * A resource policy must be a JSON policy document; AWS refuses anything else with this message (quoted from
 * CreateRestApi failures in CloudFormation deployments). The data plane can then rely on it parsing.
 */
function checkedPolicy(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const statements = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)['Statement'] : undefined;
  if (!statements || typeof statements !== 'object') {
    throw badRequest('Invalid policy document. Please check the policy syntax and ensure that Principals are valid.');
  }
  return text;
}
