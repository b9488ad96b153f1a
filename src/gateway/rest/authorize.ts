import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Authorizer } from '../../model/restapi.js';
import { functionNameOf } from '../../control/functions.js';
import { ACCOUNT_ID } from '../../control/ids.js';
import type { JwksResolver } from '../../auth/jwks.js';
import { policyAllows } from '../http/authorize.js';
import { AuthorizerCache } from '../http/authorize.js';
import type { ExecutionLog, LambdaInvoker } from '../ports.js';
import type { GatewayResult } from '../types.js';
import type { RestRequestContext } from './context.js';
import { gatewayResponse } from './gateway-response.js';
import { buildProxyEvent } from './lambda-proxy.js';

export interface RestAuthDeps {
  lambda: LambdaInvoker;
  jwks: JwksResolver;
  cache: AuthorizerCache;
  log: ExecutionLog;
  region: string;
}

/** What an authorizer established about the caller, for requestContext.authorizer and $context.authorizer. */
export interface RestAuthorization {
  authorizer: Record<string, unknown>;
  /** The API key an authorizer chose (apiKeySource AUTHORIZER). */
  usageIdentifierKey?: string;
}

export type RestAuthOutcome = { ok: true; auth?: RestAuthorization } | { ok: false; result: GatewayResult };

/** The ARN an authorizer's policy is evaluated against: arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}. */
export function methodArn(ctx: RestRequestContext, region: string): string {
  return `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${ctx.api.apiId}/${ctx.stage.name}/${ctx.req.method}${ctx.req.path === '/' ? '/' : ctx.req.path}`;
}

