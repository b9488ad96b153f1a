import type { ControlPlane } from '../control/index.js';
import { validatePatchOperations } from '../control/patch.js';
import { paginate, type Page } from '../control/rest-apis.js';
import { readJson } from './json-body.js';
import { itemPage, pageOptions } from './paging.js';
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
  const page = <T>(p: Page<T>) => ok(itemPage(p));
  const pageOpts = pageOptions;
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
    .add('POST', '/apikeys', (req) => {
      // ImportApiKeys shares the path: POST /apikeys?mode=import&format=csv[&failonwarnings=true] with the file as the
      // body, answered 201 {"ids": [...], "warnings": [...]} (botocore apigateway ImportApiKeys, ApiKeyIds).
      if (req.query.get('mode') === 'import') {
        return created(apiKeys.importApiKeys(req.body.toString('utf8'), req.query.get('format'), req.query.get('failonwarnings') === 'true'));
      }
      return created(wireApiKey(apiKeys.createApiKey(readJson(req))));
    })
    .add('GET', '/apikeys', (req) => {
      const o: { includeValues?: boolean; nameQuery?: string; customerId?: string; position?: string; limit?: number } = { ...pageOpts(req) };
      if (req.query.get('includeValues') === 'true') o.includeValues = true;
      const name = req.query.get('name');
      if (name) o.nameQuery = name;
      const customerId = req.query.get('customerId');
      if (customerId) o.customerId = customerId;
      const p = apiKeys.getApiKeys(o);
      return page({ ...p, items: p.items.map(wireApiKey) });
    })
    // UpdateApiKey answers "tags": {} when there are none, CreateApiKey and list items do not (LocalStack
    // AWS-validated snapshots test_apigateway_extended update-api-key-name, create-api-key, get-api-keys).
    // GetApiKey's "tags": {} is inferred from that and from GetUsagePlan (not recorded).
    .add('GET', '/apikeys/{api_key}', (req, p) => ok(withTags(wireApiKey(apiKeys.getApiKey(p['api_key']!, req.query.get('includeValue') === 'true')))))
    .add('PATCH', '/apikeys/{api_key}', (req, p) => ok(withTags(wireApiKey(apiKeys.updateApiKey(p['api_key']!, patch(req))))))
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
    // GetUsagePlan and UpdateUsagePlan answer "tags": {} when there are none; CreateUsagePlan and GetUsagePlans items
    // do not (LocalStack AWS-validated snapshot test_apigateway_common test_usage_plan_crud).
    .add('GET', '/usageplans/{plan_id}', (_r, p) => ok(withTags(apiKeys.getUsagePlan(p['plan_id']!))))
    .add('PATCH', '/usageplans/{plan_id}', (req, p) => ok(withTags(apiKeys.updateUsagePlan(p['plan_id']!, patch(req)))))
    .add('DELETE', '/usageplans/{plan_id}', (_r, p) => {
      apiKeys.deleteUsagePlan(p['plan_id']!);
      return accepted();
    })
    .add('POST', '/usageplans/{plan_id}/keys', (req, p) => created(wireApiKey(apiKeys.createUsagePlanKey(p['plan_id']!, readJson(req)))))
    .add('GET', '/usageplans/{plan_id}/keys', (req, p) => {
      const keys = apiKeys.getUsagePlanKeys(p['plan_id']!, req.query.get('name') ?? undefined).map(wireApiKey);
      return page(paginate(keys, pageOpts(req)));
    })
    .add('GET', '/usageplans/{plan_id}/keys/{key_id}', (_r, p) => ok(wireApiKey(apiKeys.getUsagePlanKey(p['plan_id']!, p['key_id']!))))
    .add('DELETE', '/usageplans/{plan_id}/keys/{key_id}', (_r, p) => {
      apiKeys.deleteUsagePlanKey(p['plan_id']!, p['key_id']!);
      return accepted();
    });
  return router;
}

/**
 * A key without a name is answered without "name" (AWS leaves it out when it was not given or given as "":
 * LocalStack AWS-validated snapshot test_apigateway_extended test_create_api_key_with_invalid_name).
 */
function wireApiKey<T extends { name: string }>(k: T): Omit<T, 'name'> & { name?: string } {
  if (k.name !== '') return k;
  const { name: _empty, ...rest } = k;
  return rest;
}

function withTags<T extends { tags?: Record<string, string> }>(x: T): T & { tags: Record<string, string> } {
  return { ...x, tags: x.tags ?? {} };
}
