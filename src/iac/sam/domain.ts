import { createHash } from 'node:crypto';
import { IacError } from '../diagnostics.js';
import { isObject, type CfnResource, type Template } from '../template.js';
import type { SamApi } from './rest-api.js';
import { canonicalJson } from '../../util/canonical-json.js';

/*
 * An Api's or HttpApi's Domain property, as aws-sam-translator 1.110 expands it (model/api/api_generator.py
 * _construct_api_domain and _create_basepath_mapping; model/api/apiv2_generator.py _construct_api_domain and
 * _construct_basepath_mappings): one DomainName named by a hash of the domain name (so APIs that share a domain share
 * the resource), and a mapping per base path to the API's stage. Route53 records are left out: there is no DNS to
 * update locally (name the domain under .localhost and Chromium reaches it).
 */

/**
 * LogicalIdGenerator("", data).gen(): the first 10 hex digits of the SHA-1 of the data, a string or compact JSON with
 * sorted keys (json.dumps(separators=(",", ":"), sort_keys=True)).
 */
function logicalIdHash(data: unknown): string {
  const text = typeof data === 'string' ? data : canonicalJson(data);
  return createHash('sha1').update(text).digest('hex').slice(0, 10);
}

function domainConfig(t: Template, api: SamApi): { config: Record<string, unknown>; basePaths: string[] | undefined } | undefined {
  const domain = api.properties['Domain'];
  if (domain === undefined) return undefined;
  const at = [...api.at, 'Domain'];
  if (!isObject(domain)) throw new IacError(`${api.id}: Domain must be a map`, t.doc.locate(at), 'give DomainName and CertificateArn under Domain');
  for (const key of ['DomainName', 'CertificateArn']) {
    if (domain[key] === undefined) throw new IacError(`${api.id}: Domain.${key} is required`, t.doc.locate(at), `add Domain.${key}`);
  }
  const bp = domain['BasePath'];
  // A string is one base path, a list several; none (or empty) maps the API at the root.
  const basePaths = typeof bp === 'string' && bp !== '' ? [bp] : Array.isArray(bp) && bp.length > 0 ? bp : undefined;
  if (basePaths?.some((b) => typeof b !== 'string')) throw new IacError(`${api.id}: Domain.BasePath must be a string or a list of strings`, t.doc.locate([...at, 'BasePath']));
  return { config: domain, basePaths: basePaths as string[] | undefined };
}

/** Api.Domain → AWS::ApiGateway::DomainName and one AWS::ApiGateway::BasePathMapping per base path. */
export function restApiDomain(t: Template, api: SamApi, stageId: string): Record<string, CfnResource> {
  const found = domainConfig(t, api);
  if (!found) return {};
  const { config, basePaths } = found;
  const endpoint = config['EndpointConfiguration'] ?? 'REGIONAL';
  if (endpoint !== 'EDGE' && endpoint !== 'REGIONAL' && endpoint !== 'PRIVATE') {
    throw new IacError(`${api.id}: EndpointConfiguration for Custom Domains must be one of ['EDGE', 'REGIONAL', 'PRIVATE'].`, t.doc.locate([...api.at, 'Domain', 'EndpointConfiguration']));
  }
  const domainId = `ApiGatewayDomainName${logicalIdHash(config['DomainName'])}`;
  const props: Record<string, unknown> = {
    DomainName: config['DomainName'],
    [endpoint === 'REGIONAL' ? 'RegionalCertificateArn' : 'CertificateArn']: config['CertificateArn'],
    EndpointConfiguration: { Types: [endpoint] },
  };
  for (const k of ['SecurityPolicy', 'OwnershipVerificationCertificateArn']) if (config[k] !== undefined) props[k] = config[k];
  const out: Record<string, CfnResource> = { [domainId]: { Type: 'AWS::ApiGateway::DomainName', Properties: props } };
  const mapping = (basePath: string | undefined): CfnResource => ({
    Type: 'AWS::ApiGateway::BasePathMapping',
    Properties: { ...(basePath !== undefined ? { BasePath: basePath } : {}), DomainName: { Ref: domainId }, RestApiId: { Ref: api.id }, Stage: { Ref: stageId } },
  });
  if (!basePaths) out[`${api.id}BasePathMapping`] = mapping(undefined);
  for (const b of basePaths ?? []) {
    // Only letters and digits are kept ("/v1" → "v1") unless NormalizeBasePath is false.
    const path = [...b].filter((c) => /[\p{L}\p{N}]/u.test(c)).join('');
    out[`${api.id}${path}BasePathMapping`] = mapping(config['NormalizeBasePath'] === false ? b : path);
  }
  for (const id of Object.keys(out)) t.origins.set(id, [...api.at, 'Domain']);
  return out;
}

/** HttpApi.Domain → AWS::ApiGatewayV2::DomainName (REGIONAL only) and one AWS::ApiGatewayV2::ApiMapping per base path. */
export function httpApiDomain(t: Template, api: SamApi, stageId: string): Record<string, CfnResource> {
  const found = domainConfig(t, api);
  if (!found) return {};
  const { config, basePaths } = found;
  const at = [...api.at, 'Domain'];
  const endpoint = config['EndpointConfiguration'] ?? 'REGIONAL';
  if (endpoint !== 'REGIONAL') throw new IacError(`${api.id}: EndpointConfiguration for Custom Domains must be one of ['REGIONAL'].`, t.doc.locate([...at, 'EndpointConfiguration']));
  const domainId = `ApiGatewayDomainNameV2${logicalIdHash(config['DomainName'])}`;
  const configuration: Record<string, unknown> = { CertificateArn: config['CertificateArn'], EndpointType: endpoint };
  for (const k of ['OwnershipVerificationCertificateArn', 'SecurityPolicy']) if (config[k] !== undefined) configuration[k] = config[k];
  const out: Record<string, CfnResource> = {
    [domainId]: { Type: 'AWS::ApiGatewayV2::DomainName', Properties: { DomainName: config['DomainName'], DomainNameConfigurations: [configuration], Tags: { 'httpapi:createdBy': 'SAM' } } },
  };
  const mapping = (key: string | undefined): CfnResource => ({
    Type: 'AWS::ApiGatewayV2::ApiMapping',
    Properties: { ApiId: { Ref: api.id }, ...(key !== undefined ? { ApiMappingKey: key } : {}), DomainName: { Ref: domainId }, Stage: { Ref: stageId } },
  });
  if (!basePaths) out[`${api.id}ApiMapping`] = mapping(undefined);
  for (const b of basePaths ?? []) {
    if (/[^0-9a-zA-Z/\-_]+/.test(b)) throw new IacError(`${api.id}: Invalid Basepath name provided.`, t.doc.locate([...at, 'BasePath']), 'use letters, digits, "-", "_" and "/"');
    out[`${api.id}${b.replace(/[-_/]+/g, '')}ApiMapping`] = mapping(b.replace(/^\/+|\/+$/g, ''));
  }
  for (const id of Object.keys(out)) t.origins.set(id, at);
  return out;
}