/** Runs the method's authorizer (CUSTOM: Lambda TOKEN/REQUEST, COGNITO_USER_POOLS); NONE and AWS_IAM pass here. */
export async function authorizeRest(ctx: RestRequestContext, deps: RestAuthDeps): Promise<RestAuthOutcome> {
  const method = ctx.match!.method.method;
  if (method.authorizationType !== 'CUSTOM' && method.authorizationType !== 'COGNITO_USER_POOLS') return { ok: true };
  const authorizer = (ctx.api.snapshot.authorizers ?? []).find((a) => a.id === method.authorizerId);
  if (!authorizer) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: authorizer ${method.authorizerId} is not part of this deployment`);
    return fail(ctx, 'AUTHORIZER_CONFIGURATION_ERROR', null);
  }
  if (authorizer.type === 'COGNITO_USER_POOLS') return cognito(ctx, authorizer, method.authorizationScopes ?? [], deps);
  return lambdaAuthorizer(ctx, authorizer, deps);
}

/**
 * A refusal through the API's gateway responses. Two defaults differ from the default template: an access denial
 * says {"Message": ...} with a capital M, and a broken authorizer {"message": null} (real responses quoted in
 * auth0-samples/jwt-rsa-aws-custom-authorizer#6, aws/aws-lambda-go#81 and serverless#11808).
 */
function fail(ctx: RestRequestContext, type: 'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_CONFIGURATION_ERROR', message: string | null): RestAuthOutcome {
  const defaultBody = type === 'ACCESS_DENIED' ? JSON.stringify({ Message: message }) : type === 'AUTHORIZER_CONFIGURATION_ERROR' ? '{"message": null}' : undefined;
  return { ok: false, result: gatewayResponse(ctx, { type, message, ...(defaultBody !== undefined ? { defaultBody } : {}) }) };
}

// ---- Lambda authorizers (TOKEN, REQUEST) -----------------------------------------------------------------------

interface Decision {
  expires: number;
  allow: boolean;
  context: Record<string, unknown>;
}

/** A cached authorizer answer, with its policy's verdict per method ARN worked out once. */
interface CachedRestDecision extends Decision {
  policy?: Record<string, unknown>;
  usageIdentifierKey?: string;
  verdicts?: Map<string, 'allow' | 'deny' | 'none'>;
}

/** Values of a REQUEST authorizer's identity sources (comma-separated method.request.*, stageVariables.*, context.*). */
function identityValues(ctx: RestRequestContext, source: string): (string | undefined)[] {
  return source
    .split(',')
    .map((s) => s.trim())
    .map((part) => {
      let m = /^method\.request\.(header|multivalueheader)\.(.+)$/.exec(part);
      if (m) return ctx.headerMap.get(m[2]!.toLowerCase())?.join(',');
      m = /^method\.request\.(querystring|multivaluequerystring)\.(.+)$/.exec(part);
      if (m) {
        const values = ctx.query.filter(([k]) => k === m![2]).map(([, v]) => v);
        return values.length ? values.join(',') : undefined;
      }
      m = /^stageVariables\.(.+)$/.exec(part);
      if (m) return ctx.stage.variables[m[1]!];
      m = /^context\.(.+)$/.exec(part);
      if (m) {
        const v = ctx.vtlContext()[m[1]!];
        return v === undefined || v === null ? undefined : String(v);
      }
      return undefined;
    });
}

/**
 * Lambda authorizers (AGDG apigateway-use-lambda-authorizer, api-gateway-lambda-authorizer-input/-output): the
 * identity must be present (and match identityValidationExpression for TOKEN) or the answer is 401 without calling
 * the function; the returned IAM policy is evaluated against the method ARN; decisions are cached per identity
 * for authorizerResultTtlInSeconds and reused for every method of the API.
 */
async function lambdaAuthorizer(ctx: RestRequestContext, authorizer: Authorizer, deps: RestAuthDeps): Promise<RestAuthOutcome> {
  const arn = methodArn(ctx, deps.region);
  let identity: string[];
  if (authorizer.type === 'TOKEN') {
    const header = /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource ?? 'method.request.header.Authorization')?.[1] ?? 'Authorization';
    const token = ctx.headerMap.get(header.toLowerCase())?.[0];
    if (!token) return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
    if (authorizer.identityValidationExpression && !new RegExp(`^(?:${authorizer.identityValidationExpression})$`).test(token)) {
      deps.log(ctx.requestId, `The token does not match the authorizer's identityValidationExpression; ${authorizer.name} was not called`);
      return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
    }
    identity = [token];
  } else {
    const values = authorizer.identitySource ? identityValues(ctx, authorizer.identitySource) : [];
    if (values.some((v) => v === undefined || v === '')) return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
    identity = values as string[];
  }
  const ttl = authorizer.authorizerResultTtlInSeconds ?? 300;
  const cacheable = ttl > 0 && identity.length > 0;
  const key = AuthorizerCache.key(ctx.api.apiId, ctx.stage.name, ctx.api.deploymentId, authorizer.id, identity);
  let entry = cacheable ? (deps.cache.get(key) as CachedRestDecision | undefined) : undefined;
  if (!entry) {
    const fresh = await invokeAuthorizer(ctx, authorizer, identity, arn, deps);
    if ('failure' in fresh) return fresh.failure;
    entry = { ...fresh, allow: true, expires: Date.now() + ttl * 1000 };
    if (cacheable) deps.cache.set(key, entry);
  }
  // The cached policy answers for every method: "your authorizer must return a policy that is applicable to all
  // methods across an API" (AGDG configure-api-gateway-lambda-authorization-with-console).
  let verdict = entry.verdicts?.get(arn);
  if (!verdict) {
    const policy = entry.policy ?? {};
    verdict = denies(policy, arn) ? 'deny' : policyAllows(policy, arn) ? 'allow' : 'none';
    entry.verdicts ??= new Map();
    // Bounded: a greedy path can reach one cached decision through any number of ARNs.
    if (entry.verdicts.size > 1000) entry.verdicts.clear();
    entry.verdicts.set(arn, verdict);
  }
  if (verdict !== 'allow') {
    const explicitDeny = verdict === 'deny';
    deps.log(ctx.requestId, `Lambda authorizer ${authorizer.name} ${explicitDeny ? 'denied' : 'did not allow'} ${arn}`);
    // The 2024+ wording of an explicit deny (real responses collected in the research notes, rest-security §2d).
    return fail(ctx, 'ACCESS_DENIED', explicitDeny ? 'User is not authorized to access this resource with an explicit deny in an identity-based policy' : 'User is not authorized to access this resource');
  }
  const auth: RestAuthorization = { authorizer: entry.context };
  if (entry.usageIdentifierKey !== undefined) auth.usageIdentifierKey = entry.usageIdentifierKey;
  return { ok: true, auth };
}

