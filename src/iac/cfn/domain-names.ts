import type { PatchOperation } from '../../control/patch.js';
import type { DomainName } from '../../model/domain-names.js';
import { isObject } from '../template.js';
import { call, str, type DeployContext, type Physical } from './context.js';

/*
 * Custom domain names in templates: AWS::ApiGateway::DomainName / BasePathMapping and AWS::ApiGatewayV2::DomainName /
 * ApiMapping. A domain is updated in place on reload, so the mappings that name it survive; a mapping is put
 * (created or changed) under its base path. Ref and Fn::GetAtt as the CloudFormation resource reference documents
 * them (DomainName: Ref the name; DistributionDomainName, RegionalDomainName, ... attributes).
 */

/** CloudFormation's Tags: [{Key, Value}] (v1) or a map (v2). */
function tagsOf(v: unknown): Record<string, string> | undefined {
  if (Array.isArray(v)) return Object.fromEntries(v.filter(isObject).map((t) => [String(t['Key']), String(t['Value'])]));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  return undefined;
}

function domainPhysical(type: string, d: DomainName): Physical {
  const attrs: Record<string, string> = {};
  if (d.distributionDomainName) attrs['DistributionDomainName'] = d.distributionDomainName;
  if (d.distributionHostedZoneId) attrs['DistributionHostedZoneId'] = d.distributionHostedZoneId;
  if (d.regionalDomainName) attrs['RegionalDomainName'] = d.regionalDomainName;
  if (d.regionalHostedZoneId) attrs['RegionalHostedZoneId'] = d.regionalHostedZoneId;
  return { type, id: d.domainName, attrs };
}

/** An existing domain takes the template's certificate and TLS policy; its mappings stay. */
function updateInPlace(ctx: DeployContext, id: string, existing: DomainName, certificate: string | undefined, securityPolicy: string | undefined): DomainName {
  const ops: PatchOperation[] = [];
  const certPath = existing.endpointType === 'EDGE' ? '/certificateArn' : '/regionalCertificateArn';
  if (certificate !== undefined) ops.push({ op: 'replace', path: certPath, value: certificate });
  if (securityPolicy !== undefined) ops.push({ op: 'replace', path: '/securityPolicy', value: securityPolicy });
  return ops.length ? call(ctx, id, [], () => ctx.control.domains.updateDomainName(existing.domainName, ops)) : existing;
}

export function domainName(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const name = str(p['DomainName']) ?? '';
  const types = isObject(p['EndpointConfiguration']) && Array.isArray(p['EndpointConfiguration']['Types']) ? p['EndpointConfiguration']['Types'].map(String) : ['EDGE'];
  const regional = types.includes('REGIONAL');
  const certificate = str(regional ? p['RegionalCertificateArn'] : p['CertificateArn']);
  const securityPolicy = str(p['SecurityPolicy']);
  const existing = name ? ctx.control.domains.find(name) : undefined;
  if (existing) return domainPhysical('AWS::ApiGateway::DomainName', updateInPlace(ctx, id, existing, certificate, securityPolicy));
  const input: Record<string, unknown> = { domainName: name, endpointConfiguration: { types } };
  if (p['CertificateArn'] !== undefined) input['certificateArn'] = String(p['CertificateArn']);
  if (p['RegionalCertificateArn'] !== undefined) input['regionalCertificateArn'] = String(p['RegionalCertificateArn']);
  if (securityPolicy !== undefined) input['securityPolicy'] = securityPolicy;
  const tags = tagsOf(p['Tags']);
  if (tags) input['tags'] = tags;
  return domainPhysical('AWS::ApiGateway::DomainName', call(ctx, id, [], () => ctx.control.domains.createDomainName(input)));
}

export function domainNameV2(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const name = str(p['DomainName']) ?? '';
  const config = Array.isArray(p['DomainNameConfigurations']) && isObject(p['DomainNameConfigurations'][0]) ? p['DomainNameConfigurations'][0] : {};
  const existing = name ? ctx.control.domains.find(name) : undefined;
  if (existing) return domainPhysical('AWS::ApiGatewayV2::DomainName', updateInPlace(ctx, id, existing, str(config['CertificateArn']), str(config['SecurityPolicy'])));
  const configuration: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) configuration[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  const input: Record<string, unknown> = { domainName: name, domainNameConfigurations: [configuration] };
  const tags = tagsOf(p['Tags']);
  if (tags) input['tags'] = tags;
  return domainPhysical('AWS::ApiGatewayV2::DomainName', call(ctx, id, [], () => ctx.control.domains.createDomainNameV2(input)));
}

export function basePathMapping(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const domain = str(p['DomainName']) ?? '';
  const basePath = str(p['BasePath']) ?? '';
  const domains = ctx.control.domains;
  const wanted = { restApiId: str(p['RestApiId']), ...(p['Stage'] !== undefined ? { stage: String(p['Stage']) } : {}) };
  const key = basePath === '' ? '(none)' : basePath;
  if (domains.findMapping(domain, basePath === '(none)' ? '' : basePath)) {
    const ops: PatchOperation[] = [
      { op: 'replace', path: '/restapiId', value: wanted.restApiId ?? '' },
      { op: 'replace', path: '/stage', value: wanted.stage ?? '(none)' },
    ];
    call(ctx, id, [], () => domains.updateBasePathMapping(domain, key, ops));
  } else call(ctx, id, [], () => domains.createBasePathMapping(domain, { basePath, ...wanted }));
  return { type: 'AWS::ApiGateway::BasePathMapping', id: `${domain}/${key}`, attrs: {} };
}

export function apiMapping(ctx: DeployContext, id: string, p: Record<string, unknown>): Physical {
  const domain = str(p['DomainName']) ?? '';
  const input = { apiId: str(p['ApiId']), apiMappingKey: str(p['ApiMappingKey']) ?? '', stage: str(p['Stage']) };
  const domains = ctx.control.domains;
  const existing = domains.findMapping(domain, input.apiMappingKey);
  const m = existing
    ? call(ctx, id, [], () => domains.updateApiMapping(domain, existing.id, input))
    : call(ctx, id, [], () => domains.createApiMapping(domain, input));
  return { type: 'AWS::ApiGatewayV2::ApiMapping', id: m.apiMappingId, attrs: { ApiMappingId: m.apiMappingId } };
}

/** Removes what a template no longer has; mappings first, so their APIs can go too. */
export function removeDomainResource(ctx: Pick<DeployContext, 'control'>, p: Physical): void {
  const domains = ctx.control.domains;
  if (p.type === 'AWS::ApiGateway::BasePathMapping') {
    const slash = p.id.indexOf('/');
    domains.deleteBasePathMapping(p.id.slice(0, slash), p.id.slice(slash + 1));
  } else if (p.type === 'AWS::ApiGatewayV2::ApiMapping') {
    const domain = domains.domainOfMapping(p.id);
    if (domain) domains.deleteApiMapping(domain, p.id);
  } else if (p.type === 'AWS::ApiGateway::DomainName' || p.type === 'AWS::ApiGatewayV2::DomainName') domains.deleteDomainName(p.id);
}

export const DOMAIN_TYPES = ['AWS::ApiGateway::DomainName', 'AWS::ApiGatewayV2::DomainName', 'AWS::ApiGateway::BasePathMapping', 'AWS::ApiGatewayV2::ApiMapping'];
