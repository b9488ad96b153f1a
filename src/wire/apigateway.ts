import type { ControlPlane } from '../control/index.js';
import { validatePatchOperations } from '../control/patch.js';
import type { Integration, IntegrationResponse, Method, Resource } from '../model/restapi.js';
import { readJson } from './json-body.js';
import { itemPage, pageOptions } from './paging.js';
import { WireRouter, type WireRequest, type WireResponse } from './router.js';

/**
 * The API Gateway REST API (v1) control plane on AWS's wire protocol (rest-json, botocore apigateway 2015-07-09),
 * so the AWS SDK and CLI work against it unchanged. Status codes per operation as AWS answers them (LocalStack
 * AWS-validated snapshots): creates and puts 201, UpdateMethodResponse 201, most deletes 202, method-level deletes 204.
 * Every handler is a thin translation to the control layer.
 */
export function apiGatewayRoutes(control: ControlPlane, router: WireRouter = new WireRouter()): WireRouter {
  const { apis, deployments } = control;
  const ok = (body: unknown, status = 200): WireResponse => ({ status, body });
  const created = (body: unknown): WireResponse => ({ status: 201, body });
  const patch = (req: WireRequest) => validatePatchOperations(readJson(req)['patchOperations']);
  const page = itemPage;
  const pageOpts = pageOptions;
  const embedsMethods = (req: WireRequest) => req.query.getAll('embed').some((e) => e.split(',').includes('methods'));

  router
    // ---- REST APIs
    .add('POST', '/restapis', (req) => created(apis.createRestApi(readJson(req))))
    .add('GET', '/restapis', (req) => ok(page(apis.getRestApis(pageOpts(req)))))
    .add('GET', '/restapis/{restapi_id}', (_req, p) => ok(apis.getRestApi(p['restapi_id']!)))
    .add('PATCH', '/restapis/{restapi_id}', (req, p) => ok({ tags: {}, ...apis.updateRestApi(p['restapi_id']!, patch(req)) }))
    .add('DELETE', '/restapis/{restapi_id}', (_req, p) => {
      apis.deleteRestApi(p['restapi_id']!);
      return { status: 202 };
    })
    // ---- resources
    .add('GET', '/restapis/{restapi_id}/resources', (req, p) =>
      ok(page(apis.getResources(p['restapi_id']!, { ...pageOpts(req), embedMethods: embedsMethods(req) }), wireResource)),
    )
    .add('POST', '/restapis/{restapi_id}/resources/{parent_id}', (req, p) =>
      created(apis.createResource(p['restapi_id']!, p['parent_id']!, readJson(req))),
    )
    .add('GET', '/restapis/{restapi_id}/resources/{resource_id}', (req, p) =>
      ok(wireResource(apis.getResource(p['restapi_id']!, p['resource_id']!, { embedMethods: embedsMethods(req) }))),
    )
    .add('PATCH', '/restapis/{restapi_id}/resources/{resource_id}', (req, p) =>
      ok(apis.updateResource(p['restapi_id']!, p['resource_id']!, patch(req))),
    )
    .add('DELETE', '/restapis/{restapi_id}/resources/{resource_id}', (_req, p) => {
      apis.deleteResource(p['restapi_id']!, p['resource_id']!);
      return { status: 202 };
    })
    // ---- methods
    .add('PUT', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}', (req, p) =>
      created(wireMethod(apis.putMethod(p['restapi_id']!, p['resource_id']!, p['http_method']!, readJson(req)))),
    )
    .add('GET', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}', (_req, p) =>
      ok(wireMethod(apis.getMethod(p['restapi_id']!, p['resource_id']!, p['http_method']!))),
    )
    .add('PATCH', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}', (req, p) =>
      ok(wireMethod(apis.updateMethod(p['restapi_id']!, p['resource_id']!, p['http_method']!, patch(req)))),
    )
    .add('DELETE', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}', (_req, p) => {
      apis.deleteMethod(p['restapi_id']!, p['resource_id']!, p['http_method']!);
      return { status: 204 };
    })
    // ---- method responses
    .add('PUT', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}', (req, p) =>
      created(apis.putMethodResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!, readJson(req))),
    )
    .add('GET', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}', (_req, p) =>
      ok(apis.getMethodResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!)),
    )
    .add('PATCH', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}', (req, p) =>
      // 201, not 200: AWS's own quirk for this one update (botocore model; LocalStack AWS-validated snapshot).
      created(apis.updateMethodResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!, patch(req))),
    )
    .add('DELETE', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}', (_req, p) => {
      apis.deleteMethodResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!);
      return { status: 204 };
    })
    // ---- integrations
    .add('PUT', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration', (req, p) =>
      created(wireIntegration(apis.putIntegration(p['restapi_id']!, p['resource_id']!, p['http_method']!, readJson(req)))),
    )
    .add('GET', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration', (_req, p) =>
      ok(wireIntegration(apis.getIntegration(p['restapi_id']!, p['resource_id']!, p['http_method']!))),
    )
    .add('PATCH', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration', (req, p) =>
      ok(wireIntegration(apis.updateIntegration(p['restapi_id']!, p['resource_id']!, p['http_method']!, patch(req)))),
    )
    .add('DELETE', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration', (_req, p) => {
      apis.deleteIntegration(p['restapi_id']!, p['resource_id']!, p['http_method']!);
      return { status: 204 };
    })
    // ---- integration responses
    .add('PUT', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}', (req, p) =>
      created(wireIntegrationResponse(apis.putIntegrationResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!, readJson(req)))),
    )
    .add('GET', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}', (_req, p) =>
      ok(wireIntegrationResponse(apis.getIntegrationResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!))),
    )
    .add('PATCH', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}', (req, p) =>
      ok(wireIntegrationResponse(apis.updateIntegrationResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!, patch(req)))),
    )
    .add('DELETE', '/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}', (_req, p) => {
      apis.deleteIntegrationResponse(p['restapi_id']!, p['resource_id']!, p['http_method']!, p['status_code']!);
      return { status: 204 };
    })
    // ---- deployments
    .add('POST', '/restapis/{restapi_id}/deployments', (req, p) => created(deployments.createDeployment(p['restapi_id']!, readJson(req))))
    .add('GET', '/restapis/{restapi_id}/deployments', (req, p) => ok(page(deployments.getDeployments(p['restapi_id']!, pageOpts(req)))))
    .add('GET', '/restapis/{restapi_id}/deployments/{deployment_id}', (_req, p) =>
      ok(deployments.getDeployment(p['restapi_id']!, p['deployment_id']!)),
    )
    .add('PATCH', '/restapis/{restapi_id}/deployments/{deployment_id}', (req, p) =>
      ok(deployments.updateDeployment(p['restapi_id']!, p['deployment_id']!, patch(req))),
    )
    .add('DELETE', '/restapis/{restapi_id}/deployments/{deployment_id}', (_req, p) => {
      deployments.deleteDeployment(p['restapi_id']!, p['deployment_id']!);
      return { status: 202 };
    })
    // ---- stages
    .add('POST', '/restapis/{restapi_id}/stages', (req, p) => created(deployments.createStage(p['restapi_id']!, readJson(req))))
    .add('GET', '/restapis/{restapi_id}/stages', (req, p) =>
      ok({ item: deployments.getStages(p['restapi_id']!, req.query.get('deploymentId') ?? undefined) }),
    )
    .add('GET', '/restapis/{restapi_id}/stages/{stage_name}', (_req, p) => ok(deployments.getStage(p['restapi_id']!, p['stage_name']!)))
    .add('PATCH', '/restapis/{restapi_id}/stages/{stage_name}', (req, p) =>
      ok(deployments.updateStage(p['restapi_id']!, p['stage_name']!, patch(req))),
    )
    .add('DELETE', '/restapis/{restapi_id}/stages/{stage_name}', (_req, p) => {
      deployments.deleteStage(p['restapi_id']!, p['stage_name']!);
      return { status: 202 };
    })
    // FlushStageCache and FlushStageAuthorizersCache: 202 with no body (botocore apigateway model).
    .add('DELETE', '/restapis/{restapi_id}/stages/{stage_name}/cache/data', (_req, p) => {
      deployments.flushStageCache(p['restapi_id']!, p['stage_name']!);
      return { status: 202 };
    })
    .add('DELETE', '/restapis/{restapi_id}/stages/{stage_name}/cache/authorizers', (_req, p) => {
      deployments.flushStageAuthorizersCache(p['restapi_id']!, p['stage_name']!);
      return { status: 202 };
    })
    // ---- gateway responses
    .add('GET', '/restapis/{restapi_id}/gatewayresponses', (_req, p) => ok({ item: apis.getGatewayResponses(p['restapi_id']!) }))
    .add('PUT', '/restapis/{restapi_id}/gatewayresponses/{response_type}', (req, p) =>
      created(apis.putGatewayResponse(p['restapi_id']!, p['response_type']!, readJson(req))),
    )
    .add('GET', '/restapis/{restapi_id}/gatewayresponses/{response_type}', (_req, p) =>
      ok(apis.getGatewayResponse(p['restapi_id']!, p['response_type']!)),
    )
    .add('PATCH', '/restapis/{restapi_id}/gatewayresponses/{response_type}', (req, p) =>
      ok(apis.updateGatewayResponse(p['restapi_id']!, p['response_type']!, patch(req))),
    )
    .add('DELETE', '/restapis/{restapi_id}/gatewayresponses/{response_type}', (_req, p) => {
      apis.deleteGatewayResponse(p['restapi_id']!, p['response_type']!);
      return { status: 202 };
    });
  return router;
}

/**
 * Wire shapes differ from stored ones in one place: an empty integration-response template is stored as '' and
 * answered as null, as AWS answers it (test_apigateway_api test_put_integration_response_templates).
 */
function wireIntegrationResponse(r: IntegrationResponse): unknown {
  if (!r.responseTemplates) return r;
  const templates: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(r.responseTemplates)) templates[k] = v === '' ? null : v;
  return { ...r, responseTemplates: templates };
}

function wireIntegration(i: Integration): unknown {
  if (!i.integrationResponses) return i;
  const responses: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.integrationResponses)) responses[k] = wireIntegrationResponse(v);
  return { ...i, integrationResponses: responses };
}

function wireMethod(m: Method): unknown {
  return m.methodIntegration ? { ...m, methodIntegration: wireIntegration(m.methodIntegration) } : m;
}

function wireResource(r: Resource): unknown {
  if (!r.resourceMethods) return r;
  const methods: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.resourceMethods)) methods[k] = wireMethod(v);
  return { ...r, resourceMethods: methods };
}
