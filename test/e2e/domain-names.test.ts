import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateBasePathMappingCommand,
  CreateDomainNameCommand,
  DeleteBasePathMappingCommand,
  DeleteDomainNameCommand,
  DeleteRestApiCommand,
  GetBasePathMappingCommand,
  GetBasePathMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  UpdateBasePathMappingCommand,
  UpdateDomainNameCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiMappingCommand,
  CreateDomainNameCommand as CreateDomainNameV2Command,
  DeleteApiMappingCommand,
  GetApiMappingsCommand,
  GetDomainNameCommand as GetDomainNameV2Command,
} from '@aws-sdk/client-apigatewayv2';
import { nodeFunction, rawRequest, startTestServer, type SimpleResponse, type TestServer } from '../helpers/server.js';

/*
 * Custom domain names through the SDKs, and requests to them by Host header. Sources, cited per assertion:
 *  - model: botocore apigateway 2015-07-09 / apigatewayv2 2018-11-29 (paths, status codes, members).
 *  - CLI-EX: AWS-authored CLI examples (awscli/examples/apigateway{,v2}/*.rst).
 *  - AGDG: the API Gateway developer guide (apigateway-regional-api-custom-domain-create, rest-api-mappings).
 *  - Real AWS error texts quoted in public issues, named per assertion.
 */

let server: TestServer;
let v2: ApiGatewayV2Client;
let restId: string;
let httpId: string;
const CERT = 'arn:aws:acm:us-east-1:000000000000:certificate/11111111-2222-3333-4444-555555555555';

before(async () => {
  server = await startTestServer();
  v2 = new ApiGatewayV2Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  // A Lambda proxy that echoes the paths and names API Gateway gave it.
  await nodeFunction(
    server,
    'echo-paths',
    `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify({
      path: event.path ?? null, rawPath: event.rawPath ?? null, resource: event.resource ?? null,
      contextPath: event.requestContext.path ?? null, stage: event.requestContext.stage,
      domainName: event.requestContext.domainName, domainPrefix: event.requestContext.domainPrefix ?? null }) });`,
  );
  const { apis, deployments, httpApis } = server.control;
  const uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:echo-paths/invocations';
  const api = apis.createRestApi({ name: 'domains' });
  const payment = apis.createResource(api.id, api.rootResourceId, { pathPart: 'payment' });
  apis.putMethod(api.id, payment.id, 'GET', { authorizationType: 'NONE' });
  apis.putIntegration(api.id, payment.id, 'GET', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri });
  deployments.createDeployment(api.id, { stageName: 'dev' });
  restId = api.id;
  const h = httpApis.createApi({ name: 'domains-http', protocolType: 'HTTP' });
  const integration = httpApis.createIntegration(h.apiId, { integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:echo-paths', payloadFormatVersion: '2.0' });
  httpApis.createRoute(h.apiId, { routeKey: 'GET /me', target: `integrations/${integration.integrationId}` });
  httpApis.createStage(h.apiId, { stageName: '$default', autoDeploy: true });
  httpId = h.apiId;
});
after(() => server.close());

/** An AWS error as the SDK raises it: HTTP status, error type and message. */
async function awsError(p: Promise<unknown>, status: number, type: string, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(err.name, type, err.message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    assert.equal(err.message, message);
    return true;
  });
}

/** A request as a client of the custom domain sends it: to this machine, with the domain in Host. */
function callDomain(domain: string, path: string): Promise<SimpleResponse> {
  return rawRequest(server.port, { method: 'GET', path, headers: { Host: `${domain}:${server.port}` } });
}

