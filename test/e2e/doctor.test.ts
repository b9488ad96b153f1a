// preflight doctor against the local emulator, in each failure state of the seed story (test/browser/seed-story.test.ts)
// and the other causes doctor recognizes. The console lines asserted here are the ones the seed story measured in
// Chromium 156; src/cors produces them (proven by test/conformance).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lambdaUri, putMockMethod, startTestServer, TEST_ROLE, zipOf, type TestServer } from '../helpers/server.js';
import { runDoctor } from '../../src/doctor/live.js';
import { parseInput } from '../../src/doctor/input.js';
import type { DoctorReport } from '../../src/doctor/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/seed/${name}`, import.meta.url));
const ORIGIN = 'http://localhost:3000';
const root = fileURLToPath(new URL('../..', import.meta.url));

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.close();
});

async function doctor(url: string, opts: { method?: string; header?: string[]; credentials?: boolean; data?: string; origin?: string } = {}): Promise<DoctorReport> {
  const { input } = parseInput(url, { origin: opts.origin ?? ORIGIN, ...opts });
  return runDoctor(input);
}

const blocked = (url: string, text: string) => `Access to fetch at '${url}' from origin '${ORIGIN}' has been blocked by CORS policy: ${text}`;
const preflightBlocked = (url: string, text: string) => blocked(url, `Response to preflight request doesn't pass access control check: ${text}`);
const NO_ACAO = "No 'Access-Control-Allow-Origin' header is present on the requested resource.";

/** Runs the CLI in a child process, without blocking this one (whose test servers must keep answering). */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // The CLI as bin/preflight.js runs it, from the sources (the build may be stale while developing).
  const entry = "const { main } = await import('./src/cli/main.ts'); const code = await main(process.argv.slice(1)); if (code !== 0) process.exit(code);";
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, 'doctor', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('the seed story, one failure state at a time', () => {
  test('no OPTIONS → enable CORS (not deployed) → deployed, Lambda without headers → withCors → credentials with *', async () => {
    const { apis, deployments, functions } = server.control;
    await functions.createFunction({ FunctionName: 'doc-users', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: fixture('no-headers') } });
    const api = apis.createRestApi({ name: 'doctor-seed' });
    const users = apis.createResource(api.id, api.rootResourceId, { pathPart: 'users' });
    apis.putMethod(api.id, users.id, 'POST', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, users.id, 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('doc-users') });
    deployments.createDeployment(api.id, { stageName: 'dev' });
    const url = `${server.restApiUrl(api.id, 'dev')}/users`;
    const post = (credentials = false) => doctor(url, { method: 'POST', header: ['Content-Type: application/json'], data: '{"name":"ada"}', credentials });

    // (1) No OPTIONS method: 403 Missing Authentication Token to the preflight.
    let r = await post();
    assert.equal(r.verdict, 'blocked');
    assert.equal(r.platform, 'local-rest');
    assert.equal(r.cause, 'no-options-method');
    assert.equal(r.chromiumMessage, preflightBlocked(url, NO_ACAO));
    assert.match(r.explanation, /no OPTIONS method on resource \/users/);
    assert.equal(r.fixes[0]!.target, 'rest-api');
    assert.match(r.fixes[0]!.text, /Enable CORS on resource \/users/);
    assert.match(r.fixes[0]!.command!, new RegExp(`preflight cors enable --api ${api.id} --resource /users .*preflight deploy --api ${api.id} --stage dev`));
    assert.ok(r.trace.some((s) => s.question === 'Is there an OPTIONS method for this path?' && !s.ok));

    // (2) CORS enabled but not deployed: the stage's deployment predates it.
    server.control.enableCors(api.id, users.id, {});
    r = await post();
    assert.equal(r.cause, 'stale-deployment');
    assert.equal(r.chromiumMessage, preflightBlocked(url, NO_ACAO));
    assert.match(r.explanation, /stage dev still serves deployment/);
    assert.equal(r.fixes[0]!.command, `preflight deploy --api ${api.id} --stage dev`);
    assert.ok(r.warnings.some((w) => w.id === 'undeployed-changes'));

    // (3) Deployed: the preflight passes, the Lambda's response has no Access-Control-Allow-Origin.
    deployments.createDeployment(api.id, { stageName: 'dev' });
    r = await post();
    assert.equal(r.cause, 'lambda-missing-cors-headers');
    assert.equal(r.chromiumMessage, blocked(url, NO_ACAO));
    assert.match(r.explanation, /Lambda function doc-users/);
    assert.equal(r.fixes[0]!.target, 'lambda');
    assert.match(r.fixes[0]!.text, /withCors\(yourHandler, \{ origins: \['http:\/\/localhost:3000'\] \}\)/);
    assert.match(r.fixes[0]!.text, /errors included/);
    assert.equal(r.exchanges.length, 2);

    // (4) withCors: allowed.
    await functions.updateFunctionCode('doc-users', { Directory: fixture('with-cors') });
    functions.updateFunctionConfiguration('doc-users', { Environment: { Variables: { CORS_ALLOWED_ORIGINS: ORIGIN } } });
    r = await post();
    assert.equal(r.verdict, 'allowed', JSON.stringify(r, null, 2));
    assert.equal(r.chromiumMessage, null);
    assert.equal(r.cause, null);

    // (5) Credentials with the console's '*' on the preflight.
    r = await post(true);
    assert.equal(r.cause, 'credentials-with-wildcard');
    assert.equal(
      r.chromiumMessage,
      preflightBlocked(url, "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
    );
    assert.ok(r.fixes.some((f) => f.target === 'rest-api' && f.text.includes(`'${ORIGIN}'`) && f.text.includes('Access-Control-Allow-Credentials')));
    assert.ok(r.fixes.some((f) => f.target === 'lambda' && f.text.includes('credentials: true')));

    // (5b) The origin fixed on the preflight, Access-Control-Allow-Credentials still missing.
    server.control.enableCors(api.id, users.id, { allowOrigin: ORIGIN });
    deployments.createDeployment(api.id, { stageName: 'dev' });
    r = await post(true);
    assert.equal(r.cause, 'missing-allow-credentials');
    assert.equal(r.chromiumMessage, preflightBlocked(url, "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."));
  });
});

