import { badRequest, validationError } from './errors.js';

/** One entry of `patchOperations`, the update format of every API Gateway Update* call. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: string;
  from?: string;
}

/** Splits a patch path into its segments, undoing the JSON-pointer escapes AWS uses (`~1` is `/`, `~0` is `~`). */
export function pathSegments(path: string): string[] {
  if (!path.startsWith('/')) throw badRequest(`Invalid patch path '${path}': a path starts with '/'`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function requireValue(op: PatchOperation): string {
  if (op.value === undefined || op.value === null) {
    throw badRequest(`Invalid patch operation: op '${op.op}' on path '${op.path}' needs a value`);
  }
  return String(op.value);
}

export function parseBooleanValue(op: PatchOperation): boolean {
  const v = requireValue(op).toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value '${op.value}' for ${op.path}: expected 'true' or 'false'`);
}

export function unsupportedPatch(op: PatchOperation, allowed: readonly string[]): never {
  throw badRequest(
    // Two spaces after "path": AWS's own text (LocalStack AWS-validated snapshot test_apigateway_api update-resource).
    `Invalid patch path  '${op.path}' specified for op '${op.op}'. Must be one of: [${allowed.join(', ')}]`,
  );
}

/**
 * Applies a patch to a string map field such as `variables` or `responseParameters`:
 * add/replace set the key, remove deletes it. Returns the new map (undefined when it became empty).
 */
export function patchMap<T>(
  current: Record<string, T> | undefined,
  key: string,
  op: PatchOperation,
  convert: (op: PatchOperation) => T,
): Record<string, T> | undefined {
  const next: Record<string, T> = { ...(current ?? {}) };
  if (op.op === 'remove') {
    if (!(key in next)) throw badRequest(`Invalid patch path '${op.path}': nothing to remove at '${key}'`);
    delete next[key];
  } else if (op.op === 'add' || op.op === 'replace') {
    next[key] = convert(op);
  } else {
    throw badRequest(`Invalid patch operation '${op.op}' for path '${op.path}': use add, replace or remove`);
  }
  return Object.keys(next).length > 0 ? next : undefined;
}

export function validatePatchOperations(ops: unknown): PatchOperation[] {
  if (ops === undefined || ops === null) return [];
  if (!Array.isArray(ops)) throw badRequest('patchOperations must be a list of {op, path, value} objects');
  return ops.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw badRequest(`patchOperations[${i}] must be an object`);
    const o = raw as Record<string, unknown>;
    const op = o['op'];
    if (op !== 'add' && op !== 'remove' && op !== 'replace' && op !== 'move' && op !== 'copy' && op !== 'test') {
      throw validationError(
        `1 validation error detected: Value '${String(op)}' at 'patchOperations.${i + 1}.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]`,
      );
    }
    if (typeof o['path'] !== 'string') throw badRequest(`patchOperations[${i}].path must be a string such as '/description'`);
    const out: PatchOperation = { op, path: o['path'] };
    if (o['value'] !== undefined && o['value'] !== null) out.value = String(o['value']);
    if (typeof o['from'] === 'string') out.from = o['from'];
    return out;
  });
}

/** AWS's answer to an op other than replace on a replace-only field. */
export function requireReplace(op: PatchOperation): void {
  if (op.op !== 'replace') throw badRequest('Invalid patch operation specified. Must be one of: [replace]');
}
