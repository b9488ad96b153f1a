import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { HttpAuthorizer } from '../../model/httpapi.js';
import { functionNameOf } from '../../control/functions.js';
import { JwksUnavailable, type JwksResolver } from '../../auth/jwks.js';
import type { ExecutionLog, LambdaInvoker } from '../ports.js';
import type { StageFlushes } from '../../control/events.js';
import type { HeaderList } from '../types.js';
import type { CompiledRoute } from './compile.js';
import type { HttpRequestContext } from './context.js';
import { buildEventV1, buildEventV2 } from './payload.js';

export interface AuthDeps {
  jwks: JwksResolver;
  lambda: LambdaInvoker;
  log: ExecutionLog;
  cache: AuthorizerCache;
  region: string;
}

export type AuthOutcome =
  | { ok: true; authorizer?: Record<string, unknown> }
  | { ok: false; status: number; headers: HeaderList; body: string };

const UNAUTHORIZED = '{"message":"Unauthorized"}';
const FORBIDDEN = '{"message":"Forbidden"}';
const INTERNAL = '{"message":"Internal Server Error"}';

/** Runs the route's authorizer, if any (JWT or Lambda REQUEST). */
export function authorizeHttp(ctx: HttpRequestContext, route: CompiledRoute, deps: AuthDeps): AuthOutcome | Promise<AuthOutcome> {
  const type = route.route.authorizationType;
  // Nothing to check: answered at once, not as a promise to wait for.
  if (type === 'NONE' || type === 'AWS_IAM') return OPEN;
  const authorizer = route.authorizer;
  if (!authorizer) {
    deps.log(ctx.requestId, `Authorizer ${route.route.authorizerId} of route ${route.route.routeKey} does not exist in this deployment`);
    return { ok: false, status: 500, headers: [], body: INTERNAL };
  }
  return authorizer.authorizerType === 'JWT' ? jwtAuthorizer(ctx, route, authorizer, deps) : lambdaAuthorizer(ctx, authorizer, deps);
}

const OPEN: AuthOutcome = { ok: true };

// ---- JWT --------------------------------------------------------------------------------------------------------

/** The challenge AWS sends with a refused JWT (real captures; AGDG http-api-troubleshooting-jwt). */
function bearerChallenge(error: string, description: string, scopes: readonly string[]): HeaderList {
  return [['www-authenticate', `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"`]];
}

/**
 * JWT authorizers as AGDG http-api-jwt-authorizer describes them: the token (with or without "Bearer ") from the
 * identity source; RSA signature by a key of the issuer's JWKS; iss; aud or client_id among the audiences; exp,
 * nbf, iat; and one of the route's scopes in scope/scp. Failures: 401 with a www-authenticate challenge
 * (AGDG http-api-troubleshooting-jwt), missing scope 403.
 */
async function jwtAuthorizer(ctx: HttpRequestContext, route: CompiledRoute, authorizer: HttpAuthorizer, deps: AuthDeps): Promise<AuthOutcome> {
  const raw = identityValue(ctx, authorizer.identitySource[0] ?? '$request.header.Authorization');
  // No token at all: a bare "Bearer" challenge (real capture, http-api research §5).
  if (!raw) return { ok: false, status: 401, headers: [['www-authenticate', 'Bearer']], body: UNAUTHORIZED };
  const routeScopes = route.route.authorizationScopes ?? [];
  const token = raw.replace(/^Bearer\s+/i, '').trim();
  const issuer = authorizer.jwtConfiguration?.issuer ?? '';
  const audiences = authorizer.jwtConfiguration?.audience ?? [];
  let payload: JWTPayload;
  try {
    const keys = await deps.jwks.keySet(issuer);
    ({ payload } = await jwtVerify(token, keys, { issuer, algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] }));
  } catch (e) {
    const why = describeJwtError(e);
    deps.log(ctx.requestId, `JWT authorizer ${authorizer.name} refused the token: ${why}${e instanceof JwksUnavailable ? '' : ''}`);
    return { ok: false, status: 401, headers: bearerChallenge('invalid_token', why, routeScopes), body: UNAUTHORIZED };
  }
  const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = typeof payload['client_id'] === 'string' ? [payload['client_id']] : [];
  if (![...aud, ...clientId].some((a) => audiences.includes(a))) {
    deps.log(ctx.requestId, `JWT authorizer ${authorizer.name} refused the token: aud/client_id ${JSON.stringify([...aud, ...clientId])} is not one of ${JSON.stringify(audiences)}`);
    return { ok: false, status: 401, headers: bearerChallenge('invalid_token', 'the token does not have a valid audience', routeScopes), body: UNAUTHORIZED };
  }
  const scopes = tokenScopes(payload);
  if (routeScopes.length > 0 && !routeScopes.some((s) => scopes.includes(s))) {
    deps.log(ctx.requestId, `JWT authorizer ${authorizer.name}: the token's scopes ${JSON.stringify(scopes)} include none of ${JSON.stringify(routeScopes)}`);
    // RFC 6750's insufficient_scope as a 403; no AWS capture of this case found (UNCERTAIN).
    return { ok: false, status: 403, headers: bearerChallenge('insufficient_scope', 'the token does not have the required scopes', routeScopes), body: FORBIDDEN };
  }
  // Claims reach the integration as strings, arrays Go-style "[a b]" (real events quoted in DefinitelyTyped#75458).
  const claims: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) claims[k] = Array.isArray(v) ? `[${v.map(String).join(' ')}]` : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return { ok: true, authorizer: { jwt: { claims, scopes: scopes.length ? scopes : null } } };
}