describe('other causes', () => {
  let apiId = '';
  let resourceId = '';
  before(async () => {
    const { apis, deployments, functions } = server.control;
    const dup = "export async function handler() { return { statusCode: 200, headers: { 'Access-Control-Allow-Origin': 'http://localhost:3000' }, multiValueHeaders: { 'Access-Control-Allow-Origin': ['http://localhost:3000'] }, body: '{}' }; }";
    const boom = 'export async function handler() { throw new Error("boom"); }';
    await functions.createFunction({ FunctionName: 'doc-dup', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zipOf({ 'index.mjs': dup })) } });
    await functions.createFunction({ FunctionName: 'doc-boom', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zipOf({ 'index.mjs': boom })) } });
    const api = apis.createRestApi({ name: 'doctor-causes' });
    apiId = api.id;
    const items = apis.createResource(api.id, api.rootResourceId, { pathPart: 'items' });
    resourceId = items.id;
    apis.putMethod(api.id, items.id, 'GET', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, items.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('doc-dup') });
    apis.putMethod(api.id, items.id, 'DELETE', { authorizationType: 'NONE' });
    apis.putIntegration(api.id, items.id, 'DELETE', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('doc-boom') });
    server.control.enableCors(api.id, items.id, { allowOrigin: 'http://localhost:3000/' });
    deployments.createDeployment(api.id, { stageName: 'prod' });
  });

  test('origin mismatch: a trailing slash in the configured origin', async () => {
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    const r = await doctor(url, { method: 'DELETE' });
    assert.equal(r.cause, 'origin-mismatch');
    assert.equal(r.chromiumMessage, preflightBlocked(url, "The 'Access-Control-Allow-Origin' header has a value 'http://localhost:3000/' that is not equal to the supplied origin. Have the server send the header with a valid value."));
    assert.match(r.explanation, /trailing slash/);
  });

  test('origin mismatch: the page runs on localhost:3000, the API allows the production origin', async () => {
    server.control.enableCors(apiId, resourceId, { allowOrigin: 'https://app.example.com' });
    server.control.deployments.createDeployment(apiId, { stageName: 'prod' });
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    const r = await doctor(url, { method: 'DELETE' });
    assert.equal(r.cause, 'origin-mismatch');
    assert.match(r.explanation, /allows 'https:\/\/app\.example\.com', a different origin than the page's 'http:\/\/localhost:3000'/);
    assert.match(r.fixes[0]!.command ?? '', /--allow-origin 'http:\/\/localhost:3000'/);
    const scheme = await doctor(url, { method: 'DELETE', origin: 'http://app.example.com' });
    assert.match(scheme.explanation, /scheme differs/);
    server.control.enableCors(apiId, resourceId, { allowOrigin: '*' });
    server.control.deployments.createDeployment(apiId, { stageName: 'prod' });
  });

  test('a header the preflight does not allow is named, all of them in the explanation', async () => {
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    const r = await doctor(url, { method: 'DELETE', header: ['X-Custom: 1', 'X-Trace: 2'] });
    assert.equal(r.cause, 'header-not-allowed');
    assert.match(r.chromiumMessage!, /Request header field x-(custom|trace) is not allowed by Access-Control-Allow-Headers in preflight response\.$/);
    assert.match(r.explanation, /x-custom, x-trace|x-trace, x-custom/);
    assert.match(r.fixes[0]!.command!, /--allow-headers '.*X-Amz-Security-Token,(x-custom,x-trace|x-trace,x-custom)'/);
  });

  test('a method the preflight does not allow', async () => {
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    const r = await doctor(url, { method: 'PATCH' });
    assert.equal(r.cause, 'method-not-allowed');
    assert.equal(r.chromiumMessage, blocked(url, 'Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.'));
  });

  test("Authorization under '*': allowed by Chromium 156, with the difference spelled out", async () => {
    server.control.enableCors(apiId, resourceId, { allowHeaders: '*' });
    server.control.deployments.createDeployment(apiId, { stageName: 'prod' });
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    const r = await doctor(url, { method: 'GET', header: ['Authorization: Bearer t'] });
    assert.equal(r.cause, 'duplicate-allow-origin'); // the GET Lambda adds the header twice; the preflight passed
    const w = r.warnings.find((x) => x.id === 'authorization-covered-by-wildcard');
    assert.ok(w, JSON.stringify(r.warnings));
    assert.match(w.text, /Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response\./);
    server.control.enableCors(apiId, resourceId, {});
    server.control.deployments.createDeployment(apiId, { stageName: 'prod' });
  });

  test('duplicate Access-Control-Allow-Origin (added twice on the way out)', async () => {
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    const r = await doctor(url);
    assert.equal(r.cause, 'duplicate-allow-origin');
    assert.equal(r.chromiumMessage, blocked(url, "The 'Access-Control-Allow-Origin' header contains multiple values 'http://localhost:3000, http://localhost:3000', but only one is allowed. Have the server send the header with a valid value."));
  });

  test('gateway errors without CORS headers: 403 Missing Authentication Token and 502 from a crashing Lambda', async () => {
    const missing = `${server.restApiUrl(apiId, 'prod')}/nothing-here`;
    let r = await doctor(missing);
    assert.equal(r.cause, 'gateway-error-without-cors');
    assert.equal(r.chromiumMessage, blocked(missing, NO_ACAO));
    assert.match(r.fixes[0]!.text, /DEFAULT_4XX gateway response/);
    assert.match(r.fixes[0]!.command!, /--gateway-responses DEFAULT_4XX,DEFAULT_5XX/);
    const url = `${server.restApiUrl(apiId, 'prod')}/items`;
    r = await doctor(url, { method: 'DELETE' });
    assert.equal(r.cause, 'gateway-error-without-cors');
    assert.match(r.explanation, /502/);
    assert.match(r.fixes[0]!.text, /DEFAULT_5XX gateway response/);
  });

  test('the path form of the URL is inspected the same way', async () => {
    const url = `${server.restApiPathUrl(apiId, 'prod')}/nothing-here`;
    const r = await doctor(url);
    assert.equal(r.platform, 'local-rest');
    assert.equal(r.cause, 'gateway-error-without-cors');
  });
});

