import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Store } from '../store/db.js';
import { ControlPlane, defaultCodeRoot } from '../control/index.js';
import { AwsError, isAwsError } from '../control/errors.js';
import { newRequestId } from '../control/ids.js';
import { DataPlane } from '../gateway/data-plane.js';
import type { GatewayResult } from '../gateway/types.js';
import { LambdaRuntime, type LambdaRuntimeOptions } from '../lambda/runtime.js';
import { WireRouter, type WireRequest, type WireResponse } from '../wire/router.js';
import { apiGatewayRoutes } from '../wire/apigateway.js';
import { apiGatewayV2Routes } from '../wire/apigatewayv2.js';
import { apiGatewaySecurityRoutes } from '../wire/apigateway-security.js';
import { domainNameRoutes } from '../wire/domain-names.js';
import { apiGatewayExportRoutes, importRestApiWire, isImportRequest } from '../wire/apigateway-export.js';
import { AuthorizerCache } from '../gateway/http/authorize.js';
import { UsageEnforcer } from '../gateway/rest/usage.js';
import { StageCache } from '../gateway/rest/stage-cache.js';
import { StageThrottle } from '../gateway/rest/stage-throttle.js';
import { JwksResolver } from '../auth/jwks.js';
import { LOCAL_ISSUER, localJwks } from '../auth/local-issuer.js';
import { lambdaRoutes } from '../wire/lambda.js';
import { LocalLambda } from './local-lambda.js';
import { consoleLogger, type Logger } from './logger.js';
import { serveInspect } from './inspect.js';
import { LocalOnlyGate, RemoteBindError, isCorsPreflight, isLoopbackBindAddress, type LocalSurface } from './local-only.js';
import { generateToken } from './access-token.js';
import { configureServer, discardRest, readBody, resolveLimits, sendPayloadTooLarge, serverOptions, declaredLength, type ProtocolLimits } from './limits.js';
import { storageFailure } from './storage-failure.js';
import { EventHub } from './events.js';
import { ConsoleSurface } from './console-surface.js';
import { isSandboxHost, serveSandbox } from './console-sandbox.js';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Directory for state.db and unpacked function code (default .preflight). */
  dataDir?: string;
  /** Keep state in memory; code goes to a temporary directory removed on close. */
  ephemeral?: boolean;
  region?: string;
  logger?: Logger;
  /** Idle Lambda environments are stopped after this long (default 10 minutes). */
  lambdaIdleTimeoutMs?: number;
  /** More Lambda runtime settings (e.g. shorter async retry delays for tests). */
  lambda?: Omit<LambdaRuntimeOptions, 'onLog' | 'onMessage' | 'idleTimeoutMs'>;
  /** JWKS locations (URL or file) for JWT issuers that cannot be discovered from here, by issuer. */
  jwks?: Record<string, string>;
  /** IAM users whose SigV4 signatures AWS_IAM methods accept (default: access key "test", secret "test"). */
  iamUsers?: { name: string; accessKeyId: string; secretAccessKey: string }[];
  /** Browser origins allowed to call the control plane, with CORS headers for them only (`--control-plane-origin`). */
  controlPlaneOrigins?: string[];
  /** Accept callers on other machines (required to bind a non-loopback host); they must present `token`. */
  allowRemote?: boolean;
  /** The token remote callers present (generated when allowRemote is set without one). */
  token?: string;
  /** Protocol limits: header size, timeouts, body sizes (defaults in limits.ts). */
  limits?: Partial<ProtocolLimits>;
}

/** The credentials local AWS tooling most often uses; an AWS_IAM method accepts them unless told otherwise. */
export const DEFAULT_IAM_USERS = [{ name: 'test', accessKeyId: 'test', secretAccessKey: 'test' }];

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  control: ControlPlane;
  dataPlane: DataPlane;
  runtime: LambdaRuntime;
  /** `http://{apiId}.execute-api.localhost:{port}/{stage}` */
  restApiUrl(apiId: string, stage: string): string;
  /** The path form for clients that cannot resolve *.localhost. */
  restApiPathUrl(apiId: string, stage: string): string;
  /** The access token remote callers must present; only set with allowRemote. */
  token?: string;
  close(): Promise<void>;
}

const EXECUTE_API_HOST = /^([a-z0-9]+)\.execute-api\.localhost(?::\d+)?$/i;
const PATH_FORM = /^\/restapis\/([a-z0-9]+)\/([^/]+)\/_user_request_(\/.*)?$/;

