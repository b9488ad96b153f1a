import type { Fix, Platform } from './types.js';

/** Fix wording per platform: REST APIs (console Enable CORS, deployments), HTTP APIs (CorsConfiguration), Lambda. */

function restId(p: Platform): string {
  return p.apiId ?? '<api-id>';
}

function stageOf(p: Platform): string {
  return p.inspection?.stage?.name ?? p.stage ?? '<stage>';
}

function resourceOf(p: Platform): string {
  return p.inspection?.deployed?.path ?? p.inspection?.current?.path ?? p.resourcePath ?? '<resource>';
}

export function isRest(p: Platform): boolean {
  return p.kind === 'aws-rest' || p.kind === 'local-rest';
}

export function isHttpApi(p: Platform): boolean {
  return p.kind === 'aws-http' || p.kind === 'local-http';
}

export function deployFix(p: Platform): Fix {
  const local = p.kind === 'local-rest';
  return {
    target: 'rest-api',
    text: `Deploy the API to stage ${stageOf(p)}: a REST API stage serves its last deployment, and edits (Enable CORS included) are not live until you deploy.`,
    command: local
      ? `preflight deploy --api ${restId(p)} --stage ${stageOf(p)}`
      : `aws apigateway create-deployment --rest-api-id ${restId(p)} --stage-name ${stageOf(p)}`,
  };
}

export function enableCorsFix(p: Platform, origin: string, opts: { allowHeaders?: string; gatewayResponses?: boolean } = {}): Fix {
  const local = p.kind === 'local-rest';
  const extra = [
    origin !== '*' ? `--allow-origin '${origin}'` : '',
    opts.allowHeaders ? `--allow-headers '${opts.allowHeaders}'` : '',
    opts.gatewayResponses ? '--gateway-responses DEFAULT_4XX,DEFAULT_5XX' : '',
  ].filter(Boolean).join(' ');
  return {
    target: 'rest-api',
    text: `Enable CORS on resource ${resourceOf(p)} (console: select the resource → Enable CORS${opts.gatewayResponses ? ', tick Default 4XX and Default 5XX' : ''}): it adds an OPTIONS method with a MOCK integration answering the preflight with Access-Control-Allow-Origin, -Methods and -Headers${origin !== '*' ? ` (set Access-Control-Allow-Origin to '${origin}')` : ''}. Then deploy stage ${stageOf(p)}.`,
    ...(local ? { command: `preflight cors enable --api ${restId(p)} --resource ${resourceOf(p)}${extra ? ` ${extra}` : ''} && preflight deploy --api ${restId(p)} --stage ${stageOf(p)}` } : {}),
  };
}

export function gatewayResponsesFix(p: Platform, origin: string, status: number): Fix {
  const type = status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const local = p.kind === 'local-rest';
  return {
    target: 'rest-api',
    text: `Add the CORS headers to the ${type} gateway response (console: Gateway responses → ${type === 'DEFAULT_5XX' ? 'Default 5XX' : 'Default 4XX'} → Access-Control-Allow-Origin '${origin}'; or Enable CORS with "Default 4XX"/"Default 5XX" ticked), then deploy stage ${stageOf(p)}. Errors API Gateway makes itself (401 Unauthorized, 403 Forbidden/Missing Authentication Token, 429 throttling, 5xx) never reach your integration, so only a gateway response can carry the header.`,
    command: local
      ? `preflight cors enable --api ${restId(p)} --resource ${resourceOf(p)} --allow-origin '${origin}' --gateway-responses DEFAULT_4XX,DEFAULT_5XX && preflight deploy --api ${restId(p)} --stage ${stageOf(p)}`
      : `aws apigateway put-gateway-response --rest-api-id ${restId(p)} --response-type ${type} --response-parameters "gatewayresponse.header.Access-Control-Allow-Origin=\\"'${origin}'\\"" && aws apigateway create-deployment --rest-api-id ${restId(p)} --stage-name ${stageOf(p)}`,
  };
}

export interface HttpCorsValues {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  allowCredentials?: boolean;
  exposeHeaders?: string[];
}

export function httpApiCorsFix(p: Platform, values: HttpCorsValues, why: string): Fix {
  const parts: string[] = [];
  if (values.allowOrigins) parts.push(`AllowOrigins=${values.allowOrigins.join(',')}`);
  if (values.allowMethods) parts.push(`AllowMethods=${values.allowMethods.join(',')}`);
  if (values.allowHeaders) parts.push(`AllowHeaders=${values.allowHeaders.join(',')}`);
  if (values.allowCredentials !== undefined) parts.push(`AllowCredentials=${values.allowCredentials}`);
  if (values.exposeHeaders) parts.push(`ExposeHeaders=${values.exposeHeaders.join(',')}`);
  const local = p.kind === 'local-http';
  const endpoint = local && p.localBase ? ` --endpoint-url ${p.localBase}` : '';
  return {
    target: 'http-api',
    text: `Set the HTTP API's CorsConfiguration ${parts.join(' ')}: ${why} With a CorsConfiguration, API Gateway answers preflights itself and adds the headers to every response.`,
    command: `aws apigatewayv2 update-api --api-id ${p.apiId ?? '<api-id>'} --cors-configuration ${parts.join(',')}${endpoint}`,
  };
}

export function lambdaFix(origin: string, opts: { credentials?: boolean; errorsToo?: boolean; functionName?: string | null }): Fix {
  const fn = opts.functionName ? `Lambda function ${opts.functionName}` : 'the Lambda function';
  const options = `{ origins: ['${origin === '*' ? '*' : origin}']${opts.credentials ? ', credentials: true' : ''} }`;
  return {
    target: 'lambda',
    text: `With a proxy integration API Gateway passes ${fn}'s response through untouched, so the function must return Access-Control-Allow-Origin: '${origin}'${opts.credentials ? " and Access-Control-Allow-Credentials: 'true'" : ''} itself, on every response${opts.errorsToo ? ', errors included (a thrown error or a 4xx/5xx you return)' : ''}. Wrap the handler: import { withCors } from 'preflight/lambda'; export const handler = withCors(yourHandler, ${options}); or add the headers to each return value's "headers".`,
  };
}

export function serverFix(text: string): Fix {
  return { target: 'server', text };
}
