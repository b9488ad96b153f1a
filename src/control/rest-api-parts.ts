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
  name: z.string(),
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

  /** Statements through the store's cache of prepared statements. */
  private get db(): Pick<Store, 'prepare' | 'freshId'> {
    return this.store;
  }

  // ---- authorizers -----------------------------------------------------------------------------------------

  createAuthorizer(apiId: string, input: unknown): Authorizer {
    const v = parseInput(authorizerInput, input, 'createAuthorizerInput');
    // AWS answers an unknown API here with this 409, not a 404 (LocalStack AWS-validated snapshot
    // test_apigateway_api test_authorizer_crud_no_api::wrong-rest-api-id-create-authorizer).
    if (!this.apis.hasRestApi(apiId)) throw conflict('Unable to complete operation due to concurrent modification. Please try again later.');
    return this.apis.mutate(apiId, () => {
      const a = buildAuthorizer(this.db.freshId('rest_authorizers', apiId, () => randomId(6)), v);
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
          const arns = new Set((next['providerARNs'] as string[] | undefined) ?? []);
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
      // An authType AWS filled in follows a change of type (see buildAuthorizer); one the user chose stays.
      if (next['type'] !== a.type && next['authType'] === defaultAuthType(a.type)) delete next['authType'];
      const updated = buildAuthorizer(id, parseInput(authorizerInput, next, 'updateAuthorizerInput'));
      this.db.prepare('UPDATE rest_authorizers SET doc = ? WHERE api_id = ? AND id = ?').run(JSON.stringify(updated), apiId, id);
      return updated;
    });
  }

  deleteAuthorizer(apiId: string, id: string): void {
    this.apis.mutate(apiId, () => {
      const a = this.getAuthorizer(apiId, id);
      const user = this.apis.fullResources(apiId).flatMap((r) => Object.values(r.resourceMethods ?? {}).map((m) => ({ r, m }))).find(({ m }) => m.authorizerId === id);
      // The authorizer's name, then the verb and the path (real AWS error quoted in hashicorp/terraform#6731 and
      // hashicorp/terraform#25980: "Cannot delete authorizer 'tf-acc-test-authorizer', is referenced in method: GET//test").
      if (user) throw conflict(`Cannot delete authorizer '${a.name}', is referenced in method: ${user.m.httpMethod}/${user.r.path}`);
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
        id: this.db.freshId('request_validators', apiId, () => randomId(6)),
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
    // An unknown API gets the validator's message too (LocalStack AWS-validated snapshot test_apigateway_api
    // test_invalid_get_request_validator / test_invalid_delete_request_validator).
    const rv = this.findRequestValidator(apiId, id);
    if (!rv) throw notFound('Invalid Request Validator identifier specified');
    return rv;
  }

  updateRequestValidator(apiId: string, id: string, ops: PatchOperation[]): RequestValidator {
    return this.apis.mutate(apiId, () => {
      const rv = this.getRequestValidator(apiId, id);
      // Replace only; texts from the LocalStack AWS-validated snapshot test_apigateway_api
      // test_invalid_update_request_validator_operations and test_request_validator_lifecycle (a boolean replaced
      // without a value becomes false).
      for (const op of ops) {
        if (op.op !== 'replace') throw badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`);
        if (op.path === '/name') {
          if (!op.value?.trim()) throw badRequest('Request Validator name cannot be blank');
          rv.name = op.value;
        } else if (op.path === '/validateRequestBody') rv.validateRequestBody = (op.value ?? '').toLowerCase() === 'true';
        else if (op.path === '/validateRequestParameters') rv.validateRequestParameters = (op.value ?? '').toLowerCase() === 'true';
        else unsupportedPatch(op, ['/name', '/validateRequestParameters', '/validateRequestBody']);
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
    // Texts: LocalStack AWS-validated snapshot test_apigateway_api test_model_validation (create-model-empty-name,
    // create-model-empty-schema, create-model-no-schema-json, create-model-wrong-id, create-model-already-exists).
    if (!v.name) throw badRequest('Model name must be non-empty');
    if (!/^[A-Za-z0-9]+$/.test(v.name)) throw badRequest(`Model name must be alphanumeric; got '${v.name}'`);
    checkSchema(v.schema);
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
    // An unknown API gets the model's message (LocalStack AWS-validated snapshot test_model_validation
    // get-model-wrong-id, del-model-wrong-id; test_update_model update-model-wrong-id).
    const m = this.findModel(apiId, name);
    if (!m) throw notFound(`Invalid model name specified: ${name}`);
    return m;
  }

  updateModel(apiId: string, name: string, ops: PatchOperation[]): Model {
    return this.apis.mutate(apiId, () => {
      const m = this.getModel(apiId, name);
      // Replace only, on /schema and /description (LocalStack AWS-validated snapshot test_update_model).
      for (const op of ops) {
        if (op.op !== 'replace') throw badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`);
        if (op.path === '/schema') {
          checkSchema(op.value);
          m.schema = op.value!;
        } else if (op.path === '/description') {
          m.description = op.value ?? '';
        } else unsupportedPatch(op, ['/description', '/schema']);
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
            // AWS's text: the resource path, "/", the method ("//ANY" on the root, "/test/ANY" below it: LocalStack
            // AWS-validated snapshot test_apigateway_api test_put_method_model).
            throw conflict(`Cannot delete model '${name}', is referenced in method request: ${r.path}/${m.httpMethod}`);
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
    // No recorded AWS text for a Cognito authorizer without pools: ours says what is needed.
    if (!v.providerARNs?.length) throw badRequest('ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers, e.g. arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc');
    const invalid = v.providerARNs.filter((arn) => !/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/.test(arn));
    // AWS's text as a real error quotes it (aws/chalice#1338: "ProviderARNs need to be valid Cognito Userpools.
    // Invalid ARNs-" followed by the ARNs; the separator between several ARNs is UNCERTAIN).
    if (invalid.length) throw badRequest(`ProviderARNs need to be valid Cognito Userpools. Invalid ARNs- ${invalid.join(', ')}`);
    a.providerARNs = v.providerARNs;
  } else {
    // No recorded AWS text for a missing URI: ours says what is needed.
    if (!v.authorizerUri) throw badRequest(`Authorizer URI must be specified for ${v.type} authorizers: arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`);
    // AWS checks the API Gateway ARN and its region (a literal "region" is refused), not the path's spacing: it took
    // "...:lambda:path/ <spaces> 2015-03-31/functions/..." (LocalStack AWS-validated snapshot test_apigateway_basic
    // test_apigateway_with_custom_authorization_method). Text: hashicorp/terraform-provider-aws#1757 (real error).
    if (!/^arn:aws[a-z-]*:apigateway:[a-z]{2}(-[a-z]+)+-\d+:lambda:path\/.*functions\/.+\/invocations$/.test(v.authorizerUri)) {
      throw badRequest(`Invalid Authorizer URI: ${v.authorizerUri}. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation.`);
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
  // Echoed only when given: AWS answers CreateAuthorizer without it with no authorizerResultTtlInSeconds (LocalStack
  // AWS-validated snapshot test_apigateway_with_custom_authorization_method; AWS CLI create-authorizer example 2).
  // The data plane then caches for the documented default, 300 s (botocore Authorizer.authorizerResultTtlInSeconds).
  if (v.authorizerResultTtlInSeconds !== undefined) {
    if (v.authorizerResultTtlInSeconds < 0 || v.authorizerResultTtlInSeconds > 3600) throw badRequest('Authorizer result TTL must be between 0 and 3600 seconds');
    a.authorizerResultTtlInSeconds = v.authorizerResultTtlInSeconds;
  }
  // AWS fills authType when it is not given: "custom" for Lambda authorizers, "cognito_user_pools" for Cognito
  // (same snapshot: created without authType, answered "authType": "custom"; AWS CLI create-authorizer examples).
  a.authType = v.authType ?? defaultAuthType(v.type);
  if (v.authorizerCredentials !== undefined) a.authorizerCredentials = v.authorizerCredentials;
  return a;
}

function defaultAuthType(type: Authorizer['type']): string {
  return type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom';
}

/**
 * A model needs a schema, and the schema must be a JSON object. Texts: "Model schema must have at least 1 property
 * or array items defined" for a missing or empty schema (LocalStack AWS-validated snapshot test_model_validation,
 * test_update_model); for one that is not JSON Schema, AWS's "Invalid model specified: Validation Result: warnings :
 * [], errors : [Invalid model schema specified]" as real errors quote it (CloudFormation and CLI errors collected in
 * public notes, code-index ids 59670428914, 62709708802).
 */
function checkSchema(schema: string | undefined): asserts schema is string {
  if (schema === undefined || schema.trim() === '') throw badRequest('Model schema must have at least 1 property or array items defined');
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]');
  }
}
