import { z } from 'zod';
import type { Store } from '../store/db.js';
import type { Authorizer, Model, RequestValidator } from '../model/restapi.js';
import { badRequest, conflict, notFound } from './errors.js';
import { randomId } from './ids.js';
import { type PatchOperation, pathSegments, requireValue, unsupportedPatch } from './patch.js';
import type { RestApiService } from './rest-apis.js';
import { parseInput } from './validate.js';

/**
 * The default models every new REST API has, with AWS's exact schema text (real exports: terraformer, AWS CLI
 * get-models example; note the asymmetric "$schema": spacing, which is AWS's).
 */
export const DEFAULT_MODELS: readonly Omit<Model, 'id'>[] = [
  {
    name: 'Empty',
    contentType: 'application/json',
    description: 'This is a default empty schema model',
    schema: '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n  "type" : "object"\n}',
  },
  {
    name: 'Error',
    contentType: 'application/json',
    description: 'This is a default error schema model',
    schema: '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}',
  },
];

const authorizerInput = z.object({
  name: z.string().min(1),
  type: z.enum(['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS']),
  providerARNs: z.array(z.string()).optional(),
  authType: z.string().optional(),
  authorizerUri: z.string().optional(),
  authorizerCredentials: z.string().optional(),
  identitySource: z.string().optional(),
  identityValidationExpression: z.string().optional(),
  authorizerResultTtlInSeconds: z.number().int().optional(),
});

const validatorInput = z.object({
  name: z.string().optional(),
  validateRequestBody: z.boolean().optional(),
  validateRequestParameters: z.boolean().optional(),
});

const modelInput = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  schema: z.string().optional(),
  contentType: z.string().min(1),
});

/**
 * Authorizers, request validators and models of a REST API: the parts of an API that methods refer to by id or
 * name. They are deployed with the API.
 */
export class RestApiParts {
  constructor(
    private readonly store: Store,
    private readonly apis: RestApiService,
  ) {}

  private get db() {
    return this.store.db;
  }

  // ---- authorizers -----------------------------------------------------------------------------------------

  createAuthorizer(apiId: string, input: unknown): Authorizer {
    const v = parseInput(authorizerInput, input, 'createAuthorizerInput');
    return this.apis.mutate(apiId, () => {
      this.apis.getRestApi(apiId);
      const a = buildAuthorizer(randomId(6), v);
      this.db.prepare('INSERT INTO rest_authorizers (api_id, id, doc) VALUES (?, ?, ?)').run(apiId, a.id, JSON.stringify(a));
      return a;
    });
  }

