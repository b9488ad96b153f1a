import type { ControlPlane } from '../control/index.js';
import { AwsError } from '../control/errors.js';
import type { LocalLambda } from '../server/local-lambda.js';
import { readJson } from './json-body.js';
import { WireRouter, type WireRequest } from './router.js';

/**
 * The Lambda control API (rest-json, botocore lambda 2015-03-31) for the SDK and CLI: functions and Invoke.
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
      const logType = headerOf(req, 'x-amz-log-type');
      const clientContext = headerOf(req, 'x-amz-client-context');
      const result = await lambda.invokeApi(p['name']!, req.body, {
        invocationType: type,
        logTail: logType === 'Tail',
        ...(clientContext ? { clientContext } : {}),
      });
      if (type === 'Event') return { status: 202 };
      if (type === 'DryRun' || !result) return { status: 204 };
      const headers: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST', 'Content-Type': 'application/json' };
      if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
      if (result.logTail !== undefined) headers['X-Amz-Log-Result'] = result.logTail;
      return { status: 200, headers, body: Buffer.from(result.payload) };
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

function headerOf(req: WireRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
