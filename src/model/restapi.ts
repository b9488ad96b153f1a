/**
 * REST API (API Gateway v1) data shapes, named and cased exactly as the AWS wire API names them
 * (botocore apigateway 2015-07-09 service model), so the same objects serve the store, the wire API and snapshots.
 */

export type EndpointType = 'EDGE' | 'REGIONAL' | 'PRIVATE';
export type ApiKeySource = 'HEADER' | 'AUTHORIZER';
export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS';
export type IntegrationType = 'HTTP' | 'AWS' | 'MOCK' | 'HTTP_PROXY' | 'AWS_PROXY';
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
export type ContentHandling = 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';
export type ConnectionType = 'INTERNET' | 'VPC_LINK';

// Order as AWS lists them in its validation message (LocalStack AWS-validated snapshot test_put_integration_wrong_type).
export const INTEGRATION_TYPES: readonly IntegrationType[] = ['HTTP', 'MOCK', 'AWS_PROXY', 'HTTP_PROXY', 'AWS'];
export const AUTHORIZATION_TYPES: readonly AuthorizationType[] = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'];
export const PASSTHROUGH_BEHAVIORS: readonly PassthroughBehavior[] = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'];
/** Methods a REST API method may be created for; ANY matches every method without its own. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** What ANY stands for when Enable CORS lists a resource's methods. */
export const ANY_EXPANSION = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

export interface EndpointConfiguration {
  types: EndpointType[];
  vpcEndpointIds?: string[];
  ipAddressType?: string;
}

export interface RestApi {
  id: string;
  name: string;
  description?: string;
  /** Epoch seconds, as the wire API sends timestamps. */
  createdDate: number;
  version?: string;
  binaryMediaTypes?: string[];
  minimumCompressionSize?: number;
  apiKeySource: ApiKeySource;
  endpointConfiguration: EndpointConfiguration;
  policy?: string;
  tags?: Record<string, string>;
  disableExecuteApiEndpoint: boolean;
  rootResourceId: string;
}

export interface MethodResponse {
  statusCode: string;
  responseParameters?: Record<string, boolean>;
  responseModels?: Record<string, string>;
}

export interface IntegrationResponse {
  statusCode: string;
  selectionPattern?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  contentHandling?: ContentHandling;
}

export interface Integration {
  type: IntegrationType;
  httpMethod?: string;
  uri?: string;
  connectionType?: ConnectionType;
  connectionId?: string;
  credentials?: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  passthroughBehavior?: PassthroughBehavior;
  contentHandling?: ContentHandling;
  timeoutInMillis: number;
  cacheNamespace?: string;
  cacheKeyParameters: string[];
  integrationResponses?: Record<string, IntegrationResponse>;
  tlsConfig?: { insecureSkipVerification?: boolean };
}

export interface Method {
  httpMethod: string;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  apiKeyRequired: boolean;
  requestValidatorId?: string;
  operationName?: string;
  requestParameters?: Record<string, boolean>;
  requestModels?: Record<string, string>;
  methodResponses?: Record<string, MethodResponse>;
  methodIntegration?: Integration;
  authorizationScopes?: string[];
}

export interface Resource {
  id: string;
  parentId?: string;
  pathPart?: string;
  path: string;
  resourceMethods?: Record<string, Method>;
}

export interface Deployment {
  id: string;
  description?: string;
  createdDate: number;
}

/** Stage cache capacities in GB, as the wire API spells them (botocore CacheClusterSize enum). */
export const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;
export type CacheClusterSize = (typeof CACHE_CLUSTER_SIZES)[number];
export type CacheClusterStatus = 'CREATE_IN_PROGRESS' | 'AVAILABLE' | 'DELETE_IN_PROGRESS' | 'NOT_AVAILABLE' | 'FLUSH_IN_PROGRESS';

/** What a stage does with a client's `Cache-Control: max-age=0` when the caller may not invalidate the cache. */
export const UNAUTHORIZED_CACHE_CONTROL_HEADER_STRATEGIES = ['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'] as const;
export type UnauthorizedCacheControlHeaderStrategy = (typeof UNAUTHORIZED_CACHE_CONTROL_HEADER_STRATEGIES)[number];
export const LOGGING_LEVELS = ['OFF', 'ERROR', 'INFO'] as const;
export type LoggingLevel = (typeof LOGGING_LEVELS)[number];

