import type { ControlPlane } from '../control/index.js';
import { DomainNameService } from '../control/domain-names.js';
import { validatePatchOperations } from '../control/patch.js';
import { readJson } from './json-body.js';
import { itemPage, pageOptions } from './paging.js';
import { WireRouter, type WireRequest, type WireResponse } from './router.js';

/**
 * Custom domain names on both wire APIs (botocore apigateway 2015-07-09: 201/202, lists as {"item": [...]};
 * apigatewayv2 2018-11-29: 201/204, lists as {"items": [...]}). One domain resource behind both, as on AWS.
 */
export function domainNameRoutes(control: ControlPlane, router: WireRouter = new WireRouter()): WireRouter {
  const d = control.domains;
  const ok = (body: unknown): WireResponse => ({ status: 200, body });
  const created = (body: unknown): WireResponse => ({ status: 201, body });
  const patch = (req: WireRequest) => validatePatchOperations(readJson(req)['patchOperations']);
  return router
    // ---- v1
    .add('POST', '/domainnames', (req) => created(DomainNameService.v1View(d.createDomainName(readJson(req)))))
    .add('GET', '/domainnames', (req) => ok(itemPage(d.getDomainNames(pageOptions(req)), DomainNameService.v1View)))
    .add('GET', '/domainnames/{domain_name}', (_r, p) => ok(DomainNameService.v1View(d.getDomainName(p['domain_name']!))))
    .add('PATCH', '/domainnames/{domain_name}', (req, p) => ok(DomainNameService.v1View(d.updateDomainName(p['domain_name']!, patch(req)))))
    .add('DELETE', '/domainnames/{domain_name}', (_r, p) => {
      d.deleteDomainName(p['domain_name']!);
      return { status: 202 };
    })
    .add('POST', '/domainnames/{domain_name}/basepathmappings', (req, p) => created(d.createBasePathMapping(p['domain_name']!, readJson(req))))
    .add('GET', '/domainnames/{domain_name}/basepathmappings', (req, p) => ok(itemPage(d.getBasePathMappings(p['domain_name']!, pageOptions(req)))))
    .add('GET', '/domainnames/{domain_name}/basepathmappings/{base_path}', (_r, p) => ok(d.getBasePathMapping(p['domain_name']!, p['base_path']!)))
    .add('PATCH', '/domainnames/{domain_name}/basepathmappings/{base_path}', (req, p) => ok(d.updateBasePathMapping(p['domain_name']!, p['base_path']!, patch(req))))
    .add('DELETE', '/domainnames/{domain_name}/basepathmappings/{base_path}', (_r, p) => {
      d.deleteBasePathMapping(p['domain_name']!, p['base_path']!);
      return { status: 202 };
    })
    // ---- v2
    .add('POST', '/v2/domainnames', (req) => created(DomainNameService.v2View(d.createDomainNameV2(readJson(req)))))
    .add('GET', '/v2/domainnames', () => ok({ items: d.getDomainNamesV2().map(DomainNameService.v2View) }))
    .add('GET', '/v2/domainnames/{domainName}', (_r, p) => ok(DomainNameService.v2View(d.getDomainNameV2(p['domainName']!))))
    .add('DELETE', '/v2/domainnames/{domainName}', (_r, p) => {
      d.deleteDomainName(p['domainName']!, 'v2');
      return { status: 204 };
    })
    .add('POST', '/v2/domainnames/{domainName}/apimappings', (req, p) => created(d.createApiMapping(p['domainName']!, readJson(req))))
    .add('GET', '/v2/domainnames/{domainName}/apimappings', (_r, p) => ok({ items: d.getApiMappings(p['domainName']!) }))
    .add('GET', '/v2/domainnames/{domainName}/apimappings/{apiMappingId}', (_r, p) => ok(d.getApiMapping(p['domainName']!, p['apiMappingId']!)))
    .add('PATCH', '/v2/domainnames/{domainName}/apimappings/{apiMappingId}', (req, p) => ok(d.updateApiMapping(p['domainName']!, p['apiMappingId']!, readJson(req))))
    .add('DELETE', '/v2/domainnames/{domainName}/apimappings/{apiMappingId}', (_r, p) => {
      d.deleteApiMapping(p['domainName']!, p['apiMappingId']!);
      return { status: 204 };
    });
}
