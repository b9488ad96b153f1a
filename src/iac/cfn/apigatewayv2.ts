import { IacError } from '../diagnostics.js';
import { importHttpApi } from '../openapi/import-http.js';
import { isObject } from '../template.js';
import { call, camel, str, type DeployContext, type Physical } from './context.js';
import { clearHttpApi } from './reset.js';

/** CloudFormation's Cors (PascalCase) to the v2 wire CorsConfiguration (camelCase). */
function cors(c: unknown): Record<string, unknown> | undefined {
  if (!isObject(c)) return undefined;
  const out = camel(c);
  if (typeof out['maxAge'] === 'string') out['maxAge'] = Number(out['maxAge']);
  return out;
}

export function httpApi(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  if (p['ProtocolType'] !== undefined && p['ProtocolType'] !== 'HTTP' && !p['Body']) {
    throw new IacError(`${id}: ${String(p['ProtocolType'])} APIs are not emulated by preflight`, ctx.locate(['Resources', id, 'Properties', 'ProtocolType']), 'only HTTP APIs (ProtocolType: HTTP) are served');
  }
  const prior = ctx.previous[id];
  const reuse = prior && ctx.control.httpApis.hasApi(prior.id) ? prior.id : undefined;
  if (reuse) clearHttpApi(ctx.control, reuse);
  let apiId: string;
  if (isObject(p['Body'])) {
    const body = p['Body'];
    const at = ['Resources', id, 'Properties', 'Body'];
    apiId = ctx.control.batch(() => importHttpApi(ctx.control, body, { ...(reuse ? { apiId: reuse } : {}), defaultName: str(p['Name']) ?? id, locate: (path) => ctx.locate([...at, ...path]) }));
    const update: Record<string, unknown> = {};
    if (p['Name'] !== undefined) update['name'] = String(p['Name']);
    if (p['Description'] !== undefined) update['description'] = String(p['Description']);
    if (p['CorsConfiguration'] !== undefined) update['corsConfiguration'] = cors(p['CorsConfiguration']);
    if (p['DisableExecuteApiEndpoint'] !== undefined) update['disableExecuteApiEndpoint'] = p['DisableExecuteApiEndpoint'] === true;
    if (Object.keys(update).length) call(ctx, id, [], () => ctx.control.httpApis.updateApi(apiId, update));
  } else {
    const input: Record<string, unknown> = { name: str(p['Name']) ?? id, protocolType: 'HTTP' };
    for (const k of ['Description', 'Target', 'RouteKey', 'CredentialsArn', 'DisableExecuteApiEndpoint', 'RouteSelectionExpression', 'ApiKeySelectionExpression', 'Version']) {
      if (p[k] !== undefined) input[k.charAt(0).toLowerCase() + k.slice(1)] = p[k];
    }
    if (p['CorsConfiguration'] !== undefined) input['corsConfiguration'] = cors(p['CorsConfiguration']);
    if (reuse) {
      const { protocolType: _p, target: _t, routeKey: _r, credentialsArn: _c, ...rest } = input;
      call(ctx, id, [], () => ctx.control.httpApis.updateApi(reuse, rest));
      if (!input['corsConfiguration']) ctx.control.httpApis.deleteCorsConfiguration(reuse);
      apiId = reuse;
    } else apiId = call(ctx, id, [], () => ctx.control.httpApis.createApi(input)).apiId;
  }
  const api = ctx.control.httpApis.getApi(apiId);
  return { type: 'AWS::ApiGatewayV2::Api', id: apiId, attrs: { ApiEndpoint: api.apiEndpoint, ApiId: apiId } };
}

export function route(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const r = call(ctx, id, [], () => ctx.control.httpApis.createRoute(String(p['ApiId']), camel(p, ['ApiId', 'RequestModels', 'ModelSelectionExpression', 'RouteResponseSelectionExpression'])));
  return { type: 'AWS::ApiGatewayV2::Route', id: r.routeId, attrs: { RouteId: r.routeId } };
}

export function integration(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const input = camel(p, ['ApiId']);
  if (typeof input['timeoutInMillis'] === 'string') input['timeoutInMillis'] = Number(input['timeoutInMillis']);
  const i = call(ctx, id, [], () => ctx.control.httpApis.createIntegration(String(p['ApiId']), input));
  return { type: 'AWS::ApiGatewayV2::Integration', id: i.integrationId, attrs: { IntegrationId: i.integrationId } };
}

export function authorizer(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const input = camel(p, ['ApiId', 'JwtConfiguration']);
  if (isObject(p['JwtConfiguration'])) input['jwtConfiguration'] = camel(p['JwtConfiguration']);
  if (typeof input['identitySource'] === 'string') input['identitySource'] = [input['identitySource']];
  if (typeof input['authorizerResultTtlInSeconds'] === 'string') input['authorizerResultTtlInSeconds'] = Number(input['authorizerResultTtlInSeconds']);
  const a = call(ctx, id, [], () => ctx.control.httpApis.createAuthorizer(String(p['ApiId']), input));
  return { type: 'AWS::ApiGatewayV2::Authorizer', id: a.authorizerId, attrs: { AuthorizerId: a.authorizerId } };
}

export function stage(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const apiId = String(p['ApiId']);
  const name = String(p['StageName']);
  const input: Record<string, unknown> = { stageName: name, autoDeploy: p['AutoDeploy'] === true || p['AutoDeploy'] === 'true' };
  if (p['DeploymentId'] !== undefined) input['deploymentId'] = String(p['DeploymentId']);
  if (p['Description'] !== undefined) input['description'] = String(p['Description']);
  if (isObject(p['StageVariables'])) input['stageVariables'] = Object.fromEntries(Object.entries(p['StageVariables']).map(([k, v]) => [k, String(v)]));
  const apis = ctx.control.httpApis;
  if (apis.findStage(apiId, name)) {
    const { stageName: _s, ...rest } = input;
    call(ctx, id, [], () => apis.updateStage(apiId, name, rest));
  } else call(ctx, id, [], () => apis.createStage(apiId, input));
  return { type: 'AWS::ApiGatewayV2::Stage', id: name, attrs: {} };
}

export function deployment(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const input: Record<string, unknown> = {};
  if (p['StageName'] !== undefined) input['stageName'] = String(p['StageName']);
  if (p['Description'] !== undefined) input['description'] = String(p['Description']);
  const d = call(ctx, id, [], () => ctx.control.httpApis.createDeployment(String(p['ApiId']), input));
  return { type: 'AWS::ApiGatewayV2::Deployment', id: d.deploymentId, attrs: { DeploymentId: d.deploymentId } };
}
