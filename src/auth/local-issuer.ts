import { exportJWK, generateKeyPair, importJWK, SignJWT, createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/db.js';

/**
 * The built-in token issuer: tokens for testing authenticated APIs without Cognito. Its issuer name is fixed, so
 * a JWT authorizer configured with it works whatever port the server runs on; its RS256 key lives in the state
 * store, so tokens minted by the CLI verify in a running server.
 */
export const LOCAL_ISSUER = 'https://issuer.preflight.localhost';

interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
}

async function currentKey(store: Store): Promise<KeyRow> {
  const existing = store.db.prepare('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1').get() as KeyRow | undefined;
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const priv = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  store.tx(() => {
    store.db
      .prepare('INSERT OR IGNORE INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?)')
      .run(kid, JSON.stringify(priv), JSON.stringify(pub), Date.now());
  });
  return (store.db.prepare('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC LIMIT 1').get() as KeyRow);
}

export interface MintOptions {
  sub: string;
  audience?: string | string[];
  /** Space-separated OAuth scopes (the `scope` claim). */
  scope?: string;
  clientId?: string;
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
  /** Issue for another issuer name than the built-in one (e.g. to impersonate a Cognito pool locally). */
  issuer?: string;
}

export async function mintToken(store: Store, o: MintOptions): Promise<string> {
  const key = await currentKey(store);
  const priv = await importJWK(JSON.parse(key.private_jwk) as JWK, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...(o.claims ?? {}), ...(o.scope ? { scope: o.scope } : {}), ...(o.clientId ? { client_id: o.clientId } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(o.issuer ?? LOCAL_ISSUER)
    .setSubject(o.sub)
    .setIssuedAt(now)
    .setJti(randomUUID())
    .setExpirationTime(now + (o.expiresInSeconds ?? 3600));
  if (o.audience !== undefined) jwt.setAudience(o.audience);
  return jwt.sign(priv);
}

/** The issuer's public keys as a JWKS document. */
export async function localJwks(store: Store): Promise<{ keys: JWK[] }> {
  await currentKey(store);
  const rows = store.db.prepare('SELECT public_jwk FROM signing_keys ORDER BY created_at DESC').all() as { public_jwk: string }[];
  return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
}

export async function localKeySet(store: Store): Promise<JWTVerifyGetKey> {
  return createLocalJWKSet(await localJwks(store));
}
