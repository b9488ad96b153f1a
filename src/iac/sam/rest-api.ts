import { createHash } from 'node:crypto';
import { IacError } from '../diagnostics.js';
import { restApiDomain } from './domain.js';
import { identityNames } from './identity.js';
import { isObject, tryStatic, type CfnResource, type Template } from '../template.js';
import type { JsonPath } from '../source.js';
import type { ApiEvent } from './function.js';

export const ANY_METHOD = 'x-amazon-apigateway-any-method';
/** What ANY expands to in SAM's Allow-Methods (swagger.py SwaggerEditor._ALL_HTTP_METHODS). */
const ALL_HTTP_METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];
const CORS_KEYS = ['AllowOrigin', 'AllowHeaders', 'AllowMethods', 'MaxAge', 'AllowCredentials'];

export interface SamApi {
  id: string;
  properties: Record<string, unknown>;
  at: JsonPath;
  /** The ServerlessRestApi SAM creates for Api events without RestApiId. */
  implicit: boolean;
}

/** Lambda proxy integration as SAM writes it for an Api event (swagger.py SwaggerEditor.add_lambda_integration). */
function lambdaIntegration(functionId: string): Record<string, unknown> {
  return {
    type: 'aws_proxy',
    httpMethod: 'POST',
    uri: { 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${functionId}.Arn}/invocations` },
  };
}

function methodKey(method: string): string {
  const m = method.toLowerCase();
  return m === 'any' ? ANY_METHOD : m;
}

interface MethodAuth {
  authorizer?: string;
  scopes?: unknown;
  apiKeyRequired?: boolean;
}

/**
 * AWS::Serverless::Api (explicit or implicit) → AWS::ApiGateway::RestApi with a Swagger 2.0 Body, a Deployment,
 * a Stage and, for Auth.UsagePlan, the usage plan, API key and usage plan key: samtranslator 1.110
 * model/api/api_generator.py ApiGenerator.to_cloudformation and swagger/swagger.py.
 */
export function translateRestApi(t: Template, api: SamApi, events: ApiEvent[]): Record<string, CfnResource> {
  const p = api.properties;
  const at = api.at;
  const out: Record<string, CfnResource> = {};
  const defUri = p['DefinitionUri'];
  let body: Record<string, unknown> | undefined;
  if (p['DefinitionBody'] !== undefined) {
    if (defUri !== undefined) throw new IacError(`${api.id}: Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.`, t.doc.locate([...at, 'DefinitionUri']));
    const b = tryStatic(t, p['DefinitionBody'], [...at, 'DefinitionBody']);
    if (!isObject(b)) throw new IacError('DefinitionBody must be an OpenAPI or Swagger document (a map)', t.doc.locate([...at, 'DefinitionBody']));
    body = structuredClone(b);
  } else if (defUri === undefined) {
    const version = p['OpenApiVersion'];
    body = { ...(typeof version === 'string' && version.startsWith('3') ? { openapi: version } : { swagger: '2.0' }), info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths: {} };
  }
  const needBody = (what: string, prop: string) => {
    if (!body) throw new IacError(`${api.id}: ${what} works only with inline Swagger specified in 'DefinitionBody' property.`, t.doc.locate([...at, prop]), 'inline the definition with DefinitionBody: Fn::Transform is not available locally, so paste it or drop DefinitionUri');
    return body;
  };
  const auth = isObject(p['Auth']) ? (tryStatic(t, p['Auth'], [...at, 'Auth']) as Record<string, unknown>) : undefined;

  if (body) {
    const paths = (body['paths'] ??= {}) as Record<string, Record<string, unknown>>;
    for (const ev of events) {
      const ep = ev.properties;
      const path = tryStatic(t, ep['Path'], [...ev.at, 'Properties', 'Path']);
      const method = tryStatic(t, ep['Method'], [...ev.at, 'Properties', 'Method']);
      if (typeof path !== 'string' || typeof method !== 'string') {
        throw new IacError(`event ${ev.eventId}: an Api event needs Path and Method as strings`, t.doc.locate([...ev.at, 'Properties']), 'e.g. Path: /items, Method: get');
      }
      const item = (paths[path] ??= {});
      const key = methodKey(method);
      const existing = item[key];
      if (isObject(existing) && existing['x-amazon-apigateway-integration']) {
        throw new IacError(`Lambda integration already exists on Path=${path}, Method=${key === ANY_METHOD ? 'any' : key}`, t.doc.locate([...ev.at, 'Properties', 'Path']), 'two events (or the DefinitionBody and an event) route the same path and method; keep one');
      }
      const op: Record<string, unknown> = isObject(existing) ? existing : {};
      op['x-amazon-apigateway-integration'] = lambdaIntegration(ev.functionId);
      op['responses'] ??= {};
      const evAuth = isObject(ep['Auth']) ? ep['Auth'] : undefined;
      if (evAuth) {
        const ma: MethodAuth = {};
        if (typeof evAuth['Authorizer'] === 'string') ma.authorizer = evAuth['Authorizer'];
        if (evAuth['AuthorizationScopes'] !== undefined) ma.scopes = evAuth['AuthorizationScopes'];
        if (typeof evAuth['ApiKeyRequired'] === 'boolean') ma.apiKeyRequired = evAuth['ApiKeyRequired'];
        Object.defineProperty(op, '__auth', { value: ma, enumerable: false });
      }
      if (isObject(ep['RequestParameters']) || Array.isArray(ep['RequestParameters'])) {
        op['parameters'] = requestParameters(ep['RequestParameters']);
      }
      item[key] = op;
    }
  }

  // CORS before auth, as ApiGenerator._construct_rest_api does: the OPTIONS methods then get the auth the
  // Add*ToCorsPreflight flags say.
  if (p['Cors'] !== undefined) addCors(t, api, needBody('Cors', 'Cors'));
  if (auth) addAuth(t, api, needBody('Auth', 'Auth'), auth);
  if (isObject(p['GatewayResponses'])) addGatewayResponses(t, api, needBody('GatewayResponses', 'GatewayResponses'), p['GatewayResponses']);
  const binary = p['BinaryMediaTypes'];
  if (Array.isArray(binary) && body) {
    body['x-amazon-apigateway-binary-media-types'] = binary.map((b) => (typeof b === 'string' ? b.replace(/~1/g, '/') : b));
  }

  const rest: Record<string, unknown> = {};
  if (body) rest['Body'] = body;
  else rest['Preflight::DefinitionUri'] = defUri;
  for (const k of ['Name', 'Description', 'BinaryMediaTypes', 'MinimumCompressionSize', 'ApiKeySourceType', 'EndpointConfiguration', 'Policy', 'DisableExecuteApiEndpoint']) {
    if (p[k] !== undefined) rest[k] = k === 'EndpointConfiguration' && typeof p[k] === 'string' ? { Types: [p[k]] } : p[k];
  }
  out[api.id] = { Type: 'AWS::ApiGateway::RestApi', Properties: rest };

  const hash = createHash('sha1').update(JSON.stringify(rest)).digest('hex');
  const deploymentId = `${api.id}Deployment${hash.slice(0, 10)}`;
  // SAM keeps StageName "Stage" on the Deployment for backwards compatibility, so AWS creates a stage named
  // "Stage" besides the declared one (api_generator.py _construct_deployment; OpenApiVersion removes it).
  const extraStage = !(typeof p['OpenApiVersion'] === 'string');
  out[deploymentId] = { Type: 'AWS::ApiGateway::Deployment', Properties: { Description: `RestApi deployment id: ${hash}`, RestApiId: { Ref: api.id }, ...(extraStage ? { StageName: 'Stage' } : {}) } };
  const stageName = api.implicit ? 'Prod' : p['StageName'];
  if (stageName === undefined) throw new IacError(`${api.id} has no StageName`, t.doc.locate(at), 'add StageName: dev (the first part of the invoke URL path)');
  const stageId = typeof stageName === 'string' && /^[A-Za-z0-9]+$/.test(stageName) ? `${api.id}${stageName}Stage` : `${api.id}Stage`;
  out[stageId] = {
    Type: 'AWS::ApiGateway::Stage',
    Properties: { DeploymentId: { Ref: deploymentId }, RestApiId: { Ref: api.id }, StageName: stageName, ...(p['Variables'] !== undefined ? { Variables: p['Variables'] } : {}), ...(p['TracingEnabled'] !== undefined ? { TracingEnabled: p['TracingEnabled'] } : {}) },
  };
  for (const id of [deploymentId, stageId]) t.origins.set(id, at);
  if (auth && isObject(auth['UsagePlan'])) Object.assign(out, usagePlan(t, api, auth['UsagePlan'], stageId));
  Object.assign(out, restApiDomain(t, api, stageId));
  return out;
}

function requestParameters(rp: unknown): Record<string, unknown>[] {
  const list = Array.isArray(rp) ? rp : Object.entries(rp as Record<string, unknown>).map(([k, v]) => ({ [k]: v }));
  return list.flatMap((entry) => {
    const [name, opts] = typeof entry === 'string' ? [entry, {}] : Object.entries(entry as Record<string, unknown>)[0] ?? ['', {}];
    const m = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(String(name));
    if (!m) return [];
    const required = isObject(opts) && opts['Required'] === true;
    return [{ name: m[2], in: m[1] === 'querystring' ? 'query' : m[1], required, type: 'string' }];
  });
}

/** Cors → an OPTIONS mock per path (swagger.py SwaggerEditor.add_cors and _options_method_response_for_cors). */
function addCors(t: Template, api: SamApi, body: Record<string, unknown>): void {
  const at = [...api.at, 'Cors'];
  // Values stay as written (intrinsics included, as SAM leaves them); the resolved copy only decides the shape.
  const raw = api.properties['Cors'];
  const shape = tryStatic(t, raw, at);
  let c: Record<string, unknown>;
  if (typeof shape === 'string' || !isObject(raw) || Object.keys(raw).some((k) => k.startsWith('Fn::') || k === 'Ref')) c = { AllowOrigin: raw };
  else {
    for (const key of Object.keys(raw)) {
      if (!CORS_KEYS.includes(key)) throw new IacError(`Invalid key '${key}' for 'Cors' property.`, t.doc.locate([...at, key]), `Cors takes ${CORS_KEYS.join(', ')}`);
    }
    c = raw;
  }
  if (c['AllowCredentials'] === true && tryStatic(t, c['AllowOrigin'], at) === "'*'") {
    throw new IacError("Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set", t.doc.locate(at), "set AllowOrigin to the exact origin, e.g. \"'https://app.example.com'\"");
  }
  if (!c['AllowOrigin']) throw new IacError('Invalid input. Value for AllowedOrigins is required', t.doc.locate(at), "add AllowOrigin, e.g. \"'https://app.example.com'\" (with the inner single quotes)");
  const paths = body['paths'] as Record<string, Record<string, unknown>>;
  const seen = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    const normalized = path === '/' ? path : path.replace(/\/+$/, '');
    if (seen.has(normalized)) continue;
    seen.add(normalized);
    if (!isObject(item) || 'options' in item) continue;
    let methods = c['AllowMethods'];
    if (!methods) {
      const names = Object.keys(item).filter((k) => k !== 'parameters' && k !== 'summary' && k !== 'description' && k !== 'servers');
      const list = names.includes(ANY_METHOD) ? ALL_HTTP_METHODS : [...names, 'options'];
      methods = `'${[...new Set(list.map((m) => m.toUpperCase()))].sort().join(',')}'`;
    }
    const params: Record<string, unknown> = { 'method.response.header.Access-Control-Allow-Origin': c['AllowOrigin'] };
    const headers: Record<string, unknown> = { 'Access-Control-Allow-Origin': { type: 'string' } };
    if (c['AllowHeaders']) {
      params['method.response.header.Access-Control-Allow-Headers'] = c['AllowHeaders'];
      headers['Access-Control-Allow-Headers'] = { type: 'string' };
    }
    params['method.response.header.Access-Control-Allow-Methods'] = methods;
    headers['Access-Control-Allow-Methods'] = { type: 'string' };
    if (c['MaxAge'] !== undefined && c['MaxAge'] !== null) {
      params['method.response.header.Access-Control-Max-Age'] = c['MaxAge'];
      headers['Access-Control-Max-Age'] = { type: 'integer' };
    }
    if (c['AllowCredentials'] === true) {
      params['method.response.header.Access-Control-Allow-Credentials'] = "'true'";
      headers['Access-Control-Allow-Credentials'] = { type: 'string' };
    }
    item['options'] = {
      summary: 'CORS support',
      consumes: ['application/json'],
      produces: ['application/json'],
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
        responses: { default: { statusCode: '200', responseParameters: params, responseTemplates: { 'application/json': '{}\n' } } },
      },
      responses: { '200': { description: 'Default response for CORS method', headers } },
    };
    Object.defineProperty(item['options'], '__cors', { value: true, enumerable: false });
  }
}

function lambdaAuthorizerUri(functionArn: unknown): unknown {
  return { 'Fn::Sub': ['arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations', { __FunctionArn__: functionArn }] };
}

/** SAM Authorizers → securityDefinitions (model/apigateway.py ApiGatewayAuthorizer.generate_swagger). */
function securityDefinition(t: Template, name: string, a: Record<string, unknown>, at: JsonPath): Record<string, unknown> {
  const identity = isObject(a['Identity']) ? a['Identity'] : {};
  if (a['UserPoolArn'] !== undefined) {
    const arns = Array.isArray(a['UserPoolArn']) ? a['UserPoolArn'] : [a['UserPoolArn']];
    return { type: 'apiKey', name: identity['Header'] ?? 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'cognito_user_pools', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: arns, ...(identity['ValidationExpression'] ? { identityValidationExpression: identity['ValidationExpression'] } : {}) } };
  }
  if (a['FunctionArn'] === undefined) throw new IacError(`authorizer ${name} needs FunctionArn (Lambda) or UserPoolArn (Cognito)`, t.doc.locate(at));
  const ttl = identity['ReauthorizeEvery'];
  const common = { authorizerUri: lambdaAuthorizerUri(a['FunctionArn']), ...(a['FunctionInvokeRole'] ? { authorizerCredentials: a['FunctionInvokeRole'] } : {}), ...(ttl !== undefined ? { authorizerResultTtlInSeconds: ttl } : {}) };
  if (a['FunctionPayloadType'] === 'REQUEST') {
    const names = (key: string) => identityNames(t, name, identity, key, at);
    const sources = [
      ...names('Headers').map((h) => `method.request.header.${h}`),
      ...names('QueryStrings').map((q) => `method.request.querystring.${q}`),
      ...names('StageVariables').map((s) => `stageVariables.${s}`),
      ...names('Context').map((c) => `context.${c}`),
    ];
    return { type: 'apiKey', name: 'Unused', in: 'header', 'x-amazon-apigateway-authtype': 'custom', 'x-amazon-apigateway-authorizer': { type: 'request', ...(sources.length ? { identitySource: sources.join(', ') } : {}), ...common } };
  }
  return { type: 'apiKey', name: identity['Header'] ?? 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'custom', 'x-amazon-apigateway-authorizer': { type: 'token', ...common, ...(identity['ValidationExpression'] ? { identityValidationExpression: identity['ValidationExpression'] } : {}) } };
}

/**
 * Auth → securityDefinitions and per-method security (swagger.py add_authorizers_security_definitions,
 * set_path_default_authorizer, add_apikey_security_definition, set_path_default_apikey_required).
 */
function addAuth(t: Template, api: SamApi, body: Record<string, unknown>, auth: Record<string, unknown>): void {
  const at = [...api.at, 'Auth'];
  const defs = (body['securityDefinitions'] ??= {}) as Record<string, unknown>;
  const authorizers = isObject(auth['Authorizers']) ? auth['Authorizers'] : {};
  for (const [name, a] of Object.entries(authorizers)) {
    if (!isObject(a)) throw new IacError(`authorizer ${name} must be a map`, t.doc.locate([...at, 'Authorizers', name]));
    defs[name] = securityDefinition(t, name, a, [...at, 'Authorizers', name]);
  }
  const defaultAuthorizer = typeof auth['DefaultAuthorizer'] === 'string' ? auth['DefaultAuthorizer'] : undefined;
  if (defaultAuthorizer === 'AWS_IAM' || Object.values((body['paths'] ?? {}) as Record<string, Record<string, { __auth?: MethodAuth }>>).some((i) => Object.values(i).some((o) => o?.__auth?.authorizer === 'AWS_IAM'))) {
    defs['AWS_IAM'] = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
  }
  if (defaultAuthorizer && defaultAuthorizer !== 'AWS_IAM' && !(defaultAuthorizer in authorizers)) {
    throw new IacError(`Unable to set DefaultAuthorizer because '${defaultAuthorizer}' was not defined in 'Authorizers'.`, t.doc.locate([...at, 'DefaultAuthorizer']), `define it under Auth.Authorizers or use one of: ${Object.keys(authorizers).join(', ') || 'AWS_IAM'}`);
  }
  const apiKeyRequired = auth['ApiKeyRequired'] === true;
  if (apiKeyRequired) defs['api_key'] = { type: 'apiKey', name: 'x-api-key', in: 'header' };
  const addAuthToPreflight = auth['AddDefaultAuthorizerToCorsPreflight'] !== false;
  const addKeyToPreflight = auth['AddApiKeyRequiredToCorsPreflight'] !== false;
  for (const item of Object.values((body['paths'] ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!isObject(op) || !('x-amazon-apigateway-integration' in op)) continue;
      const ma = (op as { __auth?: MethodAuth }).__auth ?? {};
      const isOptions = method === 'options';
      const security: Record<string, unknown>[] = [];
      let authorizer = ma.authorizer ?? (isOptions && !addAuthToPreflight ? undefined : defaultAuthorizer);
      if (ma.authorizer && ma.authorizer !== 'NONE' && ma.authorizer !== 'AWS_IAM' && !(ma.authorizer in authorizers)) {
        throw new IacError(`Unable to set Authorizer [${ma.authorizer}] on API method [${method}]: it is not defined in the Api's Auth.Authorizers`, t.doc.locate(at), `define it, or use one of: ${Object.keys(authorizers).join(', ')}, NONE`);
      }
      if (authorizer === 'NONE') authorizer = undefined;
      if (authorizer) security.push({ [authorizer]: Array.isArray(ma.scopes) ? ma.scopes : [] });
      const needsKey = ma.apiKeyRequired ?? (isOptions ? apiKeyRequired && addKeyToPreflight : apiKeyRequired);
      if (needsKey) {
        defs['api_key'] ??= { type: 'apiKey', name: 'x-api-key', in: 'header' };
        security.push({ api_key: [] });
      }
      if (security.length || ma.authorizer === 'NONE' || ma.apiKeyRequired === false) op['security'] = security;
    }
  }
  if (Object.keys(defs).length === 0) delete body['securityDefinitions'];
  if (isObject(auth['ResourcePolicy'])) {
    t.diagnostics.push({ severity: 'warning', message: 'Auth.ResourcePolicy is not enforced locally', location: t.doc.locate([...at, 'ResourcePolicy']) });
  }
}