/** Starts the emulator: AWS wire API, data plane and internal endpoints on one port (default 127.0.0.1:4010). */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  // The console's live logs hear what the server logs.
  const events = new EventHub();
  const logger = events.tap(options.logger ?? consoleLogger());
  const host = options.host ?? '127.0.0.1';
  // Other machines reaching the control plane could run code here: only on request, and then with a token.
  if (!isLoopbackBindAddress(host) && !options.allowRemote) throw new RemoteBindError(host);
  const token = options.allowRemote ? (options.token ?? generateToken()) : undefined;
  const gate = new LocalOnlyGate({ ...(options.controlPlaneOrigins ? { controlPlaneOrigins: options.controlPlaneOrigins } : {}), ...(token !== undefined ? { token } : {}) });
  const limits = resolveLimits(options.limits);
  let tempDir: string | undefined;
  let store: Store;
  let codeRoot: string;
  if (options.ephemeral) {
    tempDir = mkdtempSync(join(tmpdir(), 'preflight-'));
    store = new Store({ ephemeral: true });
    codeRoot = join(tempDir, 'functions');
  } else {
    const dataDir = resolve(options.dataDir ?? '.preflight');
    store = new Store({ file: join(dataDir, 'state.db') });
    codeRoot = defaultCodeRoot(dataDir);
  }
  const control = new ControlPlane(store, { codeRoot, ...(options.region ? { region: options.region } : {}) });
  const runtime = new LambdaRuntime({
    ...options.lambda,
    onLog: (fn, line) => logger.lambda(fn, line),
    onMessage: (level, message) => (level === 'warn' ? logger.warn(message) : logger.info(message)),
    ...(options.lambdaIdleTimeoutMs !== undefined ? { idleTimeoutMs: options.lambdaIdleTimeoutMs } : {}),
  });
  const lambda = new LocalLambda(control.functions, runtime);
  events.watch(control.events);
  control.events.on((e) => {
    if (e.kind === 'function') {
      lambda.forget(e.name);
      void runtime.retire(e.name);
    } else if (e.kind === 'external') {
      lambda.forget();
    }
  });
  const jwks = new JwksResolver(store, options.jwks ?? {});
  const usage = new UsageEnforcer(control.apiKeys, control.events);
  const gatewayDeps = {
    lambda,
    log: (id: string, msg: string) => logger.execution(id, msg),
    jwks,
    cache: new AuthorizerCache([control.deployments.authorizerCacheFlushes, control.httpApis.authorizerCacheFlushes]),
    region: control.functions.region,
    usage,
    stageThrottle: new StageThrottle(),
    stageCache: new StageCache(control.events, control.deployments),
    iamCredentials: new Map(
      (options.iamUsers ?? DEFAULT_IAM_USERS).map((u) => [
        u.accessKeyId,
        { secretAccessKey: u.secretAccessKey, arn: `arn:aws:iam::000000000000:user/${u.name}`, userId: `AIDA${createHash('sha256').update(u.name).digest('hex').slice(0, 17).toUpperCase()}` },
      ]),
    ),
  };
  const dataPlane = new DataPlane(control, gatewayDeps);
  const wire = lambdaRoutes(control, lambda, domainNameRoutes(control, apiGatewayV2Routes(control, apiGatewaySecurityRoutes(control, apiGatewayRoutes(control, apiGatewayExportRoutes(control, new WireRouter()))))));

  let port = 0;
  const consoleSurface = new ConsoleSurface({ control, runtime, gateway: gatewayDeps, port: () => port }, events);
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      logger.error(`unexpected error serving ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"message":"Internal server error"}');
      } else {
        res.destroy();
      }
    });
  };
  const server = http.createServer(serverOptions(limits), onRequest);
  // Malformed request lines, oversized headers, slow clients: a short answer and a closed connection, never a crash.
  configureServer(server);
  // Expect: 100-continue: a body that is declared too large is refused before the client sends it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const declared = declaredLength(req);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const toDataPlane = EXECUTE_API_HOST.test(req.headers.host ?? '') || PATH_FORM.test(path) || dataPlane.domainFor(req.headers.host ?? '') !== undefined;
    if (declared !== undefined && declared > (toDataPlane ? limits.maxDataPlaneBody : limits.maxControlBody)) {
      if (toDataPlane) return sendPayloadTooLarge(req, res, limits);
      return sendWire(res, errorResponse(path, new AwsError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${limits.maxControlBody} bytes`)), { Connection: 'close' });
    }
    res.writeContinue();
    onRequest(req, res);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
    const hostHeader = req.headers.host ?? '';

    const hostMatch = EXECUTE_API_HOST.exec(hostHeader);
    const pathMatch = hostMatch ? null : PATH_FORM.exec(path);
    const domain = hostMatch || pathMatch ? undefined : dataPlane.domainFor(hostHeader);
    if (hostMatch || pathMatch || domain) {
      let read = readBody(req, limits.maxDataPlaneBody);
      if (read instanceof Promise) read = await read;
      if (!read.ok) {
        if (read.reason === 'too-large') return sendPayloadTooLarge(req, res, limits);
        res.destroy();
        return;
      }
      const apiPath = pathMatch ? (pathMatch[3] ?? '/') : path;
      const request = {
        method: req.method ?? 'GET',
        path: apiPath,
        rawQuery,
        rawHeaders: req.rawHeaders,
        body: read.body,
        sourceIp: normalizeIp(req.socket.remoteAddress),
        host: hostHeader,
        port,
        receivedAt,
        urlPath: path,
      };
      let result = domain
        ? dataPlane.handleDomain(domain, request)
        : dataPlane.handle((hostMatch ? hostMatch[1]! : pathMatch![1]!).toLowerCase(), apiPath, request, pathMatch ? pathMatch[2]! : undefined);
      if (result instanceof Promise) result = await result;
      return sendResult(res, result);
    }

    // The playground's sandbox pages: another origin on this port (http://{name}.localhost), nothing else there.
    if (isSandboxHost(hostHeader)) return serveSandbox(req, res, port);
    if (path === '/_preflight/api/inspect') {
      if (!admit(req, res, 'internal', rawQuery)) return;
      return serveInspect(req, res, control, rawQuery);
    }
    if (consoleSurface.handles(path)) {
      if (!admit(req, res, 'console', rawQuery)) return;
      return consoleSurface.serve(req, res, path, rawQuery);
    }
    if (path === '/_preflight/health') {
      if (!admit(req, res, 'internal', rawQuery)) return;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', version: 1 }));
      return;
    }
    // The built-in token issuer's public documents, for tools that want to verify its tokens themselves.
    if (path === '/_preflight/issuer/jwks.json' || path === '/_preflight/issuer/.well-known/openid-configuration') {
      const body = path.endsWith('jwks.json')
        ? await localJwks(store)
        : { issuer: LOCAL_ISSUER, jwks_uri: `http://${hostHeader}/_preflight/issuer/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }

    // The control plane changes the developer's machine: only local, non-browser-cross-site callers (and named
    // front ends, and remote callers with the token when the server was started for them).
    const verdict = gate.check(req, 'control', rawQuery);
    if (!verdict.ok) return refuse(req, res, verdict);
    const cors = verdict.corsOrigin !== undefined ? gate.corsHeaders(verdict.corsOrigin) : undefined;
    if (verdict.corsOrigin !== undefined && isCorsPreflight(req)) {
      res.writeHead(204, { ...gate.preflightHeaders(req, verdict.corsOrigin), 'Content-Length': '0' });
      res.end();
      return;
    }
    let read = readBody(req, limits.maxControlBody);
    if (read instanceof Promise) read = await read;
    if (!read.ok) {
      if (read.reason === 'aborted') return void res.destroy();
      sendWire(res, errorResponse(path, new AwsError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${limits.maxControlBody} bytes`)), { ...cors, Connection: 'close' });
      return discardRest(req, res, limits);
    }
    const body = read.body;
    const wreq: WireRequest = { method: req.method ?? 'GET', path, query: new URLSearchParams(rawQuery), headers: req.headers, body };
    const match = isImportRequest(wreq.method, path, wreq.query) ? { handler: (r: WireRequest) => importRestApiWire(control, r), params: {} } : wire.match(wreq.method, path);
    if (!('handler' in match)) {
      const e = match.pathKnown
        ? new AwsError(405, 'MethodNotAllowedException', `Method ${wreq.method} is not allowed on ${path}`)
        : new AwsError(404, 'UnknownOperationException', `No AWS operation at ${wreq.method} ${path}: preflight serves API Gateway (/restapis...) and Lambda (/2015-03-31/functions...)`);
      return sendWire(res, errorResponse(path, e), cors);
    }
    let response: WireResponse;
    try {
      response = await match.handler(wreq, match.params);
    } catch (e) {
      const failure = isAwsError(e) ? e : storageFailure(e, path, store.file);
      if (!failure) throw e;
      if (!isAwsError(e)) logger.error(`${wreq.method} ${path}: ${failure.message}`);
      response = errorResponse(path, failure);
    }
    sendWire(res, response, cors);
  }

  /** Lets a request through to a local-only surface, or answers it with the refusal. */
  function admit(req: http.IncomingMessage, res: http.ServerResponse, surface: LocalSurface, rawQuery: string): boolean {
    const verdict = gate.check(req, surface, rawQuery);
    if (verdict.ok) return true;
    refuse(req, res, verdict);
    return false;
  }

  function refuse(req: http.IncomingMessage, res: http.ServerResponse, verdict: Extract<ReturnType<LocalOnlyGate['check']>, { ok: false }>): void {
    // No CORS headers: a foreign page learns nothing, not even the status. A body is not read: that connection closes.
    const body = JSON.stringify({ message: verdict.message });
    const unreadBody = req.headers['transfer-encoding'] !== undefined || (declaredLength(req) ?? 0) > 0;
    res.writeHead(verdict.status, {
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': verdict.type,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      ...(unreadBody ? { Connection: 'close' } : {}),
    });
    res.end(body);
    if (unreadBody) discardRest(req, res, limits);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (token !== undefined) {
    logger.warn(`preflight accepts connections from other machines on ${url}: its control plane runs the code it is given. Remote callers must present the access token.`);
  }

  let closed = false;
  return {
    url,
    port,
    host,
    control,
    dataPlane,
    runtime,
    restApiUrl: (apiId, stage) => `http://${apiId}.execute-api.localhost:${port}/${stage}`,
    restApiPathUrl: (apiId, stage) => `${url}/restapis/${apiId}/${stage}/_user_request_`,
    ...(token !== undefined ? { token } : {}),
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.close();
      usage.close();
      store.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

function sendResult(res: http.ServerResponse, result: GatewayResult): void {
  const flat: string[] = [];
  for (const [k, v] of result.headers) flat.push(k, v);
  // A string body is written as a string (utf8): copying it into a Buffer first cost an allocation per request.
  const body = result.body;
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  flat.push('Content-Length', String(length));
  res.writeHead(result.status, flat);
  // An empty body goes out with the headers in one write; an empty chunk would cost a second one.
  if (length === 0) res.end();
  else res.end(body);
}

function sendWire(res: http.ServerResponse, r: WireResponse, extra?: Record<string, string>): void {
  const headers: Record<string, string> = { 'x-amzn-RequestId': newRequestId(), ...(r.headers ?? {}), ...extra };
  let body: Buffer | undefined;
  if (Buffer.isBuffer(r.body)) body = r.body;
  else if (r.body !== undefined) {
    body = Buffer.from(JSON.stringify(r.body));
    headers['Content-Type'] ??= 'application/json';
  }
  if (body) headers['Content-Length'] = String(body.length);
  res.writeHead(r.status, headers);
  res.end(body);
}

/**
 * AWS error bodies differ by service and even by error: API Gateway answers {"message"}; Lambda answers
 * {"Type":"User","Message"} for ResourceNotFoundException and {"Type":"User","message"} for the others
 * (botocore lambda error shapes; LocalStack AWS-validated snapshots).
 */
function errorResponse(path: string, e: AwsError): WireResponse {
  const headers = { 'x-amzn-ErrorType': e.type };
  if (/^\/20\d\d-\d\d-\d\d\/functions/.test(path)) {
    if (e.type === 'ValidationException') return { status: e.status, headers, body: { message: e.message } };
    if (e.type === 'ResourceNotFoundException') return { status: e.status, headers, body: { Type: 'User', Message: e.message } };
    const reason = (e as AwsError & { reason?: string }).reason;
    return { status: e.status, headers, body: { Type: 'User', message: e.message, ...(reason ? { Reason: reason } : {}) } };
  }
  return { status: e.status, headers, body: { message: e.message } };
}

function normalizeIp(ip: string | undefined): string {
  if (!ip) return '127.0.0.1';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
