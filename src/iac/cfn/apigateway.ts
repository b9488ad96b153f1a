import { isAbsolute, resolve } from 'node:path';
import { IacError } from '../diagnostics.js';
import { importRestApi } from '../openapi/import-rest.js';
import { readSource } from '../source.js';
import { isObject } from '../template.js';
import { call, camel, str, type DeployContext, type Physical } from './context.js';
import { clearRestApi } from './reset.js';

/** A definition file next to the template (SAM DefinitionUri before `sam package`, or BodyS3Location's local twin). */
function definitionFile(ctx: DeployContext, id: string, given: unknown, prop: string): Record<string, unknown> {
  if (isObject(given) || (typeof given === 'string' && given.startsWith('s3://'))) {
    throw new IacError(`${id}: the definition is in S3 (${JSON.stringify(given)}), which is not available locally`, ctx.locate(['Resources', id, 'Properties', prop]), 'point at a local file (DefinitionUri: ./openapi.yaml) or inline it with DefinitionBody / Body');
  }
  const file = isAbsolute(String(given)) ? String(given) : resolve(ctx.template.dir, String(given));
  const doc = readSource(file).value;
  if (!isObject(doc)) throw new IacError(`${file} is not an OpenAPI document`, ctx.locate(['Resources', id, 'Properties', prop]));
  return doc;
}

export function restApi(ctx: DeployContext, id: string, props: Record<string, unknown>): Physical {
  const prior = ctx.previous[id];
  const reuse = prior && ctx.control.apis.hasRestApi(prior.id) ? prior.id : undefined;
  if (reuse) clearRestApi(ctx.control, reuse);
  let body = isObject(props['Body']) ? props['Body'] : undefined;
  if (!body && props['Preflight::DefinitionUri'] !== undefined) body = definitionFile(ctx, id, props['Preflight::DefinitionUri'], 'DefinitionUri');
  if (!body && props['BodyS3Location'] !== undefined) body = definitionFile(ctx, id, props['BodyS3Location'], 'BodyS3Location');
  let apiId: string;
  const bodyAt = ['Resources', id, 'Properties', 'Body'];
  if (body) {
    apiId = ctx.control.batch(() =>
      importRestApi(ctx.control, body, { ...(reuse ? { apiId: reuse } : {}), defaultName: str(props['Name']) ?? id, locate: (p) => ctx.locate([...bodyAt, ...p]) }),
    );
  } else {
    const input = camel(props, ['Body', 'BodyS3Location', 'Parameters', 'FailOnWarnings', 'Mode', 'CloneFrom', 'ApiKeySourceType', 'EndpointConfiguration']);
    if (props['ApiKeySourceType'] !== undefined) input['apiKeySource'] = props['ApiKeySourceType'];
    input['name'] ??= id;
    if (isObject(input['policy'])) input['policy'] = JSON.stringify(input['policy']);
    if (reuse) apiId = reuse;
    else apiId = call(ctx, id, [], () => ctx.control.apis.createRestApi(input)).id;
  }
  // Properties beside a Body override the definition's values (AWS::ApiGateway::RestApi, "Body").
  const ops: { op: string; path: string; value?: string }[] = [];
  if (props['Name'] !== undefined) ops.push({ op: 'replace', path: '/name', value: String(props['Name']) });
  if (props['Description'] !== undefined) ops.push({ op: 'replace', path: '/description', value: String(props['Description']) });
  if (props['ApiKeySourceType'] !== undefined) ops.push({ op: 'replace', path: '/apiKeySource', value: String(props['ApiKeySourceType']) });
  // CloudFormation writes media types with ~1 for "/" (AWS::ApiGateway::RestApi BinaryMediaTypes).
  for (const b of Array.isArray(props['BinaryMediaTypes']) ? props['BinaryMediaTypes'] : []) ops.push({ op: 'add', path: `/binaryMediaTypes/${String(b).replace(/\//g, '~1')}`, value: '' });
  if (ops.length && body) call(ctx, id, [], () => ctx.control.apis.updateRestApi(apiId, ops as never));
  const api = ctx.control.apis.getRestApi(apiId);
  return { type: 'AWS::ApiGateway::RestApi', id: apiId, attrs: { RootResourceId: api.rootResourceId, RestApiId: apiId } };
}

export function resource(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const r = call(ctx, id, [], () => ctx.control.apis.createResource(String(p['RestApiId']), String(p['ParentId']), { pathPart: str(p['PathPart']) }));
  return { type: 'AWS::ApiGateway::Resource', id: r.id, attrs: { ResourceId: r.id } };
}

