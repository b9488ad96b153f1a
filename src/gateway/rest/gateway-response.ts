import type { GatewayResponseType } from '../../model/restapi.js';
import { DEFAULT_GATEWAY_RESPONSE_TEMPLATE, GATEWAY_RESPONSE_ERROR_TYPE } from '../../model/gateway-responses.js';
import type { GatewayResult, HeaderList } from '../types.js';
import type { RestRequestContext } from './context.js';
import { pickResponseTemplate, render, resolveSource } from './mapping.js';

export interface GatewayError {
  type: GatewayResponseType;
  /** $context.error.message; null renders as {"message":null}, as AWS sends for authorizer failures. */
  message: string | null;
  /** Status when the type has none of its own (DEFAULT_5XX for a malformed Lambda response is 502). */
  status?: number;
  /**
   * The exact body AWS sends while the response is not customised. Integration failures come back as
   * {"message": "Internal server error"} with a space after the colon, which the default template does not
   * produce (LocalStack AWS-validated snapshots, Content-Length 36).
   */
  defaultBody?: string;
  errorType?: string;
  /** $context.error.validationErrorString (request validation failures). */
  validationErrorString?: string;
}

/**
 * Renders a gateway-generated response (error or otherwise) through the API's gateway responses: their status,
 * their header mappings (this is where Enable CORS's DEFAULT_4XX/5XX headers come from) and their templates.
 */
export function gatewayResponse(ctx: RestRequestContext, error: GatewayError): GatewayResult {
  const compiled = ctx.api.gatewayResponses.get(error.type)!;
  const declared = compiled.response.statusCode;
  const status = compiled.customized
    ? declared !== undefined
      ? Number(declared)
      : (error.status ?? compiled.status)
    : (error.status ?? compiled.status);
  const messageString = JSON.stringify(error.message);
  const contextExtra = {
    error: {
      message: error.message,
      messageString,
      responseType: error.type,
      validationErrorString: error.validationErrorString ?? '',
    },
  };
  const headers: HeaderList = [];
  for (const h of compiled.headers) {
    const v = resolveSource(h.source, { ctx, contextExtra });
    if (v !== undefined) headers.push([h.name, v]);
  }
  let body: string;
  let contentType = 'application/json';
  const picked = pickResponseTemplate(compiled.templates, ctx.header('accept'));
  if (error.defaultBody !== undefined && !compiled.customized) {
    body = error.defaultBody;
  } else if (picked?.template?.source === DEFAULT_GATEWAY_RESPONSE_TEMPLATE) {
    // What the default template renders to, without building $context for it (every 403/404 of an unknown route).
    body = `{"message":${messageString}}`;
    contentType = picked.contentType;
  } else if (picked?.template) {
    const out = render(picked.template, ctx, '', contextExtra);
    body = out.output;
    contentType = picked.contentType;
  } else {
    body = '';
  }
  if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.unshift(['Content-Type', contentType]);
  headers.push(['x-amzn-RequestId', ctx.requestId]);
  headers.push(['x-amzn-ErrorType', error.errorType ?? GATEWAY_RESPONSE_ERROR_TYPE[error.type]]);
  headers.push(['x-amz-apigw-id', ctx.extendedRequestId]);
  return { status, headers, body };
}
