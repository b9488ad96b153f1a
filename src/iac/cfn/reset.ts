import type { ControlPlane } from '../../control/index.js';

/**
 * Empties an API for a reload into the same id (so invoke URLs stay the same): resources, methods, gateway
 * responses, authorizers, validators and models go; stages and deployments stay and are redeployed after.
 */
export function clearRestApi(control: ControlPlane, apiId: string): void {
  control.batch(() => {
    const api = control.apis.getRestApi(apiId);
    // Every child of the root (GetResources pages at 500, and a large API has more), each with its subtree.
    for (const r of control.apis.loadTree(apiId).values()) {
      if (r.parentId === api.rootResourceId) control.apis.deleteResource(apiId, r.id);
    }
    for (const m of control.apis.methodsOf(apiId, api.rootResourceId)) control.apis.deleteMethod(apiId, api.rootResourceId, m.httpMethod);
    for (const g of control.apis.getCustomGatewayResponses(apiId)) control.apis.deleteGatewayResponse(apiId, g.responseType);
    for (const a of control.parts.getAuthorizers(apiId)) control.parts.deleteAuthorizer(apiId, a.id);
    for (const v of control.parts.getRequestValidators(apiId)) control.parts.deleteRequestValidator(apiId, v.id);
    for (const m of control.parts.getModels(apiId)) if (m.name !== 'Empty' && m.name !== 'Error') control.parts.deleteModel(apiId, m.name);
  });
}

export function clearHttpApi(control: ControlPlane, apiId: string): void {
  control.batch(() => {
    for (const r of control.httpApis.getRoutes(apiId)) control.httpApis.deleteRoute(apiId, r.routeId);
    for (const i of control.httpApis.getIntegrations(apiId)) control.httpApis.deleteIntegration(apiId, i.integrationId);
    for (const a of control.httpApis.getAuthorizers(apiId)) control.httpApis.deleteAuthorizer(apiId, a.authorizerId);
  });
}