/** GatewayResponses → x-amazon-apigateway-gateway-responses (swagger.py add_gateway_responses, model/api/api_generator.py). */
function addGatewayResponses(t: Template, api: SamApi, body: Record<string, unknown>, responses: Record<string, unknown>): void {
  const out: Record<string, unknown> = {};
  for (const [type, r] of Object.entries(responses)) {
    const at = [...api.at, 'GatewayResponses', type];
    if (!isObject(r)) throw new IacError(`Invalid property type for GatewayResponses.${type}. Expected an object of type 'GatewayResponse'.`, t.doc.locate(at));
    const params: Record<string, unknown> = {};
    const rp = isObject(r['ResponseParameters']) ? r['ResponseParameters'] : {};
    for (const [group, prefix] of [['Headers', 'header'], ['Paths', 'path'], ['QueryStrings', 'querystring']] as const) {
      for (const [k, v] of Object.entries(isObject(rp[group]) ? rp[group] : {})) params[`gatewayresponse.${prefix}.${k}`] = v;
    }
    const entry: Record<string, unknown> = { responseParameters: params, responseTemplates: isObject(r['ResponseTemplates']) ? r['ResponseTemplates'] : {} };
    if (r['StatusCode'] !== undefined) entry['statusCode'] = String(r['StatusCode']);
    out[type] = entry;
  }
  body['x-amazon-apigateway-gateway-responses'] = out;
}

