import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
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
    if (override !== undefined) {
      if (/^https?:\/\//.test(override)) return createRemoteJWKSet(new URL(override));
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
    return createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5000 });
  }
}
