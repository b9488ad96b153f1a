import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The token that callers on other machines must present to the control plane when the server is bound to a
 * non-loopback address (`--allow-remote`). The control plane creates and runs code (Lambda functions), so anyone who
 * can reach it can run programs on this machine; loopback callers are protected by the Host and Origin checks, remote
 * ones by this.
 */

/** 24 random bytes, URL-safe: usable as an HTTP header value and as an AWS access key id (no "/" or "="). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_.~-]{16,256}$/;

/** Why a token given on the command line cannot be used, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (!TOKEN_SHAPE.test(token)) {
    return 'a token must be 16 to 256 characters from A-Z a-z 0-9 - _ . ~ (it travels in headers and as an AWS access key id)';
  }
  return undefined;
}

/**
 * Where a client can put the token, so every kind of client can send it:
 * - `X-Preflight-Token: <token>` (curl, fetch),
 * - `Authorization: Bearer <token>`,
 * - as the access key id of a SigV4 signature (`AWS_ACCESS_KEY_ID=<token>` for the AWS CLI and SDKs, which cannot add
 *   headers of their own): `Authorization: AWS4-HMAC-SHA256 Credential=<token>/...`, or `X-Amz-Credential` in a
 *   presigned URL's query.
 */
export function presentedTokens(headers: IncomingHttpHeaders, rawQuery: string): string[] {
  const found: string[] = [];
  const own = headers['x-preflight-token'];
  if (typeof own === 'string') found.push(own.trim());
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (bearer) found.push(bearer[1]!);
    const sigv4 = /Credential=([^/,\s]+)\//.exec(auth);
    if (sigv4) found.push(sigv4[1]!);
  }
  if (rawQuery.includes('X-Amz-Credential=')) {
    const credential = new URLSearchParams(rawQuery).get('X-Amz-Credential');
    if (credential) found.push(credential.split('/')[0]!);
  }
  return found;
}

/** Compares in constant time (over hashes, so lengths do not leak either). */
export function tokenMatches(expected: string, presented: readonly string[]): boolean {
  const want = createHash('sha256').update(expected).digest();
  let ok = false;
  for (const p of presented) {
    const got = createHash('sha256').update(p).digest();
    if (timingSafeEqual(want, got)) ok = true;
  }
  return ok;
}
