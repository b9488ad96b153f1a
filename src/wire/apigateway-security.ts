import type { ControlPlane } from '../control/index.js';
import { validatePatchOperations } from '../control/patch.js';
import type { Page } from '../control/rest-apis.js';
import { readJson } from './json-body.js';
import { WireRouter, type WireRequest, type WireResponse } from './router.js';

/**
 * API Gateway v1 operations around security: authorizers, request validators, models, API keys, usage plans and
 * their keys (botocore apigateway 2015-07-09: creates 201, deletes 202, lists as {"item": [...]}).
 */
export function apiGatewaySecurityRoutes(control: ControlPlane, router: WireRouter = new WireRouter()): WireRouter {
  const { parts, apiKeys } = control;
  const ok = (body: unknown): WireResponse => ({ status: 200, body });
  const created = (body: unknown): WireResponse => ({ status: 201, body });
  const accepted = (): WireResponse => ({ status: 202 });
  const patch = (req: WireRequest) => validatePatchOperations(readJson(req)['patchOperations']);
  const page = <T>(p: Page<T>) => ok({ item: p.items, ...(p.position ? { position: p.position } : {}) });
  const pageOpts = (req: WireRequest) => {
    const o: { position?: string; limit?: number } = {};
    const position = req.query.get('position');
    const limit = req.query.get('limit');
    if (position) o.position = position;
    if (limit) o.limit = Number(limit);
    return o;
  };
  router
    // ---- authorizers
    .add('POST', '/restapis/{restapi_id}/authorizers', (req, p) => created(parts.createAuthorizer(p['restapi_id']!, readJson(req))))
    .add('GET', '/restapis/{restapi_id}/authorizers', (_r, p) => ok({ item: parts.getAuthorizers(p['restapi_id']!) }))
    .add('GET', '/restapis/{restapi_id}/authorizers/{authorizer_id}', (_r, p) => ok(parts.getAuthorizer(p['restapi_id']!, p['authorizer_id']!)))
    .add('PATCH', '/restapis/{restapi_id}/authorizers/{authorizer_id}', (req, p) => ok(parts.updateAuthorizer(p['restapi_id']!, p['authorizer_id']!, patch(req))))
    .add('DELETE', '/restapis/{restapi_id}/authorizers/{authorizer_id}', (_r, p) => {
      parts.deleteAuthorizer(p['restapi_id']!, p['authorizer_id']!);
      return accepted();
    })
    // ---- request validators
    .add('POST', '/restapis/{restapi_id}/requestvalidators', (req, p) => created(parts.createRequestValidator(p['restapi_id']!, readJson(req))))
    .add('GET', '/restapis/{restapi_id}/requestvalidators', (_r, p) => ok({ item: parts.getRequestValidators(p['restapi_id']!) }))
    .add('GET', '/restapis/{restapi_id}/requestvalidators/{id}', (_r, p) => ok(parts.getRequestValidator(p['restapi_id']!, p['id']!)))
    .add('PATCH', '/restapis/{restapi_id}/requestvalidators/{id}', (req, p) => ok(parts.updateRequestValidator(p['restapi_id']!, p['id']!, patch(req))))
    .add('DELETE', '/restapis/{restapi_id}/requestvalidators/{id}', (_r, p) => {
      parts.deleteRequestValidator(p['restapi_id']!, p['id']!);
      return accepted();
    })
    // ---- models
    .add('POST', '/restapis/{restapi_id}/models', (req, p) => created(parts.createModel(p['restapi_id']!, readJson(req))))
    .add('GET', '/restapis/{restapi_id}/models', (_r, p) => ok({ item: parts.getModels(p['restapi_id']!) }))
    .add('GET', '/restapis/{restapi_id}/models/{model_name}', (_r, p) => ok(parts.getModel(p['restapi_id']!, p['model_name']!)))
    .add('PATCH', '/restapis/{restapi_id}/models/{model_name}', (req, p) => ok(parts.updateModel(p['restapi_id']!, p['model_name']!, patch(req))))
    .add('DELETE', '/restapis/{restapi_id}/models/{model_name}', (_r, p) => {
      parts.deleteModel(p['restapi_id']!, p['model_name']!);
      return accepted();
    })
    // ---- API keys
    .add('POST', '/apikeys', (req) => created(apiKeys.createApiKey(readJson(req))))
    .add('GET', '/apikeys', (req) => {
      const o: { includeValues?: boolean; nameQuery?: string; position?: string; limit?: number } = { ...pageOpts(req) };
      if (req.query.get('includeValues') === 'true') o.includeValues = true;
      const name = req.query.get('name');
      if (name) o.nameQuery = name;
      return page(apiKeys.getApiKeys(o));
    })
    .add('GET', '/apikeys/{api_key}', (req, p) => ok(apiKeys.getApiKey(p['api_key']!, req.query.get('includeValue') === 'true')))
    .add('PATCH', '/apikeys/{api_key}', (req, p) => ok(apiKeys.updateApiKey(p['api_key']!, patch(req))))
    .add('DELETE', '/apikeys/{api_key}', (_r, p) => {
      apiKeys.deleteApiKey(p['api_key']!);
      return accepted();
    })
    // ---- usage plans
    .add('POST', '/usageplans', (req) => created(apiKeys.createUsagePlan(readJson(req))))
    .add('GET', '/usageplans', (req) => {
      const keyId = req.query.get('keyId');
      return page(apiKeys.getUsagePlans({ ...pageOpts(req), ...(keyId ? { keyId } : {}) }));
    })
    .add('GET', '/usageplans/{plan_id}', (_r, p) => ok(apiKeys.getUsagePlan(p['plan_id']!)))
    .add('PATCH', '/usageplans/{plan_id}', (req, p) => ok(apiKeys.updateUsagePlan(p['plan_id']!, patch(req))))
    .add('DELETE', '/usageplans/{plan_id}', (_r, p) => {
      apiKeys.deleteUsagePlan(p['plan_id']!);
      return accepted();
    })
    .add('POST', '/usageplans/{plan_id}/keys', (req, p) => created(apiKeys.createUsagePlanKey(p['plan_id']!, readJson(req))))
    .add('GET', '/usageplans/{plan_id}/keys', (_r, p) => ok({ item: apiKeys.getUsagePlanKeys(p['plan_id']!) }))
    .add('DELETE', '/usageplans/{plan_id}/keys/{key_id}', (_r, p) => {
      apiKeys.deleteUsagePlanKey(p['plan_id']!, p['key_id']!);
      return accepted();
    });
  return router;
}
