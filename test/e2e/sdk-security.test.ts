import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateApiKeyCommand,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteAuthorizerCommand,
  DeleteGatewayResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetModelCommand,
  GetModelsCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  GetRestApiCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  ImportApiKeysCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateApiKeyCommand,
  UpdateAuthorizerCommand,
  UpdateGatewayResponseCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
  UpdateRestApiCommand,
  UpdateUsagePlanCommand,
  type PutMethodCommandInput,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { callApi, lambdaUri, startTestServer, TEST_ROLE, zipOf, type SimpleResponse, type TestServer } from '../helpers/server.js';
import { awsCli } from '../helpers/aws-cli.js';

/*
 * The REST API security control plane driven the way users drive it: through @aws-sdk/client-api-gateway (and a few
 * AWS CLI calls), asserting AWS's status codes, JSON shapes, error types and texts, and ending each feature with a
 * data plane call after CreateDeployment.
 *
 * Sources, cited per assertion:
 *  - LS-snap: LocalStack tests recorded against real AWS, tests/aws/services/apigateway/<file>.snapshot.json
 *    (localstack/localstack @8b9a79f), named by file and test.
 *  - CLI-EX: the AWS-authored output examples of awscli 1.45 (awscli/examples/apigateway/*.rst).
 *  - AGDG: the API Gateway developer guide (awsdocs/amazon-api-gateway-developer-guide doc_source/*.md).
 *  - GitHub issues that quote real AWS responses, by owner/repo#number.
 *  - moto 5.2 (apigateway/exceptions.py): a peer, used only where no AWS recording exists; marked "peer".
 */

let server: TestServer;
let home: string;
const ACCOUNT = '000000000000';

before(async () => {
  server = await startTestServer();
  home = mkdtempSync(join(tmpdir(), 'preflight-sdk-sec-'));
  // A TOKEN authorizer: "allow"/"deny" decide for the whole stage; "key:<value>" also hands API Gateway the API key
  // (usageIdentifierKey, AGDG api-gateway-lambda-authorizer-output.md); anything else is "Unauthorized".
  await server.lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'sdk-sec-auth',
      Runtime: 'nodejs20.x',
      Role: TEST_ROLE,
      Handler: 'index.handler',
      Code: {
        ZipFile: zipOf({
          'index.js': `exports.handler = async (event) => {
            const t = event.authorizationToken || '';
            const resource = event.methodArn.split('/').slice(0, 2).join('/') + '/*';
            const policy = (Effect) => ({ principalId: 'user', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect, Resource: resource }] } });
            if (t === 'allow') return policy('Allow');
            if (t === 'deny') return policy('Deny');
            if (t.startsWith('key:')) return { ...policy('Allow'), usageIdentifierKey: t.slice(4) };
            throw new Error('Unauthorized');
          };`,
        }),
      },
    }),
  );
});
after(() => server.close());

// ---- helpers ------------------------------------------------------------------------------------------------

type Out = { $metadata: { httpStatusCode?: number } };

/** The response body the SDK parsed, without $metadata, after checking the HTTP status. */
function body<T extends Out>(out: T, status: number): Omit<T, '$metadata'> {
  assert.equal(out.$metadata.httpStatusCode, status);
  const { $metadata: _m, ...rest } = out;
  return rest;
}