export function method(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const apiId = String(p['RestApiId']);
  const resourceId = String(p['ResourceId']);
  const httpMethod = String(p['HttpMethod'] ?? '');
  const apis = ctx.control.apis;
  const m = camel(p, ['RestApiId', 'ResourceId', 'HttpMethod', 'Integration', 'MethodResponses']);
  m['authorizationType'] ??= 'NONE';
  call(ctx, id, [], () => apis.putMethod(apiId, resourceId, httpMethod, m));
  (Array.isArray(p['MethodResponses']) ? p['MethodResponses'] : []).forEach((r, i) => {
    if (!isObject(r)) return;
    call(ctx, id, ['MethodResponses', i], () => apis.putMethodResponse(apiId, resourceId, httpMethod, String(r['StatusCode']), camel(r, ['StatusCode'])));
  });
  const integration = isObject(p['Integration']) ? p['Integration'] : undefined;
  if (integration) {
    const ii = camel(integration, ['IntegrationResponses', 'IntegrationHttpMethod']);
    if (integration['IntegrationHttpMethod'] !== undefined) ii['integrationHttpMethod'] = integration['IntegrationHttpMethod'];
    if (typeof ii['timeoutInMillis'] === 'string') ii['timeoutInMillis'] = Number(ii['timeoutInMillis']);
    call(ctx, id, ['Integration'], () => apis.putIntegration(apiId, resourceId, httpMethod, ii));
    (Array.isArray(integration['IntegrationResponses']) ? integration['IntegrationResponses'] : []).forEach((r, i) => {
      if (!isObject(r)) return;
      call(ctx, id, ['Integration', 'IntegrationResponses', i], () => apis.putIntegrationResponse(apiId, resourceId, httpMethod, String(r['StatusCode']), camel(r, ['StatusCode'])));
    });
  }
  return { type: 'AWS::ApiGateway::Method', id: `${resourceId}/${httpMethod}`, attrs: {} };
}

export function deployment(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const input: Record<string, unknown> = {};
  if (p['StageName'] !== undefined) input['stageName'] = String(p['StageName']);
  if (p['Description'] !== undefined) input['description'] = String(p['Description']);
  const sd = isObject(p['StageDescription']) ? p['StageDescription'] : undefined;
  if (sd && isObject(sd['Variables'])) input['variables'] = sd['Variables'];
  if (sd && sd['Description'] !== undefined) input['stageDescription'] = String(sd['Description']);
  const d = call(ctx, id, [], () => ctx.control.deployments.createDeployment(String(p['RestApiId']), input));
  return { type: 'AWS::ApiGateway::Deployment', id: d.id, attrs: { DeploymentId: d.id } };
}

export function stage(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const apiId = String(p['RestApiId']);
  const name = String(p['StageName']);
  const deploymentId = String(p['DeploymentId']);
  const variables = isObject(p['Variables']) ? (p['Variables'] as Record<string, unknown>) : {};
  const deployments = ctx.control.deployments;
  if (deployments.findStage(apiId, name)) {
    const ops = [{ op: 'replace', path: '/deploymentId', value: deploymentId }, ...Object.entries(variables).map(([k, v]) => ({ op: 'replace', path: `/variables/${k}`, value: String(v) }))];
    call(ctx, id, [], () => deployments.updateStage(apiId, name, ops as never));
  } else {
    call(ctx, id, [], () => deployments.createStage(apiId, { stageName: name, deploymentId, ...(Object.keys(variables).length ? { variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])) } : {}), ...(p['Description'] !== undefined ? { description: String(p['Description']) } : {}) }));
  }
  return { type: 'AWS::ApiGateway::Stage', id: name, attrs: {} };
}

export function gatewayResponse(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const type = String(p['ResponseType']);
  call(ctx, id, [], () => ctx.control.apis.putGatewayResponse(String(p['RestApiId']), type, camel(p, ['RestApiId', 'ResponseType'])));
  return { type: 'AWS::ApiGateway::GatewayResponse', id: `${String(p['RestApiId'])}/${type}`, attrs: {} };
}

export function authorizer(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const input = camel(p, ['RestApiId']);
  if (input['name'] === undefined) input['name'] = id;
  if (typeof input['authorizerResultTtlInSeconds'] === 'string') input['authorizerResultTtlInSeconds'] = Number(input['authorizerResultTtlInSeconds']);
  if (typeof input['type'] === 'string') input['type'] = input['type'].toUpperCase();
  // CloudFormation spells it ProviderARNs; the wire shape providerARNs.
  if (Array.isArray(p['ProviderARNs'])) input['providerARNs'] = p['ProviderARNs'];
  const a = call(ctx, id, [], () => ctx.control.parts.createAuthorizer(String(p['RestApiId']), input));
  return { type: 'AWS::ApiGateway::Authorizer', id: a.id, attrs: { AuthorizerId: a.id } };
}

