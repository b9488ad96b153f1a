import type { ControlPlane } from '../../control/index.js';
import type { HttpApiSnapshot } from '../../model/httpapi.js';

/**
 * apigatewayv2 ExportApi (OAS30, with extensions; AGDG http-api-export.md): routes as paths with
 * x-amazon-apigateway-integration (payloadFormatVersion included), authorizers as securitySchemes,
 * CorsConfiguration as x-amazon-apigateway-cors, and the x-amazon-apigateway-importexport-version marker.
 */
export function exportHttpApi(control: ControlPlane, apiId: string, stage?: string): Record<string, unknown> {
  const api = control.httpApis.getApi(apiId);
  let snap: HttpApiSnapshot = control.httpApis.snapshot(apiId);
  if (stage) {
    const s = control.httpApis.getStage(apiId, stage);
    snap = (s.deploymentId && control.httpApis.loadSnapshot(apiId, s.deploymentId)) || snap;
  }
  const integrations = new Map(snap.integrations.map((i) => [i.integrationId, i]));
  const authorizers = new Map(snap.authorizers.map((a) => [a.authorizerId, a]));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...snap.routes].sort((a, b) => a.routeKey.localeCompare(b.routeKey))) {
    const [method, path] = r.routeKey === '$default' ? ['ANY', '$default'] : (r.routeKey.split(' ') as [string, string]);
    const op: Record<string, unknown> = { responses: { default: { description: 'Default response for ' + r.routeKey } } };
    if (r.operationName) op['operationId'] = r.operationName;
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (params.length) op['parameters'] = params;
    if (r.authorizerId && authorizers.get(r.authorizerId)) op['security'] = [{ [authorizers.get(r.authorizerId)!.name]: r.authorizationScopes ?? [] }];
    else if (r.authorizationType === 'AWS_IAM') op['security'] = [{ sigv4: [] }];
    const target = r.target ? integrations.get(r.target.replace('integrations/', '')) : undefined;
    if (target) {
      op['x-amazon-apigateway-integration'] = {
        type: target.integrationType.toLowerCase(),
        ...(target.integrationMethod ? { httpMethod: target.integrationMethod } : {}),
        uri: target.integrationUri,
        payloadFormatVersion: target.payloadFormatVersion,
        connectionType: target.connectionType,
        timeoutInMillis: target.timeoutInMillis,
        ...(target.requestParameters ? { requestParameters: target.requestParameters } : {}),
        ...(target.credentialsArn ? { credentials: target.credentialsArn } : {}),
      };
    }
    (paths[path] ??= {})[method === 'ANY' ? 'x-amazon-apigateway-any-method' : method.toLowerCase()] = op;
  }
  const doc: Record<string, unknown> = {
    openapi: '3.0.1',
    info: { title: api.name, version: api.version ?? new Date(api.createdDate).toISOString().replace('.000Z', 'Z'), ...(api.description ? { description: api.description } : {}) },
    servers: [{ url: `https://${apiId}.execute-api.${control.functions.region}.amazonaws.com/{basePath}`, variables: { basePath: { default: stage && stage !== '$default' ? stage : '' } } }],
    paths,
  };
  const schemes: Record<string, unknown> = {};
  for (const a of authorizers.values()) {
    if (a.authorizerType === 'JWT') {
      schemes[a.name] = { type: 'oauth2', flows: {}, 'x-amazon-apigateway-authorizer': { identitySource: a.identitySource.join(','), jwtConfiguration: { audience: a.jwtConfiguration?.audience ?? [], issuer: a.jwtConfiguration?.issuer }, type: 'jwt' } };
    } else {
      schemes[a.name] = {
        type: 'apiKey',
        name: 'Unused',
        in: 'header',
        'x-amazon-apigateway-authorizer': {
          identitySource: a.identitySource.join(','),
          authorizerUri: a.authorizerUri,
          authorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
          authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds ?? 0,
          type: 'request',
          enableSimpleResponses: a.enableSimpleResponses ?? false,
          ...(a.authorizerCredentialsArn ? { authorizerCredentials: a.authorizerCredentialsArn } : {}),
        },
      };
    }
  }
  if (snap.routes.some((r) => r.authorizationType === 'AWS_IAM')) schemes['sigv4'] = { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' };
  if (Object.keys(schemes).length) doc['components'] = { securitySchemes: schemes };
  if (snap.api.corsConfiguration) doc['x-amazon-apigateway-cors'] = snap.api.corsConfiguration;
  doc['x-amazon-apigateway-importexport-version'] = '1.0';
  return doc;
}
