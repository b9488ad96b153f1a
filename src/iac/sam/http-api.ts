import { IacError } from '../diagnostics.js';
import { httpApiDomain } from './domain.js';
import { identityNames } from './identity.js';
import { intrinsicName } from '../intrinsics.js';
import { isObject, tryStatic, type CfnResource, type Template } from '../template.js';
import type { ApiEvent } from './function.js';
import { ANY_METHOD, type SamApi } from './rest-api.js';

const CORS_KEYS = ['AllowOrigins', 'AllowHeaders', 'AllowMethods', 'ExposeHeaders', 'MaxAge', 'AllowCredentials'];

/**
 * AWS::Serverless::HttpApi (explicit or the implicit ServerlessHttpApi) → AWS::ApiGatewayV2::Api with an OpenAPI
 * 3.0.1 Body and an auto-deploying stage: samtranslator 1.110 model/api/http_api_generator.py and
 * open_api/open_api.py (add_lambda_integration, add_cors, add_authorizers_security_definitions).
 */
export function translateHttpApi(t: Template, api: SamApi, events: ApiEvent[]): Record<string, CfnResource> {
  const p = api.properties;
  const at = api.at;
  let body: Record<string, unknown> | undefined;
  if (p['DefinitionBody'] !== undefined) {
    const b = tryStatic(t, p['DefinitionBody'], [...at, 'DefinitionBody']);
    if (!isObject(b)) throw new IacError('DefinitionBody must be an OpenAPI 3 document (a map)', t.doc.locate([...at, 'DefinitionBody']));
    body = structuredClone(b);
  } else if (p['DefinitionUri'] === undefined) {
    body = { openapi: '3.0.1', info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths: {}, tags: [{ name: 'httpapi:createdBy', 'x-amazon-apigateway-tag-value': 'SAM' }] };
  }
  const auth = isObject(p['Auth']) ? (tryStatic(t, p['Auth'], [...at, 'Auth']) as Record<string, unknown>) : undefined;
  const authorizers = auth && isObject(auth['Authorizers']) ? auth['Authorizers'] : {};
  const defaultAuthorizer = auth && typeof auth['DefaultAuthorizer'] === 'string' ? auth['DefaultAuthorizer'] : undefined;
  if (body) {
    const paths = (body['paths'] ??= {}) as Record<string, Record<string, unknown>>;
    for (const ev of events) {
      const ep = ev.properties;
      const path = ep['Path'] === undefined ? '$default' : tryStatic(t, ep['Path'], [...ev.at, 'Properties', 'Path']);
      const method = ep['Method'] === undefined ? 'ANY' : tryStatic(t, ep['Method'], [...ev.at, 'Properties', 'Method']);
      if (typeof path !== 'string' || typeof method !== 'string') throw new IacError(`event ${ev.eventId}: Path and Method must be strings`, t.doc.locate([...ev.at, 'Properties']));
      const item = (paths[path] ??= {});
      const key = method.toLowerCase() === 'any' ? ANY_METHOD : method.toLowerCase();
      if (isObject(item[key]) && (item[key] as Record<string, unknown>)['x-amazon-apigateway-integration']) {
        throw new IacError(`Lambda integration already exists on Path=${path}, Method=${method}`, t.doc.locate([...ev.at, 'Properties']));
      }
      const integration: Record<string, unknown> = {
        httpMethod: 'POST',
        type: 'aws_proxy',
        uri: { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${ev.functionId}.Arn}/invocations` },
        payloadFormatVersion: ep['PayloadFormatVersion'] ?? '2.0',
      };
      if (ep['TimeoutInMillis'] !== undefined) integration['timeoutInMillis'] = ep['TimeoutInMillis'];
      const op: Record<string, unknown> = { 'x-amazon-apigateway-integration': integration, responses: {} };
      const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true }));
      if (params.length) op['parameters'] = params;
      const evAuth = isObject(ep['Auth']) ? ep['Auth'] : {};
      const name = typeof evAuth['Authorizer'] === 'string' ? evAuth['Authorizer'] : defaultAuthorizer;
      if (name) {
        if (name !== 'NONE' && name !== 'AWS_IAM' && !(name in authorizers)) {
          throw new IacError(`Unable to set Authorizer [${name}] on API method [${method}] for path [${path}] because it wasn't defined in the API's Authorizers.`, t.doc.locate([...ev.at, 'Properties', 'Auth']), `use one of ${Object.keys(authorizers).join(', ')}, NONE`);
        }
        op['security'] = [{ [name]: Array.isArray(evAuth['AuthorizationScopes']) ? evAuth['AuthorizationScopes'] : [] }];
      }
      item[key] = op;
    }
    if (Object.keys(authorizers).length) {
      const components = (body['components'] ??= {}) as Record<string, unknown>;
      const schemes = (components['securitySchemes'] ??= {}) as Record<string, unknown>;
      for (const [name, a] of Object.entries(authorizers)) {
        if (!isObject(a)) continue;
        schemes[name] = securityScheme(t, name, a, [...at, 'Auth', 'Authorizers', name]);
      }
    }
    if (auth?.['EnableIamAuthorizer'] === true) {
      const components = (body['components'] ??= {}) as Record<string, unknown>;
      const schemes = (components['securitySchemes'] ??= {}) as Record<string, unknown>;
      schemes['AWS_IAM'] = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
    }
  }
  if (p['CorsConfiguration'] !== undefined) {
    if (!body) throw new IacError(`${api.id}: Cors works only with inline OpenApi specified in 'DefinitionBody' property.`, t.doc.locate([...at, 'CorsConfiguration']));
    addCors(t, api, body);
  }
  const props: Record<string, unknown> = body ? { Body: body } : { 'Preflight::DefinitionUri': p['DefinitionUri'] };
  for (const k of ['Name', 'Description', 'DisableExecuteApiEndpoint', 'FailOnWarnings']) if (p[k] !== undefined) props[k] = p[k];
  const out: Record<string, CfnResource> = { [api.id]: { Type: 'AWS::ApiGatewayV2::Api', Properties: props } };
  const stageName = p['StageName'];
  const stageId = stageName === undefined ? `${api.id}ApiGatewayDefaultStage` : typeof stageName === 'string' && /^[A-Za-z0-9]+$/.test(stageName) ? `${api.id}${stageName}Stage` : `${api.id}Stage`;
  out[stageId] = {
    Type: 'AWS::ApiGatewayV2::Stage',
    Properties: { ApiId: { Ref: api.id }, StageName: stageName ?? '$default', Tags: { 'httpapi:createdBy': 'SAM' }, AutoDeploy: true, ...(p['StageVariables'] !== undefined ? { StageVariables: p['StageVariables'] } : {}) },
  };
  t.origins.set(stageId, at);
  Object.assign(out, httpApiDomain(t, api, stageId));
  return out;
}

function securityScheme(t: Template, name: string, a: Record<string, unknown>, at: (string | number)[]): Record<string, unknown> {
  if (a['JwtConfiguration'] !== undefined) {
    return { type: 'oauth2', 'x-amazon-apigateway-authorizer': { jwtConfiguration: a['JwtConfiguration'], identitySource: a['IdentitySource'] ?? '$request.header.Authorization', type: 'jwt' } };
  }
  if (a['FunctionArn'] === undefined) throw new IacError(`authorizer ${name} needs JwtConfiguration (JWT) or FunctionArn (Lambda)`, t.doc.locate(at));
  const identity = isObject(a['Identity']) ? a['Identity'] : {};
  const names = (key: string) => identityNames(t, name, identity, key, at);
  const sources = [
    ...names('Headers').map((h) => `$request.header.${h}`),
    ...names('QueryStrings').map((q) => `$request.querystring.${q}`),
    ...names('StageVariables').map((s) => `$stageVariables.${s}`),
    ...names('Context').map((c) => `$context.${c}`),
  ];
  const authorizer: Record<string, unknown> = {
    type: 'request',
    authorizerUri: { 'Fn::Sub': ['arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations', { __FunctionArn__: a['FunctionArn'] }] },
    identitySource: sources,
  };
  if (a['AuthorizerPayloadFormatVersion'] !== undefined) authorizer['authorizerPayloadFormatVersion'] = a['AuthorizerPayloadFormatVersion'];
  if (a['EnableSimpleResponses'] !== undefined) authorizer['enableSimpleResponses'] = a['EnableSimpleResponses'];
  if (identity['ReauthorizeEvery'] !== undefined) authorizer['authorizerResultTtlInSeconds'] = identity['ReauthorizeEvery'];
  if (a['FunctionInvokeRole'] !== undefined) authorizer['authorizerCredentials'] = a['FunctionInvokeRole'];
  return { type: 'apiKey', name: 'Unused', in: 'header', 'x-amazon-apigateway-authorizer': authorizer };
}

/** CorsConfiguration → x-amazon-apigateway-cors, merged over the body's own (http_api_generator.py _add_cors). */
function addCors(t: Template, api: SamApi, body: Record<string, unknown>): void {
  const at = [...api.at, 'CorsConfiguration'];
  const raw = tryStatic(t, api.properties['CorsConfiguration'], at);
  let c: Record<string, unknown>;
  if (typeof raw === 'boolean') {
    if (!raw) return;
    c = { AllowOrigins: ['*'] };
  } else if (intrinsicName(raw)) c = { AllowOrigins: raw };
  else if (isObject(raw)) {
    for (const key of Object.keys(raw)) {
      if (!CORS_KEYS.includes(key)) throw new IacError(`Invalid key '${key}' for 'Cors' property.`, t.doc.locate([...at, key]), `CorsConfiguration takes ${CORS_KEYS.join(', ')}`);
    }
    c = raw;
  } else throw new IacError("Invalid value for 'Cors' property.", t.doc.locate(at));
  const origins = c['AllowOrigins'];
  if (c['AllowCredentials'] === true && Array.isArray(origins) && origins.length === 1 && origins[0] === '*') {
    throw new IacError("Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set.", t.doc.locate(at), 'list the exact origins in AllowOrigins');
  }
  const cors = isObject(body['x-amazon-apigateway-cors']) ? (body['x-amazon-apigateway-cors'] as Record<string, unknown>) : {};
  const map: Record<string, string> = { AllowOrigins: 'allowOrigins', AllowHeaders: 'allowHeaders', AllowMethods: 'allowMethods', ExposeHeaders: 'exposeHeaders', MaxAge: 'maxAge', AllowCredentials: 'allowCredentials' };
  for (const [k, v] of Object.entries(c)) if (v !== undefined && v !== null && v !== '') cors[map[k]!] = v;
  body['x-amazon-apigateway-cors'] = cors;
}
