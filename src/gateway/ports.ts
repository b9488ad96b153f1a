/** What the data plane needs from the rest of the system, so each handler can be tested with fakes. */

export interface LambdaInvocation {
  /** JSON text the function returned, or its error object. */
  payload: string;
  /** 'Unhandled' when the function failed (X-Amz-Function-Error). */
  functionError?: string;
}

export class LambdaInvokeError extends Error {
  constructor(
    readonly kind: 'not-found' | 'throttled' | 'too-large' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

export interface LambdaInvoker {
  /**
   * Invokes a function by name or ARN, synchronously; rejects with LambdaInvokeError when it cannot run. `body`, when
   * given, is the event's top-level body, null in `payload` (see InvokeRequest.body).
   */
  invoke(functionRef: string, payload: string, body?: string): Promise<LambdaInvocation>;
}

/** Execution log lines, like API Gateway's CloudWatch execution logs: one per notable step. */
export type ExecutionLog = (requestId: string, message: string) => void;
