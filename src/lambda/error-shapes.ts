/**
 * How the AWS Node.js runtime turns thrown values into the error objects callers and logs see.
 * Behaviour follows aws-lambda-nodejs-runtime-interface-client src/Errors.js (our own code, same rules).
 * Runs inside environments; kept free of heavy imports.
 */
import { types } from 'node:util';

/** The JSON object posted to /runtime/invocation/{id}/error and returned as the Invoke payload. */
export interface ErrorPayload {
  /** Absent only when a thrown Error-like has no name (JSON then omits the field, as AWS's does). */
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
}

interface ErrorLike {
  name: string;
  message: string;
  stack: string;
}

function looksLikeError(value: unknown): value is ErrorLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' && v.name !== '' &&
    typeof v.message === 'string' && v.message !== '' &&
    typeof v.stack === 'string' && v.stack !== ''
  );
}

// The runtime escapes DEL because the payload is also carried in a header on some paths.
const escapeDel = (s: string): string => s.replaceAll('\x7F', '%7F');

// Mirrors `value?.replaceAll(...)` in the runtime: absent stays absent, a non-string throws (and the caller falls back).
function escapeOptional(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new TypeError('not a string');
  return escapeDel(value);
}

/** The runtime's error payload: Error-likes keep name/message/stack; anything else becomes `typeof` + toString(). */
export function toErrorPayload(error: unknown): ErrorPayload {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      const e = error as { name?: unknown; message?: unknown; stack?: unknown };
      if (typeof e.stack !== 'string') throw new TypeError('no stack');
      return { errorType: escapeOptional(e.name), errorMessage: escapeOptional(e.message), trace: escapeDel(e.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String((error as { toString(): unknown }).toString()), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** Non-Error values are wrapped before logging, as the runtime's `intoError` does. */
export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(value as string);
}

/**
 * The text after "Invoke Error " / "Uncaught Exception " in the log: a tab, then the error as JSON with its
 * non-enumerable name/message/code made visible and the stack split into lines.
 */
export function formatErrorForLog(error: unknown): string {
  const replacer = (_key: string, value: unknown): unknown => {
    if (!(value instanceof Error)) return value;
    const withProps: Record<string, unknown> = {
      errorType: value.name,
      errorMessage: value.message,
      code: (value as { code?: unknown }).code,
      ...value,
    };
    if (typeof value.stack === 'string') withProps.stack = value.stack.split('\n');
    return withProps;
  };
  try {
    return '\t' + JSON.stringify(error, replacer);
  } catch {
    return '\t' + JSON.stringify(toErrorPayload(error));
  }
}

/** Error classes the runtime reports with a `Runtime.` prefix; the name is on the prototype so stacks carry it. */
export class ImportModuleError extends Error {}
export class HandlerNotFound extends Error {}
export class MalformedHandlerName extends Error {}
export class UserCodeSyntaxError extends Error {}
export class UnhandledPromiseRejection extends Error {
  constructor(
    readonly reason: unknown,
    readonly promise: Promise<unknown>,
  ) {
    super(String(reason));
  }
}
export class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}
for (const cls of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError, UnhandledPromiseRejection, NodeJsExit]) {
  Object.defineProperty(cls.prototype, 'name', { value: `Runtime.${cls.name}`, writable: true, configurable: true });
}
