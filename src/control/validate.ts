import { z } from 'zod';
import { badRequest, validationError } from './errors.js';

/**
 * Parses control-plane input with a zod schema and turns the first problem into a BadRequestException whose
 * message names the field (as a JSON path), what was wrong and what is allowed: for enum members it uses the
 * Coral validation wording AWS services answer with.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  const value = valueAt(input, issue.path);
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const allowed = (issue.values as unknown[]).map(String).join(', ');
    throw validationError(
      `1 validation error detected: Value '${String(value)}' at '${operation}.${where}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed}]`,
    );
  }
  if (issue.code === 'invalid_type' && value === undefined) {
    throw badRequest(`Missing required field '${where}' in ${operation}`);
  }
  throw badRequest(`Invalid value for '${where}' in ${operation}: ${issue.message}`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export const stringMap = z.record(z.string(), z.string());
export const booleanMap = z.record(z.string(), z.boolean());
