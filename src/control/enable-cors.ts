import { z } from 'zod';
import { ANY_EXPANSION, type GatewayResponse, type Method } from '../model/restapi.js';
import { badRequest } from './errors.js';
import type { RestApiService } from './rest-apis.js';
import { parseInput } from './validate.js';

/** The API Gateway console's default for Access-Control-Allow-Headers (how-to-cors-console). */
export const CONSOLE_DEFAULT_ALLOW_HEADERS = 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token';
export const CONSOLE_DEFAULT_ALLOW_ORIGIN = '*';

const HEADER = {
  origin: 'method.response.header.Access-Control-Allow-Origin',
  methods: 'method.response.header.Access-Control-Allow-Methods',
  headers: 'method.response.header.Access-Control-Allow-Headers',
} as const;

const enableCorsInput = z.object({
  /** Methods of the resource to enable CORS for; OPTIONS is always included. Default: all of them. */
  methods: z.array(z.string()).optional(),
  allowHeaders: z.string().optional(),
  allowOrigin: z.string().optional(),
  /** Gateway responses to add the CORS headers to, as the console's Default 4XX / Default 5XX boxes. */
  gatewayResponses: z.array(z.enum(['DEFAULT_4XX', 'DEFAULT_5XX'])).optional(),
});
export type EnableCorsInput = z.input<typeof enableCorsInput>;

export interface CorsChange {
  action: 'create' | 'replace' | 'update';
  /** e.g. "OPTIONS /users method", "GET /users 200 integration response" */
  target: string;
  detail: string;
}

export interface EnableCorsResult {
  resourcePath: string;
  allowMethods: string;
  allowHeaders: string;
  allowOrigin: string;
  changes: CorsChange[];
  /** Methods whose backend must send the headers itself: proxy integrations have no integration response. */
  proxyMethods: string[];
}

/**
 * The console's "Enable CORS" on one resource (not its children), done operation for operation: an OPTIONS method
 * with a MOCK integration answering 200 with the three Access-Control-Allow-* headers, and
 * Access-Control-Allow-Origin on the 200 responses of the selected non-proxy methods. Applying it again replaces
 * the values ("replace existing CORS headers"). `dryRun` returns the plan without writing it.
 */