/** An AWS error as the SDK raises it: HTTP status, error type (name) and message. */
async function awsError(p: Promise<unknown>, status: number, type: string, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(err.name, type, err.message);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

/** A gateway (data plane) error response: status, exact body and x-amzn-ErrorType. */
function gatewayError(r: SimpleResponse, status: number, text: string, type: string): void {
  assert.equal(r.status, status, r.body);
  assert.equal(r.body, text);
  assert.equal(r.headers['x-amzn-errortype'], type);
}

/** A REST API made through the SDK, with helpers to add MOCK methods, deploy and call it. */
async function sdkApi(name: string) {
  const apigw = server.apigw;
  const api = await apigw.send(new CreateRestApiCommand({ name }));
  const id = api.id!;
  const root = api.rootResourceId!;
  const paths = new Map<string, string>([['/', root]]);
  return {
    id,
    root,
    async resource(pathPart: string): Promise<string> {
      const known = paths.get(pathPart);
      if (known) return known;
      const r = await apigw.send(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart }));
      paths.set(pathPart, r.id!);
      return r.id!;
    },
    /** A MOCK method answering 200 with the template (default {"ok":true}). */
    async mock(resourceId: string, httpMethod: string, method: Partial<PutMethodCommandInput> = {}, template = '{"ok":true}'): Promise<void> {
      await apigw.send(new PutMethodCommand({ restApiId: id, resourceId, httpMethod, authorizationType: 'NONE', ...method }));
      await apigw.send(new PutIntegrationCommand({ restApiId: id, resourceId, httpMethod, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
      await apigw.send(new PutMethodResponseCommand({ restApiId: id, resourceId, httpMethod, statusCode: '200' }));
      await apigw.send(new PutIntegrationResponseCommand({ restApiId: id, resourceId, httpMethod, statusCode: '200', responseTemplates: { 'application/json': template } }));
    },
    async deploy(stageName = 'dev'): Promise<void> {
      await apigw.send(new CreateDeploymentCommand({ restApiId: id, stageName }));
    },
    call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SimpleResponse> {
      return callApi(server, id, path, init);
    },
  };
}

const AUTH_URI = lambdaUri('sdk-sec-auth');
const POOL_ARN = 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_aWcZeQbuD';

// ---- authorizers --------------------------------------------------------------------------------------------

describe('authorizers', () => {
  test('CreateAuthorizer/GetAuthorizer(s)/UpdateAuthorizer/DeleteAuthorizer for TOKEN, REQUEST and COGNITO_USER_POOLS', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-authorizers');

    // TOKEN without a TTL: 201, authType "custom" filled in, no authorizerResultTtlInSeconds echoed
    // (LS-snap test_apigateway_basic test_apigateway_with_custom_authorization_method::authorizer).
    const token = body(await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'lambda_authorizer', type: 'TOKEN', authorizerUri: AUTH_URI, identitySource: 'method.request.header.Auth' })), 201);
    assert.match(token.id!, /^[a-z0-9]{6}$/); // CLI-EX create-authorizer: "id": "z40xj0"
    assert.deepEqual(token, { id: token.id, name: 'lambda_authorizer', type: 'TOKEN', authType: 'custom', authorizerUri: AUTH_URI, identitySource: 'method.request.header.Auth' });

    // REQUEST with several identity sources and a TTL (CLI-EX create-authorizer example 3, output reproduced).
    const request = body(
      await apigw.send(
        new CreateAuthorizerCommand({ restApiId: api.id, name: 'First_Request_Custom_Authorizer', type: 'REQUEST', authorizerUri: AUTH_URI, identitySource: 'method.request.header.Authorization,context.accountId', authorizerResultTtlInSeconds: 300 }),
      ),
      201,
    );
    assert.deepEqual(request, {
      id: request.id,
      name: 'First_Request_Custom_Authorizer',
      type: 'REQUEST',
      authType: 'custom',
      authorizerUri: AUTH_URI,
      identitySource: 'method.request.header.Authorization,context.accountId',
      authorizerResultTtlInSeconds: 300,
    });

    // COGNITO_USER_POOLS: authType "cognito_user_pools", no TTL unless given (CLI-EX create-authorizer example 2).
    const cognito = body(await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'First_Cognito_Custom_Authorizer', type: 'COGNITO_USER_POOLS', providerARNs: [POOL_ARN], identitySource: 'method.request.header.Authorization' })), 201);
    assert.deepEqual(cognito, { id: cognito.id, name: 'First_Cognito_Custom_Authorizer', type: 'COGNITO_USER_POOLS', authType: 'cognito_user_pools', providerARNs: [POOL_ARN], identitySource: 'method.request.header.Authorization' });

    // Lists use "items" (wire key "item", botocore Authorizers); Get answers the same representation.
    const all = body(await apigw.send(new GetAuthorizersCommand({ restApiId: api.id })), 200);
    assert.deepEqual(all.items?.map((a) => a.id).sort(), [token.id, request.id, cognito.id].sort());
    assert.deepEqual(body(await apigw.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: request.id! })), 200), request);

    // UpdateAuthorizer: patch values are strings, numbers come back as numbers (CLI-EX update-authorizer).
    const updated = body(
      await apigw.send(
        new UpdateAuthorizerCommand({
          restApiId: api.id,
          authorizerId: token.id!,
          patchOperations: [
            { op: 'replace', path: '/name', value: 'renamed' },
            { op: 'replace', path: '/authorizerResultTtlInSeconds', value: '0' },
            { op: 'replace', path: '/identityValidationExpression', value: '^(allow|deny)$' },
          ],
        }),
      ),
      200,
    );
    assert.deepEqual(updated, { ...token, name: 'renamed', authorizerResultTtlInSeconds: 0, identityValidationExpression: '^(allow|deny)$' });

    // DeleteAuthorizer: 202 (botocore DeleteAuthorizer responseCode 202), then 404. The text is moto's (peer; AWS's
    // own is not recorded).
    assert.equal((await apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: request.id! }))).$metadata.httpStatusCode, 202);
    await awsError(apigw.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: request.id! })), 404, 'NotFoundException', 'Invalid Authorizer identifier specified');
  });

  test('invalid authorizers are refused with AWS\'s errors', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-authorizer-errors');
    // An unknown API: 409 on create, 404 on list (LS-snap test_apigateway_api test_authorizer_crud_no_api).
    await awsError(
      apigw.send(new CreateAuthorizerCommand({ restApiId: 'nope000000', name: 'a', type: 'TOKEN', authorizerUri: AUTH_URI, identitySource: 'method.request.header.Authorization' })),
      409,
      'ConflictException',
      'Unable to complete operation due to concurrent modification. Please try again later.',
    );
    await awsError(apigw.send(new GetAuthorizersCommand({ restApiId: 'nope000000' })), 404, 'NotFoundException', `Invalid API identifier specified ${ACCOUNT}:nope000000`);

    // A URI that is not an API Gateway Lambda invocation ARN, here with the literal region "region" (real error quoted
    // in hashicorp/terraform-provider-aws#1757).
    const badUri = 'arn:aws:apigateway:region:lambda:path/2015-03-31/functions/arn:aws:lambda:us-west-2:123412341234:function:auth/invocations';
    await awsError(
      apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'a', type: 'TOKEN', authorizerUri: badUri, identitySource: 'method.request.header.Authorization' })),
      400,
      'BadRequestException',
      `Invalid Authorizer URI: ${badUri}. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation.`,
    );
    // Without a URI, or a Cognito authorizer without pools: 400. AWS's texts for these two are not recorded anywhere
    // we found, so only the type and the status are AWS's here; ours name what is missing.
    await awsError(
      apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'a', type: 'TOKEN', identitySource: 'method.request.header.Authorization' })),
      400,
      'BadRequestException',
      /^Authorizer URI must be specified for TOKEN authorizers/,
    );
    await awsError(apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'c', type: 'COGNITO_USER_POOLS', identitySource: 'method.request.header.Authorization' })), 400, 'BadRequestException', /^ProviderARNs need to be specified/);
    // An identity pool is not a user pool (real error quoted in aws/chalice#1338).
    const identityPool = 'arn:aws:cognito-identity:us-east-1:000000000000:identitypool/us-east-1:0f4c7e45-7a35-4b1b-9a1b-5d8e0c7a1a11';
    await awsError(
      apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'c', type: 'COGNITO_USER_POOLS', providerARNs: [identityPool], identitySource: 'method.request.header.Authorization' })),
      400,
      'BadRequestException',
      `ProviderARNs need to be valid Cognito Userpools. Invalid ARNs- ${identityPool}`,
    );
    // An unknown type is a model-constraint failure (Coral ValidationException; enum order of botocore AuthorizerType).
    await awsError(
      apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'j', type: 'JWT' as 'TOKEN', authorizerUri: AUTH_URI })),
      400,
      'ValidationException',
      "1 validation error detected: Value 'JWT' at 'createAuthorizerInput.type' failed to satisfy constraint: Member must satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS]",
    );
  });

  test('methods use the authorizer after CreateDeployment; an unknown authorizer or deleting one in use is refused', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-authorizer-plane');
    const items = await api.resource('items');
    // CUSTOM needs an existing authorizer (LS-snap test_apigateway_api; the text also in aws/aws-cdk#5618).
    await awsError(
      apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: items, httpMethod: 'GET', authorizationType: 'CUSTOM', authorizerId: 'nope00' })),
      400,
      'BadRequestException',
      'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
    );
    const auth = await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'tok', type: 'TOKEN', authorizerUri: AUTH_URI, identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 0 }));
    await api.mock(items, 'GET', { authorizationType: 'CUSTOM', authorizerId: auth.id! });
    await api.deploy();

    // Data plane (AGDG apigateway-use-lambda-authorizer.md; research notes rest-security §2d): no token or
    // "Unauthorized" → 401, a Deny policy → 403, Allow → 200.
    gatewayError(await api.call('/dev/items'), 401, '{"message":"Unauthorized"}', 'UnauthorizedException');
    gatewayError(await api.call('/dev/items', { headers: { Authorization: 'deny' } }), 403, '{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}', 'AccessDeniedException');
    const ok = await api.call('/dev/items', { headers: { Authorization: 'allow' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '{"ok":true}');

    // In use: 409 naming the authorizer, the verb and the path (real error quoted in hashicorp/terraform#6731:
    // "Cannot delete authorizer 'tf-acc-test-authorizer', is referenced in method: GET//test").
    await awsError(apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: auth.id! })), 409, 'ConflictException', "Cannot delete authorizer 'tok', is referenced in method: GET//items");
  });
  test('FlushStageAuthorizersCache: the next request asks the authorizer again, on that stage only; 202, unknown stage 404', async () => {
    const apigw = server.apigw;
    // The decision comes from a file the test rewrites, so a request shows whether the authorizer ran again.
    const decision = join(home, 'flush-decision');
    writeFileSync(decision, 'Allow');
    await server.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'sdk-sec-file-auth',
        Runtime: 'nodejs20.x',
        Role: TEST_ROLE,
        Handler: 'index.handler',
        Environment: { Variables: { DECISION_FILE: decision } },
        Code: {
          ZipFile: zipOf({
            'index.js': `exports.handler = async (event) => ({
              principalId: 'user',
              policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: require('fs').readFileSync(process.env.DECISION_FILE, 'utf8'), Resource: event.methodArn.split('/').slice(0, 2).join('/') + '/*' }] },
            });`,
          }),
        },
      }),
    );
    const api = await sdkApi('sdk-authorizer-flush');
    const items = await api.resource('items');
    const auth = await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'cached', type: 'TOKEN', authorizerUri: lambdaUri('sdk-sec-file-auth'), identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 300 }));
    await api.mock(items, 'GET', { authorizationType: 'CUSTOM', authorizerId: auth.id! });
    await api.deploy('dev');
    await api.deploy('prod');
    const token = { headers: { Authorization: 'same-token' } };
    assert.equal((await api.call('/dev/items', token)).status, 200);
    assert.equal((await api.call('/prod/items', token)).status, 200);
    writeFileSync(decision, 'Deny');
    // Cached for authorizerResultTtlInSeconds (AGDG apigateway-lambda-authorizer-flow): the old decision still answers.
    assert.equal((await api.call('/dev/items', token)).status, 200);

    // 202 with no body (botocore apigateway model: FlushStageAuthorizersCache responseCode 202).
    const flushed = await apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: 'dev' }));
    assert.equal(flushed.$metadata.httpStatusCode, 202);
    gatewayError(await api.call('/dev/items', token), 403, '{"Message":"User is not authorized to access this resource with an explicit deny in an identity-based policy"}', 'AccessDeniedException');
    // One cache per stage: prod keeps its decision until its own flush.
    assert.equal((await api.call('/prod/items', token)).status, 200);
    await apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: 'prod' }));
    assert.equal((await api.call('/prod/items', token)).status, 403);

    // The same text as GetStage for a stage that does not exist.
    await awsError(apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: 'nope' })), 404, 'NotFoundException', 'Invalid stage identifier specified');
  });
});

