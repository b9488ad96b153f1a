// Everything the console does goes through here: the AWS wire API (same origin, as the SDK would call it) for what AWS
// has an operation for, and preflight's console API (/_preflight/api/...) for the rest. Types are the server's own.
import type { Deployment, Integration, IntegrationResponse, Method, MethodResponse, Resource, RestApi, Stage } from '../../../src/model/restapi.js';
import type { CorsConfiguration, HttpApi, HttpAuthorizer, HttpDeployment, HttpIntegration, HttpRoute, HttpStage } from '../../../src/model/httpapi.js';
import type { FunctionConfiguration } from '../../../src/model/lambda.js';
import type { EnableCorsInput, EnableCorsResult } from '../../../src/control/enable-cors.js';
import type { StageStatus } from '../../../src/control/deployments.js';
import type { HttpStageStatus } from '../../../src/control/http-apis.js';
import type { SnapshotChange } from '../../../src/server/console-diff.js';
import type { PlaygroundRequest, Prediction } from '../../../src/server/console-doctor.js';
import type { TestInvokeResult } from '../../../src/gateway/test-invoke.js';
import type { LogEvent } from '../../../src/lambda/log-store.js';
import type { ApiMapping, BasePathMapping, DomainNameView } from '../../../src/model/domain-names.js';

export type { Deployment, Integration, IntegrationResponse, Method, MethodResponse, Resource, RestApi, Stage };
export type { CorsConfiguration, HttpApi, HttpAuthorizer, HttpDeployment, HttpIntegration, HttpRoute, HttpStage };
export type { FunctionConfiguration, EnableCorsInput, EnableCorsResult, StageStatus, HttpStageStatus, SnapshotChange };
export type { PlaygroundRequest, Prediction, TestInvokeResult, LogEvent, BasePathMapping, DomainNameView };

