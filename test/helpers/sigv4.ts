import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RunningServer } from '../../src/server/server.js';
import { callApi, type SimpleResponse } from './server.js';

/** Node's SHA-256 in the shape @smithy/signature-v4 wants. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

export interface SignedInit {
  method?: string;
  body?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

/**
 * Calls a REST API with a request signed for execute-api by the AWS SDK's own signer, so tests of our SigV4
 * verification do not share code with it.
 */
export async function signedCall(
  server: RunningServer,
  apiId: string,
  path: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  init: SignedInit = {},
): Promise<SimpleResponse> {
  const signer = new SignatureV4({ service: 'execute-api', region: 'us-east-1', credentials: creds, sha256: Sha256 });
  const host = `${apiId}.execute-api.localhost:${server.port}`;
  const req = await signer.sign({
    method: init.method ?? 'GET',
    protocol: 'http:',
    hostname: `${apiId}.execute-api.localhost`,
    port: server.port,
    path,
    ...(init.query ? { query: init.query } : {}),
    headers: { host, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
    ...(init.body ? { body: init.body } : {}),
  });
  // Encoded as SigV4 canonicalises it (%20, not +), so the query we send is the one that was signed.
  const qs = init.query ? `?${Object.entries(init.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  return callApi(server, apiId, path + qs, { method: req.method, headers: req.headers as Record<string, string>, ...(init.body ? { body: init.body } : {}) });
}
