import { parse, stringify } from 'yaml';
import type { ControlPlane } from '../control/index.js';
import { AwsError } from '../control/errors.js';
import { clearRestApi } from '../iac/cfn/reset.js';
import { isIacError } from '../iac/diagnostics.js';
import { exportRestApi } from '../iac/openapi/export-rest.js';
import { importRestApi } from '../iac/openapi/import-rest.js';
import { WireRouter, type WireRequest, type WireResponse } from './router.js';

function definitionOf(req: WireRequest): Record<string, unknown> {
  let doc: unknown;
  try {
    // The body is the definition itself, JSON or YAML (ImportRestApi "body": blob).
    doc = parse(req.body.toString('utf8'));
  } catch (e) {
    throw new AwsError(400, 'BadRequestException', `Invalid OpenAPI input: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AwsError(400, 'BadRequestException', 'Invalid OpenAPI input: the body must be an OpenAPI 3 or Swagger 2 document');
  return doc as Record<string, unknown>;
}

function asAws<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isIacError(e)) throw new AwsError(400, 'BadRequestException', e.problem);
    throw e;
  }
}

/**
 * GetExport (GET /restapis/{id}/stages/{stage}/exports/{oas30|swagger}, Accept application/json or
 * application/yaml, ?extensions=apigateway), ImportRestApi (POST /restapis?mode=import) and PutRestApi
 * (PUT /restapis/{id}?mode=overwrite|merge) on AWS's wire paths (botocore apigateway 2015-07-09).
 */
export function apiGatewayExportRoutes(control: ControlPlane, router: WireRouter = new WireRouter()): WireRouter {
  router.add('GET', '/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}', (req, p) => {
    const apiId = p['restapi_id']!;
    const type = p['export_type']!;
    if (type !== 'oas30' && type !== 'swagger') throw new AwsError(400, 'BadRequestException', `Export type ${type} is not supported: use oas30 or swagger`);
    control.deployments.getStage(apiId, p['stage_name']!);
    const doc = exportRestApi(control, apiId, type, p['stage_name']!);
    const yaml = /yaml/i.test(String(req.headers['accept'] ?? ''));
    const body = yaml ? stringify(doc, { lineWidth: 0 }) : JSON.stringify(doc, null, 2);
    const ext = yaml ? 'yaml' : 'json';
    return {
      status: 200,
      headers: { 'Content-Type': yaml ? 'application/yaml' : 'application/json', 'Content-Disposition': `attachment; filename="${type === 'oas30' ? 'oas30' : 'swagger'}_${apiId}-${p['stage_name']}.${ext}"` },
      body: Buffer.from(body),
    } satisfies WireResponse;
  });
  router.add('PUT', '/restapis/{restapi_id}', (req, p) => {
    const apiId = p['restapi_id']!;
    const doc = definitionOf(req);
    control.apis.getRestApi(apiId);
    const mode = req.query.get('mode') ?? 'merge';
    if (mode !== 'overwrite' && mode !== 'merge') throw new AwsError(400, 'BadRequestException', `Invalid mode ${mode}: use overwrite or merge`);
    asAws(() =>
      control.batch(() => {
        if (mode === 'overwrite') clearRestApi(control, apiId);
        importRestApi(control, doc, { apiId });
      }),
    );
    return { status: 200, body: control.apis.getRestApi(apiId) };
  });
  return router;
}

/** POST /restapis is CreateRestApi unless ?mode=import; the server asks this first. */
export function isImportRequest(method: string, path: string, query: URLSearchParams): boolean {
  return method === 'POST' && /^\/restapis\/?$/.test(path) && query.get('mode') === 'import';
}

export function importRestApiWire(control: ControlPlane, req: WireRequest): WireResponse {
  const doc = definitionOf(req);
  const id = asAws(() => control.batch(() => importRestApi(control, doc)));
  return { status: 201, body: control.apis.getRestApi(id) };
}
