import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { readFile } from 'node:fs/promises';
import type { Store } from '../store/db.js';
import { LOCAL_ISSUER, localKeySet } from './local-issuer.js';

/** Why an issuer's keys could not be had; the authorizer then refuses the token and the log says why. */
export class JwksUnavailable extends Error {}

/**
 * Where the signing keys of a JWT issuer come from: the built-in issuer's own keys, a JWKS file or URL configured
 * for an issuer (`--jwks ISSUER=PATH_OR_URL`), or the issuer's OpenID discovery document, as API Gateway fetches it.
 */
export class JwksResolver {
  private readonly cache = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(
    private readonly store: Store,
    private readonly overrides: Record<string, string> = {},
  ) {}

  keySet(issuer: string): Promise<JWTVerifyGetKey> {
    let p = this.cache.get(issuer);
    if (!p) {
      p = this.load(issuer);
      // A failure is not remembered: the issuer may come up later.
      p.catch(() => this.cache.delete(issuer));
      this.cache.set(issuer, p);
    }
    return p;
  }

  /** Forget cached key sets (e.g. after the local key rotated). */
  clear(): void {
    this.cache.clear();
  }

  private async load(issuer: string): Promise<JWTVerifyGetKey> {
    const override = this.overrides[issuer] ?? this.overrides[issuer.replace(/\/$/, '')];
    if (issuer === LOCAL_ISSUER && override === undefined) return localKeySet(this.store);
    if (override !== undefined) return this.loadRemote(issuer, override);
    // Tokens the built-in issuer minted in another issuer's name (`preflight token --issuer`, e.g. a Cognito pool)
    // verify with its own keys; anything else goes to the real issuer's keys.
    const local = await localKeySet(this.store);
    let remote: Promise<JWTVerifyGetKey> | undefined;
    return async (header, token) => {
      try {
        return await local(header, token);
      } catch (e) {
        if (!(e instanceof joseErrors.JWKSNoMatchingKey)) throw e;
      }
      remote ??= this.loadRemote(issuer, undefined);
      remote.catch(() => (remote = undefined));
      return (await remote)(header, token);
    };
  }

  private async loadRemote(issuer: string, override: string | undefined): Promise<JWTVerifyGetKey> {
    if (override !== undefined) {
      if (/^https?:\/\//.test(override)) return remoteKeys(issuer, override);
      let text: string;
      try {
        text = await readFile(override, 'utf8');
      } catch (e) {
        throw new JwksUnavailable(`cannot read the JWKS file ${override} configured for issuer ${issuer}: ${(e as Error).message}`);
      }
      try {
        return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
      } catch (e) {
        throw new JwksUnavailable(`the JWKS file ${override} for issuer ${issuer} is not a JSON Web Key Set: ${(e as Error).message}`);
      }
    }
    const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let doc: { jwks_uri?: unknown };
    try {
      const res = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as { jwks_uri?: unknown };
    } catch (e) {
      throw new JwksUnavailable(`cannot fetch ${discovery}: ${(e as Error).message}`);
    }
    if (typeof doc.jwks_uri !== 'string') throw new JwksUnavailable(`${discovery} has no jwks_uri`);
    return remoteKeys(issuer, doc.jwks_uri);
  }
}

/** A remote JWKS whose fetch failures name the URL, so the log says which issuer's keys could not be had. */
function remoteKeys(issuer: string, url: string): JWTVerifyGetKey {
  const keys = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000 });
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (e) {
      if (e instanceof joseErrors.JOSEError && !(e instanceof joseErrors.JWKSTimeout)) throw e;
      throw new JwksUnavailable(`cannot fetch the JWKS ${url} of issuer ${issuer}: ${(e as Error).message}`);
    }
  };
}