/**
 * One entry of Stage.methodSettings, keyed "{resourcePath}/{httpMethod}" with the path's slashes escaped as AWS
 * keeps them ("~1pets/GET"), or the wildcard key (star, slash, star) for every method. Every field is present once
 * the entry exists.
 */
export interface MethodSetting {
  metricsEnabled: boolean;
  /** Present only once set. */
  loggingLevel?: LoggingLevel;
  dataTraceEnabled: boolean;
  /** Negative: no stage-level limit (Terraform's -1). */
  throttlingBurstLimit: number;
  throttlingRateLimit: number;
  cachingEnabled: boolean;
  cacheTtlInSeconds: number;
  cacheDataEncrypted: boolean;
  requireAuthorizationForCacheControl: boolean;
  unauthorizedCacheControlHeaderStrategy: UnauthorizedCacheControlHeaderStrategy;
}

export interface AccessLogSettings {
  format?: string;
  destinationArn?: string;
}

export interface Stage {
  stageName: string;
  deploymentId: string;
  description?: string;
  variables?: Record<string, string>;
  clientCertificateId?: string;
  cacheClusterEnabled: boolean;
  /** Present once a size was given or the cache was enabled (AWS then reports "0.5"). */
  cacheClusterSize?: CacheClusterSize;
  cacheClusterStatus: CacheClusterStatus;
  methodSettings: Record<string, MethodSetting>;
  accessLogSettings?: AccessLogSettings;
  tracingEnabled: boolean;
  tags?: Record<string, string>;
  createdDate: number;
  lastUpdatedDate: number;
}

export type GatewayResponseType =
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'RESOURCE_NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'INVALID_API_KEY'
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_FAILURE'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'INVALID_SIGNATURE'
  | 'EXPIRED_TOKEN'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'API_CONFIGURATION_ERROR'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'WAF_FILTERED';

export interface GatewayResponse {
  responseType: GatewayResponseType;
  statusCode?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  defaultResponse: boolean;
}

export type AuthorizerType = 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS';

export interface Authorizer {
  id: string;
  name: string;
  type: AuthorizerType;
  providerARNs?: string[];
  authType?: string;
  authorizerUri?: string;
  authorizerCredentials?: string;
  identitySource?: string;
  identityValidationExpression?: string;
  authorizerResultTtlInSeconds?: number;
}

export interface RequestValidator {
  id: string;
  name: string;
  validateRequestBody: boolean;
  validateRequestParameters: boolean;
}

export interface Model {
  id: string;
  name: string;
  description?: string;
  /** JSON Schema (draft 4) as text. */
  schema?: string;
  contentType: string;
}

export interface StageKey {
  restApiId: string;
  stageName: string;
}

export interface ApiKey {
  id: string;
  value: string;
  name: string;
  customerId?: string;
  description?: string;
  enabled: boolean;
  createdDate: number;
  lastUpdatedDate: number;
  /** "{restApiId}/{stageName}" as the wire API lists them. */
  stageKeys: string[];
  tags?: Record<string, string>;
}

export interface ThrottleSettings {
  burstLimit?: number;
  rateLimit?: number;
}

export interface QuotaSettings {
  limit?: number;
  offset?: number;
  period?: 'DAY' | 'WEEK' | 'MONTH';
}

export interface ApiStage {
  apiId: string;
  stage: string;
  /** Per-method overrides keyed "/resource/path/METHOD". */
  throttle?: Record<string, ThrottleSettings>;
}

export interface UsagePlan {
  id: string;
  name: string;
  description?: string;
  apiStages: ApiStage[];
  throttle?: ThrottleSettings;
  quota?: QuotaSettings;
  productCode?: string;
  tags?: Record<string, string>;
}

export interface UsagePlanKey {
  id: string;
  type: 'API_KEY';
  value: string;
  name: string;
}

/**
 * What a deployment freezes: everything the data plane needs to serve a stage, and nothing it does not.
 * Versioned so that snapshots written by an older preflight stay readable (later fields are optional).
 */
export interface ApiSnapshot {
  format: 1;
  api: Pick<RestApi, 'id' | 'name' | 'apiKeySource' | 'binaryMediaTypes' | 'minimumCompressionSize' | 'policy' | 'disableExecuteApiEndpoint' | 'rootResourceId'>;
  resources: Resource[];
  gatewayResponses: GatewayResponse[];
  authorizers?: Authorizer[];
  requestValidators?: RequestValidator[];
  models?: Model[];
}
