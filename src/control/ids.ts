import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Lowercase alphanumeric ids as API Gateway makes them (design doc: API 10, resource 10, deployment 6). */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 252 = 7 * 36: rejecting the top values keeps the distribution uniform.
  for (let i = 0; out.length < length; i++) {
    if (i >= bytes.length) return out + randomId(length - out.length);
    const b = bytes[i]!;
    if (b < 252) out += ALPHANUMERIC[b % 36];
  }
  return out;
}

export const newRestApiId = () => randomId(10);
/** Root resources get 10 characters, child resources 6, as AWS makes them. */
export const newRootResourceId = () => randomId(10);
export const newResourceId = () => randomId(6);
export const newDeploymentId = () => randomId(6);
export const newRequestId = () => randomUUID();

export const ACCOUNT_ID = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

export function lambdaArn(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`;
}
