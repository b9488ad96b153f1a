import { randomBytes } from 'node:crypto';
import { ACCOUNT_ID } from '../../control/ids.js';
import { parseQuery } from '../query.js';
import type { GatewayRequest } from '../types.js';
import { clfTime } from '../rest/context.js';
import type { CompiledHttpApi, HttpRouteMatch } from './compile.js';

export interface HttpStageView {
  name: string;
  deploymentId: string;
  variables: Record<string, string>;
}

/** One HTTP API request through the chain; derived views are built on first use. */
export class HttpRequestContext {
  readonly requestId = nextRequestId();
  match?: HttpRouteMatch;
  /** Authorizer output for requestContext.authorizer (jwt / lambda). */
  authorizer?: Record<string, unknown>;
  private _query?: [string, string][];
  private _headers?: Map<string, string[]>;

  constructor(
    readonly req: GatewayRequest,
    readonly api: CompiledHttpApi,
    readonly stage: HttpStageView,
    /** The path as the client sent it, stage prefix included (rawPath in the 2.0 event). */
    readonly rawPath: string,
  ) {}

  get query(): [string, string][] {
    return (this._query ??= parseQuery(this.req.rawQuery));
  }

  /** Lower-cased header name → values in arrival order. */
  get headers(): Map<string, string[]> {
    if (!this._headers) {
      const m = new Map<string, string[]>();
      const raw = this.req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i]!.toLowerCase();
        const list = m.get(k);
        if (list) list.push(raw[i + 1]!);
        else m.set(k, [raw[i + 1]!]);
      }
      this._headers = m;
    }
    return this._headers;
  }

  header(name: string): string | undefined {
    return this.headers.get(name)?.[0];
  }

  get domainName(): string {
    return this.req.host.replace(/:\d+$/, '');
  }

  get routeKey(): string {
    return this.match?.route.route.routeKey ?? '$default';
  }

  /** requestContext of both payload versions' common part. */
  time(): { time: string; timeEpoch: number } {
    return { time: clfTime(this.req.receivedAt), timeEpoch: this.req.receivedAt };
  }

  get accountId(): string {
    return ACCOUNT_ID;
  }
}

// apigw-requestid values look like "LV7fzho-PHcEJPw=" (aws-lambda-go events/testdata): 15 characters and '='.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-';
const prefix = Array.from(randomBytes(6), (b) => ALPHABET[b % 62]).join('');
let counter = 0;
function nextRequestId(): string {
  counter = (counter + 1) % 63 ** 9;
  let n = counter;
  let tail = '';
  for (let i = 0; i < 9; i++) {
    tail = ALPHABET[n % 63] + tail;
    n = Math.floor(n / 63);
  }
  return `${prefix}${tail}=`;
}