// ---- request validators -------------------------------------------------------------------------------------

describe('request validators', () => {
  test('CreateRequestValidator/Get/Update/Delete: shapes and AWS\'s errors', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-validators');
    // Shapes and texts: LS-snap test_apigateway_api test_request_validator_lifecycle,
    // test_invalid_update_request_validator_operations, test_validators_crud_no_api, test_invalid_get_request_validator.
    const rv = body(await apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'check' })), 201);
    assert.match(rv.id!, /^[a-z0-9]{6}$/);
    assert.deepEqual(rv, { id: rv.id, name: 'check', validateRequestBody: false, validateRequestParameters: false });
    assert.deepEqual(body(await apigw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: rv.id! })), 200), rv);
    assert.deepEqual(body(await apigw.send(new GetRequestValidatorsCommand({ restApiId: api.id })), 200), { items: [rv] });

    const update = (patchOperations: { op: 'add' | 'remove' | 'replace'; path: string; value?: string }[]) =>
      apigw.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: rv.id!, patchOperations }));
    assert.deepEqual(body(await update([{ op: 'replace', path: '/validateRequestBody', value: 'true' }]), 200), { ...rv, validateRequestBody: true });
    // replace without a value turns the flag off.
    assert.deepEqual(body(await update([{ op: 'replace', path: '/validateRequestBody' }]), 200), rv);
    await awsError(update([{ op: 'add', path: '/validateRequestBody', value: 'true' }]), 400, 'BadRequestException', "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations");
    await awsError(update([{ op: 'remove', path: '/validateRequestBody' }]), 400, 'BadRequestException', "Invalid patch path  '/validateRequestBody' specified for op 'remove'. Please choose supported operations");
    await awsError(
      update([{ op: 'replace', path: '/invalidPath', value: 'x' }]),
      400,
      'BadRequestException',
      "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]",
    );
    await awsError(update([{ op: 'replace', path: '/name', value: '' }]), 400, 'BadRequestException', 'Request Validator name cannot be blank');

    await awsError(apigw.send(new CreateRequestValidatorCommand({ restApiId: 'nope000000', name: 'x' })), 400, 'BadRequestException', 'Invalid REST API identifier specified');
    await awsError(apigw.send(new GetRequestValidatorsCommand({ restApiId: 'nope000000' })), 404, 'NotFoundException', `Invalid API identifier specified ${ACCOUNT}:nope000000`);
    await awsError(apigw.send(new GetRequestValidatorCommand({ restApiId: 'nope000000', requestValidatorId: rv.id! })), 404, 'NotFoundException', 'Invalid Request Validator identifier specified');

    assert.equal((await apigw.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: rv.id! }))).$metadata.httpStatusCode, 202);
    await awsError(apigw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: rv.id! })), 404, 'NotFoundException', 'Invalid Request Validator identifier specified');
    assert.deepEqual(body(await apigw.send(new GetRequestValidatorsCommand({ restApiId: api.id })), 200), { items: [] });
  });

  test('a validator on a method checks parameters after CreateDeployment; turning it off and redeploying lets requests through', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-validator-plane');
    const search = await api.resource('search');
    await awsError(
      apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: search, httpMethod: 'GET', authorizationType: 'NONE', requestValidatorId: 'nope00' })),
      400,
      'BadRequestException',
      'Invalid Request Validator identifier specified', // LS-snap test_apigateway_api (research notes control-plane §3)
    );
    const rv = await apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'params', validateRequestParameters: true }));
    await api.mock(search, 'GET', { requestValidatorId: rv.id!, requestParameters: { 'method.request.querystring.q': true } });
    await api.deploy();
    // AGDG api-gateway-request-validation-test.md: 400 "Missing required request parameters: [q]" (BAD_REQUEST_PARAMETERS).
    gatewayError(await api.call('/dev/search'), 400, '{"message":"Missing required request parameters: [q]"}', 'BadRequestException');
    assert.equal((await api.call('/dev/search?q=x')).status, 200);

    await apigw.send(new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: rv.id!, patchOperations: [{ op: 'replace', path: '/validateRequestParameters', value: 'false' }] }));
    gatewayError(await api.call('/dev/search'), 400, '{"message":"Missing required request parameters: [q]"}', 'BadRequestException'); // not deployed yet
    await api.deploy();
    assert.equal((await api.call('/dev/search')).status, 200);
  });
});

// ---- models -------------------------------------------------------------------------------------------------