  getAuthorizers(apiId: string): Authorizer[] {
    this.apis.getRestApi(apiId);
    return (this.db.prepare('SELECT doc FROM rest_authorizers WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[]).map((r) => JSON.parse(r.doc) as Authorizer);
  }

  findAuthorizer(apiId: string, id: string): Authorizer | undefined {
    const row = this.db.prepare('SELECT doc FROM rest_authorizers WHERE api_id = ? AND id = ?').get(apiId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Authorizer) : undefined;
  }

  getAuthorizer(apiId: string, id: string): Authorizer {
    this.apis.getRestApi(apiId);
    const a = this.findAuthorizer(apiId, id);
    if (!a) throw notFound('Invalid Authorizer identifier specified');
    return a;
  }

  updateAuthorizer(apiId: string, id: string, ops: PatchOperation[]): Authorizer {
    return this.apis.mutate(apiId, () => {
      const a = this.getAuthorizer(apiId, id);
      const allowed = ['/name', '/type', '/authorizerUri', '/authorizerCredentials', '/identitySource', '/identityValidationExpression', '/authorizerResultTtlInSeconds', '/providerARNs', '/authType'];
      const next: Record<string, unknown> = { ...a };
      for (const op of ops) {
        const [field, ...rest] = pathSegments(op.path);
        if (field === 'providerARNs') {
          const arns = new Set(a.providerARNs ?? []);
          const arn = rest.join('/') || op.value;
          if (!arn) throw badRequest(`Invalid patch path ${op.path}`);
          if (op.op === 'remove') arns.delete(arn);
          else arns.add(arn);
          next['providerARNs'] = [...arns];
          continue;
        }
        if (!field || !allowed.includes(`/${field}`)) unsupportedPatch(op, allowed);
        if (op.op === 'remove') delete next[field];
        else next[field] = field === 'authorizerResultTtlInSeconds' ? Number(requireValue(op)) : requireValue(op);
      }
      const updated = buildAuthorizer(id, parseInput(authorizerInput, next, 'updateAuthorizerInput'));
      this.db.prepare('UPDATE rest_authorizers SET doc = ? WHERE api_id = ? AND id = ?').run(JSON.stringify(updated), apiId, id);
      return updated;
    });
  }

  deleteAuthorizer(apiId: string, id: string): void {
    this.apis.mutate(apiId, () => {
      this.getAuthorizer(apiId, id);
      const user = this.apis.fullResources(apiId).flatMap((r) => Object.values(r.resourceMethods ?? {}).map((m) => ({ r, m }))).find(({ m }) => m.authorizerId === id);
      if (user) throw conflict(`Cannot delete authorizer '${id}', is referenced in method: ${user.r.path}/${user.m.httpMethod}`);
      this.db.prepare('DELETE FROM rest_authorizers WHERE api_id = ? AND id = ?').run(apiId, id);
    });
  }

  // ---- request validators ----------------------------------------------------------------------------------

  createRequestValidator(apiId: string, input: unknown): RequestValidator {
    const v = parseInput(validatorInput, input, 'createRequestValidatorInput');
    // An unknown API is a BadRequestException here (LocalStack AWS-validated test_apigateway_api snapshot).
    if (!this.apis.hasRestApi(apiId)) throw badRequest('Invalid REST API identifier specified');
    return this.apis.mutate(apiId, () => {
      const rv: RequestValidator = {
        id: randomId(6),
        name: v.name ?? '',
        validateRequestBody: v.validateRequestBody ?? false,
        validateRequestParameters: v.validateRequestParameters ?? false,
      };
      this.db.prepare('INSERT INTO request_validators (api_id, id, doc) VALUES (?, ?, ?)').run(apiId, rv.id, JSON.stringify(rv));
      return rv;
    });
  }

  getRequestValidators(apiId: string): RequestValidator[] {
    this.apis.getRestApi(apiId);
    return (this.db.prepare('SELECT doc FROM request_validators WHERE api_id = ? ORDER BY rowid').all(apiId) as { doc: string }[]).map((r) => JSON.parse(r.doc) as RequestValidator);
  }

  findRequestValidator(apiId: string, id: string): RequestValidator | undefined {
    const row = this.db.prepare('SELECT doc FROM request_validators WHERE api_id = ? AND id = ?').get(apiId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as RequestValidator) : undefined;
  }

  getRequestValidator(apiId: string, id: string): RequestValidator {
    this.apis.getRestApi(apiId);
    const rv = this.findRequestValidator(apiId, id);
    if (!rv) throw notFound('Invalid Request Validator identifier specified');
    return rv;
  }

  updateRequestValidator(apiId: string, id: string, ops: PatchOperation[]): RequestValidator {
    return this.apis.mutate(apiId, () => {
      const rv = this.getRequestValidator(apiId, id);
      for (const op of ops) {
        if (op.path === '/name') rv.name = requireValue(op);
        else if (op.path === '/validateRequestBody') rv.validateRequestBody = requireValue(op).toLowerCase() === 'true';
        else if (op.path === '/validateRequestParameters') rv.validateRequestParameters = requireValue(op).toLowerCase() === 'true';
        else unsupportedPatch(op, ['/name', '/validateRequestBody', '/validateRequestParameters']);
      }
      this.db.prepare('UPDATE request_validators SET doc = ? WHERE api_id = ? AND id = ?').run(JSON.stringify(rv), apiId, id);
      return rv;
    });
  }

  deleteRequestValidator(apiId: string, id: string): void {
    this.apis.mutate(apiId, () => {
      this.getRequestValidator(apiId, id);
      this.db.prepare('DELETE FROM request_validators WHERE api_id = ? AND id = ?').run(apiId, id);
    });
  }

  // ---- models ----------------------------------------------------------------------------------------------

  /** Adds the models AWS gives every new API; called when the API is created, inside its transaction. */
  addDefaultModels(apiId: string): void {
    for (const m of DEFAULT_MODELS) {
      const model: Model = { id: randomId(6), ...m };
      this.db.prepare('INSERT INTO models (api_id, name, doc) VALUES (?, ?, ?)').run(apiId, model.name, JSON.stringify(model));
    }
  }

  createModel(apiId: string, input: unknown): Model {
    const v = parseInput(modelInput, input, 'createModelInput');
    if (!/^[A-Za-z0-9]+$/.test(v.name)) throw badRequest(`Model name must be alphanumeric; got '${v.name}'`);
    if (v.schema !== undefined) checkSchema(v.schema);
    return this.apis.mutate(apiId, () => {
      this.apis.getRestApi(apiId);
      if (this.findModel(apiId, v.name)) throw conflict('Model name already exists for this REST API');
      const model: Model = { id: randomId(6), name: v.name, contentType: v.contentType };
      if (v.description !== undefined) model.description = v.description;
      if (v.schema !== undefined) model.schema = v.schema;
      this.db.prepare('INSERT INTO models (api_id, name, doc) VALUES (?, ?, ?)').run(apiId, model.name, JSON.stringify(model));
      return model;
    });
  }

  getModels(apiId: string): Model[] {
    this.apis.getRestApi(apiId);
    return (this.db.prepare('SELECT doc FROM models WHERE api_id = ? ORDER BY name').all(apiId) as { doc: string }[]).map((r) => JSON.parse(r.doc) as Model);
  }

  findModel(apiId: string, name: string): Model | undefined {
    const row = this.db.prepare('SELECT doc FROM models WHERE api_id = ? AND name = ?').get(apiId, name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Model) : undefined;
  }

  getModel(apiId: string, name: string): Model {
    this.apis.getRestApi(apiId);
    const m = this.findModel(apiId, name);
    if (!m) throw notFound(`Invalid model name specified: ${name}`);
    return m;
  }

  updateModel(apiId: string, name: string, ops: PatchOperation[]): Model {
    return this.apis.mutate(apiId, () => {
      const m = this.getModel(apiId, name);
      for (const op of ops) {
        if (op.path === '/schema') {
          const schema = requireValue(op);
          checkSchema(schema);
          m.schema = schema;
        } else if (op.path === '/description') {
          if (op.op === 'remove') delete m.description;
          else m.description = requireValue(op);
        } else unsupportedPatch(op, ['/schema', '/description']);
      }
      this.db.prepare('UPDATE models SET doc = ? WHERE api_id = ? AND name = ?').run(JSON.stringify(m), apiId, name);
      return m;
    });
  }

  deleteModel(apiId: string, name: string): void {
    this.apis.mutate(apiId, () => {
      this.getModel(apiId, name);
      for (const r of this.apis.fullResources(apiId)) {
        for (const m of Object.values(r.resourceMethods ?? {})) {
          if (Object.values(m.requestModels ?? {}).includes(name)) {
            // AWS's text (LocalStack AWS-validated test_apigateway_api): the path and method after "//".
            throw conflict(`Cannot delete model '${name}', is referenced in method request: /${r.path === '/' ? '' : r.path}/${m.httpMethod}`);
          }
        }
      }
      this.db.prepare('DELETE FROM models WHERE api_id = ? AND name = ?').run(apiId, name);
    });
  }
}

function buildAuthorizer(id: string, v: z.infer<typeof authorizerInput>): Authorizer {
  const a: Authorizer = { id, name: v.name, type: v.type };
  if (v.type === 'COGNITO_USER_POOLS') {
    if (!v.providerARNs?.length) throw badRequest('ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers, e.g. arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc');
    for (const arn of v.providerARNs) {
      if (!/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/.test(arn)) throw badRequest(`Invalid user pool ARN '${arn}'`);
    }
    a.providerARNs = v.providerARNs;
  } else {
    if (!v.authorizerUri) throw badRequest(`Authorizer URI must be specified for ${v.type} authorizers`);
    if (!/:lambda:path\/2015-03-31\/functions\/.+\/invocations$/.test(v.authorizerUri)) {
      throw badRequest('Invalid Authorizer URI specified: use arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations');
    }
    a.authorizerUri = v.authorizerUri;
  }
  const identitySource = v.identitySource ?? (v.type === 'REQUEST' ? undefined : 'method.request.header.Authorization');
  if (v.type === 'TOKEN' && identitySource && !/^method\.request\.header\.[^\s,]+$/.test(identitySource)) {
    throw badRequest(`Invalid identity source '${identitySource}' for a TOKEN authorizer: use method.request.header.NAME`);
  }
  if (identitySource !== undefined) {
    for (const part of identitySource.split(',').map((s) => s.trim())) {
      if (!/^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^\s]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/.test(part)) {
        throw badRequest(`Invalid identity source '${part}': use method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME`);
      }
    }
    a.identitySource = identitySource;
  }
  if (v.identityValidationExpression !== undefined) {
    try {
      new RegExp(v.identityValidationExpression);
    } catch {
      throw badRequest(`Invalid identityValidationExpression: ${v.identityValidationExpression} is not a regular expression`);
    }
    a.identityValidationExpression = v.identityValidationExpression;
  }
  const ttl = v.authorizerResultTtlInSeconds ?? 300;
  if (ttl < 0 || ttl > 3600) throw badRequest('Authorizer result TTL must be between 0 and 3600 seconds');
  a.authorizerResultTtlInSeconds = ttl;
  if (v.authType !== undefined) a.authType = v.authType;
  if (v.authorizerCredentials !== undefined) a.authorizerCredentials = v.authorizerCredentials;
  return a;
}

function checkSchema(schema: string): void {
  try {
    const parsed: unknown = JSON.parse(schema);
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
  } catch (e) {
    throw badRequest(`Invalid model schema specified: it must be a JSON Schema object (${(e as Error).message})`);
  }
}
