import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync, strToU8 } from 'fflate';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.js';
import { memoryLogger } from '../../src/server/logger.js';
import type { ControlPlane } from '../../src/control/index.js';

export interface TestServer extends RunningServer {
  logs: string[];
  apigw: APIGatewayClient;
  lambda: LambdaClient;
}

/** An emulator on an ephemeral port with in-memory state and captured logs; stop it with close(). */
export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const logger = memoryLogger();
  const server = await startServer({ port: 0, ephemeral: true, logger, ...options });
  const clientConfig = {
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return Object.assign(server, {
    logs: logger.lines,
    apigw: new APIGatewayClient(clientConfig),
    lambda: new LambdaClient(clientConfig),
  });
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/**
 * Sends a request to the data plane the way a browser would address it (Host: {api}.execute-api.localhost),
 * without needing *.localhost to resolve: Node does not resolve it, so we connect to 127.0.0.1 ourselves.
 */
export function callApi(
  server: RunningServer,
  apiId: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<SimpleResponse> {
  return rawRequest(server.port, {
    method: init.method ?? 'GET',
    path,
    headers: { Host: `${apiId}.execute-api.localhost:${server.port}`, ...(init.headers ?? {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}

export function rawRequest(
  port: number,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A deployment package with the given files, as CreateFunction's ZipFile. */
export function zipOf(files: Record<string, string>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[name] = strToU8(text);
  return zipSync(entries);
}

export const TEST_ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

export function lambdaUri(name: string, region = 'us-east-1'): string {
  return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:000000000000:function:${name}/invocations`;
}

/** Creates a nodejs20.x function whose index.mjs is `source`, served from a directory of its own. */
export async function nodeFunction(server: RunningServer, name: string, source: string, handler = 'index.handler'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `preflight-fn-${name}-`));
  writeFileSync(join(dir, 'index.mjs'), source);
  await server.control.functions.createFunction({ FunctionName: name, Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: handler, Code: { Directory: dir } });
}

/** A MOCK method answering 200, with `body` as its application/json template when given: a test API's usual part. */
export function putMockMethod(control: ControlPlane, apiId: string, resourceId: string, httpMethod: string, body?: string): void {
  const { apis } = control;
  apis.putMethod(apiId, resourceId, httpMethod, { authorizationType: 'NONE' });
  apis.putIntegration(apiId, resourceId, httpMethod, { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
  apis.putMethodResponse(apiId, resourceId, httpMethod, '200', {});
  apis.putIntegrationResponse(apiId, resourceId, httpMethod, '200', { selectionPattern: '', ...(body !== undefined ? { responseTemplates: { 'application/json': body } } : {}) });
}