describe('models', () => {
  test('a new API has AWS\'s Empty and Error models; CreateModel/GetModel/UpdateModel/DeleteModel shapes and errors', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-models');
    // The default models, with AWS's exact schema text (CLI-EX get-models; LS-snap test_model_lifecycle::get-models).
    const defaults = body(await apigw.send(new GetModelsCommand({ restApiId: api.id })), 200).items!;
    assert.deepEqual(
      defaults.map(({ id: _id, ...m }) => m),
      [
        {
          name: 'Empty',
          contentType: 'application/json',
          description: 'This is a default empty schema model',
          schema: '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n  "type" : "object"\n}',
        },
        {
          name: 'Error',
          contentType: 'application/json',
          description: 'This is a default error schema model',
          schema: '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}',
        },
      ],
    );
    for (const m of defaults) assert.match(m.id!, /^[a-z0-9]{6}$/); // CLI-EX get-models: "etd5w5", "7tpbze"

    // Shapes and texts: LS-snap test_apigateway_api test_model_lifecycle, test_model_validation, test_update_model.
    const schema = JSON.stringify({ title: 'Pet', type: 'object', required: ['name'], properties: { name: { type: 'string' } } });
    const pet = body(await apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Pet', contentType: 'application/json', description: 'A pet', schema })), 201);
    assert.deepEqual(pet, { id: pet.id, name: 'Pet', contentType: 'application/json', description: 'A pet', schema });
    assert.deepEqual(body(await apigw.send(new GetModelCommand({ restApiId: api.id, modelName: 'Pet' })), 200), pet);

    const newSchema = JSON.stringify({ title: 'Updated schema', type: 'object' });
    const updated = body(
      await apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: 'Pet', patchOperations: [{ op: 'replace', path: '/schema', value: newSchema }, { op: 'replace', path: '/description', value: 'changed' }] })),
      200,
    );
    assert.deepEqual(updated, { ...pet, schema: newSchema, description: 'changed' });
    const patchModel = (op: 'add' | 'replace', path: string, value?: string) =>
      apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: 'Pet', patchOperations: [{ op, path, ...(value !== undefined ? { value } : {}) }] }));
    await awsError(patchModel('add', '/wrong-path', 'x'), 400, 'BadRequestException', "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations");
    await awsError(patchModel('replace', '/name', 'x'), 400, 'BadRequestException', "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]");
    await awsError(patchModel('replace', '/schema', ''), 400, 'BadRequestException', 'Model schema must have at least 1 property or array items defined');

    const create = (name: string, extra: { schema?: string; contentType?: string } = {}) =>
      apigw.send(new CreateModelCommand({ restApiId: api.id, name, contentType: extra.contentType ?? 'application/json', ...(extra.schema !== undefined ? { schema: extra.schema } : {}) }));
    await awsError(create('Pet', { schema }), 409, 'ConflictException', 'Model name already exists for this REST API');
    await awsError(create('', { schema }), 400, 'BadRequestException', 'Model name must be non-empty');
    await awsError(create('NoSchema', { schema: '' }), 400, 'BadRequestException', 'Model schema must have at least 1 property or array items defined');
    await awsError(create('NoSchema'), 400, 'BadRequestException', 'Model schema must have at least 1 property or array items defined');
    await awsError(create('NoSchemaXml', { contentType: 'application/xml' }), 400, 'BadRequestException', 'Model schema must have at least 1 property or array items defined');
    // Not a JSON schema: AWS's validation text as real errors quote it (collected in public notes; see rest-api-parts.ts).
    await awsError(create('Broken', { schema: '{not json' }), 400, 'BadRequestException', 'Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]');
    await awsError(
      apigw.send(new CreateModelCommand({ restApiId: 'abcde0', name: 'MySchema', contentType: 'application/json', schema })),
      404,
      'NotFoundException',
      `Invalid API identifier specified ${ACCOUNT}:abcde0`,
    );
    await awsError(apigw.send(new GetModelsCommand({ restApiId: 'abcde0' })), 404, 'NotFoundException', `Invalid API identifier specified ${ACCOUNT}:abcde0`);
    // Get/Delete/Update on an unknown API name the model, not the API.
    await awsError(apigw.send(new GetModelCommand({ restApiId: 'abcde0', modelName: 'MySchema' })), 404, 'NotFoundException', 'Invalid model name specified: MySchema');
    await awsError(apigw.send(new DeleteModelCommand({ restApiId: 'abcde0', modelName: 'MySchema' })), 404, 'NotFoundException', 'Invalid model name specified: MySchema');
    await awsError(
      apigw.send(new UpdateModelCommand({ restApiId: 'abcde0', modelName: 'mySchema', patchOperations: [{ op: 'replace', path: '/schema', value: newSchema }] })),
      404,
      'NotFoundException',
      'Invalid model name specified: mySchema',
    );

    assert.equal((await apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Pet' }))).$metadata.httpStatusCode, 202);
    await awsError(apigw.send(new GetModelCommand({ restApiId: api.id, modelName: 'Pet' })), 404, 'NotFoundException', 'Invalid model name specified: Pet');
  });

  test('a method\'s request model validates bodies after CreateDeployment; unknown models and deleting a used one are refused', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-model-plane');
    // LS-snap test_apigateway_api (research notes control-plane §2): "Invalid model identifier specified: petModel".
    await awsError(
      apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.root, httpMethod: 'ANY', authorizationType: 'NONE', requestModels: { 'application/json': 'petModel' } })),
      400,
      'BadRequestException',
      'Invalid model identifier specified: petModel',
    );
    const schema = JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', title: 'Calc', type: 'object', required: ['a', 'b'], properties: { a: { type: 'number' }, b: { type: 'number' } } });
    await apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Calc', contentType: 'application/json', schema }));
    const rv = await apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: 'body', validateRequestBody: true }));
    await api.mock(api.root, 'ANY', { requestModels: { 'application/json': 'Calc' }, requestValidatorId: rv.id! });
    // In use: 409 with the path, then the method (LS-snap test_apigateway_api test_put_method_model::delete-model-used).
    await awsError(apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Calc' })), 409, 'ConflictException', "Cannot delete model 'Calc', is referenced in method request: //ANY");
    // On a child resource: the resource path, then the method (same test, delete-model-used-by-2-method "/test/ANY").
    await apigw.send(new CreateModelCommand({ restApiId: api.id, name: 'Pet', contentType: 'application/json', schema: JSON.stringify({ type: 'object', properties: { name: { type: 'string' } } }) }));
    const pets = await api.resource('pets');
    await api.mock(pets, 'POST', { requestModels: { 'application/json': 'Pet' } });
    await awsError(apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: 'Pet' })), 409, 'ConflictException', "Cannot delete model 'Pet', is referenced in method request: /pets/POST");
    await api.deploy();

    // Data plane (AGDG api-gateway-method-request-validation.md; LS-snap test_api_gateway_request_validator):
    // 400 "Invalid request body" when the body does not match the model, rendered by BAD_REQUEST_BODY's default
    // template {"message":$context.error.messageString} (LS-snap test_gateway_response_crud), hence no space.
    const post = (text: string) => api.call('/dev/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
    gatewayError(await post('{"a":1}'), 400, '{"message":"Invalid request body"}', 'BadRequestException');
    const ok = await post('{"a":1,"b":2}');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, '{"ok":true}');
  });
});

// ---- API keys -----------------------------------------------------------------------------------------------

