/** A request as the data plane sees it: raw enough to rebuild every AWS event shape from it. */
export interface GatewayRequest {
  method: string;
  /** Path after the stage (REST) or after the API root, still percent-encoded, starting with '/'. */
  path: string;
  /** Raw query string without '?', '' when none. */
  rawQuery: string;
  /** Header names as the client sent them, in order; duplicates kept. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** Value of the Host header (e.g. abc123.execute-api.localhost:4010). */
  host: string;
  /** Port the server listens on, for X-Forwarded-Port. */
  port: number;
  /** Milliseconds since epoch when the request arrived. */
  receivedAt: number;
  /** The whole URL path as received (what a SigV4 signature covers), when it differs from the stage path. */
  urlPath?: string;
  /**
   * The REST proxy event's `path` when it is not `path`: through a custom domain it is the URL path, base path
   * included (real events in aws-powertools/powertools-lambda-python#579: "path": "/v1/payment").
   */
  eventPath?: string;
}

/** Response headers as [name, value] pairs: case and repeated names (Set-Cookie) survive as the backend sent them. */
export type HeaderList = [string, string][];

export interface GatewayResult {
  status: number;
  headers: HeaderList;
  body: Buffer | string;
}

/** Case-insensitive lookup of the first value of a header in rawHeaders form. */
export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === lower) return rawHeaders[i + 1];
  }
  return undefined;
}

export function findHeader(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Where a data-plane request is going: the API, the stage (REST and named HTTP API stages) and the rest of the path. */
export interface Target {
  apiId: string;
  /** The path after the API's root, including the stage segment for REST APIs. */
  path: string;
  /** Which URL form reached us; the path form nests the request under /restapis/{id}/{stage}/_user_request_. */
  form: 'host' | 'path';
}
