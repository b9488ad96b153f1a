import { BlockList, isIP } from 'node:net';
import { ACCOUNT_ID } from '../../control/ids.js';

/** Who is asking, as a resource policy sees it. */
export interface PolicyRequest {
  /** The method ARN: arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path} */
  arn: string;
  apiId: string;
  region: string;
  /** The IAM caller's ARN when the method uses AWS_IAM; anonymous otherwise. */
  principalArn?: string;
  sourceIp: string;
  referer?: string;
  userAgent?: string;
}

export type PolicyDecision = 'allow' | 'deny' | 'none';

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

/** A resource policy that does not parse: the data plane answers 500 and logs why. */
export class PolicyError extends Error {}

/**
 * Evaluates an API's resource policy for execute-api:Invoke (AGDG apigateway-resource-policies*): 'deny' on an
 * explicit Deny, 'allow' on an Allow, 'none' when no statement applies. `execute-api:/...` resources are
 * shorthand for this API's ARN. Conditions on VPC keys never match locally (no request comes through a VPC here).
 */
export function evaluateResourcePolicy(policyText: string, req: PolicyRequest): PolicyDecision {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch (e) {
    throw new PolicyError(`the API's resource policy is not JSON: ${(e as Error).message}`);
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : [];
  let allowed = false;
  for (const s of statements as Statement[]) {
    if (!principalMatches(s, req) || !actionMatches(s) || !resourceMatches(s, req) || !conditionsMatch(s.Condition, req)) continue;
    if (s.Effect === 'Deny') return 'deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'none';
}

function list(v: unknown): string[] {
  return v === undefined || v === null ? [] : ([] as unknown[]).concat(v).map(String);
}

function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.split('?').map((q) => q.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.'))
      .join('.*')}$`,
    caseInsensitive ? 'i' : '',
  );
  return re.test(value);
}

function principalMatches(s: Statement, req: PolicyRequest): boolean {
  const match = (p: unknown): boolean => {
    if (p === '*') return true;
    if (p && typeof p === 'object') {
      const aws = list((p as Record<string, unknown>)['AWS']);
      if (aws.includes('*')) return true;
      // An AWS principal only ever matches a signed (AWS_IAM) caller.
      if (!req.principalArn) return false;
      return aws.some((a) => a === req.principalArn || a === `arn:aws:iam::${ACCOUNT_ID}:root` || a === ACCOUNT_ID || wildcard(a, req.principalArn!));
    }
    return false;
  };
  if (s.NotPrincipal !== undefined) return !match(s.NotPrincipal);
  return s.Principal === undefined ? false : match(s.Principal);
}

function actionMatches(s: Statement): boolean {
  const matches = (a: string) => wildcard(a, 'execute-api:Invoke', true);
  if (s.NotAction !== undefined) return !list(s.NotAction).some(matches);
  return list(s.Action).some(matches);
}

function expandResource(r: string, req: PolicyRequest): string {
  // "execute-api:/stage/GET/pets" is expanded against this API when the policy is saved (AGDG examples).
  return r.startsWith('execute-api:/') ? `arn:aws:execute-api:${req.region}:${ACCOUNT_ID}:${req.apiId}/${r.slice('execute-api:/'.length)}` : r;
}

function resourceMatches(s: Statement, req: PolicyRequest): boolean {
  const matches = (r: string) => wildcard(expandResource(r, req), req.arn);
  if (s.NotResource !== undefined) return !list(s.NotResource).some(matches);
  return list(s.Resource).some(matches);
}

/** The request context keys a local request can have; VPC keys are absent by nature. */
function contextValue(key: string, req: PolicyRequest): string | undefined {
  switch (key.toLowerCase()) {
    case 'aws:sourceip':
      return req.sourceIp;
    case 'aws:referer':
      return req.referer;
    case 'aws:useragent':
      return req.userAgent;
    case 'aws:principalarn':
      return req.principalArn;
    case 'aws:principalaccount':
      return req.principalArn ? ACCOUNT_ID : undefined;
    case 'aws:securetransport':
      return 'false';
    case 'aws:currenttime':
      return new Date().toISOString();
    case 'aws:epochtime':
      return String(Math.floor(Date.now() / 1000));
    default:
      return undefined;
  }
}

/**
 * IAM condition evaluation for the operators resource policies use: a missing key fails a positive operator and
 * satisfies a negated one (IAM "condition operators" docs), ...IfExists passes on a missing key.
 */
function conditionsMatch(conditions: unknown, req: PolicyRequest): boolean {
  if (!conditions || typeof conditions !== 'object') return true;
  for (const [rawOp, block] of Object.entries(conditions as Record<string, unknown>)) {
    const ifExists = rawOp.endsWith('IfExists');
    const op = ifExists ? rawOp.slice(0, -'IfExists'.length) : rawOp;
    for (const [key, expected] of Object.entries((block ?? {}) as Record<string, unknown>)) {
      const value = contextValue(key, req);
      const values = list(expected);
      const negated = op.startsWith('Not') || op.includes('NotEquals') || op.includes('NotLike');
      if (value === undefined) {
        if (ifExists || negated) continue;
        return false;
      }
      let hit: boolean;
      switch (op) {
        case 'IpAddress':
        case 'NotIpAddress':
          hit = values.some((cidr) => ipInCidr(value, cidr));
          break;
        case 'StringEquals':
        case 'StringNotEquals':
          hit = values.includes(value);
          break;
        case 'StringEqualsIgnoreCase':
        case 'StringNotEqualsIgnoreCase':
          hit = values.some((v) => v.toLowerCase() === value.toLowerCase());
          break;
        case 'StringLike':
        case 'StringNotLike':
          hit = values.some((v) => wildcard(v, value));
          break;
        case 'ArnEquals':
        case 'ArnLike':
        case 'ArnNotEquals':
        case 'ArnNotLike':
          hit = values.some((v) => wildcard(v, value));
          break;
        case 'Bool':
          hit = values.some((v) => v.toLowerCase() === value.toLowerCase());
          break;
        default:
          // An operator we do not know never grants or denies on a guess.
          return false;
      }
      if (negated ? hit : !hit) return false;
    }
  }
  return true;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/');
  const type = isIP(net ?? '');
  if (!type || isIP(ip) === 0) return false;
  const list = new BlockList();
  const family = type === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(net!, family);
  else list.addSubnet(net!, Number(bits), family);
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/** The ARN as AWS words it in a denial: the account masked to its last four digits. */
export function maskedArn(arn: string): string {
  return arn.replace(/^(arn:aws[a-z-]*:execute-api:[^:]*:)(\d{8})(\d{4})(:)/, '$1********$3$4');
}