/** Auth.UsagePlan (api_generator.py _construct_usage_plan, _construct_api_key, _construct_usage_plan_key). */
function usagePlan(t: Template, api: SamApi, plan: Record<string, unknown>, stageId: string): Record<string, CfnResource> {
  const create = plan['CreateUsagePlan'];
  const at = [...api.at, 'Auth', 'UsagePlan'];
  if (create === undefined) throw new IacError("'CreateUsagePlan' is a required field for UsagePlan.", t.doc.locate(at), 'set CreateUsagePlan: PER_API, SHARED or NONE');
  if (create !== 'PER_API' && create !== 'SHARED' && create !== 'NONE') throw new IacError("'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].", t.doc.locate([...at, 'CreateUsagePlan']));
  if (create === 'NONE') return {};
  const shared = create === 'SHARED';
  const planId = shared ? 'ServerlessUsagePlan' : `${api.id}UsagePlan`;
  const keyId = shared ? 'ServerlessApiKey' : `${api.id}ApiKey`;
  const linkId = shared ? 'ServerlessUsagePlanKey' : `${api.id}UsagePlanKey`;
  const props: Record<string, unknown> = { ApiStages: [{ ApiId: { Ref: api.id }, Stage: { Ref: stageId } }] };
  for (const k of ['UsagePlanName', 'Description', 'Quota', 'Tags', 'Throttle']) if (plan[k]) props[k] = plan[k];
  for (const id of [planId, keyId, linkId]) t.origins.set(id, at);
  return {
    [planId]: { Type: 'AWS::ApiGateway::UsagePlan', DependsOn: [api.id], Properties: props },
    [keyId]: { Type: 'AWS::ApiGateway::ApiKey', DependsOn: [planId], Properties: { Enabled: true, StageKeys: [{ RestApiId: { Ref: api.id }, StageName: { Ref: stageId } }] } },
    [linkId]: { Type: 'AWS::ApiGateway::UsagePlanKey', DependsOn: [keyId], Properties: { KeyId: { Ref: keyId }, KeyType: 'API_KEY', UsagePlanId: { Ref: planId } } },
  };
}
