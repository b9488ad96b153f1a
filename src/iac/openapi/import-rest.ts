import type { ControlPlane } from '../../control/index.js';
import type { Method } from '../../model/restapi.js';
import { IacError } from '../diagnostics.js';
import type { JsonPath } from '../source.js';
import { atPath, HTTP_OPERATIONS, isMap, isSwagger2, operationMethod, refName, type Locator } from './common.js';

export interface RestImportOptions {
  /** Import into this existing (emptied) API instead of creating one: reloads keep their API id. */
  apiId?: string;
  /** Name used when the document has no info.title. */
  defaultName?: string;
  locate?: Locator;
}

const AUTH_TYPES: Record<string, string> = { token: 'TOKEN', request: 'REQUEST', cognito_user_pools: 'COGNITO_USER_POOLS' };

/**
 * Imports a Swagger 2.0 or OpenAPI 3 definition with API Gateway's extensions into a REST API, as ImportRestApi
 * does (AGDG api-gateway-swagger-extensions*.md): resources from paths, methods with their parameters, responses,
 * security and x-amazon-apigateway-integration; authorizers from securityDefinitions / securitySchemes; models from
 * definitions / components.schemas; request validators, gateway responses, binary media types, API key source.
 */
export function importRestApi(control: ControlPlane, doc: Record<string, unknown>, options: RestImportOptions = {}): string {
  const locate: Locator = options.locate ?? (() => undefined);
  const swagger2 = isSwagger2(doc);
  const info = isMap(doc['info']) ? doc['info'] : {};
  const name = typeof info['title'] === 'string' && info['title'] ? info['title'] : options.defaultName ?? 'imported-api';
  const apiInput: Record<string, unknown> = { name };
  if (typeof info['description'] === 'string') apiInput['description'] = info['description'];
  const binary = doc['x-amazon-apigateway-binary-media-types'];
  if (Array.isArray(binary)) apiInput['binaryMediaTypes'] = binary.map(String);
  const keySource = doc['x-amazon-apigateway-api-key-source'];
  if (typeof keySource === 'string') apiInput['apiKeySource'] = keySource.toUpperCase();
  const policy = doc['x-amazon-apigateway-policy'];
  if (policy !== undefined) apiInput['policy'] = typeof policy === 'string' ? policy : JSON.stringify(policy);
  if (typeof doc['x-amazon-apigateway-minimum-compression-size'] === 'number') apiInput['minimumCompressionSize'] = doc['x-amazon-apigateway-minimum-compression-size'];
  const endpoint = isMap(doc['x-amazon-apigateway-endpoint-configuration']) ? doc['x-amazon-apigateway-endpoint-configuration'] : undefined;
  if (endpoint && typeof endpoint['disableExecuteApiEndpoint'] === 'boolean') apiInput['disableExecuteApiEndpoint'] = endpoint['disableExecuteApiEndpoint'];

  let apiId: string;
  if (options.apiId) {
    apiId = options.apiId;
    const ops = [{ op: 'replace', path: '/name', value: name }];
    if (typeof apiInput['description'] === 'string') ops.push({ op: 'replace', path: '/description', value: apiInput['description'] });
    if (typeof apiInput['apiKeySource'] === 'string') ops.push({ op: 'replace', path: '/apiKeySource', value: apiInput['apiKeySource'] });
    const binary = apiInput['binaryMediaTypes'];
    for (const b of Array.isArray(binary) ? binary : []) ops.push({ op: 'add', path: `/binaryMediaTypes/${String(b).replace(/\//g, '~1')}`, value: '' });
    if (typeof apiInput['policy'] === 'string') ops.push({ op: 'replace', path: '/policy', value: apiInput['policy'] });
    atPath(locate, ['info'], 'updating the API', () => control.apis.updateRestApi(apiId, ops as never));
  } else {
    apiId = atPath(locate, ['info'], 'creating the REST API', () => control.apis.createRestApi(apiInput)).id;
  }

  // Models: definitions (2.0) or components.schemas (3.x), JSON Schema as text.
  const components = isMap(doc['components']) ? doc['components'] : {};
  const schemas = swagger2 ? doc['definitions'] : components['schemas'];
  for (const [modelName, schema] of Object.entries(isMap(schemas) ? schemas : {})) {
    if (control.parts.findModel(apiId, modelName)) continue;
    const at: JsonPath = swagger2 ? ['definitions', modelName] : ['components', 'schemas', modelName];
    atPath(locate, at, `model ${modelName}`, () => control.parts.createModel(apiId, { name: modelName, contentType: 'application/json', schema: JSON.stringify(rewriteRefs(schema, apiId)) }));
  }

  // Request validators, by name.
  const validatorIds = new Map<string, string>();
  const validators = doc['x-amazon-apigateway-request-validators'];
  for (const [vName, v] of Object.entries(isMap(validators) ? validators : {})) {
    const vv = isMap(v) ? v : {};
    const rv = atPath(locate, ['x-amazon-apigateway-request-validators', vName], `request validator ${vName}`, () =>
      control.parts.createRequestValidator(apiId, { name: vName, validateRequestBody: vv['validateRequestBody'] === true, validateRequestParameters: vv['validateRequestParameters'] === true }),
    );
    validatorIds.set(vName, rv.id);
  }
  const defaultValidator = typeof doc['x-amazon-apigateway-request-validator'] === 'string' ? doc['x-amazon-apigateway-request-validator'] : undefined;

  // Security schemes: API Gateway authorizers, the API key, IAM.
  const schemesAt: JsonPath = swagger2 ? ['securityDefinitions'] : ['components', 'securitySchemes'];
  const schemes = swagger2 ? doc['securityDefinitions'] : components['securitySchemes'];
  const authorizerIds = new Map<string, { id: string; type: Method['authorizationType'] }>();
  const apiKeySchemes = new Set<string>();
  const iamSchemes = new Set<string>();
  for (const [sName, s] of Object.entries(isMap(schemes) ? schemes : {})) {
    if (!isMap(s)) continue;
    const authType = String(s['x-amazon-apigateway-authtype'] ?? '').toLowerCase();
    const ext = s['x-amazon-apigateway-authorizer'];
    if (authType === 'awssigv4') {
      iamSchemes.add(sName);
      continue;
    }
    if (!isMap(ext)) {
      if (s['type'] === 'apiKey') apiKeySchemes.add(sName);
      continue;
    }
    const type = AUTH_TYPES[String(ext['type'] ?? '').toLowerCase()];
    if (!type) throw new IacError(`security scheme ${sName}: unknown authorizer type ${String(ext['type'])}`, locate([...schemesAt, sName, 'x-amazon-apigateway-authorizer', 'type']), 'use token, request or cognito_user_pools');
    const input: Record<string, unknown> = { name: sName, type };
    if (ext['authorizerUri'] !== undefined) input['authorizerUri'] = ext['authorizerUri'];
    if (ext['authorizerCredentials'] !== undefined) input['authorizerCredentials'] = ext['authorizerCredentials'];
    if (Array.isArray(ext['providerARNs'])) input['providerARNs'] = ext['providerARNs'];
    if (ext['identityValidationExpression'] !== undefined) input['identityValidationExpression'] = ext['identityValidationExpression'];
    // ImportRestApi writes AWS's default TTL out when the definition leaves it (LocalStack AWS-validated import snapshots).
    input['authorizerResultTtlInSeconds'] = ext['authorizerResultTtlInSeconds'] !== undefined ? Number(ext['authorizerResultTtlInSeconds']) : 300;
    // The type's own auth type (custom, cognito_user_pools) is what API Gateway assumes; keep only other values.
    if (authType && authType !== (type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom')) input['authType'] = authType;
    // TOKEN and Cognito authorizers read the header the scheme names (AGDG api-gateway-swagger-extensions-authorizer.md).
    if (ext['identitySource'] !== undefined) input['identitySource'] = ext['identitySource'];
    else if (type !== 'REQUEST' && typeof s['name'] === 'string') input['identitySource'] = `method.request.header.${s['name']}`;
    const a = atPath(locate, [...schemesAt, sName], `authorizer ${sName}`, () => control.parts.createAuthorizer(apiId, input));
    authorizerIds.set(sName, { id: a.id, type: type === 'COGNITO_USER_POOLS' ? 'COGNITO_USER_POOLS' : 'CUSTOM' });
  }
  const topSecurity = Array.isArray(doc['security']) ? doc['security'] : undefined;

  // Resources and methods.
  const api = control.apis.getRestApi(apiId);
  const resourceIds = new Map<string, string>([['/', api.rootResourceId]]);
  for (const r of control.apis.getResources(apiId, { limit: 500 }).items) resourceIds.set(r.path, r.id);
  const resourceFor = (path: string, at: JsonPath): string => {
    const known = resourceIds.get(path);
    if (known) return known;
    const cut = path.lastIndexOf('/');
    const parentPath = cut <= 0 ? '/' : path.slice(0, cut);
    const parent = resourceFor(parentPath, at);
    const r = atPath(locate, at, `resource ${path}`, () => control.apis.createResource(apiId, parent, { pathPart: path.slice(cut + 1) }));
    resourceIds.set(path, r.id);
    return r.id;
  };
  const paths = isMap(doc['paths']) ? doc['paths'] : {};
  for (const [rawPath, item] of Object.entries(paths)) {
    if (!isMap(item)) continue;
    const path = rawPath !== '/' ? rawPath.replace(/\/+$/, '') : rawPath;
    if (!path.startsWith('/')) throw new IacError(`path ${rawPath} must start with /`, locate(['paths', rawPath]));
    const resourceId = resourceFor(path, ['paths', rawPath]);
    const shared = Array.isArray(item['parameters']) ? item['parameters'] : [];
    for (const key of HTTP_OPERATIONS) {
      const op = item[key];
      if (!isMap(op)) continue;
      importMethod(control, apiId, resourceId, operationMethod(key), op, ['paths', rawPath, key], {
        swagger2, locate, shared, topSecurity, authorizerIds, apiKeySchemes, iamSchemes, validatorIds, defaultValidator, doc,
      });
    }
  }

  // Gateway responses.
  const gr = doc['x-amazon-apigateway-gateway-responses'];
  for (const [type, r] of Object.entries(isMap(gr) ? gr : {})) {
    const rr = isMap(r) ? r : {};
    const input: Record<string, unknown> = {};
    if (rr['statusCode'] !== undefined) input['statusCode'] = String(rr['statusCode']);
    if (isMap(rr['responseParameters'])) input['responseParameters'] = rr['responseParameters'];
    if (isMap(rr['responseTemplates'])) input['responseTemplates'] = rr['responseTemplates'];
    atPath(locate, ['x-amazon-apigateway-gateway-responses', type], `gateway response ${type}`, () => control.apis.putGatewayResponse(apiId, type, input));
  }
  return apiId;
}

interface MethodContext {
  swagger2: boolean;
  locate: Locator;
  shared: unknown[];
  topSecurity: unknown[] | undefined;
  authorizerIds: Map<string, { id: string; type: Method['authorizationType'] }>;
  apiKeySchemes: Set<string>;
  iamSchemes: Set<string>;
  validatorIds: Map<string, string>;
  defaultValidator: string | undefined;
  doc: Record<string, unknown>;
}

function importMethod(control: ControlPlane, apiId: string, resourceId: string, httpMethod: string, op: Record<string, unknown>, at: JsonPath, ctx: MethodContext): void {
  const { locate } = ctx;
  const input: Record<string, unknown> = { authorizationType: 'NONE' };
  const security = Array.isArray(op['security']) ? op['security'] : ctx.topSecurity ?? [];
  const scopes: string[] = [];
  for (const req of security) {
    if (!isMap(req)) continue;
    for (const [sName, sScopes] of Object.entries(req)) {
      if (ctx.apiKeySchemes.has(sName)) input['apiKeyRequired'] = true;
      else if (ctx.iamSchemes.has(sName)) input['authorizationType'] = 'AWS_IAM';
      else {
        const a = ctx.authorizerIds.get(sName);
        if (a && input['authorizerId'] === undefined) {
          input['authorizationType'] = a.type;
          input['authorizerId'] = a.id;
          if (Array.isArray(sScopes)) scopes.push(...sScopes.map(String));
        } else if (!a && sName !== 'NONE') {
          throw new IacError(`security requirement ${sName} names no security scheme`, locate([...at, 'security']), 'declare it in securityDefinitions (Swagger 2) or components.securitySchemes (OpenAPI 3)');
        }
      }
    }
  }
  if (scopes.length) input['authorizationScopes'] = scopes;
  if (typeof op['operationId'] === 'string') input['operationName'] = op['operationId'];
  const validatorName = typeof op['x-amazon-apigateway-request-validator'] === 'string' ? op['x-amazon-apigateway-request-validator'] : ctx.defaultValidator;
  if (validatorName) {
    const id = ctx.validatorIds.get(validatorName);
    if (!id) throw new IacError(`request validator ${validatorName} is not declared`, locate([...at, 'x-amazon-apigateway-request-validator']), 'declare it under x-amazon-apigateway-request-validators');
    input['requestValidatorId'] = id;
  }
  const requestParameters: Record<string, boolean> = {};
  const requestModels: Record<string, string> = {};
  for (const p of [...ctx.shared, ...(Array.isArray(op['parameters']) ? op['parameters'] : [])]) {
    if (!isMap(p)) continue;
    const where = p['in'] === 'query' ? 'querystring' : p['in'] === 'header' ? 'header' : p['in'] === 'path' ? 'path' : undefined;
    if (where && typeof p['name'] === 'string') requestParameters[`method.request.${where}.${p['name']}`] = p['required'] === true;
    if (p['in'] === 'body' && isMap(p['schema'])) {
      const model = refName(p['schema']['$ref']);
      if (model) for (const type of (op['consumes'] as string[] | undefined) ?? (ctx.doc['consumes'] as string[] | undefined) ?? ['application/json']) requestModels[type] = model;
    }
  }
  if (isMap(op['requestBody']) && isMap(op['requestBody']['content'])) {
    for (const [type, c] of Object.entries(op['requestBody']['content'])) {
      const model = isMap(c) && isMap(c['schema']) ? refName(c['schema']['$ref']) : undefined;
      if (model) requestModels[type] = model;
    }
  }
  if (Object.keys(requestParameters).length) input['requestParameters'] = requestParameters;
  if (Object.keys(requestModels).length) input['requestModels'] = requestModels;
  atPath(locate, at, `${httpMethod} method`, () => control.apis.putMethod(apiId, resourceId, httpMethod, input));

  const responses = isMap(op['responses']) ? op['responses'] : {};
  for (const [code, r] of Object.entries(responses)) {
    if (!/^[1-5]\d\d$/.test(code) || !isMap(r)) continue;
    const mr: Record<string, unknown> = {};
    const headers = isMap(r['headers']) ? r['headers'] : {};
    if (Object.keys(headers).length) mr['responseParameters'] = Object.fromEntries(Object.keys(headers).map((h) => [`method.response.header.${h}`, false]));
    const models: Record<string, string> = {};
    if (ctx.swagger2 && isMap(r['schema'])) {
      const model = refName(r['schema']['$ref']);
      if (model) for (const type of (op['produces'] as string[] | undefined) ?? ['application/json']) models[type] = model;
    }
    if (!ctx.swagger2 && isMap(r['content'])) {
      for (const [type, c] of Object.entries(r['content'])) {
        const model = isMap(c) && isMap(c['schema']) ? refName(c['schema']['$ref']) : undefined;
        if (model) models[type] = model;
      }
    }
    if (Object.keys(models).length) mr['responseModels'] = models;
    atPath(locate, [...at, 'responses', code], `${httpMethod} method response ${code}`, () => control.apis.putMethodResponse(apiId, resourceId, httpMethod, code, mr));
  }

  const integration = op['x-amazon-apigateway-integration'];
  if (!isMap(integration)) return;
  const iat: JsonPath = [...at, 'x-amazon-apigateway-integration'];
  const ii: Record<string, unknown> = { type: String(integration['type'] ?? '').toUpperCase() };
  if (integration['httpMethod'] !== undefined) ii['httpMethod'] = integration['httpMethod'];
  for (const k of ['uri', 'credentials', 'connectionId', 'cacheNamespace']) if (integration[k] !== undefined) ii[k] = String(integration[k]);
  if (integration['connectionType'] !== undefined) ii['connectionType'] = String(integration['connectionType']).toUpperCase();
  if (isMap(integration['requestTemplates'])) ii['requestTemplates'] = integration['requestTemplates'];
  if (isMap(integration['requestParameters'])) ii['requestParameters'] = integration['requestParameters'];
  if (integration['passthroughBehavior'] !== undefined) ii['passthroughBehavior'] = String(integration['passthroughBehavior']).toUpperCase();
  if (integration['contentHandling'] !== undefined) ii['contentHandling'] = integration['contentHandling'];
  if (integration['timeoutInMillis'] !== undefined) ii['timeoutInMillis'] = Number(integration['timeoutInMillis']);
  if (Array.isArray(integration['cacheKeyParameters'])) ii['cacheKeyParameters'] = integration['cacheKeyParameters'];
  if (isMap(integration['tlsConfig'])) ii['tlsConfig'] = integration['tlsConfig'];
  atPath(locate, iat, `${httpMethod} integration`, () => control.apis.putIntegration(apiId, resourceId, httpMethod, ii));
  const iresponses = isMap(integration['responses']) ? integration['responses'] : {};
  for (const [pattern, r] of Object.entries(iresponses)) {
    if (!isMap(r)) continue;
    const status = String(r['statusCode'] ?? '200');
    const params = isMap(r['responseParameters']) ? (r['responseParameters'] as Record<string, string>) : undefined;
    // An integration response needs its method response: API Gateway's import declares it when the definition
    // only maps the status (the declared headers come from the mapped method.response.header.* names).
    const method = control.apis.getMethod(apiId, resourceId, httpMethod);
    const declared = method.methodResponses?.[status];
    const needed = Object.keys(params ?? {}).filter((k) => k.startsWith('method.response.header.') && !(declared?.responseParameters && k in declared.responseParameters));
    if (!declared || needed.length) {
      const rp = { ...(declared?.responseParameters ?? {}), ...Object.fromEntries(needed.map((k) => [k, false])) };
      atPath(locate, [...iat, 'responses', pattern], `method response ${status}`, () =>
        control.apis.putMethodResponse(apiId, resourceId, httpMethod, status, { ...(Object.keys(rp).length ? { responseParameters: rp } : {}), ...(declared?.responseModels ? { responseModels: declared.responseModels } : {}) }),
      );
    }
    const ir: Record<string, unknown> = {};
    if (pattern !== 'default') ir['selectionPattern'] = pattern;
    if (params) ir['responseParameters'] = params;
    if (isMap(r['responseTemplates'])) ir['responseTemplates'] = r['responseTemplates'];
    if (r['contentHandling'] !== undefined) ir['contentHandling'] = r['contentHandling'];
    atPath(locate, [...iat, 'responses', pattern], `${httpMethod} integration response ${status}`, () => control.apis.putIntegrationResponse(apiId, resourceId, httpMethod, status, ir));
  }
}

/** Model schemas refer to each other by API Gateway model URL (AGDG models-mappings-models.md). */
function rewriteRefs(schema: unknown, apiId: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rewriteRefs(s, apiId));
  if (!isMap(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `https://apigateway.amazonaws.com/restapis/${apiId}/models/${v.split('/').pop()}` : rewriteRefs(v, apiId);
  }
  return out;
}
