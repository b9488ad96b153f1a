import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetRestApiCommand, NotFoundException, ConflictException, CreateResourceCommand, CreateRestApiCommand } from '@aws-sdk/client-api-gateway';
import { GetFunctionCommand, ResourceNotFoundException, CreateFunctionCommand, InvalidParameterValueException } from '@aws-sdk/client-lambda';
import { rawRequest, startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const post = (path: string, body: string, method = 'POST') =>
  rawRequest(server.port, { method, path, headers: { 'Content-Type': 'application/json' }, body });

test('malformed JSON → 400 BadRequestException with the position; the server stays up', async () => {
  const r = await post('/restapis', '{"name": "x",');
  assert.equal(r.status, 400);
  assert.equal(r.headers['x-amzn-errortype'], 'BadRequestException');
  const body = JSON.parse(r.body) as { message: string };
  assert.match(body.message, /^Request body is not valid JSON at line 1, column \d+/);
  assert.equal((await post('/restapis', '[1,2]')).status, 400);
  assert.equal((await rawRequest(server.port, { method: 'GET', path: '/restapis' })).status, 200);
});

test('invalid values → 400 with AWS error shapes', async () => {
  const api = JSON.parse((await post('/restapis', '{"name":"x"}')).body) as { id: string; rootResourceId: string };
  // Bad path part.
  let r = await post(`/restapis/${api.id}/resources/${api.rootResourceId}`, '{"pathPart":"a/b"}');
  assert.equal(r.status, 400);
  assert.equal(r.headers['x-amzn-errortype'], 'BadRequestException');
  // Unknown integration type: AWS answers ValidationException (LocalStack AWS-validated test_put_integration_wrong_type).
  await post(`/restapis/${api.id}/resources/${api.rootResourceId}/methods/GET`, '{"authorizationType":"NONE"}', 'PUT');
  r = await post(`/restapis/${api.id}/resources/${api.rootResourceId}/methods/GET/integration`, '{"type":"NOPE"}', 'PUT');
  assert.equal(r.status, 400);
  assert.equal(r.headers['x-amzn-errortype'], 'ValidationException');
  assert.match(JSON.parse(r.body).message, /Value 'NOPE' at 'putIntegrationInput.type'/);
  // Wrong field type.
  r = await post('/restapis', '{"name": 42}');
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body).message, /name/);
  // Unknown operation.
  r = await rawRequest(server.port, { method: 'GET', path: '/no/such/thing' });
  assert.equal(r.status, 404);
});

test('SDK sees NotFoundException, ConflictException and Lambda ResourceNotFoundException', async () => {
  await assert.rejects(server.apigw.send(new GetRestApiCommand({ restApiId: 'abcdefghij' })), (e: unknown) => {
    assert.ok(e instanceof NotFoundException);
    assert.equal(e.message, 'Invalid API identifier specified 000000000000:abcdefghij');
    assert.equal(e.$metadata.httpStatusCode, 404);
    return true;
  });
  const api = await server.apigw.send(new CreateRestApiCommand({ name: 'dup' }));
  await server.apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'users' }));
  await assert.rejects(server.apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: 'users' })), (e: unknown) => {
    assert.ok(e instanceof ConflictException);
    assert.equal(e.$metadata.httpStatusCode, 409);
    return true;
  });
  await assert.rejects(server.lambda.send(new GetFunctionCommand({ FunctionName: 'ghost' })), (e: unknown) => {
    assert.ok(e instanceof ResourceNotFoundException);
    assert.equal(e.message, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost');
    return true;
  });
  await assert.rejects(
    server.lambda.send(new CreateFunctionCommand({ FunctionName: 'bad-zip', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: Buffer.from('not a zip') } })),
    (e: unknown) => {
      assert.ok(e instanceof InvalidParameterValueException);
      assert.equal(e.message, 'Could not unzip uploaded file. Please check your file, then try to upload again.');
      return true;
    },
  );
});

test('the control plane refuses foreign browser origins and non-loopback Host names', async () => {
  const foreign = await rawRequest(server.port, { method: 'POST', path: '/restapis', headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, body: '{"name":"x"}' });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  const rebound = await rawRequest(server.port, { method: 'GET', path: '/restapis', headers: { Host: 'attacker.example:4010' } });
  assert.equal(rebound.status, 403);
});
