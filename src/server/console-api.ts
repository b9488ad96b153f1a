import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ControlPlane } from '../control/index.js';
import { isAwsError, notFound } from '../control/errors.js';
import { parseInput } from '../control/validate.js';
import type { RestDeps } from '../gateway/rest/execute.js';
import { testInvokeRest } from '../gateway/test-invoke.js';
import { compileTemplate, VtlSyntaxError } from '../gateway/vtl/index.js';
import type { LambdaRuntime } from '../lambda/runtime.js';
import { readJson } from '../wire/json-body.js';
import { WireRouter, type WireRequest, type WireResponse } from '../wire/router.js';
import { diffHttpSnapshots, diffRestSnapshots } from './console-diff.js';
import { predict } from './console-doctor.js';
import { sandboxOrigin } from './console-sandbox.js';

export const CONSOLE_API_PREFIX = '/_preflight/api/';

export interface ConsoleApiDeps {
  control: ControlPlane;
  runtime: LambdaRuntime;
  /** The data plane's own dependencies, so a test invocation runs exactly what a stage would. */
  gateway: RestDeps;
  serverId: string;
  port: () => number;
}

const testInvokeInput = z.object({
  pathWithQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  stageVariables: z.record(z.string(), z.string()).optional(),
});

const playgroundInput = z.object({
  url: z.string(),
  origin: z.string(),
  method: z.string(),
  headers: z.array(z.tuple([z.string(), z.string()])),
  credentials: z.boolean(),
  body: z.string().optional(),
});

/**
 * The console's own JSON API, for what AWS has no operation for: Enable CORS with its plan, stage status and the diff
 * of undeployed changes, function logs, the Test tab, template checks and the playground's prediction. Everything AWS
 * does have an operation for, the console asks of the AWS wire API itself. Handlers only translate: the work is done
 * by the control layer, the gateway and the doctor.
 */
export function consoleApiRoutes(deps: ConsoleApiDeps): WireRouter {
  const { control } = deps;
  const ok = (body: unknown): WireResponse => ({ status: 200, body });
  const p = '/_preflight/api';
  return new WireRouter()
    .add('GET', `${p}/info`, () =>
      ok({
        serverId: deps.serverId,
        port: deps.port(),
        sandboxOrigin: sandboxOrigin(deps.port()),
        // Import and export arrive with src/iac; until then the console shows them disabled.
        features: { import: false, export: false },
      }),
    )
    .add('GET', `${p}/apis`, () =>
      ok({
        rest: allRestApis(control).map((api) => ({ ...api, stages: control.deployments.stageStatuses(api.id) })),
        http: control.httpApis.getApis().map((api) => ({ ...api, stages: control.httpApis.stageStatuses(api.apiId) })),
      }),
    )
    .add('POST', `${p}/restapis/{apiId}/resources/{resourceId}/cors`, (req, params) =>
      ok(control.enableCors(params['apiId']!, params['resourceId']!, readJson(req), { dryRun: req.query.get('dryRun') === 'true' })),
    )
    .add('GET', `${p}/restapis/{apiId}/stages/status`, (_req, params) => ok({ items: control.deployments.stageStatuses(params['apiId']!) }))
    .add('GET', `${p}/restapis/{apiId}/stages/{stageName}/diff`, (_req, params) => {
      const apiId = params['apiId']!;
      const stage = control.deployments.getStage(apiId, params['stageName']!);
      const deployed = control.deployments.loadSnapshot(apiId, stage.deploymentId);
      if (!deployed) throw notFound('Invalid Deployment identifier specified');
      return ok({ stageName: stage.stageName, deploymentId: stage.deploymentId, changes: diffRestSnapshots(deployed.snapshot, control.deployments.snapshot(apiId)) });
    })
    .add('GET', `${p}/httpapis/{apiId}/stages/status`, (_req, params) => ok({ items: control.httpApis.stageStatuses(params['apiId']!) }))
    .add('GET', `${p}/httpapis/{apiId}/stages/{stageName}/diff`, (_req, params) => {
      const apiId = params['apiId']!;
      const stage = control.httpApis.getStage(apiId, params['stageName']!);
      const deployed = stage.deploymentId ? control.httpApis.loadSnapshot(apiId, stage.deploymentId) : undefined;
      const current = control.httpApis.snapshot(apiId);
      return ok({
        stageName: stage.stageName,
        deploymentId: stage.deploymentId ?? null,
        changes: deployed ? diffHttpSnapshots(deployed, current) : [{ kind: 'added', target: 'everything: the stage has no deployment yet', after: null }],
      });
    })
    .add('POST', `${p}/restapis/{apiId}/resources/{resourceId}/methods/{httpMethod}/test`, async (req, params) => {
      const v = parseInput(testInvokeInput, readJson(req), 'testInvokeMethodInput');
      return ok(await testInvokeRest(control, deps.gateway, { apiId: params['apiId']!, resourceId: params['resourceId']!, httpMethod: params['httpMethod']!, ...v }));
    })
    .add('POST', `${p}/templates/check`, (req) => {
      const { template } = parseInput(z.object({ template: z.string() }), readJson(req), 'checkTemplateInput');
      try {
        compileTemplate(template);
        return ok({ ok: true });
      } catch (e) {
        if (!(e instanceof VtlSyntaxError)) throw e;
        return ok({ ok: false, message: e.message, line: e.line, column: e.column });
      }
    })
    .add('GET', `${p}/functions/{name}/logs`, (req, params) => {
      const name = params['name']!;
      control.functions.get(name);
      const limit = Number(req.query.get('limit') ?? '500');
      return ok({ events: deps.runtime.recentLogs(name, Number.isInteger(limit) && limit > 0 ? limit : 500) });
    })
    .add('POST', `${p}/playground/predict`, async (req) => ok(await predict(parseInput(playgroundInput, readJson(req), 'playgroundInput'))));
}

function allRestApis(control: ControlPlane) {
  const out = [];
  let position: string | undefined;
  do {
    const page = control.apis.getRestApis(position ? { position } : {});
    out.push(...page.items);
    position = page.position;
  } while (position);
  return out;
}

/** Answers a request under /_preflight/api/ (the server has already checked Host and Origin). */
export async function serveConsoleApi(router: WireRouter, req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, body: Buffer): Promise<void> {
  const wreq: WireRequest = { method: req.method ?? 'GET', path, query: new URLSearchParams(rawQuery), headers: req.headers, body };
  const match = router.match(wreq.method, path);
  let response: WireResponse;
  if (!('handler' in match)) {
    response = match.pathKnown
      ? { status: 405, body: { message: `Method ${wreq.method} is not allowed on ${path}` } }
      : { status: 404, body: { message: `No console operation at ${wreq.method} ${path}` } };
  } else {
    try {
      response = await match.handler(wreq, match.params);
    } catch (e) {
      if (!isAwsError(e)) throw e;
      response = { status: e.status, headers: { 'x-amzn-ErrorType': e.type }, body: { message: e.message, type: e.type } };
    }
  }
  const text = JSON.stringify(response.body ?? {});
  res.writeHead(response.status, {
    ...(response.headers ?? {}),
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}