describe('HTTP APIs: advice in CorsConfiguration terms', () => {
  test('no CorsConfiguration: OPTIONS reaches the $default route; the fix names the CorsConfiguration values', async () => {
    const code = "export async function handler() { return { statusCode: 200, body: 'ok' }; }";
    await server.control.functions.createFunction({ FunctionName: 'doc-http', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from(zipOf({ 'index.mjs': code })) } });
    const api = server.control.httpApis.createApi({ name: 'doctor-http', protocolType: 'HTTP', target: 'arn:aws:lambda:us-east-1:000000000000:function:doc-http' });
    const url = `http://${api.apiId}.execute-api.localhost:${server.port}/orders`;
    const r = await doctor(url, { method: 'PUT', header: ['Content-Type: application/json'], data: '{}' });
    assert.equal(r.verdict, 'blocked');
    assert.equal(r.platform, 'local-http');
    assert.equal(r.cause, 'preflight-missing-allow-origin');
    assert.equal(r.chromiumMessage!.endsWith("No 'Access-Control-Allow-Origin' header is present on the requested resource."), true, r.chromiumMessage!);
    const fix = r.fixes.find((f) => f.target === 'http-api');
    assert.ok(fix, JSON.stringify(r.fixes));
    assert.match(fix.command!, new RegExp(`aws apigatewayv2 update-api --api-id ${api.apiId} --cors-configuration AllowOrigins=http://localhost:3000,AllowMethods=OPTIONS,PUT,AllowHeaders=content-type`));
  });
});

