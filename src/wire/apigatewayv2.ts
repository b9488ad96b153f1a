import type { ControlPlane } from '../control/index.js';
import type { HttpStage } from '../model/httpapi.js';
import { readJson } from './json-body.js';
import { WireRouter, type WireResponse } from './router.js';

/**
 * The API Gateway v2 control plane (HTTP APIs) on AWS's wire protocol (rest-json, botocore apigatewayv2
 * 2018-11-29): camelCase members, {items, nextToken} lists, 201 on create, 204 on delete, PATCH with a body of
 * the fields to change. Thin translation to the control layer.
 */
export function apiGatewayV2Routes(control: ControlPlane, router: WireRouter = new WireRouter()): WireRouter {
  const h = control.httpApis;
  const ok = (body: unknown): WireResponse => ({ status: 200, body });
  const created = (body: unknown): WireResponse => ({ status: 201, body });
  const gone = (): WireResponse => ({ status: 204 });
  const items = (list: unknown[]) => ok({ items: list });
  // A stage's autoDeploy is left out when false (AWS CLI get-stages / create-stage examples).
  const stage = (s: HttpStage) => (s.autoDeploy ? s : (({ autoDeploy: _a, ...rest }) => rest)(s));
  router
    .add('POST', '/v2/apis', (req) => created(h.createApi(readJson(req))))
    .add('GET', '/v2/apis', () => items(h.getApis()))
    .add('GET', '/v2/apis/{apiId}', (_r, p) => ok(h.getApi(p['apiId']!)))
    // UpdateApi, UpdateRoute and UpdateDeployment answer 201 on AWS whatever the model says (LocalStack PRs
    // #11424, #11506, #11401 changed their spec after observing it); UpdateIntegration answers 200.
    .add('PATCH', '/v2/apis/{apiId}', (req, p) => created(h.updateApi(p['apiId']!, readJson(req))))
    .add('DELETE', '/v2/apis/{apiId}', (_r, p) => {
      h.deleteApi(p['apiId']!);
      return gone();
    })
    .add('DELETE', '/v2/apis/{apiId}/cors', (_r, p) => {
      h.deleteCorsConfiguration(p['apiId']!);
      return gone();
    })
    .add('POST', '/v2/apis/{apiId}/routes', (req, p) => created(h.createRoute(p['apiId']!, readJson(req))))
    .add('GET', '/v2/apis/{apiId}/routes', (_r, p) => items(h.getRoutes(p['apiId']!)))
    .add('GET', '/v2/apis/{apiId}/routes/{routeId}', (_r, p) => ok(h.getRoute(p['apiId']!, p['routeId']!)))
    .add('PATCH', '/v2/apis/{apiId}/routes/{routeId}', (req, p) => created(h.updateRoute(p['apiId']!, p['routeId']!, readJson(req))))
    .add('DELETE', '/v2/apis/{apiId}/routes/{routeId}', (_r, p) => {
      h.deleteRoute(p['apiId']!, p['routeId']!);
      return gone();
    })
    .add('POST', '/v2/apis/{apiId}/integrations', (req, p) => created(h.createIntegration(p['apiId']!, readJson(req))))
    .add('GET', '/v2/apis/{apiId}/integrations', (_r, p) => items(h.getIntegrations(p['apiId']!)))
    .add('GET', '/v2/apis/{apiId}/integrations/{integrationId}', (_r, p) => ok(h.getIntegration(p['apiId']!, p['integrationId']!)))
    .add('PATCH', '/v2/apis/{apiId}/integrations/{integrationId}', (req, p) => ok(h.updateIntegration(p['apiId']!, p['integrationId']!, readJson(req))))
    .add('DELETE', '/v2/apis/{apiId}/integrations/{integrationId}', (_r, p) => {
      h.deleteIntegration(p['apiId']!, p['integrationId']!);
      return gone();
    })
    .add('POST', '/v2/apis/{apiId}/authorizers', (req, p) => created(h.createAuthorizer(p['apiId']!, readJson(req))))
    .add('GET', '/v2/apis/{apiId}/authorizers', (_r, p) => items(h.getAuthorizers(p['apiId']!)))
    .add('GET', '/v2/apis/{apiId}/authorizers/{authorizerId}', (_r, p) => ok(h.getAuthorizer(p['apiId']!, p['authorizerId']!)))
    .add('PATCH', '/v2/apis/{apiId}/authorizers/{authorizerId}', (req, p) => ok(h.updateAuthorizer(p['apiId']!, p['authorizerId']!, readJson(req))))
    .add('DELETE', '/v2/apis/{apiId}/authorizers/{authorizerId}', (_r, p) => {
      h.deleteAuthorizer(p['apiId']!, p['authorizerId']!);
      return gone();
    })
    .add('POST', '/v2/apis/{apiId}/deployments', (req, p) => created(h.createDeployment(p['apiId']!, readJson(req))))
    .add('GET', '/v2/apis/{apiId}/deployments', (_r, p) => items(h.getDeployments(p['apiId']!)))
    .add('GET', '/v2/apis/{apiId}/deployments/{deploymentId}', (_r, p) => ok(h.getDeployment(p['apiId']!, p['deploymentId']!)))
    .add('DELETE', '/v2/apis/{apiId}/deployments/{deploymentId}', (_r, p) => {
      h.deleteDeployment(p['apiId']!, p['deploymentId']!);
      return gone();
    })
    .add('POST', '/v2/apis/{apiId}/stages', (req, p) => created(stage(h.createStage(p['apiId']!, readJson(req)))))
    .add('GET', '/v2/apis/{apiId}/stages', (_r, p) => items(h.getStages(p['apiId']!).map(stage)))
    .add('GET', '/v2/apis/{apiId}/stages/{stageName}', (_r, p) => ok(stage(h.getStage(p['apiId']!, p['stageName']!))))
    .add('PATCH', '/v2/apis/{apiId}/stages/{stageName}', (req, p) => ok(stage(h.updateStage(p['apiId']!, p['stageName']!, readJson(req)))))
    .add('DELETE', '/v2/apis/{apiId}/stages/{stageName}', (_r, p) => {
      h.deleteStage(p['apiId']!, p['stageName']!);
      return gone();
    })
    // ResetAuthorizersCache: 204 with no body (botocore apigatewayv2 model).
    .add('DELETE', '/v2/apis/{apiId}/stages/{stageName}/cache/authorizers', (_r, p) => {
      h.resetAuthorizersCache(p['apiId']!, p['stageName']!);
      return gone();
    });
  return router;
}
