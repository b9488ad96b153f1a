import type { IncomingHttpHeaders } from 'node:http';

export interface WireRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a Buffer; undefined sends no body. */
  body?: unknown;
}

export type WireHandler = (req: WireRequest, params: Record<string, string>) => WireResponse | Promise<WireResponse>;

interface Route {
  method: string;
  regex: RegExp;
  names: string[];
  handler: WireHandler;
}

/** Maps AWS REST-JSON operation paths such as /restapis/{restapi_id}/resources to handlers. */
export class WireRouter {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: WireHandler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((part) => {
        const m = /^\{(\w+)\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, regex: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** The handler for a request, or whether the path exists under another method (for a 405-style answer). */
  match(method: string, path: string): { handler: WireHandler; params: Record<string, string> } | { pathKnown: boolean } {
    let pathKnown = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        pathKnown = true;
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = safeDecode(m[i + 1]!);
      });
      return { handler: r.handler, params };
    }
    return { pathKnown };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