describe('servers that are not API Gateway', () => {
  let other: http.Server;
  let base = '';
  before(async () => {
    other = http.createServer((req, res) => {
      if (req.method === 'OPTIONS') {
        res.writeHead(301, { Location: `${base}/final/` });
        res.end();
        return;
      }
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*' });
      res.end('ok');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => other.close(() => r())));

  test('a redirected preflight', async () => {
    const r = await doctor(`${base}/api`, { method: 'PUT' });
    assert.equal(r.cause, 'preflight-redirect');
    assert.equal(r.chromiumMessage, `Access to fetch at '${base}/api' from origin '${ORIGIN}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.`);
    assert.match(r.fixes[0]!.text, /final\//);
  });

  test('a simple GET with * is allowed: exit 0, JSON document', async () => {
    const out = await cli([`${base}/api`, '--origin', ORIGIN, '--json']);
    assert.equal(out.status, 0, out.stderr);
    const doc = JSON.parse(out.stdout) as DoctorReport;
    assert.equal(doc.verdict, 'allowed');
    assert.equal(doc.chromiumMessage, null);
    assert.equal(doc.cause, null);
  });

  test('blocked: exit 1, the console line in the text output', async () => {
    const out = await cli([`${base}/api`, '--origin', ORIGIN, '--method', 'PUT']);
    assert.equal(out.status, 1, out.stderr);
    assert.match(out.stdout, /Verdict: blocked/);
    assert.match(out.stdout, /Redirect is not allowed for a preflight request\./);
    assert.match(out.stdout, /Cause \(preflight-redirect\)/);
  });
});

describe('bad input and network failures: exit 2 with a clear message', () => {
  test('an origin without scheme is explained', async () => {
    const out = await cli(['http://127.0.0.1:1/x', '--origin', 'app.example.com']);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /--origin 'app\.example\.com' has no scheme.*--origin https:\/\/app\.example\.com/);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
  });
  test('an origin with a trailing slash is explained', async () => {
    const out = await cli(['http://127.0.0.1:1/x', '--origin', 'http://localhost:3000/']);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /use --origin http:\/\/localhost:3000/);
  });
  test('an invalid URL', async () => {
    const out = await cli(['not a url', '--origin', ORIGIN]);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /'not a url' is not a valid URL/);
  });
  test('a missing --origin', async () => {
    const out = await cli(['http://127.0.0.1:1/x']);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /--origin is required/);
  });
  test('connection refused is a network error, never CORS', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const out = await cli([`http://127.0.0.1:${port}/x`, '--origin', ORIGIN, '--json']);
    assert.equal(out.status, 2);
    const doc = JSON.parse(out.stdout) as { cause: string; error: { code: string } };
    assert.equal(doc.cause, 'network-error');
    assert.equal(doc.error.code, 'ECONNREFUSED');
    assert.match(out.stderr, /connection refused .* This is not a CORS problem/);
  });
  test('an unresolvable host is a DNS error', async () => {
    const out = await cli(['http://doctor-test.invalid/x', '--origin', ORIGIN]);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /does not resolve \(DNS (ENOTFOUND|EAI_AGAIN)\)/);
  });
  test('a HAR that is not JSON', async () => {
    const out = await cli(['--har', 'package-lock.json.does-not-exist']);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /cannot read package-lock\.json\.does-not-exist: ENOENT/);
    const notJson = await cli(['--har', 'README.md']);
    assert.equal(notJson.status, 2);
    assert.match(notJson.stderr, /README\.md is not JSON/);
    const notHar = await cli(['--har', 'package.json']);
    assert.equal(notHar.status, 2);
    assert.match(notHar.stderr, /package\.json is JSON but not a HAR file/);
  });
});