describe('API keys', () => {
  test('CreateApiKey/GetApiKey(s)/UpdateApiKey/DeleteApiKey: generated values, includeValue(s), nameQuery, customerId', async () => {
    const apigw = server.apigw;
    const prefix = `k${Date.now().toString(36)}`;
    // 201; enabled defaults to false; a generated value is 40 alphanumerics, the id 10 lowercase (LS-snap
    // test_apigateway_extended test_get_api_keys::create-api-key; CLI-EX values "8bklk8bl1k3sB38D9B3l0enyWT8c09B30lkq0blk";
    // id "x5k3eopvub" in hashicorp/terraform-provider-aws#17130). No "tags" on create.
    const created = body(await apigw.send(new CreateApiKeyCommand({ name: `${prefix}-one`, customerId: 'cust-1', description: 'first' })), 201);
    assert.match(created.value!, /^[A-Za-z0-9]{40}$/);
    assert.match(created.id!, /^[a-z0-9]{10}$/);
    assert.ok(created.createdDate instanceof Date && created.lastUpdatedDate instanceof Date);
    assert.deepEqual(
      { ...created, createdDate: undefined, lastUpdatedDate: undefined },
      { id: created.id, value: created.value, name: `${prefix}-one`, customerId: 'cust-1', description: 'first', enabled: false, stageKeys: [], createdDate: undefined, lastUpdatedDate: undefined },
    );
    // No name given, or "": no "name" in the answer (LS-snap test_create_api_key_with_invalid_name); "" as the value
    // means "generate one" (test_create_api_key_with_invalid_value::create-api-key-empty-value).
    const nameless = body(await apigw.send(new CreateApiKeyCommand({ name: '', value: '' })), 201);
    assert.equal('name' in nameless, false);
    assert.match(nameless.value!, /^[A-Za-z0-9]{40}$/);
    const second = body(await apigw.send(new CreateApiKeyCommand({ name: `${prefix}-two`, enabled: true, value: 'a-chosen-key-value-of-32-chars!!' })), 201);
    assert.equal(second.value, 'a-chosen-key-value-of-32-chars!!');

    // GetApiKey leaves the value out unless includeValue; answers "tags": {} (as UpdateApiKey does, LS-snap
    // update-api-key-name).
    const got = body(await apigw.send(new GetApiKeyCommand({ apiKey: created.id! })), 200);
    assert.equal(got.value, undefined);
    assert.deepEqual(got.tags, {});
    assert.equal(body(await apigw.send(new GetApiKeyCommand({ apiKey: created.id!, includeValue: true })), 200).value, created.value);

    // GetApiKeys: no values unless includeValues; nameQuery is a case-sensitive prefix (LS-snap test_get_api_keys).
    const names = async (input: { nameQuery?: string; customerId?: string; includeValues?: boolean }) =>
      body(await apigw.send(new GetApiKeysCommand(input)), 200).items!.map((k) => [k.name, k.value !== undefined]);
    assert.deepEqual((await names({ nameQuery: prefix })).sort(), [[`${prefix}-one`, false], [`${prefix}-two`, false]]);
    assert.deepEqual((await names({ nameQuery: `${prefix}-t`, includeValues: true })), [[`${prefix}-two`, true]]);
    assert.deepEqual(await names({ nameQuery: prefix.toUpperCase() }), []);
    assert.deepEqual(await names({ nameQuery: 'one' }), []);
    assert.deepEqual(await names({ customerId: 'cust-1' }), [[`${prefix}-one`, false]]);

    // UpdateApiKey: replace /enabled, /name, /description, /customerId; answers without value, with "tags": {}
    // (LS-snap test_api_key_required_for_methods::update-api-key-disabled; CLI-EX update-api-key).
    const updated = body(
      await apigw.send(
        new UpdateApiKeyCommand({ apiKey: created.id!, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }, { op: 'replace', path: '/name', value: `${prefix}-renamed` }] }),
      ),
      200,
    );
    assert.equal(updated.enabled, true);
    assert.equal(updated.name, `${prefix}-renamed`);
    assert.equal(updated.value, undefined);
    assert.deepEqual(updated.tags, {});
    // A non-boolean /enabled is taken as false (LS-snap test_update_api_key_invalid_enabled_type).
    assert.equal(body(await apigw.send(new UpdateApiKeyCommand({ apiKey: created.id!, patchOperations: [{ op: 'replace', path: '/enabled', value: 'not-a-boolean' }] })), 200).enabled, false);
    await awsError(
      apigw.send(new UpdateApiKeyCommand({ apiKey: created.id!, patchOperations: [{ op: 'replace', path: '/id', value: 'new-id' }] })),
      400,
      'BadRequestException',
      "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]",
    );

    // Input errors (LS-snap TestApigatewayApiKeysCrud; the duplicate: rrahul963/serverless-add-api-key#27, 409).
    await awsError(apigw.send(new CreateApiKeyCommand({ value: 'short' })), 400, 'BadRequestException', 'API Key value should be at least 20 characters');
    await awsError(apigw.send(new CreateApiKeyCommand({ value: 'a'.repeat(129) })), 400, 'BadRequestException', 'API Key value exceeds maximum size of 128 characters');
    await awsError(apigw.send(new CreateApiKeyCommand({ name: 'n'.repeat(1025) })), 400, 'BadRequestException', 'Invalid API Key name, can be at most 1024 characters.');
    await awsError(apigw.send(new CreateApiKeyCommand({ description: 'd'.repeat(125001) })), 400, 'BadRequestException', 'Invalid API Key description specified.');
    await awsError(
      apigw.send(new UpdateApiKeyCommand({ apiKey: created.id!, patchOperations: [{ op: 'replace', path: '/description', value: 'd'.repeat(125001) }] })),
      400,
      'BadRequestException',
      'Invalid API Key description specified.',
    );
    await awsError(apigw.send(new CreateApiKeyCommand({ value: second.value! })), 409, 'ConflictException', 'API Key already exists');

    // DeleteApiKey 202; then 404 (text: moto, peer).
    assert.equal((await apigw.send(new DeleteApiKeyCommand({ apiKey: nameless.id! }))).$metadata.httpStatusCode, 202);
    await awsError(apigw.send(new GetApiKeyCommand({ apiKey: nameless.id! })), 404, 'NotFoundException', 'Invalid API Key identifier specified');
  });

  test('ImportApiKeys (CSV): keys created enabled by default and added to the plans the file names', async () => {
    const apigw = server.apigw;
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'import-plan' }));
    // AGDG api-key-file-format.md: Name and Key required, headers case-insensitive, Enabled defaults to true,
    // UsagePlanIds a quoted comma-separated list.
    const csv = `Name,key,description,Enabled,usageplanIds\nimported-one,importedkey1234abcdefghij0123456789,An imported key,TRUE,${plan.id}\nimported-two,importedkey5678abcdefghij0123456789,,false,"${plan.id}"\n`;
    const out = body(await apigw.send(new ImportApiKeysCommand({ format: 'csv', body: new TextEncoder().encode(csv) })), 201);
    assert.equal(out.ids?.length, 2);
    assert.deepEqual(out.warnings ?? [], []);
    const one = await apigw.send(new GetApiKeyCommand({ apiKey: out.ids![0]!, includeValue: true }));
    assert.deepEqual([one.name, one.value, one.description, one.enabled], ['imported-one', 'importedkey1234abcdefghij0123456789', 'An imported key', true]);
    const two = await apigw.send(new GetApiKeyCommand({ apiKey: out.ids![1]! }));
    assert.equal(two.enabled, false);
    const inPlan = await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id! }));
    assert.deepEqual(inPlan.items?.map((k) => k.name).sort(), ['imported-one', 'imported-two']);
    // format is an enum of one member, csv (botocore ImportApiKeys).
    await awsError(
      apigw.send(new ImportApiKeysCommand({ format: 'json' as 'csv', body: new TextEncoder().encode(csv) })),
      400,
      'ValidationException',
      "1 validation error detected: Value 'json' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [csv]",
    );
  });
});

// ---- usage plans --------------------------------------------------------------------------------------------

