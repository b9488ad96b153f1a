/**
 * Errors of the control plane, typed as AWS types them. The wire transports render them (API Gateway:
 * `{"message": ...}`; Lambda: `{"Type": "User", "Message": ...}`) with the `x-amzn-ErrorType` header.
 */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export const badRequest = (message: string) => new AwsError(400, 'BadRequestException', message);
/** Model-constraint failures (enum members, patterns) come back as ValidationException, not BadRequestException. */
export const validationError = (message: string) => new AwsError(400, 'ValidationException', message);
export const notFound = (message: string) => new AwsError(404, 'NotFoundException', message);
export const conflict = (message: string) => new AwsError(409, 'ConflictException', message);
export const tooManyRequests = (message: string) => new AwsError(429, 'TooManyRequestsException', message);

// Lambda's own error vocabulary (botocore lambda 2015-03-31 model).
export const lambdaNotFound = (message: string) => new AwsError(404, 'ResourceNotFoundException', message);
export const lambdaConflict = (message: string) => new AwsError(409, 'ResourceConflictException', message);
export const lambdaInvalid = (message: string) => new AwsError(400, 'InvalidParameterValueException', message);
export const lambdaTooLarge = (message: string) => new AwsError(413, 'RequestTooLargeException', message);

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}