describe('API Gateway\'s 403 Forbidden before any API answers', () => {
  test('a stage that does not exist, and a custom domain path no base path mapping covers: named, with the fix', async () => {
    const { apis, deployments, domains } = server.control;
    const api = apis.createRestApi({ name: 'doctor-routing' });
    const items = apis.createResource(api.id, api.rootResourceId, { pathPart: 'items' });
    putMockMethod(server.control, api.id, items.id, 'GET');
    server.control.enableCors(api.id, items.id, { allowOrigin: ORIGIN });
    deployments.createDeployment(api.id, { stageName: 'prod' });

    // A stage typo: the preflight never reaches the OPTIONS method Enable CORS made.
    const wrongStage = `${server.restApiUrl(api.id, 'dev')}/items`;
    let r = await doctor(wrongStage, { header: ['Authorization: Bearer x'] });
    assert.equal(r.verdict, 'blocked');
    assert.equal(r.cause, 'unknown-stage');
    assert.match(r.explanation, new RegExp(`API ${api.id} has no stage 'dev'`));
    assert.match(r.fixes[0]!.command!, new RegExp(`preflight deploy --api ${api.id} --stage dev`));

    // A custom domain (a .localhost name, so doctor reaches it on this machine) mapped at /v1 only.
    domains.createDomainName({ domainName: 'api.doctor.localhost', regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/local', endpointConfiguration: { types: ['REGIONAL'] } });
    domains.createBasePathMapping('api.doctor.localhost', { basePath: 'v1', restApiId: api.id, stage: 'prod' });
    const mapped = `http://api.doctor.localhost:${server.port}/v1/items`;
    r = await doctor(mapped, { header: ['Authorization: Bearer x'] });
    assert.equal(r.verdict, 'allowed', r.explanation);
    const unmapped = `http://api.doctor.localhost:${server.port}/v2/items`;
    r = await doctor(unmapped, { header: ['Authorization: Bearer x'] });
    assert.equal(r.verdict, 'blocked');
    assert.equal(r.cause, 'unmapped-base-path');
    assert.equal(r.chromiumMessage, preflightBlocked(unmapped, NO_ACAO));
    assert.match(r.explanation, /none of its base path mappings covers \/v2\/items/);
    assert.equal(r.fixes[0]!.command, `aws apigateway create-base-path-mapping --domain-name api.doctor.localhost --base-path 'v2' --rest-api-id <api-id> --stage <stage> --endpoint-url http://127.0.0.1:${server.port}`);
  });
});