describe('domain names (API Gateway v1)', () => {
  test('CreateDomainName: EDGE by default, REGIONAL on request, with the names AWS generates; errors as AWS words them', async () => {
    const apigw = server.apigw;
    // 201 (model); EDGE when no endpointConfiguration, distribution in the CloudFront zone, TLS_1_2 (CLI-EX
    // create-domain-name.rst).
    const edge = await apigw.send(new CreateDomainNameCommand({ domainName: 'edge.example.test', certificateName: 'edge cert', certificateArn: CERT }));
    assert.equal(edge.$metadata.httpStatusCode, 201);
    assert.equal(edge.domainName, 'edge.example.test');
    assert.deepEqual(edge.endpointConfiguration?.types, ['EDGE']);
    assert.match(edge.distributionDomainName ?? '', /^d[a-z0-9]{13}\.cloudfront\.net$/);
    assert.equal(edge.distributionHostedZoneId, 'Z2FDTNDATAQYW2');
    assert.equal(edge.certificateName, 'edge cert');
    assert.equal(edge.certificateArn, CERT);
    assert.ok(edge.certificateUploadDate instanceof Date);
    assert.equal(edge.domainNameStatus, 'AVAILABLE');
    assert.equal(edge.securityPolicy, 'TLS_1_2');
    assert.equal(edge.regionalDomainName, undefined);

    // REGIONAL: d-{10}.execute-api.{region}.amazonaws.com and us-east-1's zone (AGDG regional-create; CLI-EX
    // get-domain-names.rst).
    const regional = await apigw.send(new CreateDomainNameCommand({ domainName: 'regional.example.test', regionalCertificateArn: CERT, endpointConfiguration: { types: ['REGIONAL'] } }));
    assert.match(regional.regionalDomainName ?? '', /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
    assert.equal(regional.regionalHostedZoneId, 'Z1UJRXOUMOOFQ8');
    assert.equal(regional.regionalCertificateArn, CERT);
    assert.equal(regional.distributionDomainName, undefined);

    // Real AWS texts: Zappa docs (taken name, 400 in v1), terraform-provider-aws#3276 (no certificate), anomalyco/sst#4131
    // (an EDGE certificate on a REGIONAL domain), serverless-domain-manager#210 (unknown name, 404).
    await awsError(apigw.send(new CreateDomainNameCommand({ domainName: 'edge.example.test', certificateArn: CERT })), 400, 'BadRequestException', 'The domain name you provided already exists.');
    await awsError(apigw.send(new CreateDomainNameCommand({ domainName: 'nocert.example.test' })), 400, 'BadRequestException', 'A certificate was not provided for the endpoint type EDGE.');
    await awsError(
      apigw.send(new CreateDomainNameCommand({ domainName: 'mixed.example.test', certificateArn: CERT, endpointConfiguration: { types: ['REGIONAL'] } })),
      400,
      'BadRequestException',
      'Cannot import certificates for EDGE while REGIONAL is active.',
    );
    await awsError(apigw.send(new GetDomainNameCommand({ domainName: 'nope.example.test' })), 404, 'NotFoundException', 'Invalid domain name identifier specified');
    // Names preflight answers itself are refused, with what to use instead.
    await assert.rejects(apigw.send(new CreateDomainNameCommand({ domainName: 'localhost', certificateArn: CERT })), /choose another, e\.g\. api\.myapp\.localhost/);

    const listed = await apigw.send(new GetDomainNamesCommand({}));
    assert.deepEqual(listed.items?.map((d) => d.domainName), ['edge.example.test', 'regional.example.test']);
    const updated = await apigw.send(new UpdateDomainNameCommand({ domainName: 'edge.example.test', patchOperations: [{ op: 'replace', path: '/securityPolicy', value: 'TLS_1_0' }] }));
    assert.equal(updated.securityPolicy, 'TLS_1_0');
    const deleted = await apigw.send(new DeleteDomainNameCommand({ domainName: 'edge.example.test' }));
    assert.equal(deleted.$metadata.httpStatusCode, 202);
    await awsError(apigw.send(new DeleteDomainNameCommand({ domainName: 'edge.example.test' })), 404, 'NotFoundException', 'Invalid domain name identifier specified');
  });

  test('base path mappings: "(none)", errors as AWS words them, update, delete; a mapped REST API cannot be deleted', async () => {
    const apigw = server.apigw;
    const domainName = 'mappings.example.test';
    await apigw.send(new CreateDomainNameCommand({ domainName, certificateArn: CERT }));
    // An empty base path is "(none)" (CLI-EX get-base-path-mappings.rst); 201 (model).
    const root = await apigw.send(new CreateBasePathMappingCommand({ domainName, restApiId: restId, stage: 'dev' }));
    assert.equal(root.$metadata.httpStatusCode, 201);
    assert.deepEqual({ basePath: root.basePath, restApiId: root.restApiId, stage: root.stage }, { basePath: '(none)', restApiId: restId, stage: 'dev' });
    await apigw.send(new CreateBasePathMappingCommand({ domainName, basePath: 'v1', restApiId: restId, stage: 'dev' }));

    // Real AWS texts: serverless-domain-manager#214 (taken), terraform-provider-aws#21986 (slash in v1), Zappa docs
    // (unknown API), serverless/serverless#4029 (unknown stage), serverless-domain-manager#613 (unknown base path).
    await awsError(apigw.send(new CreateBasePathMappingCommand({ domainName, basePath: 'v1', restApiId: restId, stage: 'dev' })), 409, 'ConflictException', 'Base path already exists for this domain name');
    await awsError(
      apigw.send(new CreateBasePathMappingCommand({ domainName, basePath: 'v1/orders', restApiId: restId, stage: 'dev' })),
      400,
      'BadRequestException',
      "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.",
    );
    await awsError(apigw.send(new CreateBasePathMappingCommand({ domainName, basePath: 'x', restApiId: 'nope000000', stage: 'dev' })), 400, 'BadRequestException', 'Invalid REST API identifier specified');
    await awsError(apigw.send(new CreateBasePathMappingCommand({ domainName, basePath: 'x', restApiId: restId, stage: 'prod' })), 400, 'BadRequestException', 'Invalid stage identifier specified');
    await awsError(apigw.send(new GetBasePathMappingCommand({ domainName, basePath: 'v9' })), 404, 'NotFoundException', 'Invalid base path mapping identifier specified');

    const all = await apigw.send(new GetBasePathMappingsCommand({ domainName }));
    assert.deepEqual(all.items?.map((m) => m.basePath), ['(none)', 'v1']);
    assert.equal((await apigw.send(new GetBasePathMappingCommand({ domainName, basePath: '(none)' }))).restApiId, restId);
    const renamed = await apigw.send(new UpdateBasePathMappingCommand({ domainName, basePath: 'v1', patchOperations: [{ op: 'replace', path: '/basePath', value: 'v2' }] }));
    assert.equal(renamed.basePath, 'v2');

    // Real AWS text: serverless-domain-manager#406.
    await awsError(
      apigw.send(new DeleteRestApiCommand({ restApiId: restId })),
      400,
      'BadRequestException',
      `Deleting RestApi ${restId} failed. Please remove all base path mappings related to the RestApi in your domains.`,
    );
    assert.equal((await apigw.send(new DeleteBasePathMappingCommand({ domainName, basePath: 'v2' }))).$metadata.httpStatusCode, 202);
    await apigw.send(new DeleteBasePathMappingCommand({ domainName, basePath: '(none)' }));
    assert.deepEqual((await apigw.send(new GetBasePathMappingsCommand({ domainName }))).items, []);
    await apigw.send(new DeleteDomainNameCommand({ domainName }));
  });
});

describe('requests to a custom domain', () => {
  test('REST: the longest base path wins by whole segments, the stage comes from the mapping, the event keeps the base path', async () => {
    const apigw = server.apigw;
    const domainName = 'api.example.test';
    await apigw.send(new CreateDomainNameCommand({ domainName, regionalCertificateArn: CERT, endpointConfiguration: { types: ['REGIONAL'] } }));
    await apigw.send(new CreateBasePathMappingCommand({ domainName, basePath: 'v1', restApiId: restId, stage: 'dev' }));

    // path and requestContext.path are /<basePath>/<rest> with no stage; domainName is the custom host (real events in
    // aws-powertools/powertools-lambda-python#579).
    const r = await callDomain(domainName, '/v1/payment');
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { path: '/v1/payment', rawPath: null, resource: '/payment', contextPath: '/v1/payment', stage: 'dev', domainName, domainPrefix: 'api' });
    // The Host header's case and port do not matter.
    assert.equal((await rawRequest(server.port, { method: 'GET', path: '/v1/payment', headers: { Host: 'API.Example.Test' } })).status, 200);

    // Nothing mapped: 403 Forbidden, "no place to point an event" (Zappa#1248, quoting AWS); "v1" does not match "/v1x".
    for (const path of ['/other', '/v1x/payment']) {
      const none = await callDomain(domainName, path);
      assert.equal(none.status, 403, path);
      assert.equal(none.body, '{"message":"Forbidden"}');
    }
    // The "(none)" mapping takes what no longer base path matches (AGDG rest-api-mappings); inside the API an unknown
    // resource is its own 403.
    await apigw.send(new CreateBasePathMappingCommand({ domainName, restApiId: restId, stage: 'dev' }));
    const viaRoot = await callDomain(domainName, '/payment');
    assert.equal(viaRoot.status, 200);
    assert.equal(JSON.parse(viaRoot.body).path, '/payment');
    const unknown = await callDomain(domainName, '/other');
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body, '{"message":"Missing Authentication Token"}');

    // A mapping changes what is served at once, with no deployment; a deleted domain is no longer served.
    await apigw.send(new DeleteBasePathMappingCommand({ domainName, basePath: '(none)' }));
    assert.equal((await callDomain(domainName, '/payment')).status, 403);
    await apigw.send(new DeleteBasePathMappingCommand({ domainName, basePath: 'v1' }));
    await apigw.send(new DeleteDomainNameCommand({ domainName }));
    const gone = await callDomain(domainName, '/v1/payment');
    assert.notEqual(gone.status, 200);
  });

  test('v2: a REGIONAL domain shared with v1, multi-level API mapping keys to an HTTP API; rawPath without the key', async () => {
    const domainName = 'http.example.test';
    // 201 and the v2 shape (CLI-EX apigatewayv2 create-domain-name.rst).
    const created = await v2.send(new CreateDomainNameV2Command({ DomainName: domainName, DomainNameConfigurations: [{ CertificateArn: CERT }] }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.ApiMappingSelectionExpression, '$request.basepath');
    const config = created.DomainNameConfigurations?.[0];
    assert.equal(config?.EndpointType, 'REGIONAL');
    assert.equal(config?.SecurityPolicy, 'TLS_1_2');
    assert.equal(config?.DomainNameStatus, 'AVAILABLE');
    assert.match(config?.ApiGatewayDomainName ?? '', /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
    // One resource behind both APIs (AGDG how-to-custom-domains): v1 sees it as REGIONAL.
    const seenByV1 = await server.apigw.send(new GetDomainNameCommand({ domainName }));
    assert.deepEqual(seenByV1.endpointConfiguration?.types, ['REGIONAL']);
    assert.equal(seenByV1.regionalDomainName, config?.ApiGatewayDomainName);
    // The v2 text for a taken name, as a 409 (ACK apigatewayv2 controller docs quoting AWS).
    await awsError(v2.send(new CreateDomainNameV2Command({ DomainName: domainName, DomainNameConfigurations: [{ CertificateArn: CERT }] })), 409, 'ConflictException', 'The domain name you provided already exists.');

    // Multi-level keys are v2's (AGDG rest-api-mappings); the mapping id is 10 lower-case characters (CLI-EX
    // create-api-mapping.rst); a taken key is 409 (real AWS text: aws-cdk#22660).
    const mapping = await v2.send(new CreateApiMappingCommand({ DomainName: domainName, ApiId: httpId, ApiMappingKey: 'orders/v2', Stage: '$default' }));
    assert.equal(mapping.$metadata.httpStatusCode, 201);
    assert.match(mapping.ApiMappingId ?? '', /^[a-z0-9]{10}$/);
    assert.deepEqual({ key: mapping.ApiMappingKey, api: mapping.ApiId, stage: mapping.Stage }, { key: 'orders/v2', api: httpId, stage: '$default' });
    await awsError(v2.send(new CreateApiMappingCommand({ DomainName: domainName, ApiId: httpId, ApiMappingKey: 'orders/v2', Stage: '$default' })), 409, 'ConflictException', 'ApiMapping key already exists for this domain name');
    await awsError(v2.send(new CreateApiMappingCommand({ DomainName: domainName, ApiId: httpId, ApiMappingKey: 'x', Stage: 'nope' })), 400, 'BadRequestException', 'Invalid stage identifier specified');
    // A v2 mapping may point at a REST API (terraform-provider-aws#21986).
    await v2.send(new CreateApiMappingCommand({ DomainName: domainName, ApiId: restId, ApiMappingKey: 'orders', Stage: 'dev' }));
    assert.deepEqual((await v2.send(new GetApiMappingsCommand({ DomainName: domainName }))).Items?.map((m) => m.ApiMappingKey), ['orders/v2', 'orders']);

    // The longest key wins: /orders/v2/me goes to the HTTP API, /orders/payment to the REST API.
    const viaHttp = await callDomain(domainName, '/orders/v2/me');
    assert.equal(viaHttp.status, 200, viaHttp.body);
    assert.equal(JSON.parse(viaHttp.body).rawPath, '/me');
    assert.equal(JSON.parse(viaHttp.body).domainName, domainName);
    const viaRest = await callDomain(domainName, '/orders/payment');
    assert.equal(viaRest.status, 200, viaRest.body);
    assert.equal(JSON.parse(viaRest.body).path, '/orders/payment');

    // v2 manages REGIONAL domains only (real AWS text: serverless-domain-manager#582).
    await server.apigw.send(new CreateDomainNameCommand({ domainName: 'edge-only.example.test', certificateArn: CERT }));
    await assert.rejects(v2.send(new GetDomainNameV2Command({ DomainName: 'edge-only.example.test' })), /Only REGIONAL domain names can be managed through the API Gateway V2 API/);

    assert.equal((await v2.send(new DeleteApiMappingCommand({ DomainName: domainName, ApiMappingId: mapping.ApiMappingId! }))).$metadata.httpStatusCode, 204);
    assert.equal((await callDomain(domainName, '/orders/v2/me')).status, 403, 'falls to the "orders" mapping, whose REST API has no /v2/me');
  });
});
