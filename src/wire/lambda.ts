import type { ControlPlane } from '../control/index.js';
import { AwsError, lambdaNotFound } from '../control/errors.js';
import type { LocalLambda } from '../server/local-lambda.js';
import { readJson } from './json-body.js';
import { WireRouter, type WireRequest } from './router.js';

/**
 * The Lambda control API (rest-json, botocore lambda 2015-03-31) for the SDK and CLI: functions, Invoke and
 * reserved concurrency.
 * DeleteFunction answers 204 as AWS really does (the botocore model says 200).
 */
export function lambdaRoutes(control: ControlPlane, lambda: LocalLambda, router: WireRouter = new WireRouter()): WireRouter {
  const { functions } = control;
  router
    .add('POST', '/2015-03-31/functions', async (req) => ({ status: 201, body: await functions.createFunction(withZip(readJson(req))) }))
    .add('GET', '/2015-03-31/functions', (req) => {
      const opts: { Marker?: string; MaxItems?: number } = {};
      const marker = req.query.get('Marker');
      const max = req.query.get('MaxItems');
      if (marker) opts.Marker = marker;
      if (max) opts.MaxItems = Number(max);
      return { status: 200, body: functions.listFunctions(opts) };
    })
    .add('GET', '/2015-03-31/functions/{name}', (_req, p) => ({ status: 200, body: functions.getFunction(p['name']!) }))
    .add('GET', '/2015-03-31/functions/{name}/configuration', (_req, p) => ({ status: 200, body: functions.get(p['name']!).configuration }))
    .add('PUT', '/2015-03-31/functions/{name}/code', async (req, p) => {
      const body = withZip({ Code: readJson(req) })['Code'] as Record<string, unknown>;
      return { status: 200, body: await functions.updateFunctionCode(p['name']!, body) };
    })
    .add('PUT', '/2015-03-31/functions/{name}/configuration', (req, p) => ({
      status: 200,
      body: functions.updateFunctionConfiguration(p['name']!, readJson(req)),
    }))
    .add('DELETE', '/2015-03-31/functions/{name}', async (_req, p) => {
      await functions.deleteFunction(p['name']!);
      return { status: 204 };
    })
    .add('POST', '/2015-03-31/functions/{name}/invocations', async (req, p) => {
      const type = headerOf(req, 'x-amz-invocation-type') ?? 'RequestResponse';
      if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
        throw new AwsError(400, 'InvalidParameterValueException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
      }
      const name = qualified(control, p['name']!, req.query.get('Qualifier'));
      const logType = headerOf(req, 'x-amz-log-type');
      const clientContext = headerOf(req, 'x-amz-client-context');
      const outcome = await lambda.invokeApi(name, req.body, {
        invocationType: type,
        logTail: logType === 'Tail',
        ...(clientContext ? { clientContext } : {}),
      });
      // The response's x-amzn-RequestId is the invocation's request id (the one in START RequestId: ...).
      if (outcome.kind === 'event') return { status: 202, headers: { 'x-amzn-RequestId': outcome.requestId } };
      if (outcome.kind === 'dryRun') return { status: 204 };
      const { result } = outcome;
      const headers: Record<string, string> = {
        'x-amzn-RequestId': result.requestId,
        'X-Amz-Executed-Version': '$LATEST',
        'Content-Type': 'application/json',
      };
      if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
      if (result.logTail !== undefined) headers['X-Amz-Log-Result'] = result.logTail;
      return { status: 200, headers, body: Buffer.from(result.payload) };
    })
    // Reserved concurrency lives under other API versions' prefixes (botocore lambda 2015-03-31 requestUri values).
    .add('PUT', '/2017-10-31/functions/{name}/concurrency', (req, p) => ({
      status: 200,
      body: functions.putFunctionConcurrency(p['name']!, readJson(req)),
    }))
    .add('GET', '/2019-09-30/functions/{name}/concurrency', (_req, p) => ({ status: 200, body: functions.getFunctionConcurrency(p['name']!) }))
    .add('DELETE', '/2017-10-31/functions/{name}/concurrency', (_req, p) => {
      functions.deleteFunctionConcurrency(p['name']!);
      return { status: 204 };
    });
  return router;
}

/** ZipFile arrives base64-encoded in the JSON body (blob members in rest-json). */
function withZip(body: Record<string, unknown>): Record<string, unknown> {
  const code = body['Code'];
  if (code && typeof code === 'object' && typeof (code as Record<string, unknown>)['ZipFile'] === 'string') {
    const zip = Buffer.from((code as Record<string, string>)['ZipFile']!, 'base64');
    return { ...body, Code: { ...(code as object), ZipFile: zip } };
  }
  return body;
}

/**
 * Only $LATEST exists here (no published versions or aliases): any other qualifier names a version that does not
 * exist, which Lambda answers with ResourceNotFoundException for `...:function:NAME:QUALIFIER`.
 */
function qualified(control: ControlPlane, ref: string, qualifier: string | null): string {
  // botocore NamespacedFunctionName: name, partial ARN (ACCOUNT:function:NAME) or ARN, each with an optional :QUALIFIER.
  const m = /^(?:(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/.exec(ref);
  if (!m) return ref;
  const name = m[1]!;
  const q = qualifier ?? m[2] ?? '$LATEST';
  if (q !== '$LATEST') {
    const f = control.functions.get(name);
    throw lambdaNotFound(`Function not found: ${f.configuration.FunctionArn}:${q}`);
  }
  return name;
}

function headerOf(req: WireRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