describe('usage plans', () => {
  test('CreateUsagePlan/GetUsagePlan(s)/UpdateUsagePlan/DeleteUsagePlan: shapes, patch paths, apiStages errors', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-plans');
    await api.mock(api.root, 'GET');
    await api.deploy('dev');

    // Create with stages, throttle, quota and tags: 201, everything echoed, offset defaulted to 0 (LS-snap
    // test_apigateway_common test_api_key_required_for_methods::create-usage-plan).
    const plan = body(
      await apigw.send(
        new CreateUsagePlanCommand({
          name: 'sdk-plan',
          description: 'Test Usage Plan for API key',
          apiStages: [{ apiId: api.id, stage: 'dev' }],
          throttle: { burstLimit: 1, rateLimit: 2 },
          quota: { limit: 10, period: 'DAY' },
          tags: { tag_key: 'tag_value' },
        }),
      ),
      201,
    );
    assert.match(plan.id!, /^[a-z0-9]{6}$/);
    assert.deepEqual(plan, {
      id: plan.id,
      name: 'sdk-plan',
      description: 'Test Usage Plan for API key',
      apiStages: [{ apiId: api.id, stage: 'dev' }],
      throttle: { burstLimit: 1, rateLimit: 2 },
      quota: { limit: 10, offset: 0, period: 'DAY' },
      tags: { tag_key: 'tag_value' },
    });
    // Without stages, throttle or quota: {"apiStages": [], "id", "name"} (LS-snap test_get_usage_plan_api_keys::create-usage-plan);
    // Get adds "tags": {}, list items have no tags (LS-snap test_usage_plan_crud get-usage-plan, get-usage-plans).
    const bare = body(await apigw.send(new CreateUsagePlanCommand({ name: 'sdk-bare' })), 201);
    assert.deepEqual(bare, { id: bare.id, name: 'sdk-bare', apiStages: [] });
    assert.deepEqual(body(await apigw.send(new GetUsagePlanCommand({ usagePlanId: bare.id! })), 200), { ...bare, tags: {} });
    const listed = body(await apigw.send(new GetUsagePlansCommand({})), 200).items!.find((p) => p.id === bare.id);
    assert.deepEqual(listed, bare);

    // UpdateUsagePlan: throttle and quota one field at a time, in one call (LS-snap test_usage_plan_crud::update-usage-plan).
    const updated = body(
      await apigw.send(
        new UpdateUsagePlanCommand({
          usagePlanId: bare.id!,
          patchOperations: [
            { op: 'replace', path: '/throttle/burstLimit', value: '100' },
            { op: 'replace', path: '/throttle/rateLimit', value: '200' },
            { op: 'replace', path: '/quota/period', value: 'MONTH' },
            { op: 'replace', path: '/quota/limit', value: '5000' },
            { op: 'add', path: '/apiStages', value: `${api.id}:dev` },
          ],
        }),
      ),
      200,
    );
    assert.deepEqual(updated, { id: bare.id, name: 'sdk-bare', apiStages: [{ apiId: api.id, stage: 'dev' }], throttle: { burstLimit: 100, rateLimit: 200 }, quota: { limit: 5000, offset: 0, period: 'MONTH' }, tags: {} });

    // Per-method throttling of one stage (AGDG api-gateway-create-usage-plans-with-rest-api.md: paths
    // /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/rateLimit|burstLimit; root is "//GET").
    const stagePath = `/apiStages/${api.id}:dev/throttle`;
    const withMethod = body(
      await apigw.send(
        new UpdateUsagePlanCommand({
          usagePlanId: bare.id!,
          patchOperations: [
            { op: 'replace', path: `${stagePath}/~1/GET/rateLimit`, value: '0.1' },
            { op: 'replace', path: `${stagePath}/~1/GET/burstLimit`, value: '1' },
          ],
        }),
      ),
      200,
    );
    assert.deepEqual(withMethod.apiStages, [{ apiId: api.id, stage: 'dev', throttle: { '//GET': { rateLimit: 0.1, burstLimit: 1 } } }]);
    const cleared = body(await apigw.send(new UpdateUsagePlanCommand({ usagePlanId: bare.id!, patchOperations: [{ op: 'remove', path: stagePath, value: '' }] })), 200);
    assert.deepEqual(cleared.apiStages, [{ apiId: api.id, stage: 'dev' }]);

    // apiStages errors (LS-snap test_usage_plan_crud): no value or a malformed one → 400; an unknown API or stage → 404.
    const patchStages = (op: 'add' | 'remove', value?: string) =>
      apigw.send(new UpdateUsagePlanCommand({ usagePlanId: bare.id!, patchOperations: [{ op, path: '/apiStages', ...(value !== undefined ? { value } : {}) }] }));
    await awsError(patchStages('remove'), 400, 'BadRequestException', 'Invalid API Stage specified');
    await awsError(patchStages('remove', 'fakevalue'), 400, 'BadRequestException', 'Invalid API Stage specified');
    await awsError(patchStages('remove', `${api.id}b:dev`), 404, 'NotFoundException', `Invalid API Stage {api: ${api.id}b, stage: dev} specified for usageplan ${bare.id}`);
    await awsError(patchStages('add', `${api.id}:fakestagename`), 404, 'NotFoundException', `Invalid API Stage {api: ${api.id}, stage: fakestagename} specified for usageplan ${bare.id}`);
    assert.deepEqual(body(await patchStages('remove', `${api.id}:dev`), 200).apiStages, []);
    await awsError(
      apigw.send(new UpdateUsagePlanCommand({ usagePlanId: `${bare.id}1`, patchOperations: [{ op: 'replace', path: '/throttle/burstLimit', value: '100' }] })),
      404,
      'NotFoundException',
      'Invalid Usage Plan ID specified',
    );

    // CreateUsagePlan naming a stage that does not exist: the usage-plan text with the 404 (see api-keys.ts for the
    // sources and what is UNCERTAIN); an empty api id or stage: AWS's literal "%s" text, 400 (aws/aws-sdk#354).
    await awsError(apigw.send(new CreateUsagePlanCommand({ name: 'bad', apiStages: [{ apiId: api.id, stage: 'prod' }] })), 404, 'NotFoundException', new RegExp(`^Invalid API Stage \\{api: ${api.id}, stage: prod\\} specified for usageplan [a-z0-9]{6}$`));
    await awsError(apigw.send(new CreateUsagePlanCommand({ name: 'bad', apiStages: [{ apiId: '', stage: 'dev' }] })), 400, 'BadRequestException', 'Invalid API Stage {api: %s, stage: %s} specified for usageplan %s');

    assert.equal((await apigw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id! }))).$metadata.httpStatusCode, 202);
    await awsError(apigw.send(new GetUsagePlanCommand({ usagePlanId: plan.id! })), 404, 'NotFoundException', 'Invalid Usage Plan ID specified');
  });

  test('CreateUsagePlanKey/GetUsagePlanKey(s)/DeleteUsagePlanKey', async () => {
    const apigw = server.apigw;
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'sdk-plan-keys' }));
    const key1 = await apigw.send(new CreateApiKeyCommand({ name: 'test-key-1' }));
    const key2 = await apigw.send(new CreateApiKeyCommand({ name: 'test-key-2' }));
    // Before any key: 200 with no items (LS-snap test_get_usage_plan_api_keys::get-up-keys-before-create).
    assert.deepEqual(body(await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id! })), 200), { items: [] });
    // {"id": keyId, "name", "type": "API_KEY", "value"} (same snapshot, create-up-key).
    const pk1 = body(await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key1.id!, keyType: 'API_KEY' })), 201);
    assert.deepEqual(pk1, { id: key1.id, name: 'test-key-1', type: 'API_KEY', value: key1.value });
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key2.id!, keyType: 'API_KEY' }));
    assert.deepEqual(body(await apigw.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key1.id! })), 200), pk1);

    // nameQuery: case-sensitive prefix of the key name; an unknown plan answers an empty list (same snapshot).
    const keyNames = async (usagePlanId: string, nameQuery?: string) =>
      body(await apigw.send(new GetUsagePlanKeysCommand({ usagePlanId, ...(nameQuery ? { nameQuery } : {}) })), 200).items!.map((k) => k.name).sort();
    assert.deepEqual(await keyNames(plan.id!), ['test-key-1', 'test-key-2']);
    assert.deepEqual(await keyNames(plan.id!, 'test-key'), ['test-key-1', 'test-key-2']);
    assert.deepEqual(await keyNames(plan.id!, 'TEST-key'), []);
    assert.deepEqual(await keyNames(plan.id!, 'test-key-1'), ['test-key-1']);
    assert.deepEqual(await keyNames('nosuch'), []);

    assert.equal((await apigw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key1.id! }))).$metadata.httpStatusCode, 202);
    assert.deepEqual(await keyNames(plan.id!), ['test-key-2']);
    // Deleting the API key takes it out of the plan (same snapshot, get-up-keys-after-delete).
    await apigw.send(new DeleteApiKeyCommand({ apiKey: key2.id! }));
    assert.deepEqual(await keyNames(plan.id!), []);
  });

  test('data plane: a method that requires a key answers 403 without one, 200 with a planned key, 429 past the quota', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-keys-plane');
    const items = await api.resource('items');
    await api.mock(items, 'GET', { apiKeyRequired: true });
    await api.deploy();
    const key = await apigw.send(new CreateApiKeyCommand({ name: 'plane-key', enabled: true }));
    const headers = { 'x-api-key': key.value! };
    // AGDG api-gateway-api-key-source.md / supported-gateway-response-types.md; research notes rest-security §1a.
    gatewayError(await api.call('/dev/items'), 403, '{"message":"Forbidden"}', 'ForbiddenException');
    gatewayError(await api.call('/dev/items', { headers }), 403, '{"message":"Forbidden"}', 'ForbiddenException'); // in no plan yet

    const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'plane-plan', apiStages: [{ apiId: api.id, stage: 'dev' }], quota: { limit: 100, period: 'DAY' } }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: 'API_KEY' }));
    assert.equal((await api.call('/dev/items', { headers })).status, 200);

    // Keys and plans are not deployed: changes apply at once.
    await apigw.send(new UpdateApiKeyCommand({ apiKey: key.id!, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }));
    gatewayError(await api.call('/dev/items', { headers }), 403, '{"message":"Forbidden"}', 'ForbiddenException');
    await apigw.send(new UpdateApiKeyCommand({ apiKey: key.id!, patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }));
    await apigw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id!, patchOperations: [{ op: 'replace', path: '/quota/limit', value: '2' }] }));
    assert.equal((await api.call('/dev/items', { headers })).status, 200);
    // The earlier 200 counted too: the quota of 2 is spent (research notes rest-security §1a: 429 "Limit Exceeded").
    gatewayError(await api.call('/dev/items', { headers }), 429, '{"message":"Limit Exceeded"}', 'LimitExceededException');
  });
});

