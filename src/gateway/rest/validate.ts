import AjvModule from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Model } from '../../model/restapi.js';
import type { GatewayResult } from '../types.js';
import type { RestRequestContext } from './context.js';
import { gatewayResponse } from './gateway-response.js';
import { mimeOf } from './mapping.js';

// ajv-draft-04 is CommonJS; under NodeNext its class is the module's default export's default.
const AjvDraft04 = (AjvModule as unknown as { default: typeof AjvModule.default }).default ?? AjvModule;
// API Gateway models are JSON Schema draft 4 (AGDG models-mappings-models).
const ajv = new AjvDraft04({ allErrors: false, strict: false, verbose: true });
const compiled = new Map<string, ValidateFunction | Error>();

function validatorFor(model: Model): ValidateFunction | Error {
  const schema = model.schema ?? '{}';
  let v: ValidateFunction | Error | undefined = compiled.get(schema);
  if (!v) {
    try {
      v = ajv.compile(JSON.parse(schema) as object);
    } catch (e) {
      v = e as Error;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(schema, v);
  }
  return v;
}

export type ValidationOutcome = { ok: true } | { ok: false; result: GatewayResult };

/**
 * Request validators (AGDG api-gateway-method-request-validation): required parameters first, then the body
 * against the method's model for the request's content type. Failures are 400 gateway responses with AWS's
 * messages and $context.error.validationErrorString.
 */
export function validateRequest(ctx: RestRequestContext): ValidationOutcome {
  const method = ctx.match!.method.method;
  if (!method.requestValidatorId) return { ok: true };
  const validator = (ctx.api.snapshot.requestValidators ?? []).find((v) => v.id === method.requestValidatorId);
  if (!validator) return { ok: true };
  if (validator.validateRequestParameters) {
    const missing: string[] = [];
    // Reported in the order of the full parameter keys (header < path < querystring, then name) and a blank value
    // counts as missing (LocalStack AWS-validated test_api_gateway_request_validator; AGDG request-validation-test).
    for (const [param, required] of Object.entries(method.requestParameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!required) continue;
      const m = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(param);
      if (!m) continue;
      const [, where, name] = m as unknown as [string, string, string];
      const present =
        where === 'path'
          ? !!ctx.match!.pathParams[name]
          : where.endsWith('querystring')
            ? ctx.query.some(([k, v]) => k === name && v !== '')
            : (ctx.headerMap.get(name.toLowerCase()) ?? []).some((v) => v.trim() !== '');
      if (!present) missing.push(name);
    }
    if (missing.length > 0) {
      const message = `Missing required request parameters: [${missing.join(', ')}]`;
      return { ok: false, result: gatewayResponse(ctx, { type: 'BAD_REQUEST_PARAMETERS', message, validationErrorString: message }) };
    }
  }
  if (validator.validateRequestBody && method.requestModels) {
    const contentType = mimeOf(ctx.header('content-type')) ?? 'application/json';
    const modelName = method.requestModels[contentType] ?? method.requestModels['$default'];
    const model = modelName ? (ctx.api.snapshot.models ?? []).find((m) => m.name === modelName) : undefined;
    if (model) {
      const validate = validatorFor(model);
      let body: unknown;
      let error: string | undefined;
      try {
        body = JSON.parse(ctx.req.body.length ? ctx.req.body.toString('utf8') : '{}');
      } catch (e) {
        error = `Invalid JSON in the request body: ${(e as Error).message}`;
      }
      if (error === undefined) {
        if (validate instanceof Error) error = `The model ${model.name} is not a valid JSON schema: ${validate.message}`;
        else if (!validate(body)) error = describe(validate.errors ?? []);
      }
      if (error !== undefined) {
        return { ok: false, result: gatewayResponse(ctx, { type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrorString: `[${error}]` }) };
      }
    }
  }
  return { ok: true };
}

/**
 * The error in the words of the Java json-schema-validator API Gateway uses (fge style, as real
 * validationErrorString values show: "object has missing required properties ([\"name\"])").
 */
function describe(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const p = e.params as Record<string, unknown>;
      switch (e.keyword) {
        case 'required':
          return `object has missing required properties ([${JSON.stringify(p['missingProperty'])}])`;
        case 'enum':
          return `instance value (${JSON.stringify(instanceAt(e))}) not found in enum (possible values: ${JSON.stringify(p['allowedValues'])})`;
        case 'type':
          return `instance type (${jsonType(instanceAt(e))}) does not match any allowed primitive type (allowed: ${JSON.stringify([p['type']].flat())})`;
        default:
          return `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`;
      }
    })
    .join(', ');
}

function instanceAt(e: ErrorObject): unknown {
  return (e as ErrorObject & { data?: unknown }).data;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