function denies(policy: Record<string, unknown>, arn: string): boolean {
  const statements = Array.isArray(policy['Statement']) ? policy['Statement'] : policy['Statement'] ? [policy['Statement']] : [];
  return (statements as Record<string, unknown>[]).some((s) => s['Effect'] === 'Deny' && policyAllows({ Statement: [{ ...s, Effect: 'Allow' }] }, arn));
}

async function invokeAuthorizer(
  ctx: RestRequestContext,
  authorizer: Authorizer,
  identity: string[],
  arn: string,
  deps: RestAuthDeps,
): Promise<{ policy: Record<string, unknown>; context: Record<string, unknown>; usageIdentifierKey?: string } | { failure: RestAuthOutcome }> {
  const event =
    authorizer.type === 'TOKEN'
      ? { type: 'TOKEN', authorizationToken: identity[0], methodArn: arn }
      : (() => {
          const { body: _b, isBase64Encoded: _i, ...rest } = buildProxyEvent(ctx);
          return { type: 'REQUEST', methodArn: arn, ...rest };
        })();
  const m = /functions\/(.+?)\/invocations$/.exec(authorizer.authorizerUri ?? '');
  const fn = functionNameOf(m ? m[1]! : (authorizer.authorizerUri ?? ''));
  const started = Date.now();
  let result;
  try {
    result = await deps.lambda.invoke(fn, JSON.stringify(event));
  } catch (e) {
    deps.log(ctx.requestId, `Execution failed due to configuration error: authorizer function ${fn} could not be invoked: ${(e as Error).message}`);
    return { failure: fail(ctx, 'AUTHORIZER_CONFIGURATION_ERROR', null) };
  }
  if (result.functionError) {
    let message = '';
    try {
      message = String((JSON.parse(result.payload) as { errorMessage?: unknown }).errorMessage ?? '');
    } catch {
      message = result.payload;
    }
    // callback("Unauthorized") / raise Exception('Unauthorized') is the documented way to answer 401.
    if (message === 'Unauthorized') return { failure: fail(ctx, 'UNAUTHORIZED', 'Unauthorized') };
    deps.log(ctx.requestId, `Execution failed due to configuration error: authorizer function ${fn} failed: ${message.slice(0, 300)}`);
    return { failure: fail(ctx, 'AUTHORIZER_CONFIGURATION_ERROR', null) };
  }
  const invalid = (why: string) => {
    deps.log(ctx.requestId, `Execution failed due to configuration error: Invalid JSON in response from authorizer ${authorizer.name}: ${why}`);
    return { failure: fail(ctx, 'AUTHORIZER_CONFIGURATION_ERROR', null) };
  };
  let out: unknown;
  try {
    out = JSON.parse(result.payload);
  } catch {
    return invalid('not JSON');
  }
  if (!out || typeof out !== 'object' || Array.isArray(out)) return invalid('not an object with principalId and policyDocument');
  const o = out as Record<string, unknown>;
  if (o['principalId'] === undefined || o['principalId'] === null) return invalid('principalId is missing');
  const policy = o['policyDocument'];
  if (!policy || typeof policy !== 'object' || !Array.isArray((policy as Record<string, unknown>)['Statement'])) return invalid('policyDocument.Statement must be a list');
  const rawContext = o['context'] ?? {};
  if (typeof rawContext !== 'object' || Array.isArray(rawContext)) return invalid('context must be an object');
  // "You cannot set a JSON object or array as a valid value of any key in the context map"; values are stringified.
  const context: Record<string, unknown> = { principalId: String(o['principalId']) };
  for (const [k, v] of Object.entries(rawContext as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object') return invalid(`context.${k} is an object or list; only strings, numbers and booleans are allowed`);
    context[k] = v === null ? null : String(v);
  }
  context['integrationLatency'] = Date.now() - started;
  const decision: { policy: Record<string, unknown>; context: Record<string, unknown>; usageIdentifierKey?: string } = { policy: policy as Record<string, unknown>, context };
  if (typeof o['usageIdentifierKey'] === 'string') decision.usageIdentifierKey = o['usageIdentifierKey'];
  return decision;
}

// ---- Cognito user pool authorizers -------------------------------------------------------------------------------

/**
 * COGNITO_USER_POOLS (AGDG apigateway-integrate-with-cognito): the token from the identity source is verified against
 * the pool's JWKS; without method scopes an ID token is expected, with scopes an access token carrying one of them.
 * Claims reach the integration as requestContext.authorizer.claims.
 */
async function cognito(ctx: RestRequestContext, authorizer: Authorizer, scopes: string[], deps: RestAuthDeps): Promise<RestAuthOutcome> {
  const header = /^method\.request\.header\.(.+)$/.exec(authorizer.identitySource ?? 'method.request.header.Authorization')?.[1] ?? 'Authorization';
  const token = ctx.headerMap.get(header.toLowerCase())?.[0];
  if (!token) return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
  // The header carries the raw token: a "Bearer " prefix makes Cognito authorizers answer 401
  // (postmanlabs/postman-app-support#6987), so it is not stripped here either.
  if (/^Bearer\s/i.test(token)) deps.log(ctx.requestId, `Cognito authorizer ${authorizer.name}: the ${header} header starts with "Bearer "; REST Cognito authorizers take the bare token`);
  const pools = (authorizer.providerARNs ?? []).map((arn) => {
    const m = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/(.+)$/.exec(arn);
    return m ? `https://cognito-idp.${m[1]}.amazonaws.com/${m[2]}` : '';
  });
  let payload: JWTPayload | undefined;
  let lastError: unknown;
  for (const issuer of pools) {
    try {
      ({ payload } = await jwtVerify(token, await deps.jwks.keySet(issuer), { issuer, algorithms: ['RS256'] }));
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (!payload) {
    deps.log(ctx.requestId, `Cognito authorizer ${authorizer.name} refused the token: ${lastError instanceof joseErrors.JWTExpired ? 'the token has expired' : (lastError as Error)?.message}`);
    return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
  }
  const tokenUse = payload['token_use'];
  if (scopes.length > 0) {
    const granted = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
    if (tokenUse !== 'access' || !scopes.some((s) => granted.includes(s))) {
      deps.log(ctx.requestId, `Cognito authorizer ${authorizer.name}: the method needs an access token with one of the scopes ${scopes.join(', ')}`);
      return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
    }
  } else if (tokenUse !== 'id') {
    deps.log(ctx.requestId, `Cognito authorizer ${authorizer.name}: a method without OAuth scopes takes an ID token (token_use "id"), this one is "${String(tokenUse)}"`);
    return fail(ctx, 'UNAUTHORIZED', 'Unauthorized');
  }
  // Claims arrive as strings: arrays comma-joined, exp and iat as Java dates (real events quoted in the research
  // notes, rest-security §3: "exp":"Wed May 18 12:31:07 UTC 2022").
  const claims: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if ((k === 'exp' || k === 'iat') && typeof v === 'number') claims[k] = javaDate(v);
    else claims[k] = Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  }
  return { ok: true, auth: { authorizer: { claims } } };
}

export { AuthorizerCache };

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java's Date.toString() in UTC: "Wed May 18 12:31:07 UTC 2022". */
export function javaDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
