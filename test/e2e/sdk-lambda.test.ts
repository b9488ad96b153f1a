import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { startTestServer, TEST_ROLE, zipOf, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const decode = (b: Uint8Array | undefined) => JSON.parse(Buffer.from(b ?? []).toString('utf8')) as unknown;

test('the Lambda API through the SDK: create from zip bytes, get, list, invoke, update code and configuration, delete', async () => {
  const { lambda } = server;
  const zip = zipOf({ 'index.js': "let n = 0; exports.handler = async (event, context) => ({ v: 1, n: ++n, name: context.functionName, env: process.env.GREETING ?? null, event });" });
  const created = await lambda.send(new CreateFunctionCommand({ FunctionName: 'sdk-fn', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: zip } }));
  // CreateFunction answers while the function is being created (LocalStack AWS-validated test_lambda_api snapshot).
  assert.equal(created.State, 'Pending');
  assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:sdk-fn');
  assert.equal(created.Timeout, 3);
  assert.equal(created.MemorySize, 128);
  assert.equal(created.CodeSize, zip.length);
  assert.match(created.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

  const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'sdk-fn' }));
  assert.equal(got.Configuration?.State, 'Active');
  assert.equal(got.Configuration?.CodeSha256, created.CodeSha256);
  const list = await lambda.send(new ListFunctionsCommand({}));
  assert.deepEqual(list.Functions?.map((f) => f.FunctionName), ['sdk-fn']);

  const first = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', Payload: Buffer.from('{"hello":"world"}'), LogType: 'Tail' }));
  assert.equal(first.StatusCode, 200);
  assert.equal(first.ExecutedVersion, '$LATEST');
  assert.deepEqual(decode(first.Payload), { v: 1, n: 1, name: 'sdk-fn', env: null, event: { hello: 'world' } });
  const tail = Buffer.from(first.LogResult!, 'base64').toString('utf8');
  assert.match(tail, /START RequestId: [0-9a-f-]+ Version: \$LATEST/);
  assert.match(tail, /REPORT RequestId: [0-9a-f-]+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/);
  // Warm: module state survives between invocations.
  assert.equal((decode((await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn' }))).Payload) as { n: number }).n, 2);

  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'sdk-fn', Environment: { Variables: { GREETING: 'hi' } } }));
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'sdk-fn', ZipFile: zipOf({ 'index.js': "exports.handler = async () => ({ v: 2, env: process.env.GREETING });" }) }));
  assert.deepEqual(decode((await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn' }))).Payload), { v: 2, env: 'hi' });

  const dry = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', InvocationType: 'DryRun' }));
  assert.equal(dry.StatusCode, 204);
  const queued = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn', InvocationType: 'Event', Payload: Buffer.from('{}') }));
  assert.equal(queued.StatusCode, 202);

  await assert.rejects(
    lambda.send(new CreateFunctionCommand({ FunctionName: 'sdk-fn', Runtime: 'nodejs20.x', Role: TEST_ROLE, Handler: 'index.handler', Code: { ZipFile: zip } })),
    (e: unknown) => e instanceof ResourceConflictException && e.message === 'Function already exist: sdk-fn',
  );
  await lambda.send(new DeleteFunctionCommand({ FunctionName: 'sdk-fn' }));
  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'sdk-fn' })), ResourceNotFoundException);
});

test('function errors come back as 200 with X-Amz-Function-Error and the error object; bad payloads are refused', async () => {
  const { lambda } = server;
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'sdk-throws',
      Runtime: 'nodejs20.x',
      Role: TEST_ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: zipOf({ 'index.js': "exports.handler = async () => { throw new TypeError('bad input'); };" }) },
    }),
  );
  const r = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-throws' }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, 'Unhandled');
  const err = decode(r.Payload) as { errorType: string; errorMessage: string; trace: string[] };
  assert.equal(err.errorType, 'TypeError');
  assert.equal(err.errorMessage, 'bad input');
  assert.ok(Array.isArray(err.trace));

  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: 'sdk-throws', Payload: Buffer.from('{not json') })), (e: unknown) => {
    assert.equal((e as { name: string }).name, 'InvalidRequestContentException');
    return true;
  });
});
