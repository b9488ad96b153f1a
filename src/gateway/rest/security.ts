import type { GatewayResult } from '../types.js';
import type { RestRequestContext } from './context.js';
import { gatewayResponse } from './gateway-response.js';
import { authorizeRest, methodArn, type RestAuthDeps, type RestAuthorization } from './authorize.js';
import { evaluateResourcePolicy, maskedArn, PolicyError } from './resource-policy.js';
import { verifySigV4, type IamCredential } from './sigv4.js';

export interface SecurityDeps extends RestAuthDeps {
  /** Access keys IAM (SigV4) auth accepts, by access key id. */
  iamCredentials: ReadonlyMap<string, IamCredential>;
}

export type SecurityOutcome = { ok: true; auth?: RestAuthorization } | { ok: false; result: GatewayResult };

/**
 * Who may call the method, in AWS's order (AGDG apigateway-authorization-flow): IAM signature, the resource
 * policy's explicit denies (before any authorizer runs), the authorizer, then the resource policy combined with
 * the authorizer's decision (Table A: same account).
 */
export function secureRequest(ctx: RestRequestContext, deps: SecurityDeps): SecurityOutcome | Promise<SecurityOutcome> {
  // Nothing to check (no authorization, no resource policy), the common case: answered at once, with no ARN to build
  // and no promise to wait for.
  if (ctx.match!.method.method.authorizationType === 'NONE' && !ctx.api.snapshot.api.policy) return OPEN;
  return checkCaller(ctx, deps);
}

const OPEN: SecurityOutcome = { ok: true };

async function checkCaller(ctx: RestRequestContext, deps: SecurityDeps): Promise<SecurityOutcome> {
  const method = ctx.match!.method.method;
  const policyText = ctx.api.snapshot.api.policy;
  const arn = methodArn(ctx, deps.region);
  let principalArn: string | undefined;
  if (method.authorizationType === 'AWS_IAM') {
    const sig = verifySigV4(ctx, deps.iamCredentials);
    if (!sig.ok) {
      deps.log(ctx.requestId, `IAM authentication failed: ${sig.kind}`);
      const type = sig.kind === 'missing' ? 'MISSING_AUTHENTICATION_TOKEN' : 'INVALID_SIGNATURE';
      return { ok: false, result: gatewayResponse(ctx, { type, message: sig.message, errorType: sig.errorType }) };
    }
    principalArn = sig.credential.arn;
    ctx.setCaller({ iamIdentity: {
      accessKey: sig.accessKey,
      accountId: arnAccount(sig.credential.arn),
      caller: sig.credential.userId,
      user: sig.credential.userId,
      userArn: sig.credential.arn,
    } });
  }
  const policyDecision = (): 'allow' | 'deny' | 'none' | 'broken' => {
    if (!policyText) return 'none';
    try {
      return evaluateResourcePolicy(policyText, {
        arn,
        apiId: ctx.api.apiId,
        region: deps.region,
        ...(principalArn ? { principalArn } : {}),
        sourceIp: ctx.req.sourceIp,
        ...(ctx.header('referer') ? { referer: ctx.header('referer')! } : {}),
        ...(ctx.header('user-agent') ? { userAgent: ctx.header('user-agent')! } : {}),
      });
    } catch (e) {
      deps.log(ctx.requestId, `Execution failed due to configuration error: ${e instanceof PolicyError ? e.message : String(e)}`);
      return 'broken';
    }
  };
  const who = principalArn ?? 'anonymous';
  const denied = (explicit: boolean): SecurityOutcome => {
    // Real texts: "... with an explicit deny", and "... because no resource-based policy allows the execute-api:Invoke
    // action" for an implicit one; the account masked to its last four digits (research notes rest-security §5).
    const message = `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${maskedArn(arn)}${explicit ? ' with an explicit deny' : ' because no resource-based policy allows the execute-api:Invoke action'}`;
    return { ok: false, result: gatewayResponse(ctx, { type: 'ACCESS_DENIED', message, defaultBody: JSON.stringify({ Message: message }) }) };
  };
  const decision = policyDecision();
  if (decision === 'broken') return { ok: false, result: gatewayResponse(ctx, { type: 'DEFAULT_5XX', message: 'Internal server error', status: 500, defaultBody: '{"message": "Internal server error"}', errorType: 'InternalServerErrorException' }) };
  if (decision === 'deny') return denied(true);
  const auth = await authorizeRest(ctx, deps);
  if (!auth.ok) return auth;
  if (policyText && decision !== 'allow') {
    // Without an Allow in the resource policy only an authorizer's or IAM's own Allow admits the caller; with no
    // authorization (NONE) or Cognito, the resource policy must allow explicitly.
    const type = method.authorizationType;
    if (type === 'NONE' || type === 'COGNITO_USER_POOLS') return denied(false);
  }
  return auth.auth ? { ok: true, auth: auth.auth } : { ok: true };
}

function arnAccount(arn: string): string {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? '000000000000';
}
