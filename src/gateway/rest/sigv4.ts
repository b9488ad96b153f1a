import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RestRequestContext } from './context.js';

/** A caller IAM auth knows: an access key, its secret, and who it is. */
export interface IamCredential {
  secretAccessKey: string;
  /** e.g. arn:aws:iam::000000000000:user/alice */
  arn: string;
  /** The principal id AWS reports as caller/user, e.g. AIDA... */
  userId: string;
}

export type SigV4Result =
  | { ok: true; accessKey: string; credential: IamCredential }
  | { ok: false; kind: 'missing' | 'incomplete' | 'unknown-key' | 'mismatch' | 'expired' | 'future'; message: string; errorType: string };

const FIVE_MINUTES = 5 * 60_000;

/**
 * Verifies an AWS Signature Version 4 Authorization header for execute-api (AWS docs "Create a signed AWS API
 * request"; API Gateway's failure texts as real responses quote them: mhart/aws4#33, aws-amplify/amplify-flutter#1539,
 * badslug/Paw-AWSSignature4DynamicValue#5, aws-amplify/aws-sdk-android#253).
 */
export function verifySigV4(ctx: RestRequestContext, credentials: ReadonlyMap<string, IamCredential>, now = Date.now()): SigV4Result {
  const header = ctx.header('authorization');
  if (!header) return { ok: false, kind: 'missing', message: 'Missing Authentication Token', errorType: 'MissingAuthenticationTokenException' };
  const parsed = parseAuthorization(header);
  if ('error' in parsed) return { ok: false, kind: 'incomplete', message: parsed.error, errorType: 'IncompleteSignatureException' };
  const amzDate = ctx.header('x-amz-date') ?? '';
  const credential = credentials.get(parsed.accessKey);
  if (!credential) return { ok: false, kind: 'unknown-key', message: 'The security token included in the request is invalid.', errorType: 'UnrecognizedClientException' };
  const requestTime = parseAmzDate(amzDate);
  if (requestTime === undefined) {
    return { ok: false, kind: 'incomplete', message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`, errorType: 'IncompleteSignatureException' };
  }
  if (requestTime < now - FIVE_MINUTES) {
    return {
      ok: false,
      kind: 'expired',
      message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - FIVE_MINUTES)} (${formatAmzDate(now)} - 5 min.)`,
      errorType: 'InvalidSignatureException',
    };
  }
  if (requestTime > now + FIVE_MINUTES) {
    return {
      ok: false,
      kind: 'future',
      message: `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + FIVE_MINUTES)} (${formatAmzDate(now)} + 5 min.)`,
      errorType: 'InvalidSignatureException',
    };
  }
  const canonical = canonicalRequest(ctx, parsed.signedHeaders);
  const [date, region, service] = parsed.scope;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const kDate = hmac(`AWS4${credential.secretAccessKey}`, date!);
  const signature = hmac(hmac(hmac(kDate, region!), service!), 'aws4_request');
  const expected = createHmac('sha256', signature).update(stringToSign).digest('hex');
  const given = Buffer.from(parsed.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
    return {
      ok: false,
      kind: 'mismatch',
      message: `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
      errorType: 'InvalidSignatureException',
    };
  }
  return { ok: true, accessKey: parsed.accessKey, credential };
}

function parseAuthorization(header: string): { accessKey: string; scope: string[]; signedHeaders: string[]; signature: string } | { error: string } {
  const missing = (): { error: string } => ({
    error:
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
      `Authorization=${header}`,
  });
  if (!header.startsWith('AWS4-HMAC-SHA256 ')) return missing();
  const fields: Record<string, string> = {};
  for (const part of header.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq === -1) return { error: `'${p}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.` };
    fields[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const cred = fields['Credential'];
  const signed = fields['SignedHeaders'];
  const signature = fields['Signature'];
  if (!cred || !signed || !signature) return missing();
  const [accessKey, ...scope] = cred.split('/');
  if (!accessKey || scope.length !== 4 || scope[3] !== 'aws4_request') return missing();
  return { accessKey, scope, signedHeaders: signed.split(';'), signature };
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters percent-encoded, upper-case hex. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalRequest(ctx: RestRequestContext, signedHeaders: string[]): string {
  const req = ctx.req;
  // The path as the client sent it, stage included, each segment escaped once more (non-S3 services).
  const path = req.urlPath ?? ctx.stagePath;
  const canonicalUri = path
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
  const pairs = req.rawQuery === '' ? [] : req.rawQuery.split('&').filter(Boolean).map((kv) => {
    const eq = kv.indexOf('=');
    const k = decodeLoose(eq === -1 ? kv : kv.slice(0, eq));
    const v = eq === -1 ? '' : decodeLoose(kv.slice(eq + 1));
    return [uriEncode(k), uriEncode(v)] as const;
  });
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const canonicalQuery = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const headers = signedHeaders
    .map((name) => {
      const values = ctx.headerMap.get(name) ?? [];
      return `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
    })
    .join('');
  const payloadHash = ctx.header('x-amz-content-sha256') ?? sha256Hex(req.body);
  return `${req.method}\n${canonicalUri}\n${canonicalQuery}\n${headers}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
