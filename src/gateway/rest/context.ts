import { randomBytes, randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../../control/ids.js';
import { parseQuery } from '../query.js';
import type { GatewayRequest } from '../types.js';
import type { CompiledApi, RouteMatch } from './compile.js';
import type { StageSettingsView } from './stage-settings.js';

export interface StageView {
  name: string;
  deploymentId: string;
  variables: Record<string, string>;
  /** Cache cluster and method settings (throttling, caching); absent for test invocations, which use neither. */
  settings?: StageSettingsView;
}

/**
 * Everything one REST request carries through the chain. Derived views (header maps, query pairs, $context) are
 * built on first use, so the MOCK preflight path pays only for what it reads.
 */
export class RestRequestContext {
  readonly requestId: string;
  readonly extendedRequestId: string;
  match?: RouteMatch;
  /** What an authorizer established: requestContext.authorizer and $context.authorizer. */
  authorizer?: Record<string, unknown>;
  /** The API key the request used, when the method requires one. */
  apiKey?: { id: string; value: string };
  /** The signed caller of an AWS_IAM method: fills requestContext.identity. */
  iamIdentity?: { accessKey: string; accountId: string; caller: string; user: string; userArn: string };
  private _query?: [string, string][];
  private _headerMap?: Map<string, string[]>;
  private _context?: Record<string, unknown>;
  private _traceId?: string;
  /** Whether requestId is one of ours (a lower-case UUID), not the client's x-amzn-RequestId. */
  private readonly ownRequestId: boolean;

  constructor(
    readonly req: GatewayRequest,
    readonly api: CompiledApi,
    readonly stage: StageView,
    /** '/{stage}/rest/of/path' as requestContext.path reports it. */
    readonly stagePath: string,
  ) {
    // A client-supplied x-amzn-RequestId is echoed as the request id, as AWS documents for $context.requestId.
    const clientId = this.header('x-amzn-requestid');
    this.ownRequestId = clientId === undefined;
    this.requestId = clientId ?? randomUUID();
    this.extendedRequestId = nextExtendedRequestId();
  }

  /** Records what security established about the caller; $context is rebuilt on next use to include it. */
  setCaller(part: { authorizer?: Record<string, unknown>; apiKey?: { id: string; value: string }; iamIdentity?: RestRequestContext['iamIdentity'] }): void {
    Object.assign(this, part);
    this._context = undefined;
  }

  get query(): [string, string][] {
    return (this._query ??= parseQuery(this.req.rawQuery));
  }

  /** Lower-cased header name → values in arrival order. */
  get headerMap(): Map<string, string[]> {
    if (!this._headerMap) {
      const m = new Map<string, string[]>();
      const raw = this.req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i]!.toLowerCase();
        const list = m.get(k);
        if (list) list.push(raw[i + 1]!);
        else m.set(k, [raw[i + 1]!]);
      }
      this._headerMap = m;
    }
    return this._headerMap;
  }

  header(name: string): string | undefined {
    if (this._headerMap) return this._headerMap.get(name)?.[0];
    const raw = this.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) return raw[i + 1];
    return undefined;
  }

  /** X-Amzn-Trace-Id: Root=1-{epoch seconds hex}-{24 hex}, derived from the request id so it is stable. */
  get traceId(): string {
    if (this._traceId === undefined) {
      const id = this.requestId;
      // Our own request ids are lower-case UUIDs: their first 24 hex digits without a regex; a client's id, any shape.
      const hex = this.ownRequestId || UUID.test(id)
        ? `${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}${id.slice(19, 23)}${id.slice(24, 28)}`
        : id.replace(/[^0-9a-f]/gi, '').toLowerCase().padEnd(24, '0').slice(0, 24);
      this._traceId = `Root=1-${Math.floor(this.req.receivedAt / 1000).toString(16)}-${hex}`;
    }
    return this._traceId;
  }

  /** The Host header without its port, and its first label (requestContext.domainName and domainPrefix). */
  get domainName(): string {
    return domainOf(this.req.host).name;
  }

  get domainPrefix(): string {
    return domainOf(this.req.host).prefix;
  }

  /** $context as API Gateway documents it for REST APIs (mapping template reference). */
  vtlContext(extra?: Record<string, unknown>): Record<string, unknown> {
    if (!this._context) {
      const resource = this.match?.resource;
      const t = this.req.receivedAt;
      this._context = {
        accountId: ACCOUNT_ID,
        apiId: this.api.apiId,
        deploymentId: this.stage.deploymentId,
        domainName: this.domainName,
        domainPrefix: this.domainPrefix,
        extendedRequestId: this.extendedRequestId,
        httpMethod: this.req.method,
        identity: this.identity(),
        path: this.stagePath,
        protocol: 'HTTP/1.1',
        requestId: this.requestId,
        requestTime: clfTime(t),
        requestTimeEpoch: t,
        resourceId: resource?.id,
        resourcePath: resource?.path,
        stage: this.stage.name,
      };
      if (this.authorizer) this._context['authorizer'] = this.authorizer;
    }
    return extra ? { ...this._context, ...extra } : this._context;
  }

  identity(): Record<string, string | null> {
    const id: Record<string, string | null> = {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: this.req.sourceIp,
      user: null,
      userAgent: this.header('user-agent') ?? null,
      userArn: null,
    };
    if (this.iamIdentity) Object.assign(id, this.iamIdentity);
    // apiKey and apiKeyId appear only when the method used one (AGDG set-up-lambda-proxy-integrations).
    if (this.apiKey) {
      id['apiKey'] = this.apiKey.value;
      id['apiKeyId'] = this.apiKey.id;
    }
    return id;
  }

  /** $input.params() / method.request.* view: path, querystring and header maps (last value of a repeat wins). */
  params(): { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> } {
    const querystring: Record<string, string> = {};
    for (const [k, v] of this.query) querystring[k] = v;
    const header: Record<string, string> = {};
    const raw = this.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) header[raw[i]!] = raw[i + 1]!;
    return { path: this.match?.pathParams ?? {}, querystring, header };
  }
}

// Shaped like AWS's x-amz-apigw-id / extendedRequestId (15 characters and '='), unique per process without a
// syscall per request: a random prefix and a counter.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const prefix = Array.from(randomBytes(7), (b) => ALPHABET[b % ALPHABET.length]).join('');
let counter = 0;
function nextExtendedRequestId(): string {
  counter = (counter + 1) % 62 ** 8;
  let n = counter;
  let tail = '';
  for (let i = 0; i < 8; i++) {
    tail = ALPHABET[n % 62] + tail;
    n = Math.floor(n / 62);
  }
  return `${prefix}${tail}=`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Requests to one API share their Host: the last one's parts are kept rather than derived again per request.
let lastHost: string | undefined;
let lastDomain = { name: '', prefix: '' };

function domainOf(host: string): { name: string; prefix: string } {
  if (host !== lastHost) {
    const name = host.replace(/:\d+$/, '');
    lastDomain = { name, prefix: name.split('.')[0]! };
    lastHost = host;
  }
  return lastDomain;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// The last second formatted: every request within a second shares it.
let clfSecond = NaN;
let clfText = '';

/** Common Log Format time, as requestContext.requestTime: 04/Mar/2020:19:15:17 +0000 */
export function clfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === clfSecond) return clfText;
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  clfText = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  clfSecond = second;
  return clfText;
}