function tokenScopes(payload: JWTPayload): string[] {
  const scope = payload['scope'] ?? payload['scp'];
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope)) return scope.map(String);
  return [];
}

function describeJwtError(e: unknown): string {
  if (e instanceof JwksUnavailable) return `the issuer's signing keys are unavailable (${e.message})`;
  if (e instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return 'the token does not have a valid issuer';
    if (e.claim === 'nbf') return 'the token is not valid yet';
    if (e.claim === 'iat') return 'the token was issued in the future';
    return `the token has an invalid ${e.claim} claim`;
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the issuer matches the token\'s kid';
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is not signed with an RSA algorithm';
  if (e instanceof joseErrors.JWSInvalid || e instanceof joseErrors.JWTInvalid) {
    // AWS's text for something that is not three dot-separated parts (real captures).
    return e.message.includes('Invalid Compact JWS') || e.message.includes('segments') ? 'token contains an invalid number of segments' : 'the token is not a valid JWT';
  }
  return (e as Error).message;
}

// ---- Lambda REQUEST authorizers ------------------------------------------------------------------------------------

interface CachedDecision {
  expires: number;
  allow: boolean;
  context: Record<string, unknown>;
}

/**
 * Authorizer results keyed by stage, deployment, authorizer and identity values, kept for
 * authorizerResultTtlInSeconds; AWS keeps one cache per stage, which FlushStageAuthorizersCache (REST) and
 * ResetAuthorizersCache (HTTP) empty.
 */
export class AuthorizerCache {
  private readonly entries = new Map<string, CachedDecision>();

  /** `flushes`: where the control plane announces a stage's cache is to be emptied. */
  constructor(flushes: readonly StageFlushes[] = []) {
    for (const f of flushes) f.on((apiId, stageName) => this.flushStage(apiId, stageName));
  }

  /**
   * Per stage and per deployment: two stages may serve different versions of one authorizer (another function,
   * another policy), and a decision made by one must never answer for the other (found by
   * test/e2e/hardening-load). REST and HTTP API ids share one namespace, so their keys cannot meet.
   */
  static key(apiId: string, stageName: string, deploymentId: string, authorizerId: string, identity: readonly string[]): string {
    return `${apiId}/${stageName}/${deploymentId}/${authorizerId}/${JSON.stringify(identity)}`;
  }

  flushStage(apiId: string, stageName: string): void {
    // Stage names cannot hold "/" (AWS: alphanumerics, hyphens and underscores), so the prefix is the stage's alone.
    const prefix = `${apiId}/${stageName}/`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  get(key: string): CachedDecision | undefined {
    const e = this.entries.get(key);
    if (e && e.expires > Date.now()) return e;
    if (e) this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: CachedDecision): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Lambda REQUEST authorizers (AGDG http-api-lambda-authorizer): a missing identity source is 401 without calling
 * the function; a simple response {"isAuthorized"} or an IAM policy decides; a refusal is 403, a broken authorizer
 * 500; results are cached by identity values for the TTL.
 */
async function lambdaAuthorizer(ctx: HttpRequestContext, authorizer: HttpAuthorizer, deps: AuthDeps): Promise<AuthOutcome> {
  const identity: string[] = [];
  for (const source of authorizer.identitySource) {
    const v = identityValue(ctx, source);
    if (v === undefined || v === '') return { ok: false, status: 401, headers: [], body: UNAUTHORIZED };
    identity.push(v);
  }
  const ttl = authorizer.authorizerResultTtlInSeconds ?? 0;
  // Per stage and deployment, as for REST APIs: a stage on an older deployment may run an older authorizer.
  const cacheKey = AuthorizerCache.key(ctx.api.apiId, ctx.stage.name, ctx.api.deploymentId, authorizer.authorizerId, identity);
  const cached = ttl > 0 && identity.length > 0 ? deps.cache.get(cacheKey) : undefined;
  const decision = cached ?? (await invokeAuthorizer(ctx, authorizer, identity, deps));
  if ('failed' in decision) return { ok: false, status: 500, headers: [], body: INTERNAL };
  if (!cached && ttl > 0 && identity.length > 0) deps.cache.set(cacheKey, { ...decision, expires: Date.now() + ttl * 1000 });
  if (!decision.allow) return { ok: false, status: 403, headers: [], body: FORBIDDEN };
  return { ok: true, authorizer: { lambda: decision.context } };
}

async function invokeAuthorizer(
  ctx: HttpRequestContext,
  authorizer: HttpAuthorizer,
  identity: string[],
  deps: AuthDeps,
): Promise<{ allow: boolean; context: Record<string, unknown> } | { failed: true }> {
  const routeArn = `arn:aws:execute-api:${deps.region}:${ctx.accountId}:${ctx.api.apiId}/${ctx.stage.name}/${ctx.req.method}${ctx.req.path}`;
  const v2 = authorizer.authorizerPayloadFormatVersion === '2.0';
  const base = v2 ? buildEventV2(ctx) : buildEventV1(ctx);
  const event = v2
    ? { ...base, type: 'REQUEST', routeArn, identitySource: identity }
    : { ...base, type: 'REQUEST', methodArn: routeArn, identitySource: identity.join(','), authorizationToken: identity.join(',') };
  const m = /functions\/(.+?)\/invocations$/.exec(authorizer.authorizerUri ?? '');
  const fn = functionNameOf(m ? m[1]! : (authorizer.authorizerUri ?? ''));
  let payload: string;
  try {
    const r = await deps.lambda.invoke(fn, JSON.stringify(event));
    if (r.functionError) {
      deps.log(ctx.requestId, `Lambda authorizer ${authorizer.name} failed: ${r.payload.slice(0, 500)}`);
      return { failed: true };
    }
    payload = r.payload;
  } catch (e) {
    deps.log(ctx.requestId, `Lambda authorizer ${authorizer.name} could not be invoked: ${(e as Error).message}`);
    return { failed: true };
  }
  let out: unknown;
  try {
    out = JSON.parse(payload);
  } catch {
    out = undefined;
  }
  if (!out || typeof out !== 'object') {
    deps.log(ctx.requestId, `Lambda authorizer ${authorizer.name} returned ${payload.slice(0, 200)}, not an authorizer response`);
    return { failed: true };
  }
  const o = out as Record<string, unknown>;
  const context = o['context'] && typeof o['context'] === 'object' ? (o['context'] as Record<string, unknown>) : {};
  if (authorizer.enableSimpleResponses && typeof o['isAuthorized'] === 'boolean') return { allow: o['isAuthorized'], context };
  const policy = o['policyDocument'];
  if (!policy || typeof policy !== 'object') {
    deps.log(ctx.requestId, `Lambda authorizer ${authorizer.name} returned neither ${authorizer.enableSimpleResponses ? '{"isAuthorized": …} nor ' : ''}an IAM policy (policyDocument)`);
    return { failed: true };
  }
  return { allow: policyAllows(policy as Record<string, unknown>, routeArn), context: { ...context, ...(o['principalId'] !== undefined ? { principalId: o['principalId'] } : {}) } };
}

/** IAM evaluation for execute-api:Invoke on the route ARN: an explicit Deny wins, else an Allow is needed. */
export function policyAllows(policy: Record<string, unknown>, arn: string): boolean {
  const statements = Array.isArray(policy['Statement']) ? policy['Statement'] : policy['Statement'] ? [policy['Statement']] : [];
  let allowed = false;
  for (const s of statements as Record<string, unknown>[]) {
    const actions = ([] as unknown[]).concat(s['Action'] ?? []).map(String);
    const resources = ([] as unknown[]).concat(s['Resource'] ?? []).map(String);
    const actionMatches = actions.some((a) => wildcard(a.toLowerCase(), 'execute-api:invoke'));
    const resourceMatches = resources.some((r) => wildcard(r, arn));
    if (!actionMatches || !resourceMatches) continue;
    if (s['Effect'] === 'Deny') return false;
    if (s['Effect'] === 'Allow') allowed = true;
  }
  return allowed;
}

const compiledPatterns = new Map<string, RegExp>();

/** IAM's * and ? wildcards; patterns are compiled once, as authorizer policies repeat on every request. */
function wildcard(pattern: string, value: string): boolean {
  let re = compiledPatterns.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.split('?').map((q) => q.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.')).join('.*')}$`);
    if (compiledPatterns.size > 10_000) compiledPatterns.clear();
    compiledPatterns.set(pattern, re);
  }
  return re.test(value);
}

/** Reads $request.header.X (case-insensitive), $request.querystring.X, $context.X or $stageVariables.X. */
export function identityValue(ctx: HttpRequestContext, source: string): string | undefined {
  let m = /^\$request\.header\.(.+)$/.exec(source);
  if (m) return ctx.headers.get(m[1]!.toLowerCase())?.join(',');
  m = /^\$request\.querystring\.(.+)$/.exec(source);
  if (m) {
    const values = ctx.query.filter(([k]) => k === m![1]).map(([, v]) => v);
    return values.length ? values.join(',') : undefined;
  }
  m = /^\$stageVariables\.(.+)$/.exec(source);
  if (m) return ctx.stage.variables[m[1]!];
  m = /^\$context\.(.+)$/.exec(source);
  if (m) {
    const known: Record<string, string> = { routeKey: ctx.routeKey, stage: ctx.stage.name, requestId: ctx.requestId, httpMethod: ctx.req.method, path: ctx.rawPath };
    return known[m[1]!];
  }
  return undefined;
}