/** An error answered by preflight, with AWS's type (x-amzn-ErrorType) and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'NetworkError', 'preflight is not answering (is the server running?)');
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  }
  if (!res.ok) {
    const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    const message = String(o['message'] ?? o['Message'] ?? (typeof json === 'string' ? json : `${res.status} ${res.statusText}`));
    throw new ApiError(res.status, res.headers.get('x-amzn-ErrorType') ?? String(o['type'] ?? o['Type'] ?? 'Error'), message);
  }
  return json as T;
}

const enc = encodeURIComponent;

// ---- preflight's console API ----------------------------------------------------------------------------------

export interface ServerInfo {
  serverId: string;
  port: number;
  sandboxOrigin: string;
  features: { import: boolean; export: boolean };
}

export type RestApiSummary = RestApi & { stages: StageStatus[] };
export type HttpApiSummary = HttpApi & { stages: HttpStageStatus[] };

export interface StageDiff {
  stageName: string;
  deploymentId: string | null;
  changes: SnapshotChange[];
}

export type TemplateCheck = { ok: true } | { ok: false; message: string; line: number; column: number };

export const consoleApi = {
  info: () => call<ServerInfo>('GET', '/_preflight/api/info'),
  apis: () => call<{ rest: RestApiSummary[]; http: HttpApiSummary[] }>('GET', '/_preflight/api/apis'),
  enableCors: (apiId: string, resourceId: string, input: EnableCorsInput, dryRun: boolean) =>
    call<EnableCorsResult>('POST', `/_preflight/api/restapis/${enc(apiId)}/resources/${enc(resourceId)}/cors?dryRun=${dryRun}`, input),
  restStageStatus: (apiId: string) => call<{ items: StageStatus[] }>('GET', `/_preflight/api/restapis/${enc(apiId)}/stages/status`).then((r) => r.items),
  restStageDiff: (apiId: string, stage: string) => call<StageDiff>('GET', `/_preflight/api/restapis/${enc(apiId)}/stages/${enc(stage)}/diff`),
  httpStageStatus: (apiId: string) => call<{ items: HttpStageStatus[] }>('GET', `/_preflight/api/httpapis/${enc(apiId)}/stages/status`).then((r) => r.items),
  httpStageDiff: (apiId: string, stage: string) => call<StageDiff>('GET', `/_preflight/api/httpapis/${enc(apiId)}/stages/${enc(stage)}/diff`),
  testInvoke: (apiId: string, resourceId: string, httpMethod: string, input: { pathWithQueryString?: string; headers?: Record<string, string>; body?: string; stageVariables?: Record<string, string> }) =>
    call<TestInvokeResult>('POST', `/_preflight/api/restapis/${enc(apiId)}/resources/${enc(resourceId)}/methods/${enc(httpMethod)}/test`, input),
  checkTemplate: (template: string) => call<TemplateCheck>('POST', '/_preflight/api/templates/check', { template }),
  functionLogs: (name: string) => call<{ events: LogEvent[] }>('GET', `/_preflight/api/functions/${enc(name)}/logs`).then((r) => r.events),
  predict: (req: PlaygroundRequest) => call<Prediction>('POST', '/_preflight/api/playground/predict', req),
};

// ---- API Gateway (REST APIs) ------------------------------------------------------------------------------------

type PatchOp = { op: 'add' | 'remove' | 'replace'; path: string; value?: string };

async function allResources(apiId: string): Promise<Resource[]> {
  const out: Resource[] = [];
  let position: string | undefined;
  do {
    const page = await call<{ item: Resource[]; position?: string }>(
      'GET',
      `/restapis/${enc(apiId)}/resources?embed=methods&limit=500${position ? `&position=${enc(position)}` : ''}`,
    );
    out.push(...page.item);
    position = page.position;
  } while (position);
  return out;
}

const m = (apiId: string, resourceId: string, httpMethod: string) => `/restapis/${enc(apiId)}/resources/${enc(resourceId)}/methods/${enc(httpMethod)}`;

export const rest = {
  get: (apiId: string) => call<RestApi>('GET', `/restapis/${enc(apiId)}`),
  create: (input: { name: string; description?: string }) => call<RestApi>('POST', '/restapis', input),
  remove: (apiId: string) => call<void>('DELETE', `/restapis/${enc(apiId)}`),
  resources: allResources,
  createResource: (apiId: string, parentId: string, pathPart: string) => call<Resource>('POST', `/restapis/${enc(apiId)}/resources/${enc(parentId)}`, { pathPart }),
  removeResource: (apiId: string, resourceId: string) => call<void>('DELETE', `/restapis/${enc(apiId)}/resources/${enc(resourceId)}`),
  putMethod: (apiId: string, resourceId: string, httpMethod: string, input: { authorizationType: string; apiKeyRequired?: boolean }) =>
    call<Method>('PUT', m(apiId, resourceId, httpMethod), input),
  updateMethod: (apiId: string, resourceId: string, httpMethod: string, ops: PatchOp[]) => call<Method>('PATCH', m(apiId, resourceId, httpMethod), { patchOperations: ops }),
  removeMethod: (apiId: string, resourceId: string, httpMethod: string) => call<void>('DELETE', m(apiId, resourceId, httpMethod)),
  putIntegration: (apiId: string, resourceId: string, httpMethod: string, input: Record<string, unknown>) =>
    call<Integration>('PUT', `${m(apiId, resourceId, httpMethod)}/integration`, input),
  putMethodResponse: (apiId: string, resourceId: string, httpMethod: string, status: string, input: { responseParameters?: Record<string, boolean>; responseModels?: Record<string, string> }) =>
    call<MethodResponse>('PUT', `${m(apiId, resourceId, httpMethod)}/responses/${enc(status)}`, input),
  removeMethodResponse: (apiId: string, resourceId: string, httpMethod: string, status: string) => call<void>('DELETE', `${m(apiId, resourceId, httpMethod)}/responses/${enc(status)}`),
  putIntegrationResponse: (apiId: string, resourceId: string, httpMethod: string, status: string, input: Record<string, unknown>) =>
    call<IntegrationResponse>('PUT', `${m(apiId, resourceId, httpMethod)}/integration/responses/${enc(status)}`, input),
  removeIntegrationResponse: (apiId: string, resourceId: string, httpMethod: string, status: string) =>
    call<void>('DELETE', `${m(apiId, resourceId, httpMethod)}/integration/responses/${enc(status)}`),
  deployments: (apiId: string) => call<{ item: Deployment[] }>('GET', `/restapis/${enc(apiId)}/deployments?limit=500`).then((r) => r.item),
  deploy: (apiId: string, input: { stageName: string; stageDescription?: string; description?: string }) => call<Deployment>('POST', `/restapis/${enc(apiId)}/deployments`, input),
  stages: (apiId: string) => call<{ item: Stage[] }>('GET', `/restapis/${enc(apiId)}/stages`).then((r) => r.item),
  updateStage: (apiId: string, stage: string, ops: PatchOp[]) => call<Stage>('PATCH', `/restapis/${enc(apiId)}/stages/${enc(stage)}`, { patchOperations: ops }),
  removeStage: (apiId: string, stage: string) => call<void>('DELETE', `/restapis/${enc(apiId)}/stages/${enc(stage)}`),
};

// ---- API Gateway v2 (HTTP APIs) ---------------------------------------------------------------------------------

const v2 = (apiId: string) => `/v2/apis/${enc(apiId)}`;

export const http = {
  get: (apiId: string) => call<HttpApi>('GET', v2(apiId)),
  create: (input: { name: string; description?: string }) => call<HttpApi>('POST', '/v2/apis', { ...input, protocolType: 'HTTP' }),
  remove: (apiId: string) => call<void>('DELETE', v2(apiId)),
  update: (apiId: string, input: Record<string, unknown>) => call<HttpApi>('PATCH', v2(apiId), input),
  removeCors: (apiId: string) => call<void>('DELETE', `${v2(apiId)}/cors`),
  routes: (apiId: string) => call<{ items: HttpRoute[] }>('GET', `${v2(apiId)}/routes`).then((r) => r.items),
  createRoute: (apiId: string, input: Record<string, unknown>) => call<HttpRoute>('POST', `${v2(apiId)}/routes`, input),
  updateRoute: (apiId: string, routeId: string, input: Record<string, unknown>) => call<HttpRoute>('PATCH', `${v2(apiId)}/routes/${enc(routeId)}`, input),
  removeRoute: (apiId: string, routeId: string) => call<void>('DELETE', `${v2(apiId)}/routes/${enc(routeId)}`),
  integrations: (apiId: string) => call<{ items: HttpIntegration[] }>('GET', `${v2(apiId)}/integrations`).then((r) => r.items),
  createIntegration: (apiId: string, input: Record<string, unknown>) => call<HttpIntegration>('POST', `${v2(apiId)}/integrations`, input),
  removeIntegration: (apiId: string, id: string) => call<void>('DELETE', `${v2(apiId)}/integrations/${enc(id)}`),
  authorizers: (apiId: string) => call<{ items: HttpAuthorizer[] }>('GET', `${v2(apiId)}/authorizers`).then((r) => r.items),
  createAuthorizer: (apiId: string, input: Record<string, unknown>) => call<HttpAuthorizer>('POST', `${v2(apiId)}/authorizers`, input),
  removeAuthorizer: (apiId: string, id: string) => call<void>('DELETE', `${v2(apiId)}/authorizers/${enc(id)}`),
  stages: (apiId: string) => call<{ items: HttpStage[] }>('GET', `${v2(apiId)}/stages`).then((r) => r.items),
  createStage: (apiId: string, input: Record<string, unknown>) => call<HttpStage>('POST', `${v2(apiId)}/stages`, input),
  deployments: (apiId: string) => call<{ items: HttpDeployment[] }>('GET', `${v2(apiId)}/deployments`).then((r) => r.items),
  deploy: (apiId: string, input: { stageName?: string; description?: string }) => call<HttpDeployment>('POST', `${v2(apiId)}/deployments`, input),
};

// ---- Lambda -----------------------------------------------------------------------------------------------------

export interface InvokeOutcome {
  status: number;
  payload: string;
  functionError: string | null;
  logTail: string;
}

const fn = (name: string) => `/2015-03-31/functions/${enc(name)}`;

export const lambda = {
  list: () => call<{ Functions: FunctionConfiguration[] }>('GET', '/2015-03-31/functions?MaxItems=1000').then((r) => r.Functions),
  configuration: (name: string) => call<FunctionConfiguration>('GET', `${fn(name)}/configuration`),
  updateConfiguration: (name: string, input: Record<string, unknown>) => call<FunctionConfiguration>('PUT', `${fn(name)}/configuration`, input),
  /** Invoke with LogType Tail, as the Lambda console's Test button does. */
  async invoke(name: string, payload: string): Promise<InvokeOutcome> {
    let res: Response;
    try {
      res = await fetch(`${fn(name)}/invocations`, { method: 'POST', headers: { 'X-Amz-Log-Type': 'Tail', 'Content-Type': 'application/json' }, body: payload });
    } catch {
      throw new ApiError(0, 'NetworkError', 'preflight is not answering (is the server running?)');
    }
    const text = await res.text();
    if (!res.ok) {
      let o: Record<string, unknown> = {};
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: the text is the message
      }
      throw new ApiError(res.status, res.headers.get('x-amzn-ErrorType') ?? 'Error', String(o['message'] ?? o['Message'] ?? text));
    }
    const tail = res.headers.get('X-Amz-Log-Result');
    return { status: res.status, payload: text, functionError: res.headers.get('X-Amz-Function-Error'), logTail: tail ? decodeBase64(tail) : '' };
  },
};

