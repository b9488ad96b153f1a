import type { GatewayResponse, GatewayResponseType } from './restapi.js';

/**
 * AWS's gateway response types with their default status codes (AGDG supported-gateway-response-types.md;
 * LocalStack AWS-validated snapshot test_apigateway_api test_gateway_response_crud "get-gateway-responses").
 * DEFAULT_4XX and DEFAULT_5XX have no status of their own.
 */
export const GATEWAY_RESPONSE_DEFAULT_STATUS: Readonly<Record<GatewayResponseType, string | undefined>> = {
  ACCESS_DENIED: '403',
  API_CONFIGURATION_ERROR: '500',
  AUTHORIZER_CONFIGURATION_ERROR: '500',
  AUTHORIZER_FAILURE: '500',
  BAD_REQUEST_BODY: '400',
  BAD_REQUEST_PARAMETERS: '400',
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  EXPIRED_TOKEN: '403',
  INTEGRATION_FAILURE: '504',
  INTEGRATION_TIMEOUT: '504',
  INVALID_API_KEY: '403',
  INVALID_SIGNATURE: '403',
  MISSING_AUTHENTICATION_TOKEN: '403',
  QUOTA_EXCEEDED: '429',
  REQUEST_TOO_LARGE: '413',
  RESOURCE_NOT_FOUND: '404',
  THROTTLED: '429',
  UNAUTHORIZED: '401',
  UNSUPPORTED_MEDIA_TYPE: '415',
  WAF_FILTERED: '403',
};

export const GATEWAY_RESPONSE_TYPES = Object.keys(GATEWAY_RESPONSE_DEFAULT_STATUS) as GatewayResponseType[];

/** The order AWS lists the types in its ValidationException (test_apigateway_api, invalid responseType). */
export const GATEWAY_RESPONSE_ENUM_ORDER: readonly GatewayResponseType[] = [
  'REQUEST_TOO_LARGE', 'RESOURCE_NOT_FOUND', 'AUTHORIZER_CONFIGURATION_ERROR', 'MISSING_AUTHENTICATION_TOKEN',
  'BAD_REQUEST_BODY', 'INVALID_SIGNATURE', 'INVALID_API_KEY', 'BAD_REQUEST_PARAMETERS', 'AUTHORIZER_FAILURE',
  'UNAUTHORIZED', 'INTEGRATION_TIMEOUT', 'ACCESS_DENIED', 'DEFAULT_4XX', 'DEFAULT_5XX', 'WAF_FILTERED',
  'QUOTA_EXCEEDED', 'THROTTLED', 'API_CONFIGURATION_ERROR', 'UNSUPPORTED_MEDIA_TYPE', 'INTEGRATION_FAILURE',
  'EXPIRED_TOKEN',
];

/** The template every non-customised gateway response uses. */
export const DEFAULT_GATEWAY_RESPONSE_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * A gateway response as GetGatewayResponse reports it: the customised one if put, else the default, which
 * inherits status, parameters and templates from a customised DEFAULT_4XX/DEFAULT_5XX of its class.
 */
export function effectiveGatewayResponse(type: GatewayResponseType, custom: readonly GatewayResponse[]): GatewayResponse {
  const own = custom.find((g) => g.responseType === type);
  if (own) return own;
  const status = GATEWAY_RESPONSE_DEFAULT_STATUS[type];
  const parentType = status === undefined ? undefined : status.startsWith('5') ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const parent = parentType ? custom.find((g) => g.responseType === parentType) : undefined;
  const out: GatewayResponse = {
    responseType: type,
    defaultResponse: true,
    responseParameters: { ...(parent?.responseParameters ?? {}) },
    responseTemplates: parent?.responseTemplates ? { ...parent.responseTemplates } : { 'application/json': DEFAULT_GATEWAY_RESPONSE_TEMPLATE },
  };
  const code = parent?.statusCode ?? status;
  if (code !== undefined) out.statusCode = code;
  return out;
}

/** AWS's x-amzn-ErrorType per gateway response type (LocalStack gateway_response.py; validated ones noted there). */
export const GATEWAY_RESPONSE_ERROR_TYPE: Readonly<Record<GatewayResponseType, string>> = {
  ACCESS_DENIED: 'AccessDeniedException',
  API_CONFIGURATION_ERROR: 'ApiConfigurationException',
  AUTHORIZER_CONFIGURATION_ERROR: 'AuthorizerConfigurationException',
  AUTHORIZER_FAILURE: 'AuthorizerFailureException',
  BAD_REQUEST_BODY: 'BadRequestException',
  BAD_REQUEST_PARAMETERS: 'BadRequestException',
  DEFAULT_4XX: 'BadRequestException',
  DEFAULT_5XX: 'InternalServerErrorException',
  EXPIRED_TOKEN: 'ExpiredTokenException',
  INTEGRATION_FAILURE: 'InternalServerErrorException',
  INTEGRATION_TIMEOUT: 'InternalServerErrorException',
  INVALID_API_KEY: 'ForbiddenException',
  INVALID_SIGNATURE: 'InvalidSignatureException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  QUOTA_EXCEEDED: 'LimitExceededException',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
  RESOURCE_NOT_FOUND: 'ResourceNotFoundException',
  THROTTLED: 'TooManyRequestsException',
  UNAUTHORIZED: 'UnauthorizedException',
  UNSUPPORTED_MEDIA_TYPE: 'BadRequestException',
  WAF_FILTERED: 'WafFilteredException',
};