// ---- gateway responses --------------------------------------------------------------------------------------

describe('gateway responses', () => {
  test('PutGatewayResponse/GetGatewayResponse(s)/UpdateGatewayResponse/DeleteGatewayResponse, then the data plane answers with it', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-gateway-responses');
    await api.mock(api.root, 'GET');
    // Shapes: LS-snap test_apigateway_api test_gateway_response_crud, test_update_gateway_response, test_gateway_response_validation.
    const template = '{"message":$context.error.messageString}';
    assert.deepEqual(body(await apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'MISSING_AUTHENTICATION_TOKEN' })), 200), {
      defaultResponse: true,
      responseParameters: {},
      responseTemplates: { 'application/json': template },
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      statusCode: '403',
    });
    const put = body(
      await apigw.send(
        new PutGatewayResponseCommand({
          restApiId: api.id,
          responseType: 'MISSING_AUTHENTICATION_TOKEN',
          statusCode: '404',
          responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'" },
          responseTemplates: { 'application/json': '{"message":$context.error.messageString,"type":"$context.error.responseType"}' },
        }),
      ),
      201,
    );
    assert.deepEqual(put, {
      defaultResponse: false,
      responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'" },
      responseTemplates: { 'application/json': '{"message":$context.error.messageString,"type":"$context.error.responseType"}' },
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      statusCode: '404',
    });
    const all = body(await apigw.send(new GetGatewayResponsesCommand({ restApiId: api.id })), 200).items!;
    assert.equal(all.length, 21); // every type of botocore GatewayResponseType
    assert.deepEqual(all.find((r) => r.responseType === 'MISSING_AUTHENTICATION_TOKEN'), put);
    assert.deepEqual(all.find((r) => r.responseType === 'DEFAULT_4XX'), { defaultResponse: true, responseParameters: {}, responseTemplates: { 'application/json': template }, responseType: 'DEFAULT_4XX' });

    // Update (200): replace the status, add a header; an unknown path → 400 "Invalid patch path /wrongPath".
    const updated = body(
      await apigw.send(
        new UpdateGatewayResponseCommand({
          restApiId: api.id,
          responseType: 'MISSING_AUTHENTICATION_TOKEN',
          patchOperations: [
            { op: 'replace', path: '/statusCode', value: '444' },
            { op: 'add', path: '/responseParameters/gatewayresponse.header.x-extra', value: "'yes'" },
          ],
        }),
      ),
      200,
    );
    assert.equal(updated.statusCode, '444');
    assert.deepEqual(updated.responseParameters, { 'gatewayresponse.header.Access-Control-Allow-Origin': "'a.b.c'", 'gatewayresponse.header.x-extra': "'yes'" });
    await awsError(
      apigw.send(new UpdateGatewayResponseCommand({ restApiId: api.id, responseType: 'MISSING_AUTHENTICATION_TOKEN', patchOperations: [{ op: 'replace', path: '/wrongPath', value: 'x' }] })),
      400,
      'BadRequestException',
      'Invalid patch path /wrongPath',
    );
    await awsError(
      apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'FAKE_RESPONSE_TYPE' as 'DEFAULT_4XX' })),
      400,
      'ValidationException',
      /^1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: \[REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, /,
    );
    await awsError(apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: 'UNAUTHORIZED' })), 404, 'NotFoundException', 'Gateway response type not defined on api');

    // Deployed, an unknown route answers with the customised response; the type header stays the original one
    // (AGDG set-up-gateway-response-using-the-console.md).
    await api.deploy();
    const r = await api.call('/dev/nowhere');
    assert.equal(r.status, 444);
    assert.equal(r.body, '{"message":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN"}');
    assert.equal(r.headers['access-control-allow-origin'], 'a.b.c');
    assert.equal(r.headers['x-extra'], 'yes');
    assert.equal(r.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');

    // Delete (202): the default is back, after the next deployment.
    assert.equal((await apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: 'MISSING_AUTHENTICATION_TOKEN' }))).$metadata.httpStatusCode, 202);
    assert.equal((await apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: 'MISSING_AUTHENTICATION_TOKEN' }))).defaultResponse, true);
    await api.deploy();
    gatewayError(await api.call('/dev/nowhere'), 403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException');
  });
});

// ---- REST API policy and apiKeySource -----------------------------------------------------------------------

