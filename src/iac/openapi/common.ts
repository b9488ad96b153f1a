import { isAwsError } from '../../control/errors.js';
import { IacError, type SourceLocation } from '../diagnostics.js';
import type { JsonPath } from '../source.js';

/** Where an OpenAPI document's values are, for error messages (a template's Body, a file, a wire request). */
export type Locator = (path: JsonPath) => SourceLocation | undefined;

export const HTTP_OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'x-amazon-apigateway-any-method'] as const;

export function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Runs one control-plane call; AWS's validation error becomes a template error at the definition's place. */
export function atPath<T>(locate: Locator, path: JsonPath, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isAwsError(e)) throw new IacError(`${what}: ${e.message}`, locate(path), 'API Gateway would refuse this definition too; fix the value at this place');
    throw e;
  }
}

export function operationMethod(key: string): string {
  return key === 'x-amazon-apigateway-any-method' ? 'ANY' : key.toUpperCase();
}

/** The document is Swagger 2.0 (else OpenAPI 3.x). */
export function isSwagger2(doc: Record<string, unknown>): boolean {
  return typeof doc['swagger'] === 'string';
}

export function refName(ref: unknown): string | undefined {
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}
