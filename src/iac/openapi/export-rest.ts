import type { ControlPlane } from '../../control/index.js';
import type { ApiSnapshot, Method } from '../../model/restapi.js';
import { IacError } from '../diagnostics.js';

export type ExportFormat = 'oas30' | 'swagger';

const METHOD_KEYS: Record<string, string> = { ANY: 'x-amazon-apigateway-any-method' };

/** The API as a stage serves it (its deployment's snapshot), or as it is now when no stage is named. */
export function restSnapshot(control: ControlPlane, apiId: string, stage?: string): ApiSnapshot {
  if (!stage) return control.deployments.snapshot(apiId);
  const s = control.deployments.getStage(apiId, stage);
  const loaded = control.deployments.loadSnapshot(apiId, s.deploymentId);
  if (!loaded) throw new IacError(`stage ${stage} of ${apiId} has no deployment`);
  return loaded.snapshot;
}

/**
 * GetExport with extensions=apigateway (AGDG api-gateway-export-api.md): the REST API as Swagger 2.0 or OpenAPI
 * 3.0.1 with x-amazon-apigateway-integration on every method, authorizers as security schemes, models as
 * definitions/schemas, request validators, gateway responses, binary media types and the API key source.
 */
export function exportRestApi(control: ControlPlane, apiId: string, format: ExportFormat, stage?: string): Record<string, unknown> {
  const api = control.apis.getRestApi(apiId);
  const snap = restSnapshot(control, apiId, stage);
  const swagger = format === 'swagger';
  const region = control.functions.region;
  const host = `${apiId}.execute-api.${region}.amazonaws.com`;
  const doc: Record<string, unknown> = swagger ? { swagger: '2.0' } : { openapi: '3.0.1' };
  doc['info'] = { ...(api.description ? { description: api.description } : {}), version: new Date(api.createdDate * 1000).toISOString().replace('.000Z', 'Z'), title: api.name };
  if (swagger) Object.assign(doc, { host, basePath: `/${stage ?? ''}`, schemes: ['https'] });
  else doc['servers'] = [{ url: `https://${host}/{basePath}`, variables: { basePath: { default: stage ?? '' } } }];

  const authorizers = new Map((snap.authorizers ?? []).map((a) => [a.id, a]));
  const validators = new Map((snap.requestValidators ?? []).map((v) => [v.id, v]));
  const ref = (model: string) => (swagger ? `#/definitions/${model}` : `#/components/schemas/${model}`);
  const paths: Record<string, Record<string, unknown>> = {};
  let usesApiKey = false;
  let usesIam = false;
  for (const r of snap.resources) {
    const methods = Object.values(r.resourceMethods ?? {});
    if (methods.length === 0) continue;
    const item: Record<string, unknown> = {};
    for (const m of methods.sort((a, b) => a.httpMethod.localeCompare(b.httpMethod))) {
      const op = exportMethod(m, swagger, ref, authorizers, validators);
      if (m.apiKeyRequired) usesApiKey = true;
      if (m.authorizationType === 'AWS_IAM') usesIam = true;
      item[METHOD_KEYS[m.httpMethod] ?? m.httpMethod.toLowerCase()] = op;
    }
    paths[r.path] = item;
  }
  doc['paths'] = paths;

  const schemes: Record<string, unknown> = {};
  if (usesApiKey) schemes['api_key'] = { type: 'apiKey', name: 'x-api-key', in: 'header' };
  if (usesIam) schemes['sigv4'] = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
  for (const a of authorizers.values()) {
    const ext: Record<string, unknown> = { type: a.type.toLowerCase() };
    if (a.authorizerUri) ext['authorizerUri'] = a.authorizerUri;
    if (a.authorizerCredentials) ext['authorizerCredentials'] = a.authorizerCredentials;
    if (a.providerARNs) ext['providerARNs'] = a.providerARNs;
    if (a.identitySource && a.type === 'REQUEST') ext['identitySource'] = a.identitySource;
    if (a.identityValidationExpression) ext['identityValidationExpression'] = a.identityValidationExpression;
    if (a.authorizerResultTtlInSeconds !== undefined) ext['authorizerResultTtlInSeconds'] = a.authorizerResultTtlInSeconds;
    const header = a.identitySource && a.type !== 'REQUEST' ? a.identitySource.replace(/^method\.request\.header\./, '') : 'Unused';
    schemes[a.name] = { type: 'apiKey', name: header, in: 'header', 'x-amazon-apigateway-authtype': a.authType ?? (a.type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom'), 'x-amazon-apigateway-authorizer': ext };
  }
  const models: Record<string, unknown> = {};
  for (const m of snap.models ?? []) {
    if (!m.schema) continue;
    try {
      models[m.name] = unrewriteRefs(JSON.parse(m.schema), ref);
    } catch {
      // a schema that is not JSON cannot be exported as one
    }
  }
  if (swagger) {
    if (Object.keys(schemes).length) doc['securityDefinitions'] = schemes;
    if (Object.keys(models).length) doc['definitions'] = models;
  } else {
    const components: Record<string, unknown> = {};
    if (Object.keys(models).length) components['schemas'] = models;
    if (Object.keys(schemes).length) components['securitySchemes'] = schemes;
    if (Object.keys(components).length) doc['components'] = components;
  }
  if (validators.size) {
    doc['x-amazon-apigateway-request-validators'] = Object.fromEntries([...validators.values()].map((v) => [v.name, { validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters }]));
  }
  if (snap.gatewayResponses.length) {
    doc['x-amazon-apigateway-gateway-responses'] = Object.fromEntries(
      snap.gatewayResponses.map((g) => [g.responseType, { ...(g.statusCode ? { statusCode: g.statusCode } : {}), ...(g.responseParameters && Object.keys(g.responseParameters).length ? { responseParameters: g.responseParameters } : {}), ...(g.responseTemplates ? { responseTemplates: g.responseTemplates } : {}) }]),
    );
  }
  if (api.binaryMediaTypes?.length) doc['x-amazon-apigateway-binary-media-types'] = api.binaryMediaTypes;
  if (api.apiKeySource !== 'HEADER') doc['x-amazon-apigateway-api-key-source'] = api.apiKeySource;
  if (api.policy) {
    try {
      doc['x-amazon-apigateway-policy'] = JSON.parse(api.policy);
    } catch {
      doc['x-amazon-apigateway-policy'] = api.policy;
    }
  }
  return doc;
}

function exportMethod(
  m: Method,
  swagger: boolean,
  ref: (model: string) => string,
  authorizers: Map<string, { name: string }>,
  validators: Map<string, { name: string }>,
): Record<string, unknown> {
  const op: Record<string, unknown> = {};
  if (m.operationName) op['operationId'] = m.operationName;
  const params: Record<string, unknown>[] = [];
  for (const [k, required] of Object.entries(m.requestParameters ?? {})) {
    const mm = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(k);
    if (!mm) continue;
    const where = mm[1] === 'querystring' ? 'query' : mm[1]!;
    params.push(swagger ? { name: mm[2], in: where, required: where === 'path' ? true : required, type: 'string' } : { name: mm[2], in: where, required: where === 'path' ? true : required, schema: { type: 'string' } });
  }
  const models = Object.entries(m.requestModels ?? {});
  if (swagger) {
    if (models.length) {
      op['consumes'] = models.map(([t]) => t);
      params.push({ in: 'body', name: models[0]![1], required: true, schema: { $ref: ref(models[0]![1]) } });
    }
  } else if (models.length) {
    op['requestBody'] = { content: Object.fromEntries(models.map(([t, model]) => [t, { schema: { $ref: ref(model) } }])), required: true };
  }
  if (params.length) op['parameters'] = params;
  const responses: Record<string, unknown> = {};
  for (const [code, r] of Object.entries(m.methodResponses ?? {})) {
    const out: Record<string, unknown> = { description: `${code} response` };
    const headers = Object.keys(r.responseParameters ?? {}).filter((k) => k.startsWith('method.response.header.')).map((k) => k.slice('method.response.header.'.length));
    if (headers.length) out['headers'] = Object.fromEntries(headers.map((h) => [h, swagger ? { type: 'string' } : { schema: { type: 'string' } }]));
    const rm = Object.entries(r.responseModels ?? {});
    if (rm.length) {
      if (swagger) out['schema'] = { $ref: ref(rm[0]![1]) };
      else out['content'] = Object.fromEntries(rm.map(([t, model]) => [t, { schema: { $ref: ref(model) } }]));
    }
    responses[code] = out;
  }
  op['responses'] = responses;
  const security: Record<string, string[]>[] = [];
  if (m.authorizerId && authorizers.get(m.authorizerId)) security.push({ [authorizers.get(m.authorizerId)!.name]: m.authorizationScopes ?? [] });
  if (m.authorizationType === 'AWS_IAM') security.push({ sigv4: [] });
  if (m.apiKeyRequired) security.push({ api_key: [] });
  if (security.length) op['security'] = security;
  if (m.requestValidatorId && validators.get(m.requestValidatorId)) op['x-amazon-apigateway-request-validator'] = validators.get(m.requestValidatorId)!.name;
  const i = m.methodIntegration;
  if (i) {
    const ext: Record<string, unknown> = { type: i.type.toLowerCase() };
    if (i.httpMethod) ext['httpMethod'] = i.httpMethod;
    if (i.uri) ext['uri'] = i.uri;
    if (i.credentials) ext['credentials'] = i.credentials;
    if (i.requestParameters) ext['requestParameters'] = i.requestParameters;
    if (i.requestTemplates) ext['requestTemplates'] = i.requestTemplates;
    if (i.passthroughBehavior) ext['passthroughBehavior'] = i.passthroughBehavior.toLowerCase();
    if (i.contentHandling) ext['contentHandling'] = i.contentHandling;
    ext['timeoutInMillis'] = i.timeoutInMillis;
    if (i.connectionType && i.connectionType !== 'INTERNET') ext['connectionType'] = i.connectionType;
    if (i.connectionId) ext['connectionId'] = i.connectionId;
    if (i.cacheNamespace) ext['cacheNamespace'] = i.cacheNamespace;
    if (i.cacheKeyParameters.length) ext['cacheKeyParameters'] = i.cacheKeyParameters;
    if (i.tlsConfig) ext['tlsConfig'] = i.tlsConfig;
    if (i.integrationResponses) {
      ext['responses'] = Object.fromEntries(
        Object.values(i.integrationResponses).map((r) => [
          r.selectionPattern ?? 'default',
          { statusCode: r.statusCode, ...(r.responseParameters ? { responseParameters: r.responseParameters } : {}), ...(r.responseTemplates ? { responseTemplates: r.responseTemplates } : {}), ...(r.contentHandling ? { contentHandling: r.contentHandling } : {}) },
        ]),
      );
    }
    op['x-amazon-apigateway-integration'] = ext;
  }
  return op;
}

function unrewriteRefs(schema: unknown, ref: (model: string) => string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => unrewriteRefs(s, ref));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    const m = k === '$ref' && typeof v === 'string' ? /\/restapis\/[^/]+\/models\/([^/]+)$/.exec(v) : null;
    out[k] = m ? ref(m[1]!) : unrewriteRefs(v, ref);
  }
  return out;
}
