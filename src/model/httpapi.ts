/**
 * HTTP API (API Gateway v2, protocolType HTTP) shapes, named and cased as the v2 wire API (botocore apigatewayv2
 * 2018-11-29) names them: camelCase members, ISO 8601 timestamps.
 */

export interface CorsConfiguration {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface HttpApi {
  apiId: string;
  name: string;
  protocolType: 'HTTP';
  apiEndpoint: string;
  apiKeySelectionExpression: string;
  routeSelectionExpression: string;
  createdDate: string;
  description?: string;
  disableExecuteApiEndpoint: boolean;
  disableSchemaValidation?: boolean;
  corsConfiguration?: CorsConfiguration;
  ipAddressType?: string;
  tags: Record<string, string>;
  version?: string;
}

export type HttpAuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'JWT';

export interface HttpRoute {
  routeId: string;
  routeKey: string;
  /** integrations/{integrationId} */
  target?: string;
  authorizationType: HttpAuthorizationType;
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  apiGatewayManaged?: boolean;
  operationName?: string;
  requestParameters?: Record<string, { required: boolean }>;
}

export type HttpIntegrationType = 'AWS_PROXY' | 'HTTP_PROXY' | 'AWS' | 'HTTP' | 'MOCK';

export interface HttpIntegration {
  integrationId: string;
  integrationType: HttpIntegrationType;
  integrationUri?: string;
  integrationMethod?: string;
  payloadFormatVersion: string;
  timeoutInMillis: number;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  description?: string;
  apiGatewayManaged?: boolean;
  requestParameters?: Record<string, string>;
  responseParameters?: Record<string, Record<string, string>>;
  integrationSubtype?: string;
  credentialsArn?: string;
  tlsConfig?: { serverNameToVerify?: string };
}

export interface JwtConfiguration {
  audience?: string[];
  issuer?: string;
}

export interface HttpAuthorizer {
  authorizerId: string;
  name: string;
  authorizerType: 'JWT' | 'REQUEST';
  identitySource: string[];
  jwtConfiguration?: JwtConfiguration;
  authorizerUri?: string;
  authorizerPayloadFormatVersion?: string;
  authorizerResultTtlInSeconds?: number;
  enableSimpleResponses?: boolean;
  identityValidationExpression?: string;
  authorizerCredentialsArn?: string;
}

export interface RouteSettings {
  dataTraceEnabled?: boolean;
  detailedMetricsEnabled?: boolean;
  loggingLevel?: string;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

export interface HttpStage {
  stageName: string;
  autoDeploy: boolean;
  deploymentId?: string;
  description?: string;
  createdDate: string;
  lastUpdatedDate: string;
  defaultRouteSettings: RouteSettings;
  routeSettings: Record<string, RouteSettings>;
  stageVariables?: Record<string, string>;
  lastDeploymentStatusMessage?: string;
  tags: Record<string, string>;
  apiGatewayManaged?: boolean;
}

export interface HttpDeployment {
  deploymentId: string;
  createdDate: string;
  deploymentStatus: 'DEPLOYED' | 'PENDING' | 'FAILED';
  description?: string;
  autoDeployed: boolean;
}

/** What an HTTP API deployment freezes for the data plane. */
export interface HttpApiSnapshot {
  format: 1;
  api: Pick<HttpApi, 'apiId' | 'name' | 'corsConfiguration' | 'disableExecuteApiEndpoint'>;
  routes: HttpRoute[];
  integrations: HttpIntegration[];
  authorizers: HttpAuthorizer[];
}
