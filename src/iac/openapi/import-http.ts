import type { ControlPlane } from '../../control/index.js';
import { IacError } from '../diagnostics.js';
import type { JsonPath } from '../source.js';
import { atPath, HTTP_OPERATIONS, isMap, operationMethod, type Locator } from './common.js';

export interface HttpImportOptions {
  apiId?: string;
  defaultName?: string;
  locate?: Locator;
}

const CORS_FIELDS = ['allowOrigins', 'allowCredentials', 'exposeHeaders', 'maxAge', 'allowMethods', 'allowHeaders'];

/**
 * Imports an OpenAPI 3 definition into an HTTP API as apigatewayv2 ImportApi does (AGDG
 * http-api-open-api.md, api-gateway-swagger-extensions-cors-configuration.md): x-amazon-apigateway-cors,
 * authorizers from components.securitySchemes, a route per path and method (x-amazon-apigateway-any-method → ANY,
 * path $default → the $default route), an integration per distinct x-amazon-apigateway-integration.
 */
export function importHttpApi(control: ControlPlane, doc: Record<string, unknown>, options: HttpImportOptions = {}): string {
  const locate: Locator = options.locate ?? (() => undefined);
  const info = isMap(doc['info']) ? doc['info'] : {};
  const name = typeof info['title'] === 'string' && info['title'] ? info['title'] : options.defaultName ?? 'imported-http-api';
  const input: Record<string, unknown> = { name };
  if (typeof info['description'] === 'string') input['description'] = info['description'];
  const cors = doc['x-amazon-apigateway-cors'];
  if (isMap(cors)) {
    const c: Record<string, unknown> = {};
    for (const k of CORS_FIELDS) if (cors[k] !== undefined) c[k] = cors[k];
    if (typeof c['maxAge'] === 'string') c['maxAge'] = Number(c['maxAge']);
    input['corsConfiguration'] = c;
  }
  let apiId: string;
  if (options.apiId) {
    apiId = options.apiId;
    atPath(locate, ['x-amazon-apigateway-cors'], 'updating the HTTP API', () => {
      if (!isMap(cors)) control.httpApis.deleteCorsConfiguration(apiId);
      return control.httpApis.updateApi(apiId, input);
    });
  } else {
    apiId = atPath(locate, isMap(cors) ? ['x-amazon-apigateway-cors'] : ['info'], 'creating the HTTP API', () => control.httpApis.createApi({ ...input, protocolType: 'HTTP' })).apiId;
  }
  const components = isMap(doc['components']) ? doc['components'] : {};
  const schemes = isMap(components['securitySchemes']) ? components['securitySchemes'] : {};
  const authorizers = new Map<string, { id: string; type: 'JWT' | 'CUSTOM' }>();
  const iam = new Set<string>();
  for (const [sName, s] of Object.entries(schemes)) {
    if (!isMap(s)) continue;
    if (String(s['x-amazon-apigateway-authtype'] ?? '').toLowerCase() === 'awssigv4') {
      iam.add(sName);
      continue;
    }
    const ext = s['x-amazon-apigateway-authorizer'];
    if (!isMap(ext)) continue;
    const at: JsonPath = ['components', 'securitySchemes', sName, 'x-amazon-apigateway-authorizer'];
    const type = String(ext['type'] ?? '').toLowerCase();
    const identity = ext['identitySource'];
    const identitySource = Array.isArray(identity) ? identity.map(String) : typeof identity === 'string' ? identity.split(',').map((x) => x.trim()).filter(Boolean) : [];
    let a;
    if (type === 'jwt') {
      const jwt = isMap(ext['jwtConfiguration']) ? ext['jwtConfiguration'] : {};
      const audience = jwt['audience'];
      a = atPath(locate, at, `authorizer ${sName}`, () =>
        control.httpApis.createAuthorizer(apiId, {
          name: sName,
          authorizerType: 'JWT',
          identitySource: identitySource.length ? identitySource : ['$request.header.Authorization'],
          jwtConfiguration: { issuer: jwt['issuer'], audience: Array.isArray(audience) ? audience : audience === undefined ? [] : [audience] },
        }),
      );
      authorizers.set(sName, { id: a.authorizerId, type: 'JWT' });
    } else if (type === 'request') {
      const ai: Record<string, unknown> = { name: sName, authorizerType: 'REQUEST', identitySource, authorizerUri: ext['authorizerUri'] };
      ai['authorizerPayloadFormatVersion'] = ext['authorizerPayloadFormatVersion'] ?? '2.0';
      if (ext['enableSimpleResponses'] !== undefined) ai['enableSimpleResponses'] = ext['enableSimpleResponses'];
      if (ext['authorizerResultTtlInSeconds'] !== undefined) ai['authorizerResultTtlInSeconds'] = Number(ext['authorizerResultTtlInSeconds']);
      if (ext['authorizerCredentials'] !== undefined) ai['authorizerCredentialsArn'] = ext['authorizerCredentials'];
      a = atPath(locate, at, `authorizer ${sName}`, () => control.httpApis.createAuthorizer(apiId, ai));
      authorizers.set(sName, { id: a.authorizerId, type: 'CUSTOM' });
    } else {
      throw new IacError(`security scheme ${sName}: authorizer type ${String(ext['type'])} is not one HTTP APIs have`, locate([...at, 'type']), 'use jwt or request');
    }
  }
  const topSecurity = Array.isArray(doc['security']) ? doc['security'] : undefined;
  const integrations = new Map<string, string>();
  const paths = isMap(doc['paths']) ? doc['paths'] : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isMap(item)) continue;
    for (const key of HTTP_OPERATIONS) {
      const op = item[key];
      if (!isMap(op)) continue;
      const at: JsonPath = ['paths', path, key];
      const routeKey = path === '$default' ? '$default' : `${operationMethod(key)} ${path}`;
      const route: Record<string, unknown> = { routeKey };
      const integration = op['x-amazon-apigateway-integration'];
      if (isMap(integration)) {
        const ii: Record<string, unknown> = { integrationType: String(integration['type'] ?? '').toUpperCase(), integrationUri: integration['uri'] };
        if (integration['httpMethod'] !== undefined) ii['integrationMethod'] = integration['httpMethod'];
        // UNCERTAIN: ImportApi's default when payloadFormatVersion is left out; 1.0 is the v2 API's documented default.
        ii['payloadFormatVersion'] = String(integration['payloadFormatVersion'] ?? '1.0');
        if (integration['timeoutInMillis'] !== undefined) ii['timeoutInMillis'] = Number(integration['timeoutInMillis']);
        if (integration['connectionType'] !== undefined) ii['connectionType'] = String(integration['connectionType']).toUpperCase();
        if (isMap(integration['requestParameters'])) ii['requestParameters'] = integration['requestParameters'];
        if (integration['credentials'] !== undefined) ii['credentialsArn'] = integration['credentials'];
        const keyOf = JSON.stringify(ii);
        let id = integrations.get(keyOf);
        if (!id) {
          id = atPath(locate, [...at, 'x-amazon-apigateway-integration'], `${routeKey} integration`, () => control.httpApis.createIntegration(apiId, ii)).integrationId;
          integrations.set(keyOf, id);
        }
        route['target'] = `integrations/${id}`;
      }
      const security = Array.isArray(op['security']) ? op['security'] : topSecurity ?? [];
      for (const req of security) {
        if (!isMap(req)) continue;
        for (const [sName, scopes] of Object.entries(req)) {
          if (sName === 'NONE') continue;
          if (iam.has(sName)) {
            route['authorizationType'] = 'AWS_IAM';
            continue;
          }
          const a = authorizers.get(sName);
          if (!a) throw new IacError(`security requirement ${sName} names no security scheme`, locate([...at, 'security']), 'declare it in components.securitySchemes');
          route['authorizationType'] = a.type;
          route['authorizerId'] = a.id;
          if (a.type === 'JWT' && Array.isArray(scopes) && scopes.length) route['authorizationScopes'] = scopes.map(String);
        }
      }
      if (typeof op['operationId'] === 'string') route['operationName'] = op['operationId'];
      atPath(locate, at, `route ${routeKey}`, () => control.httpApis.createRoute(apiId, route));
    }
  }
  return apiId;
}
