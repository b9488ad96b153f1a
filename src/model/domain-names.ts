/**
 * Custom domain names (API Gateway v1 DomainName / v2 DomainName: one resource on AWS, seen through either API) and
 * their mappings (v1 BasePathMapping / v2 ApiMapping: one list per domain). Shapes as botocore's apigateway
 * 2015-07-09 and apigatewayv2 2018-11-29 models name them.
 */
export type DomainEndpointType = 'EDGE' | 'REGIONAL';

/** What is stored; the v1 and v2 views are derived from it (src/control/domain-names.ts). */
export interface DomainName {
  domainName: string;
  endpointType: DomainEndpointType;
  certificateName?: string;
  certificateArn?: string;
  regionalCertificateName?: string;
  regionalCertificateArn?: string;
  /** Epoch seconds. */
  certificateUploadDate: number;
  /** EDGE: the CloudFront distribution AWS would create. */
  distributionDomainName?: string;
  distributionHostedZoneId?: string;
  /** REGIONAL: the execute-api name a DNS record points at. */
  regionalDomainName?: string;
  regionalHostedZoneId?: string;
  securityPolicy: 'TLS_1_0' | 'TLS_1_2';
  tags?: Record<string, string>;
}

export interface DomainMapping {
  domainName: string;
  /** '' for the empty base path, "(none)" in v1. */
  key: string;
  /** The v2 ApiMappingId. */
  id: string;
  /** A REST or HTTP API id. */
  apiId: string;
  /** Absent: the caller names the stage after the base path (v1 only). */
  stage?: string;
}

/** A domain name as API Gateway v1 shows it (GetDomainName). */
export type DomainNameView = Omit<DomainName, 'endpointType'> & { endpointConfiguration: { types: DomainEndpointType[] }; domainNameStatus: 'AVAILABLE' };

/** The v1 wire shape of a mapping. */
export interface BasePathMapping {
  basePath: string;
  restApiId: string;
  stage?: string;
}

/** The v2 wire shape of a mapping. */
export interface ApiMapping {
  apiId: string;
  apiMappingId: string;
  apiMappingKey: string;
  stage: string;
}
