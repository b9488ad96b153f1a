import type { ControlPlane } from '../control/index.js';
import { badRequest } from '../control/errors.js';
import { compileApi, CompileError, matchRoute, type CompiledApi } from './rest/compile.js';
import { RestRequestContext, type StageView } from './rest/context.js';
import { executeRest, type RestDeps } from './rest/execute.js';
import { mimeOf, render } from './rest/mapping.js';
import type { GatewayRequest, HeaderList } from './types.js';

/** What the console's "Test" tab sends, named as TestInvokeMethod names it. */
export interface TestInvokeInput {
  apiId: string;
  resourceId: string;
  httpMethod: string;
  /** e.g. /users/42?verbose=true; default: the resource's path. */
  pathWithQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  stageVariables?: Record<string, string>;
}

/** TestInvokeMethod's answer: the method response and the execution log. */
export interface TestInvokeResult {
  status: number;
  headers: HeaderList;
  body: string;
  /** Milliseconds, as TestInvokeMethod's `latency`. */
  latency: number;
  log: string;
}

// The values AWS's test invocations carry (recorded test-invoke events: requestContext.stage "test-invoke-stage",
// identity.sourceIp "test-invoke-source-ip", domainName "testPrefix.testDomainName").
const TEST_STAGE: StageView = { name: 'test-invoke-stage', deploymentId: 'test-invoke-deployment-id', variables: {} };
const TEST_HOST = 'testPrefix.testDomainName';
const TEST_SOURCE_IP = 'test-invoke-source-ip';

/**
 * The console's Test tab (TestInvokeMethod): runs one request through the REST chain against the API as it is now,
 * not a deployment, without any browser or network in between, and writes the execution log as API Gateway's test
 * does (method request, endpoint request and response, method response). The chain itself is the data plane's:
 * only the Lambda invoker and the log are wrapped to watch what crosses them.
 */
export async function testInvokeRest(control: ControlPlane, deps: RestDeps, input: TestInvokeInput): Promise<TestInvokeResult> {
  const method = control.apis.getMethod(input.apiId, input.resourceId, input.httpMethod);
  const resource = control.apis.getResource(input.apiId, input.resourceId);
  const target = input.pathWithQueryString || resource.path;
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const rawQuery = q === -1 ? '' : target.slice(q + 1);
  if (!path.startsWith('/')) throw badRequest(`Invalid path ${path}: it starts with '/', e.g. ${resource.path}`);
  const verb = method.httpMethod === 'ANY' ? 'GET' : method.httpMethod;

  const lines: string[] = [];
  const started = Date.now();
  const log = (message: string) => lines.push(`${awsLogTime(new Date())} : ${message}`);
  const rawHeaders = Object.entries(input.headers ?? {}).flat();
  const body = input.body ?? '';
  const req: GatewayRequest = { method: verb, path, rawQuery, rawHeaders, body: Buffer.from(body), sourceIp: TEST_SOURCE_IP, host: TEST_HOST, port: 443, receivedAt: started };
  const stage: StageView = { ...TEST_STAGE, variables: input.stageVariables ?? {} };

  let compiled: CompiledApi;
  try {
    compiled = compileApi(control.deployments.snapshot(input.apiId), TEST_STAGE.deploymentId);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    log(`Execution failed due to configuration error: ${e.message}`);
    log('Method completed with status: 500');
    return { status: 500, headers: [['Content-Type', 'application/json']], body: '{"message": "Internal server error"}', latency: Date.now() - started, log: logText(lines) };
  }
  const match = matchRoute(compiled.routes, path, verb);
  if (match && match.resource.id !== resource.id) {
    throw badRequest(`The path ${path} reaches resource ${match.resource.path}, not ${resource.path}: fill in the path parameters of ${resource.path}`);
  }

  log(`Starting execution for request: test-invoke-request`);
  log(`HTTP Method: ${verb}, Resource Path: ${path}`);
  log(`Method request path: ${javaMap(match?.pathParams ?? {})}`);
  log(`Method request query string: ${javaMap(Object.fromEntries(new URLSearchParams(rawQuery)))}`);
  log(`Method request headers: ${javaMap(input.headers ?? {})}`);
  log(`Method request body before transformations: ${body}`);
  const integration = match?.method.integration;
  if (integration && (integration.integration.type === 'MOCK' || integration.integration.type === 'HTTP')) {
    // What the request template makes of the request; the chain renders it again when it runs.
    const template = integration.requestTemplates.get(mimeOf(input.headers?.['Content-Type'] ?? input.headers?.['content-type']) ?? 'application/json');
    if (template) {
      const ctx = new RestRequestContext(req, compiled, stage, `/${stage.name}${path}`);
      ctx.match = match;
      const out = render(template, ctx, body);
      log(out.error ? `Request template failed: ${out.error.message}` : `Endpoint request body after transformations: ${out.output}`);
    }
  }
  if (integration?.integration.uri) log(`Endpoint request URI: ${integration.integration.uri}`);

  const watched: RestDeps = {
    ...deps,
    log: (_id, message) => log(message),
    lambda: {
      invoke: async (fn, payload) => {
        log(`Endpoint request body after transformations: ${payload}`);
        log(`Sending request to Lambda function ${fn}`);
        const t = Date.now();
        try {
          const r = await deps.lambda.invoke(fn, payload);
          log(`Received response. Status: 200, Integration latency: ${Date.now() - t} ms`);
          if (r.functionError) log(`Endpoint response headers: {X-Amz-Function-Error=${r.functionError}}`);
          log(`Endpoint response body before transformations: ${r.payload}`);
          return r;
        } catch (e) {
          log(`Lambda invocation failed after ${Date.now() - t} ms: ${(e as Error).message}`);
          throw e;
        }
      },
    },
  };
  const result = await executeRest(req, compiled, stage, `/${stage.name}${path}`, watched, { bypassAuthorization: true });
  const text = typeof result.body === 'string' ? result.body : result.body.toString('utf8');
  log(`Method response body after transformations: ${text}`);
  log(`Method response headers: ${javaMap(Object.fromEntries(result.headers))}`);
  if (!lines.some((l) => l.includes('Execution failed'))) log('Successfully completed execution');
  log(`Method completed with status: ${result.status}`);
  return { status: result.status, headers: result.headers, body: text, latency: Date.now() - started, log: logText(lines) };
}

function logText(lines: string[]): string {
  return `Execution log for request test-invoke-request\n${lines.join('\n')}\n`;
}

/** API Gateway's execution logs print maps as Java does: {a=1, b=2}. */
function javaMap(m: Record<string, string>): string {
  return `{${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The test log's timestamps: "Thu Nov 25 12:00:00 UTC 2026" (java.util.Date#toString in UTC). */
function awsLogTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