export function enableCors(
  apis: RestApiService,
  apiId: string,
  resourceId: string,
  input: unknown,
  options: { dryRun?: boolean } = {},
): EnableCorsResult {
  const v = parseInput(enableCorsInput, input, 'enableCorsInput');
  const allowHeaders = v.allowHeaders ?? CONSOLE_DEFAULT_ALLOW_HEADERS;
  const allowOrigin = v.allowOrigin ?? CONSOLE_DEFAULT_ALLOW_ORIGIN;
  checkHeaderValue('Access-Control-Allow-Headers', allowHeaders);
  checkHeaderValue('Access-Control-Allow-Origin', allowOrigin);

  const work = () => {
    const resource = apis.getResource(apiId, resourceId);
    const existing = apis.methodsOf(apiId, resourceId);
    const others = existing.filter((m) => m.httpMethod !== 'OPTIONS');
    const selected = selectMethods(others, v.methods, resource.path);

    const names = new Set<string>(['OPTIONS']);
    for (const m of selected) {
      if (m.httpMethod === 'ANY') ANY_EXPANSION.forEach((x) => names.add(x));
      else names.add(m.httpMethod);
    }
    const allowMethods = [...names].sort().join(',');
    const changes: CorsChange[] = [];
    const proxyMethods: string[] = [];

    // 1. OPTIONS: created if absent, its integration and responses replaced if present.
    const current = existing.find((m) => m.httpMethod === 'OPTIONS');
    const optionsMethod: Method = current ?? { httpMethod: 'OPTIONS', authorizationType: 'NONE', apiKeyRequired: false };
    changes.push({
      action: current ? 'update' : 'create',
      target: `OPTIONS ${resource.path} method`,
      detail: current ? 'keeps its authorization settings' : 'authorization NONE, no API key',
    });
    optionsMethod.methodResponses = {
      ...(optionsMethod.methodResponses ?? {}),
      '200': {
        statusCode: '200',
        responseParameters: { [HEADER.headers]: false, [HEADER.methods]: false, [HEADER.origin]: false },
        responseModels: { 'application/json': 'Empty' },
      },
    };
    changes.push({ action: current?.methodResponses?.['200'] ? 'replace' : 'create', target: `OPTIONS ${resource.path} 200 method response`, detail: 'declares the three Access-Control-Allow-* headers' });
    optionsMethod.methodIntegration = {
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      timeoutInMillis: 29000,
      cacheNamespace: resourceId,
      cacheKeyParameters: [],
      integrationResponses: {
        '200': {
          statusCode: '200',
          responseParameters: {
            [HEADER.headers]: quote(allowHeaders),
            [HEADER.methods]: quote(allowMethods),
            [HEADER.origin]: quote(allowOrigin),
          },
          responseTemplates: { 'application/json': '' },
        },
      },
    };
    changes.push({ action: current?.methodIntegration ? 'replace' : 'create', target: `OPTIONS ${resource.path} MOCK integration`, detail: 'request template {"statusCode": 200}' });
    changes.push({
      action: current?.methodIntegration?.integrationResponses?.['200'] ? 'replace' : 'create',
      target: `OPTIONS ${resource.path} 200 integration response`,
      detail: `Access-Control-Allow-Headers ${quote(allowHeaders)}, Access-Control-Allow-Methods ${quote(allowMethods)}, Access-Control-Allow-Origin ${quote(allowOrigin)}`,
    });

    // 2. Access-Control-Allow-Origin on the selected methods' 200 responses, where the gateway shapes the response.
    const updated: Method[] = [];
    for (const m of selected) {
      const type = m.methodIntegration?.type;
      if (type === 'AWS_PROXY' || type === 'HTTP_PROXY') {
        proxyMethods.push(m.httpMethod);
        continue;
      }
      const mr = m.methodResponses?.['200'];
      if (!mr) continue;
      mr.responseParameters = { ...(mr.responseParameters ?? {}), [HEADER.origin]: false };
      changes.push({ action: 'update', target: `${m.httpMethod} ${resource.path} 200 method response`, detail: 'declares Access-Control-Allow-Origin' });
      const ir = m.methodIntegration?.integrationResponses?.['200'];
      if (ir) {
        ir.responseParameters = { ...(ir.responseParameters ?? {}), [HEADER.origin]: quote(allowOrigin) };
        changes.push({ action: 'update', target: `${m.httpMethod} ${resource.path} 200 integration response`, detail: `Access-Control-Allow-Origin ${quote(allowOrigin)}` });
      }
      updated.push(m);
    }

    // 3. Gateway responses chosen in the dialog carry the same headers, so errors the gateway makes are readable.
    const gatewayResponses: GatewayResponse[] = [];
    for (const type of v.gatewayResponses ?? []) {
      const prior = apis.getCustomGatewayResponses(apiId).find((g) => g.responseType === type);
      const response: GatewayResponse = {
        responseType: type,
        defaultResponse: false,
        responseParameters: {
          ...(prior?.responseParameters ?? {}),
          'gatewayresponse.header.Access-Control-Allow-Origin': quote(allowOrigin),
          'gatewayresponse.header.Access-Control-Allow-Headers': quote(allowHeaders),
          'gatewayresponse.header.Access-Control-Allow-Methods': quote(allowMethods),
        },
      };
      if (prior?.statusCode) response.statusCode = prior.statusCode;
      if (prior?.responseTemplates) response.responseTemplates = prior.responseTemplates;
      gatewayResponses.push(response);
      changes.push({ action: prior ? 'update' : 'create', target: `${type} gateway response`, detail: 'adds the Access-Control-Allow-* headers' });
    }

    if (!options.dryRun) {
      apis.saveMethod(apiId, resourceId, optionsMethod, !current);
      for (const m of updated) apis.saveMethod(apiId, resourceId, m, false);
      for (const g of gatewayResponses) {
        apis.putGatewayResponse(apiId, g.responseType, {
          ...(g.statusCode ? { statusCode: g.statusCode } : {}),
          responseParameters: g.responseParameters,
          ...(g.responseTemplates ? { responseTemplates: g.responseTemplates } : {}),
        });
      }
    }
    return { resourcePath: resource.path, allowMethods, allowHeaders, allowOrigin, changes, proxyMethods };
  };

  return options.dryRun ? work() : apis.mutate(apiId, work);
}

function selectMethods(others: Method[], requested: string[] | undefined, path: string): Method[] {
  if (!requested) return others;
  const out: Method[] = [];
  for (const raw of requested) {
    const name = raw.toUpperCase();
    if (name === 'OPTIONS') continue;
    const m = others.find((x) => x.httpMethod === name);
    if (!m) {
      const have = others.map((x) => x.httpMethod).join(', ') || 'none';
      throw badRequest(`Cannot enable CORS for ${name} on ${path}: the resource has no ${name} method (it has: ${have})`);
    }
    out.push(m);
  }
  return out;
}

function quote(v: string): string {
  return `'${v}'`;
}

function checkHeaderValue(name: string, value: string): void {
  if (value.includes("'")) throw badRequest(`${name} value must not contain single quotes; got ${value}`);
  if (/[\r\n]/.test(value)) throw badRequest(`${name} value must be on one line`);
}
