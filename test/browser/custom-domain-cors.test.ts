import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corsMessage, fetchFromPage, startCrossOriginScene, type CrossOriginScene } from '../helpers/browser.js';
import { lambdaUri, TEST_ROLE } from '../helpers/server.js';

/*
 * A custom domain under .localhost in a real Chromium: the browser resolves api.shop.localhost to this machine by
 * itself, so a front end calls the API by its custom name, with the preflight and the Lambda's CORS headers, as it
 * would call api.shop.example.com on AWS.
 */

let scene: CrossOriginScene;

before(async () => {
  scene = await startCrossOriginScene();
  const dir = mkdtempSync(join(tmpdir(), 'preflight-domaincors-'));
  mkdirSync(join(dir, 'orders'));
  writeFileSync(
    join(dir, 'orders', 'index.mjs'),
    `export const handler = async (event) => ({ statusCode: 200, headers: { 'Access-Control-Allow-Origin': '${scene.front.origin}' }, body: JSON.stringify({ path: event.path, host: event.requestContext.domainName }) });`,
  );
  await scene.server.control.functions.createFunction({ FunctionName: 'orders', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { Directory: join(dir, 'orders') } });
});
after(() => scene?.close());

test('a front end calls its API by a custom domain name: preflight through the mapping, the Lambda\'s answer, an unmapped path blocked', async () => {
  const { server, front, page } = scene;
  const { apis, deployments, domains } = server.control;
  const api = apis.createRestApi({ name: 'shop' });
  const orders = apis.createResource(api.id, api.rootResourceId, { pathPart: 'orders' });
  apis.putMethod(api.id, orders.id, 'POST', { authorizationType: 'NONE' });
  apis.putIntegration(api.id, orders.id, 'POST', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: lambdaUri('orders') });
  server.control.enableCors(api.id, orders.id, { allowOrigin: front.origin });
  deployments.createDeployment(api.id, { stageName: 'prod' });
  domains.createDomainName({ domainName: 'api.shop.localhost', regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/local', endpointConfiguration: { types: ['REGIONAL'] } });
  domains.createBasePathMapping('api.shop.localhost', { basePath: 'v1', restApiId: api.id, stage: 'prod' });
  const base = `http://api.shop.localhost:${server.port}`;

  // A JSON POST needs a preflight: the OPTIONS method Enable CORS made answers it through the mapping.
  const r = await fetchFromPage(page, `${base}/v1/orders`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"sku":"a1"}' });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(JSON.parse(r.body!), { path: '/v1/orders', host: 'api.shop.localhost' });

  // No mapping for the path: API Gateway's 403 Forbidden carries no CORS headers, so the page sees a CORS error.
  const blocked = await fetchFromPage(page, `${base}/v2/orders`);
  assert.equal(blocked.ok, false);
  assert.equal(
    corsMessage(blocked),
    `Access to fetch at '${base}/v2/orders' from origin '${front.origin}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
  );
});