function decodeBase64(b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The Lambda integration URI API Gateway expects for a function ARN. */
export function lambdaIntegrationUri(functionArn: string): string {
  const region = functionArn.split(':')[3] ?? 'us-east-1';
  return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/** The function a Lambda integration URI points at, or undefined. */
export function functionOfUri(uri: string | undefined): string | undefined {
  return /:function:([^/:]+)/.exec(uri ?? '')?.[1];
}

/** Data-plane URLs as a browser addresses them (Chromium resolves *.localhost itself). */
export function restInvokeUrl(port: number, apiId: string, stage: string): string {
  return `http://${apiId}.execute-api.localhost:${port}/${stage}`;
}

export function httpInvokeUrl(port: number, apiId: string, stage: string): string {
  return `http://${apiId}.execute-api.localhost:${port}${stage === '$default' ? '' : `/${stage}`}`;
}

// ---- custom domain names (API Gateway v1 view: one domain resource behind v1 and v2) ------------------------------

const dn = (name: string) => `/domainnames/${enc(name)}`;

export const domains = {
  list: () => call<{ item: DomainNameView[] }>('GET', '/domainnames?limit=500').then((r) => r.item),
  create: (input: { domainName: string; endpointType: 'REGIONAL' | 'EDGE'; certificateArn: string }) =>
    call<DomainNameView>('POST', '/domainnames', {
      domainName: input.domainName,
      endpointConfiguration: { types: [input.endpointType] },
      ...(input.endpointType === 'REGIONAL' ? { regionalCertificateArn: input.certificateArn } : { certificateArn: input.certificateArn }),
    }),
  remove: (name: string) => call<void>('DELETE', dn(name)),
  mappings: (name: string) => call<{ item: BasePathMapping[] }>('GET', `${dn(name)}/basepathmappings?limit=500`).then((r) => r.item),
  createMapping: (name: string, input: { basePath: string; restApiId: string; stage: string }) => call<BasePathMapping>('POST', `${dn(name)}/basepathmappings`, input),
  removeMapping: (name: string, basePath: string) => call<void>('DELETE', `${dn(name)}/basepathmappings/${enc(basePath)}`),
  createApiMapping: (name: string, input: { apiId: string; apiMappingKey: string; stage: string }) => call<ApiMapping>('POST', `/v2/domainnames/${enc(name)}/apimappings`, input),
};
