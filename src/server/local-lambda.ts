import type { FunctionService } from '../control/functions.js';
import { functionNameOf } from '../control/functions.js';
import { AwsError, lambdaNotFound } from '../control/errors.js';
import { LambdaInvokeError, type LambdaInvocation, type LambdaInvoker } from '../gateway/ports.js';
import type { LambdaRuntime } from '../lambda/runtime.js';
import { TooManyRequestsError } from '../lambda/platform.js';
import type { FunctionSpec, InvokeResult } from '../lambda/spec.js';
import { MAX_SYNC_PAYLOAD_BYTES } from '../lambda/spec.js';

export interface InvokeOptions {
  invocationType?: 'RequestResponse' | 'Event' | 'DryRun';
  logTail?: boolean;
  clientContext?: string;
}

/** What Invoke did: a synchronous result, a queued event (202), or a dry run (204). */
export type InvokeApiResult = { kind: 'sync'; result: InvokeResult } | { kind: 'event'; requestId: string } | { kind: 'dryRun' };

/** Lambda's synchronous request limit: 6 MB (6291456 bytes, as AWS's message states it). */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/**
 * Asynchronous invocations: "For asynchronous invocations, the maximum payload size is 1 MB" (LDG API_Invoke.md,
 * 2025; it was 256 KB). UNCERTAIN: that the limit is exactly 1048576 bytes.
 */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Invokes functions by name on the local runtime: for the Invoke API (with AWS's error types) and, through the
 * LambdaInvoker port, for API Gateway integrations.
 */
export class LocalLambda implements LambdaInvoker {
  /** Specs by function name, so an API Gateway invocation does not read the store; dropped on any change. */
  private readonly specs = new Map<string, FunctionSpec | null>();

  constructor(
    private readonly functions: FunctionService,
    private readonly runtime: LambdaRuntime,
  ) {}

  /** Forget what we know about a function (or all, for writes made by another process). */
  forget(name?: string): void {
    if (name === undefined) this.specs.clear();
    else {
      this.specs.delete(name);
      // Deleted: its log events and code watcher go too.
      if (!this.functions.find(name)) void this.runtime.forget(name);
    }
  }

  private specOf(name: string): FunctionSpec | null {
    let spec = this.specs.get(name);
    if (spec === undefined) {
      const f = this.functions.find(name);
      spec = f ? this.functions.spec(f) : null;
      if (this.specs.size > 10_000) this.specs.clear();
      this.specs.set(name, spec);
    }
    return spec;
  }

  /** The Invoke API: validates as Lambda does and runs, queues or dry-runs the invocation. */
  async invokeApi(name: string, payload: Buffer, options: InvokeOptions = {}): Promise<InvokeApiResult> {
    const f = this.functions.get(name);
    const type = options.invocationType ?? 'RequestResponse';
    if (type === 'Event' && payload.length > MAX_EVENT_BYTES) {
      // Captured: "264496 byte payload is too large for the Event invocation type (limit 262144 bytes)",
      // RequestEntityTooLargeException (ASFHyP3/hyp3#2241, when the limit was 256 KB).
      throw new AwsError(413, 'RequestEntityTooLargeException', `${payload.length} byte payload is too large for the Event invocation type (limit ${MAX_EVENT_BYTES} bytes)`);
    }
    if (payload.length > MAX_REQUEST_BYTES) {
      // Captured: "Request must be smaller than 6291456 bytes for the InvokeFunction operation", status 413, error
      // code RequestEntityTooLargeException (awslabs/aws-athena-query-federation#793; pelmers/streetwarp-web#14),
      // not the RequestTooLargeException botocore models.
      throw new AwsError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`);
    }
    const text = payload.length === 0 ? '{}' : payload.toString('utf8');
    try {
      JSON.parse(text);
    } catch (e) {
      throw new AwsError(400, 'InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
    }
    if (type === 'DryRun') return { kind: 'dryRun' };
    const spec = this.functions.spec(f);
    if (type === 'Event') {
      // "Lambda passes the ClientContext object to your function for synchronous invocations only" (API_Invoke.md),
      // and an event's log goes to the function's log only.
      const functionName = spec.name;
      const requestId = this.runtime.invokeAsync(functionName, () => this.specOf(functionName) ?? undefined, { payload: text });
      return { kind: 'event', requestId };
    }
    const request = { payload: text, ...(options.logTail ? { logTail: true } : {}), ...(options.clientContext ? { clientContext: options.clientContext } : {}) };
    try {
      return { kind: 'sync', result: await this.runtime.invoke(spec, request) };
    } catch (e) {
      if (e instanceof TooManyRequestsError) {
        throw Object.assign(new AwsError(429, 'TooManyRequestsException', 'Rate Exceeded.'), { reason: e.reason });
      }
      throw e;
    }
  }

  invoke(functionRef: string, payload: string, body?: string): Promise<LambdaInvocation> {
    const spec = this.specOf(functionNameOf(functionRef));
    if (!spec) return Promise.reject(new LambdaInvokeError('not-found', `function ${functionRef} does not exist`));
    if (eventBytesOver(payload, body, MAX_SYNC_PAYLOAD_BYTES)) {
      return Promise.reject(new LambdaInvokeError('too-large', 'the event is larger than Lambda accepts (6 MB)'));
    }
    try {
      // The runtime's own promise, not one of ours around it: its result is a LambdaInvocation already (payload,
      // functionError when failed), and it refuses synchronously, so there is nothing to wait for to map a refusal.
      return this.runtime.dispatch(spec, body === undefined ? { payload } : { payload, body });
    } catch (e) {
      if (e instanceof TooManyRequestsError) return Promise.reject(new LambdaInvokeError('throttled', e.message));
      return Promise.reject(new LambdaInvokeError('failed', (e as Error).message));
    }
  }
}

export { lambdaNotFound };

/** Whether the event (its JSON text, with the body written into it when apart) is over `limit` bytes of UTF-8. */
function eventBytesOver(payload: string, body: string | undefined, limit: number): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8, and escaping a body for JSON at most sextuples it (\u0000).
  const most = payload.length * 3 + (body === undefined ? 0 : body.length * 6);
  if (most <= limit) return false;
  return Buffer.byteLength(payload) + (body === undefined ? 0 : Buffer.byteLength(JSON.stringify(body)) - 4) > limit;
}