describe('resource policy and apiKeySource', () => {
  test('UpdateRestApi /policy: a malformed policy is refused; a Deny takes effect after CreateDeployment', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-policy');
    const blocked = await api.resource('blocked');
    await api.mock(api.root, 'GET');
    await api.mock(blocked, 'GET');
    await api.deploy();
    assert.equal((await api.call('/dev/blocked')).status, 200);

    // AWS's text for a policy that does not parse (quoted from CloudFormation failures; see rest-apis.ts).
    await awsError(
      apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/policy', value: '{"Version": "2012-10-17", "Statement": ' }] })),
      400,
      'BadRequestException',
      'Invalid policy document. Please check the policy syntax and ensure that Principals are valid.',
    );
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
        { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/blocked' },
      ],
    });
    const updated = body(await apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/policy', value: policy }] })), 200);
    assert.equal(typeof updated.policy, 'string');
    assert.equal((await apigw.send(new GetRestApiCommand({ restApiId: api.id }))).policy, updated.policy);
    assert.equal((await api.call('/dev/blocked')).status, 200, 'not deployed yet');
    await api.deploy();
    // The explicit-deny text with the masked account (research notes rest-security §5).
    gatewayError(
      await api.call('/dev/blocked'),
      403,
      JSON.stringify({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:${api.id}/dev/GET/blocked with an explicit deny` }),
      'AccessDeniedException',
    );
    assert.equal((await api.call('/dev/')).status, 200);
  });

  test('UpdateRestApi /apiKeySource AUTHORIZER: the key comes from the authorizer\'s usageIdentifierKey after CreateDeployment', async () => {
    const apigw = server.apigw;
    const api = await sdkApi('sdk-key-source');
    assert.equal((await apigw.send(new GetRestApiCommand({ restApiId: api.id }))).apiKeySource, 'HEADER'); // CreateRestApi default (LS-snap create-rest-api)
    const items = await api.resource('items');
    const auth = await apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: 'keys', type: 'TOKEN', authorizerUri: AUTH_URI, identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 0 }));
    await api.mock(items, 'GET', { authorizationType: 'CUSTOM', authorizerId: auth.id!, apiKeyRequired: true });
    const key = await apigw.send(new CreateApiKeyCommand({ name: 'from-authorizer', enabled: true }));
    await api.deploy();
    const plan = await apigw.send(new CreateUsagePlanCommand({ name: 'key-source-plan', apiStages: [{ apiId: api.id, stage: 'dev' }] }));
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: 'API_KEY' }));
    // HEADER (the default): the x-api-key header counts, the authorizer's key does not.
    assert.equal((await api.call('/dev/items', { headers: { Authorization: 'allow', 'x-api-key': key.value! } })).status, 200);
    gatewayError(await api.call('/dev/items', { headers: { Authorization: `key:${key.value}` } }), 403, '{"message":"Forbidden"}', 'ForbiddenException');

    await awsError(
      apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'COOKIE' }] })),
      400,
      'BadRequestException',
      /apiKeySource/,
    );
    const updated = await apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: 'replace', path: '/apiKeySource', value: 'AUTHORIZER' }] }));
    assert.equal(updated.apiKeySource, 'AUTHORIZER');
    await api.deploy();
    // AUTHORIZER: usageIdentifierKey is the key; x-api-key is ignored (AGDG api-gateway-api-key-source.md).
    assert.equal((await api.call('/dev/items', { headers: { Authorization: `key:${key.value}` } })).status, 200);
    gatewayError(await api.call('/dev/items', { headers: { Authorization: 'allow', 'x-api-key': key.value! } }), 403, '{"message":"Forbidden"}', 'ForbiddenException');
  });
});

// ---- the AWS CLI --------------------------------------------------------------------------------------------

/** The real AWS CLI against the emulator (test/helpers/aws-cli.ts). */
const aws = (...args: string[]) => awsCli(server.url, home, ...args);

describe('AWS CLI', () => {
  test('aws apigateway create-api-key, create-usage-plan, create-usage-plan-key, import-api-keys, get-authorizers', async () => {
    const api = await sdkApi('cli-security');
    await api.mock(api.root, 'GET', { apiKeyRequired: true });
    await api.deploy();

    // CLI-EX create-api-key: --enabled and --stage-keys shorthand.
    const key = await aws('apigateway', 'create-api-key', '--name', 'Dev API Key', '--description', 'Used for development', '--enabled', '--stage-keys', `restApiId=${api.id},stageName=dev`);
    assert.equal(key['name'], 'Dev API Key');
    assert.equal(key['enabled'], true);
    assert.deepEqual(key['stageKeys'], [`${api.id}/dev`]); // "{restApiId}/{stageName}" (CLI-EX get-api-keys)
    assert.match(key['value'] as string, /^[A-Za-z0-9]{40}$/);

    // CLI-EX create-usage-plan: throttle and quota shorthand.
    const plan = await aws('apigateway', 'create-usage-plan', '--name', 'New Usage Plan', '--description', 'A new usage plan', '--throttle', 'burstLimit=10,rateLimit=5', '--quota', 'limit=500,offset=0,period=MONTH', '--api-stages', `apiId=${api.id},stage=dev`);
    assert.deepEqual(plan['throttle'], { burstLimit: 10, rateLimit: 5 });
    assert.deepEqual(plan['quota'], { limit: 500, offset: 0, period: 'MONTH' });
    const planKey = await aws('apigateway', 'create-usage-plan-key', '--usage-plan-id', plan['id'] as string, '--key-type', 'API_KEY', '--key-id', key['id'] as string);
    assert.deepEqual(planKey, { id: key['id'], name: 'Dev API Key', type: 'API_KEY', value: key['value'] });
    assert.equal((await api.call('/dev/', { headers: { 'x-api-key': key['value'] as string } })).status, 200);

    const csv = join(home, 'keys.csv');
    writeFileSync(csv, `key,name,usageplanIds\nclikeyabcdefghij0123456789abcdef,cli-imported,${plan['id'] as string}\n`);
    const imported = await aws('apigateway', 'import-api-keys', '--format', 'csv', '--body', `fileb://${csv}`);
    assert.equal((imported['ids'] as string[]).length, 1);
    assert.equal((await api.call('/dev/', { headers: { 'x-api-key': 'clikeyabcdefghij0123456789abcdef' } })).status, 200);

    await aws('apigateway', 'create-authorizer', '--rest-api-id', api.id, '--name', 'First_Token_Custom_Authorizer', '--type', 'TOKEN', '--authorizer-uri', AUTH_URI, '--identity-source', 'method.request.header.Authorization', '--authorizer-result-ttl-in-seconds', '300');
    const authorizers = (await aws('apigateway', 'get-authorizers', '--rest-api-id', api.id))['items'] as Record<string, unknown>[];
    assert.equal(authorizers.length, 1);
    const { id, ...rest } = authorizers[0]!;
    assert.match(id as string, /^[a-z0-9]{6}$/);
    // CLI-EX create-authorizer example 1 output.
    assert.deepEqual(rest, { authType: 'custom', name: 'First_Token_Custom_Authorizer', authorizerUri: AUTH_URI, authorizerResultTtlInSeconds: 300, identitySource: 'method.request.header.Authorization', type: 'TOKEN' });

    await assert.rejects(aws('apigateway', 'create-api-key', '--value', 'short'), /BadRequestException.*API Key value should be at least 20 characters/s);
  });
});