export function requestValidator(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const rv = call(ctx, id, [], () => ctx.control.parts.createRequestValidator(String(p['RestApiId']), { name: str(p['Name']) ?? id, validateRequestBody: p['ValidateRequestBody'] === true || p['ValidateRequestBody'] === 'true', validateRequestParameters: p['ValidateRequestParameters'] === true || p['ValidateRequestParameters'] === 'true' }));
  return { type: 'AWS::ApiGateway::RequestValidator', id: rv.id, attrs: { RequestValidatorId: rv.id } };
}

export function model(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const name = str(p['Name']) ?? id;
  const schema = p['Schema'] === undefined ? undefined : typeof p['Schema'] === 'string' ? p['Schema'] : JSON.stringify(p['Schema']);
  call(ctx, id, [], () => ctx.control.parts.createModel(String(p['RestApiId']), { name, contentType: str(p['ContentType']) ?? 'application/json', ...(schema ? { schema } : {}), ...(p['Description'] !== undefined ? { description: String(p['Description']) } : {}) }));
  return { type: 'AWS::ApiGateway::Model', id: name, attrs: {} };
}

export function apiKey(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const keys = ctx.control.apiKeys;
  const prior = ctx.previous[id];
  if (prior && keys.findApiKey(prior.id)) return { ...prior };
  const stageKeys = (Array.isArray(p['StageKeys']) ? p['StageKeys'] : []).filter(isObject).map((s) => ({ restApiId: String(s['RestApiId']), stageName: String(s['StageName']) }));
  const input: Record<string, unknown> = { name: str(p['Name']) ?? id, enabled: p['Enabled'] === true || p['Enabled'] === 'true', stageKeys };
  if (p['Value'] !== undefined) input['value'] = String(p['Value']);
  if (p['Description'] !== undefined) input['description'] = String(p['Description']);
  if (p['CustomerId'] !== undefined) input['customerId'] = String(p['CustomerId']);
  const k = call(ctx, id, [], () => keys.createApiKey(input));
  return { type: 'AWS::ApiGateway::ApiKey', id: k.id, attrs: { APIKeyId: k.id } };
}

export function usagePlan(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const keys = ctx.control.apiKeys;
  const prior = ctx.previous[id];
  if (prior) {
    try {
      keys.deleteUsagePlan(prior.id);
    } catch {
      // already gone
    }
  }
  const input: Record<string, unknown> = { name: str(p['UsagePlanName']) ?? id };
  if (p['Description'] !== undefined) input['description'] = String(p['Description']);
  input['apiStages'] = (Array.isArray(p['ApiStages']) ? p['ApiStages'] : []).filter(isObject).map((s) => ({ apiId: String(s['ApiId']), stage: String(s['Stage']) }));
  const num = (v: unknown) => (v === undefined ? undefined : Number(v));
  if (isObject(p['Throttle'])) input['throttle'] = { ...(p['Throttle']['BurstLimit'] !== undefined ? { burstLimit: num(p['Throttle']['BurstLimit']) } : {}), ...(p['Throttle']['RateLimit'] !== undefined ? { rateLimit: num(p['Throttle']['RateLimit']) } : {}) };
  if (isObject(p['Quota'])) input['quota'] = { limit: num(p['Quota']['Limit']), period: p['Quota']['Period'], ...(p['Quota']['Offset'] !== undefined ? { offset: num(p['Quota']['Offset']) } : {}) };
  const plan = call(ctx, id, [], () => keys.createUsagePlan(input));
  return { type: 'AWS::ApiGateway::UsagePlan', id: plan.id, attrs: { Id: plan.id } };
}

export function usagePlanKey(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const planId = String(p['UsagePlanId']);
  const keyId = String(p['KeyId']);
  if (!ctx.control.apiKeys.getUsagePlanKeys(planId).some((k) => k.id === keyId)) {
    call(ctx, id, [], () => ctx.control.apiKeys.createUsagePlanKey(planId, { keyId, keyType: str(p['KeyType']) ?? 'API_KEY' }));
  }
  return { type: 'AWS::ApiGateway::UsagePlanKey', id: `${planId}:${keyId}`, attrs: {} };
}
