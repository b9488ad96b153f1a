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

/** Lambda's synchronous request limit: 6 MB (Invoke API RequestTooLargeException). */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

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
    else this.specs.delete(name);
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

  /** The Invoke API: validates as Lambda does and returns the runtime's result. */
  async invokeApi(name: string, payload: Buffer, options: InvokeOptions = {}): Promise<InvokeResult | null> {
    const f = this.functions.get(name);
    if (payload.length > MAX_REQUEST_BYTES) {
      throw new AwsError(413, 'RequestTooLargeException', `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`);
    }
    const text = payload.length === 0 ? '{}' : payload.toString('utf8');
    try {
      JSON.parse(text);
    } catch (e) {
      throw new AwsError(400, 'InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
    }
    if (options.invocationType === 'DryRun') return null;
    const spec = this.functions.spec(f);
    const request = { payload: text, ...(options.logTail ? { logTail: true } : {}), ...(options.clientContext ? { clientContext: options.clientContext } : {}) };
    if (options.invocationType === 'Event') {
      // Queued: the caller gets 202 at once; errors go to the function's log, as for AWS async invokes.
      void this.runtime.invoke(spec, request).catch(() => undefined);
      return null;
    }
    try {
      return await this.runtime.invoke(spec, request);
    } catch (e) {
      if (e instanceof TooManyRequestsError) {
        throw Object.assign(new AwsError(429, 'TooManyRequestsException', 'Rate Exceeded.'), { reason: e.reason });
      }
      throw e;
    }
  }

  async invoke(functionRef: string, payload: string): Promise<LambdaInvocation> {
    const spec = this.specOf(functionNameOf(functionRef));
    if (!spec) throw new LambdaInvokeError('not-found', `function ${functionRef} does not exist`);
    if (payload.length * 3 > MAX_SYNC_PAYLOAD_BYTES && Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD_BYTES) {
      throw new LambdaInvokeError('too-large', 'the event is larger than Lambda accepts (6 MB)');
    }
    try {
      const r = await this.runtime.invoke(spec, { payload });
      return r.functionError ? { payload: r.payload, functionError: r.functionError } : { payload: r.payload };
    } catch (e) {
      if (e instanceof TooManyRequestsError) throw new LambdaInvokeError('throttled', e.message);
      throw new LambdaInvokeError('failed', (e as Error).message);
    }
  }
}

export { lambdaNotFound };
