/**
 * The local Lambda runtime for Node.js handlers (src/lambda): loading, context, environment, errors as AWS reports
 * them, environment reuse and recycling, logs.
 *
 * Sources cited below:
 *  - RIC: aws/aws-lambda-nodejs-runtime-interface-client (commit da5777a, 2025-08), the runtime AWS ships for nodejs*.x;
 *    src/UserFunction.js (handler loading), src/Errors.js (error payloads), src/CallbackContext.js and src/Runtime.js
 *    (callback/promise/empty-event-loop rules), src/InvokeContext.js (context object), src/LogPatch.js (log lines).
 *  - LDG: AWS Lambda Developer Guide (awsdocs/aws-lambda-developer-guide doc_source, 2023-10), via
 *    /work/shared/reference/aws-apigateway-lambda.md section 7.
 *  - Captured AWS responses quoted in public issues, named where used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { billedDurationMs, logTail, reportLine } from '../../src/lambda/platform.js';
import { LambdaRuntime, TooManyRequestsError } from '../../src/lambda/runtime.js';
import type { FunctionSpec, InvokeResult } from '../../src/lambda/spec.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

let seq = 0;
function spec(dir: string, handler: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = overrides.name ?? `fn-${++seq}`;
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime: 'nodejs20.x',
    handler,
    codeDirectory: join(FIXTURES, dir),
    codeVersion: '1',
    timeoutSeconds: 3,
    memoryMb: 128,
    environment: {},
    region: 'us-east-1',
    ...overrides,
  };
}

const logs = new Map<string, string[]>();
const runtime = new LambdaRuntime({
  onLog: (fn, line) => {
    let lines = logs.get(fn);
    if (!lines) logs.set(fn, (lines = []));
    lines.push(line);
  },
});

async function invoke(s: FunctionSpec, event: unknown = {}, extra: { logTail?: boolean; clientContext?: string } = {}) {
  const result = await runtime.invoke(s, { payload: JSON.stringify(event), ...extra });
  return { result, body: JSON.parse(result.payload) as Record<string, unknown> };
}

function errorBody(result: InvokeResult): { errorType?: string; errorMessage?: string; trace?: string[] } {
  // Sync Invoke reports a function error with X-Amz-Function-Error: Unhandled and the error object as payload (LDG API_Invoke.md).
  assert.equal(result.functionError, 'Unhandled');
  return JSON.parse(result.payload) as { errorType?: string; errorMessage?: string; trace?: string[] };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await sleep(10);
  }
}

after(async () => {
  await runtime.close();
});

describe('handler loading (RIC src/UserFunction.js)', () => {
  it('runs a CommonJS async handler and keeps module state in a warm environment', async () => {
    const s = spec('cjs', 'index.handler');
    const first = await invoke(s, { n: 1 });
    assert.deepEqual(first.body, { invocations: 1, event: { n: 1 } });
    assert.ok(first.result.initDurationMs !== undefined, 'first invocation is a cold start');
    const second = await invoke(s, { n: 2 });
    assert.deepEqual(second.body, { invocations: 2, event: { n: 2 } });
    assert.equal(second.result.initDurationMs, undefined, 'second invocation reuses the environment');
    assert.equal(second.result.functionError, undefined);
    assert.deepEqual(runtime.stats(s.name), { environments: 1, idle: 1 });
  });

  it('loads .mjs files as ES modules', async () => {
    // RIC _tryRequire: after CommonJS .js, tries import() of .mjs.
    const { body } = await invoke(spec('esm-mjs', 'app.handler'), { a: 1 });
    assert.deepEqual(body, { module: 'esm-mjs', calls: 1, esm: true, event: { a: 1 } });
  });

  it('loads .js as an ES module when the nearest package.json says "type": "module"', async () => {
    // RIC _hasPackageJsonTypeModule walks up to the nearest package.json.
    const { body } = await invoke(spec('esm-type-module', 'index.handler'));
    assert.deepEqual(body, { module: 'esm-type-module', file: 'index.js' });
  });

  it('loads .cjs with require even under "type": "module"', async () => {
    // RIC _tryRequire order: .js (CommonJS unless type: module), .mjs, then .cjs via require.
    const { body } = await invoke(spec('esm-type-module', 'legacy.handler'));
    assert.deepEqual(body, { module: 'esm-type-module/legacy.cjs', commonjs: true });
  });

  it('resolves a module in a subdirectory and a nested export', async () => {
    // RIC: handler "dir/module.export[.nested]"; the module root is everything before the basename.
    assert.deepEqual((await invoke(spec('nested', 'src/app.main'))).body, { module: 'nested/src/app.js' });
    const nested = await runtime.invoke(spec('cjs', 'index.nested.deeper.fn'), { payload: '{}' });
    assert.equal(nested.payload, '"nested ok"');
  });

  it('reports a missing module as Runtime.ImportModuleError with the runtime in the require stack', async () => {
    const { result } = await invoke(spec('cjs', 'nope.handler'));
    const err = errorBody(result);
    // Captured AWS payload shape: {"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module 'x'\nRequire stack:\n- /var/runtime/index.mjs"}
    // (aws/aws-sam-cli via aws/aws-lambda-builders#513 log; aws-samples/s3-to-lambda-patterns#40).
    assert.equal(err.errorType, 'Runtime.ImportModuleError');
    assert.equal(err.errorMessage, "Error: Cannot find module 'nope'\nRequire stack:\n- /var/runtime/index.mjs");
    assert.equal(err.trace?.[0], "Runtime.ImportModuleError: Error: Cannot find module 'nope'");
  });

  it('reports a missing dependency of the handler module with the user file in the require stack', async () => {
    const s = spec('missing-dependency', 'index.handler');
    const err = errorBody((await invoke(s)).result);
    // aws-samples/s3-to-lambda-patterns#40: "Error: Cannot find module 'aws-sdk'\nRequire stack:\n- /var/task/app.js\n- /var/runtime/index.mjs"
    assert.equal(err.errorType, 'Runtime.ImportModuleError');
    assert.equal(
      err.errorMessage,
      `Error: Cannot find module 'preflight-fixture-missing-package'\nRequire stack:\n- ${join(s.codeDirectory, 'index.js')}\n- /var/runtime/index.mjs`,
    );
  });

  it('reports a missing export as Runtime.HandlerNotFound', async () => {
    // RIC UserFunction.load: `${fullHandlerString} is undefined or not exported` / `... is not a function`.
    const missing = errorBody((await invoke(spec('cjs', 'index.missing'))).result);
    assert.equal(missing.errorType, 'Runtime.HandlerNotFound');
    assert.equal(missing.errorMessage, 'index.missing is undefined or not exported');
    const notFn = errorBody((await invoke(spec('cjs', 'index.notAFunction'))).result);
    assert.equal(notFn.errorType, 'Runtime.HandlerNotFound');
    assert.equal(notFn.errorMessage, 'index.notAFunction is not a function');
  });

  it('reports malformed handler strings as Runtime.MalformedHandlerName', async () => {
    // RIC _splitHandlerString: "Bad handler"; _throwIfInvalidHandler rejects "..".
    const bad = errorBody((await invoke(spec('cjs', 'index'))).result);
    assert.equal(bad.errorType, 'Runtime.MalformedHandlerName');
    assert.equal(bad.errorMessage, 'Bad handler');
    const up = errorBody((await invoke(spec('cjs', '../cjs/index.handler'))).result);
    assert.equal(up.errorType, 'Runtime.MalformedHandlerName');
    assert.equal(
      up.errorMessage,
      "'../cjs/index.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names.",
    );
  });

  it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
    // RIC _loadUserApp wraps SyntaxError: new UserCodeSyntaxError(e), so the message is "SyntaxError: ...".
    const err = errorBody((await invoke(spec('syntax-error', 'index.handler'))).result);
    assert.equal(err.errorType, 'Runtime.UserCodeSyntaxError');
    assert.equal(err.errorMessage, "SyntaxError: Unexpected token ';'");
    assert.equal(err.trace?.[0], "Runtime.UserCodeSyntaxError: SyntaxError: Unexpected token ';'");
  });

  it('reports other errors thrown at init as they are, logged as "Uncaught Exception" under request id undefined', async () => {
    const s = spec('init-throws', 'index.handler');
    const { result } = await invoke(s);
    const err = errorBody(result);
    // RIC _loadUserApp rethrows non-syntax, non-MODULE_NOT_FOUND errors unchanged.
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'init failed on purpose');
    const lines = logs.get(s.name) ?? [];
    // Init-phase lines carry "undefined" as request id (captured: "2023-08-15T18:18:53.309Z\tundefined\tERROR\tUncaught Exception \t{...}",
    // alexa-samples/skill-sample-nodejs-smarthome-switch#20).
    assert.match(lines[0] ?? '', new RegExp(`^${ISO}\\tundefined\\tINFO\\tinitialising$`));
    assert.match(lines[1] ?? '', new RegExp(`^${ISO}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"Error","errorMessage":"init failed on purpose","stack":\\["Error: init failed on purpose",`));
    // An environment whose init failed is not reused.
    await until(() => runtime.stats(s.name).environments === 0);
  });
});

describe('callback and legacy handlers (RIC src/CallbackContext.js, src/Runtime.js)', () => {
  it('returns the value passed to callback(null, result)', async () => {
    const { body } = await invoke(spec('cjs', 'index.callback'), { q: 1 });
    assert.deepEqual(body, { via: 'callback', input: { q: 1 } });
  });

  it('holds a callback result until the event loop is empty (callbackWaitsForEmptyEventLoop defaults to true)', async () => {
    const s = spec('cjs', 'index.callbackWaits');
    const { result } = await invoke(s, {}, { logTail: true });
    // RIC CallbackContext: with waitForEmptyEventLoop the response is posted from the beforeExit listener.
    assert.ok(result.durationMs >= 140, `waited for the 150 ms timer, took ${result.durationMs} ms`);
    const tail = Buffer.from(result.logTail ?? '', 'base64').toString('utf8');
    assert.match(tail, /\tINFO\ttimer ran\nEND RequestId: /);
  });

  it('returns at once when callbackWaitsForEmptyEventLoop is false', async () => {
    const { result } = await invoke(spec('cjs', 'index.callbackNoWait'));
    // RIC CallbackContext: !waitForEmptyEventLoop → complete(result) immediately.
    assert.equal(result.payload, '"fast"');
    assert.ok(result.durationMs < 300, `returned before the 400 ms timer, took ${result.durationMs} ms`);
  });

  it('fails the invocation with callback(error)', async () => {
    const err = errorBody((await invoke(spec('cjs', 'index.callbackError'))).result);
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'callback failed');
  });

  it('supports context.succeed', async () => {
    assert.deepEqual((await invoke(spec('cjs', 'index.legacySucceed'))).body, { legacy: true });
  });

  it('returns null for a synchronous handler that returns nothing', async () => {
    // RIC _setDefaultExitListener: a non-async handler that never calls back posts a null response on beforeExit;
    // LDG invocation-sync.md: a function returning nothing yields payload null.
    const { result } = await invoke(spec('cjs', 'index.syncNoResult'));
    assert.equal(result.payload, 'null');
    assert.equal(result.functionError, undefined);
  });

  it('fails an async handler whose promise never settles with Runtime.NodeJsExit', async () => {
    // RIC Errors.js NodeJsExit, posted by the beforeExit listener for async handlers.
    const err = errorBody((await invoke(spec('cjs', 'index.neverSettles'))).result);
    assert.equal(err.errorType, 'Runtime.NodeJsExit');
    assert.equal(
      err.errorMessage,
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  });
});

describe('context object and environment variables', () => {
  it('passes a context shaped like AWS', async () => {
    const s = spec('cjs', 'index.context', { name: 'ctx-fn', memoryMb: 256, timeoutSeconds: 5 });
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64');
    const { result, body } = await invoke(s, {}, { clientContext });
    // RIC InvokeContext.js: these fields; memoryLimitInMB is the env var's string; version $LATEST (LDG configuration-envvars.md).
    assert.equal(body.awsRequestId, result.requestId);
    assert.equal(body.functionName, 'ctx-fn');
    assert.equal(body.functionVersion, '$LATEST');
    assert.equal(body.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:ctx-fn');
    assert.equal(body.memoryLimitInMB, '256');
    assert.equal(body.logGroupName, '/aws/lambda/ctx-fn');
    assert.match(String(body.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const remaining = Number(body.remaining);
    assert.ok(remaining > 4000 && remaining <= 5000, `getRemainingTimeInMillis() = ${remaining}`);
    assert.equal(body.callbackWaitsForEmptyEventLoop, true);
    // X-Amz-Client-Context is base64 JSON on the wire; the runtime hands the parsed object to the handler.
    assert.deepEqual(body.clientContext, { custom: { k: 'v' } });
    assert.equal(body.hasIdentityKey, true);
    assert.deepEqual(body.legacy, ['function', 'function', 'function']);
  });

  it('gives each environment its own process.env with the reserved variables and the function variables', async () => {
    process.env.PREFLIGHT_HOST_ONLY = 'must not leak';
    try {
      const s = spec('cjs', 'index.env', {
        name: 'env-fn',
        memoryMb: 512,
        region: 'eu-west-1',
        environment: { GREETING: 'hello', AWS_REGION: 'user-cannot-override', LANG: 'C' },
      });
      const env = (await invoke(s)).body as Record<string, string>;
      // Reserved variables: LDG configuration-envvars.md ("Defined runtime environment variables").
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'env-fn');
      assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '512');
      assert.equal(env.AWS_REGION, 'eu-west-1');
      assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
      assert.equal(env._HANDLER, 'index.env');
      assert.equal(env.LAMBDA_TASK_ROOT, s.codeDirectory);
      assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
      assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env-fn');
      assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME ?? '', /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
      assert.equal(env.TZ, ':UTC');
      assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN, 'credentials are set');
      // The runtime sets _X_AMZN_TRACE_ID per invocation from Lambda-Runtime-Trace-Id (RIC InvokeContext._forwardXRay).
      assert.match(env._X_AMZN_TRACE_ID ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      // Function variables, and unreserved defaults they may override (LDG: LANG is unreserved).
      assert.equal(env.GREETING, 'hello');
      assert.equal(env.LANG, 'C');
      assert.equal(env.PREFLIGHT_HOST_ONLY, undefined, "the server's environment is not inherited");
    } finally {
      delete process.env.PREFLIGHT_HOST_ONLY;
    }
  });

  it('reports the task root as the working directory and lets the handler change it', async () => {
    // Lambda runs the runtime with cwd = LAMBDA_TASK_ROOT (LDG lambda-runtime-environment.md / configuration-envvars.md).
    const s = spec('cjs', 'index.cwd');
    assert.deepEqual((await invoke(s)).body, { initial: s.codeDirectory, changed: '/tmp' });
  });
});

describe('function errors (RIC src/Errors.js toRapidResponse)', () => {
  it('reports a thrown Error as errorType/errorMessage/trace and keeps the environment', async () => {
    const s = spec('cjs', 'index.throws');
    const { result } = await invoke(s, {}, { logTail: true });
    const err = errorBody(result);
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'boom');
    assert.equal(err.trace?.[0], 'Error: boom');
    assert.match(err.trace?.[1] ?? '', /^ {4}at .*cjs\/index\.js:\d+:\d+\)$/);
    assert.deepEqual(Object.keys(err), ['errorType', 'errorMessage', 'trace']);
    // RIC CallbackContext postError → structuredConsole.logError('Invoke Error', err): "Invoke Error \t{json with stack}".
    const tail = Buffer.from(result.logTail ?? '', 'base64').toString('utf8');
    assert.match(tail, new RegExp(`${ISO}\\t${result.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"boom","stack":\\["Error: boom",`));
    // A handled function error does not reset the environment.
    assert.equal((await invoke(s)).result.initDurationMs, undefined);
  });

  it('reports a synchronous throw the same way', async () => {
    const err = errorBody((await invoke(spec('cjs', 'index.throwsTypeError'))).result);
    assert.equal(err.errorType, 'TypeError');
    assert.equal(err.errorMessage, 'bad type');
  });

  it('reports non-Error throws as typeof + toString() with an empty trace', async () => {
    // RIC toRapidResponse: { errorType: typeof error, errorMessage: error.toString(), trace: [] }.
    assert.deepEqual(errorBody((await invoke(spec('cjs', 'index.throwsString'))).result), {
      errorType: 'string',
      errorMessage: 'just a string',
      trace: [],
    });
    assert.deepEqual(errorBody((await invoke(spec('cjs', 'index.throwsObject'))).result), {
      errorType: 'object',
      errorMessage: '[object Object]',
      trace: [],
    });
    // RIC CallbackContext fail(): a null/undefined rejection becomes done('handled').
    assert.deepEqual(errorBody((await invoke(spec('cjs', 'index.rejectsNull'))).result), {
      errorType: 'string',
      errorMessage: 'handled',
      trace: [],
    });
  });

  it('reports a result that cannot be serialized', async () => {
    // RIC RAPIDClient._trySerializeResponse: throw new Error('Unable to stringify response body').
    const err = errorBody((await invoke(spec('cjs', 'index.circular'))).result);
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'Unable to stringify response body');
  });

  it('fails a response over 6 MB with Function.ResponseSizeTooLarge', async () => {
    // Limit 6291556 bytes (RIE MaxPayloadSize); message as AWS logged it in DataBiosphere/azul#7466, type as in
    // umihico/pythonista-chromeless#11 ("... Function.ResponseSizeTooLarge").
    const err = errorBody((await invoke(spec('cjs', 'index.bigResponse'))).result);
    assert.equal(err.errorType, 'Function.ResponseSizeTooLarge');
    assert.equal(err.errorMessage, 'Response payload size exceeded maximum allowed payload size (6291556 bytes).');
  });
});

describe('crashes never reach the server', () => {
  it('process.exit() fails the invocation with Runtime.ExitError and discards the environment', async () => {
    const s = spec('cjs', 'index.exit');
    const { result } = await invoke(s, {}, { logTail: true });
    // Captured AWS payload (floci-io/floci#3314): {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error: Runtime exited with error: exit status 1"}
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 2`,
    });
    const tail = Buffer.from(result.logTail ?? '', 'base64').toString('utf8');
    assert.match(tail, /\tINFO\tabout to exit\n/, 'output written before exit is kept');
    // Platform log line and REPORT status (cargo-lambda/cargo-lambda#572; DataBiosphere/azul#7466).
    assert.match(tail, new RegExp(`RequestId: ${result.requestId} Error: Runtime exited with error: exit status 2\\nRuntime.ExitError\\n`));
    assert.match(tail, /\tStatus: error\tError Type: Runtime\.ExitError\n$/);
    await until(() => runtime.stats(s.name).environments === 0);
    assert.ok((await invoke(s)).result.initDurationMs !== undefined, 'the next invocation starts a new environment');
  });

  it('exit status 0 reads "Runtime exited without providing a reason"', async () => {
    // Captured AWS payload (ballerina-platform/module-ballerinax-aws.lambda#229).
    const { result } = await invoke(spec('cjs', 'index.exitZero'));
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited without providing a reason`,
    });
  });

  it('an exception thrown from a timer fails the invocation with that error and discards the environment', async () => {
    const s = spec('cjs', 'index.timerThrows');
    const { result } = await invoke(s, {}, { logTail: true });
    // RIC index.mjs: uncaughtException → logError('Uncaught Exception') → postInvocationError(error) → exit(129).
    const err = errorBody(result);
    assert.equal(err.errorType, 'Error');
    assert.equal(err.errorMessage, 'thrown from a timer');
    const tail = Buffer.from(result.logTail ?? '', 'base64').toString('utf8');
    assert.match(tail, /\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"thrown from a timer"/);
    assert.match(tail, /Error: Runtime exited with error: exit status 129\nRuntime\.ExitError\n/);
    await until(() => runtime.stats(s.name).environments === 0);
  });

  it('an unhandled rejection fails the invocation with Runtime.UnhandledPromiseRejection', async () => {
    // RIC Errors.js UnhandledPromiseRejection: super(reason), so the message is String(reason); exit(128).
    const err = errorBody((await invoke(spec('cjs', 'index.unhandledRejection'))).result);
    assert.equal(err.errorType, 'Runtime.UnhandledPromiseRejection');
    assert.equal(err.errorMessage, 'Error: nobody catches this');
  });

  it('running out of memory ends only that environment, as Runtime.OutOfMemory', async () => {
    // Node functions that exceed memory end with "Runtime exited with error: signal: killed" and error type
    // Runtime.OutOfMemory (DataDog/datadog-lambda-extension#776).
    const s = spec('cjs', 'index.oom', { memoryMb: 128 });
    const { result } = await invoke(s);
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: signal: killed`,
    });
    assert.equal((await invoke(spec('cjs', 'index.handler'))).body.invocations, 1, 'the server still runs functions');
  });
  it('a handler flooding its output is ended by its timeout, and other functions keep running meanwhile', async () => {
    const s = spec('cjs', 'index.flood', { timeoutSeconds: 1 });
    const flooding = invoke(s);
    assert.equal((await invoke(spec('cjs', 'index.handler'), { during: 'flood' })).body.invocations, 1);
    const { result } = await flooding;
    assert.equal(errorBody(result).errorType, 'Sandbox.Timedout');
    // The platform's lines are never among the ones the server's output leaves out (log-output.ts).
    assert.match((logs.get(s.name) ?? []).at(-1) ?? '', new RegExp(`^REPORT RequestId: ${result.requestId}\\t.*\\tStatus: timeout$`));
  });
});

describe('timeouts', () => {
  it('times out after timeoutSeconds, kills the environment and starts a fresh one next time', async () => {
    const s = spec('cjs', 'index.sleep', { timeoutSeconds: 1 });
    const warm = await invoke(s, { ms: 1 });
    assert.equal(warm.body.invocations, 1);
    const { result } = await invoke(s, { ms: 5000 }, { logTail: true });
    // Captured AWS payloads (floci-io/floci#3314 "sleep" case; public console captures of nodejs functions):
    // {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after 3.00 seconds"}
    assert.deepEqual(errorBody(result), {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`,
    });
    assert.equal(result.durationMs, 1000);
    // REPORT of a timed-out invocation ends "Duration: 3000.00 ms ... Status: timeout" in current AWS logs.
    const tail = Buffer.from(result.logTail ?? '', 'base64').toString('utf8');
    assert.match(tail, /\tDuration: 1000\.00 ms\t.*\tStatus: timeout\n$/);
    await until(() => runtime.stats(s.name).environments === 0);
    const next = await invoke(s, { ms: 1 });
    assert.ok(next.result.initDurationMs !== undefined, 'a new environment');
    assert.equal(next.body.invocations, 1, 'module state starts over');
  });

  it('a busy loop is stopped without blocking the server', async () => {
    const s = spec('cjs', 'index.busyLoop', { timeoutSeconds: 1 });
    const started = Date.now();
    const pending = runtime.invoke(s, { payload: '{}' });
    await sleep(100);
    assert.ok(Date.now() - started < 600, 'the main thread kept running while the handler spun');
    const err = errorBody(await pending);
    assert.equal(err.errorType, 'Sandbox.Timedout');
  });
});

describe('environments: concurrency, reuse, retirement', () => {
  it('runs parallel invocations in separate environments and reuses them afterwards', async () => {
    const s = spec('cjs', 'index.sleep');
    const results = await Promise.all([1, 2, 3].map(() => invoke(s, { ms: 300 })));
    assert.ok(results.every((r) => r.result.initDurationMs !== undefined), 'three cold starts');
    assert.deepEqual(
      results.map((r) => r.body.invocations),
      [1, 1, 1],
      'each environment has its own module state',
    );
    assert.deepEqual(runtime.stats(s.name), { environments: 3, idle: 3 });
    const again = await invoke(s, { ms: 1 });
    assert.equal(again.result.initDurationMs, undefined);
    assert.equal(again.body.invocations, 2);
  });

  it('sends quick invocations ahead to busy environments, one at a time each, without more environments', async () => {
    // No scale-up in this test, however loaded the machine: it is about pipelining into the one environment.
    const quick = new LambdaRuntime({ eagerEnvironments: 1, maxEnvironmentsPerFunction: 4, scaleUpAfterMs: 60_000 });
    try {
      const s = spec('cjs', 'index.sleep');
      for (let i = 0; i < 5; i++) await quick.invoke(s, { payload: '{"ms":0}' });
      const results = await Promise.all(Array.from({ length: 40 }, () => quick.invoke(s, { payload: '{"ms":0}' })));
      const counts = results.map((r) => (JSON.parse(r.payload) as { invocations: number }).invocations).sort((a, b) => a - b);
      // One environment, so module state counts every invocation exactly once: 6..45, no two at once.
      assert.deepEqual(counts, Array.from({ length: 40 }, (_, i) => i + 6));
      assert.equal(quick.stats(s.name).environments, 1);
    } finally {
      await quick.close();
    }
  });

  it('takes back invocations sent ahead of a slow one, and runs them in another environment', async () => {
    const rt = new LambdaRuntime({ eagerEnvironments: 1, maxEnvironmentsPerFunction: 4, scaleUpAfterMs: 10 });
    try {
      const s = spec('cjs', 'index.sleep');
      for (let i = 0; i < 5; i++) await rt.invoke(s, { payload: '{"ms":0}' });
      const slow = rt.invoke(s, { payload: '{"ms":2000}' });
      const quickOnes = Array.from({ length: 3 }, () => rt.invoke(s, { payload: '{"ms":0}' }));
      const finishedFirst = await Promise.race([Promise.all(quickOnes).then(() => 'quick'), slow.then(() => 'slow')]);
      assert.equal(finishedFirst, 'quick', 'the quick ones did not wait for the slow one');
      assert.ok(rt.stats(s.name).environments >= 2);
      assert.ok((await slow).functionError === undefined);
    } finally {
      await rt.close();
    }
  });

  it('an environment that dies hands the invocations sent ahead to another one', async () => {
    const rt = new LambdaRuntime({ eagerEnvironments: 1, maxEnvironmentsPerFunction: 2 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'preflight-lambda-'));
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
      writeFileSync(join(dir, 'index.js'), "exports.handler = async (e) => { if (e.die) process.exit(3); return 'ok'; };");
      const s: FunctionSpec = { ...spec('cjs', 'index.handler'), codeDirectory: dir };
      for (let i = 0; i < 5; i++) await rt.invoke(s, { payload: '{}' });
      const dying = rt.invoke(s, { payload: '{"die":true}' });
      const after = Array.from({ length: 3 }, () => rt.invoke(s, { payload: '{}' }));
      assert.equal((await dying).functionError, 'Unhandled');
      for (const r of await Promise.all(after)) {
        assert.equal(r.functionError, undefined);
        assert.equal(r.payload, '"ok"');
      }
    } finally {
      await rt.close();
    }
  });

  it('throttles beyond reserved concurrency with TooManyRequestsException', async () => {
    const s = spec('cjs', 'index.sleep', { reservedConcurrency: 1 });
    const first = invoke(s, { ms: 300 });
    await assert.rejects(runtime.invoke(s, { payload: '{"ms":1}' }), (err: unknown) => {
      // Invoke throttling: HTTP 429 TooManyRequestsException, Reason ReservedFunctionConcurrentInvocationLimitExceeded
      // (LDG API_Invoke.md; stackshy/cloudemu#928), message "Rate Exceeded." (alexcasalboni/aws-lambda-power-tuning#133).
      assert.ok(err instanceof TooManyRequestsError);
      assert.equal(err.name, 'TooManyRequestsException');
      assert.equal(err.statusCode, 429);
      assert.equal(err.reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      assert.equal(err.message, 'Rate Exceeded.');
      return true;
    });
    await first;
    // Reserved concurrency 0 throttles every invocation (LDG configuration-concurrency.md).
    await assert.rejects(runtime.invoke(spec('cjs', 'index.handler', { reservedConcurrency: 0 }), { payload: '{}' }), TooManyRequestsError);
  });

  it('queues invocations beyond the environment cap instead of failing them', async () => {
    const small = new LambdaRuntime({ maxEnvironmentsPerFunction: 2 });
    try {
      const s = spec('cjs', 'index.sleep');
      const started = performance.now();
      const results = await Promise.all([1, 2, 3].map(() => small.invoke(s, { payload: '{"ms":200}' })));
      assert.ok(results.every((r) => r.functionError === undefined));
      assert.equal(small.stats(s.name).environments, 2, 'never more than the cap');
      assert.ok(performance.now() - started >= 400, 'the third waited for a free environment');
    } finally {
      await small.close();
    }
  });

  it('throttles beyond the account concurrency limit with ConcurrentInvocationLimitExceeded', async () => {
    const small = new LambdaRuntime({ accountConcurrencyLimit: 2 });
    try {
      const s = spec('cjs', 'index.sleep');
      const running = [small.invoke(s, { payload: '{"ms":300}' }), small.invoke(s, { payload: '{"ms":300}' })];
      await assert.rejects(small.invoke(s, { payload: '{"ms":1}' }), (err: unknown) => {
        assert.ok(err instanceof TooManyRequestsError);
        assert.equal(err.reason, 'ConcurrentInvocationLimitExceeded');
        return true;
      });
      await Promise.all(running);
    } finally {
      await small.close();
    }
  });

  it('a new codeVersion sends invocations to fresh environments with the new code; retire() drops warm ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-lambda-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
      writeFileSync(join(dir, 'index.js'), "exports.handler = async () => 'v1';");
      const v1 = spec('', 'index.handler', { name: 'versioned', codeDirectory: dir, codeVersion: 'a' });
      assert.equal((await runtime.invoke(v1, { payload: '{}' })).payload, '"v1"');
      writeFileSync(join(dir, 'index.js'), "exports.handler = async () => 'v2';");
      // Same version: the warm environment keeps the module it loaded.
      assert.equal((await runtime.invoke(v1, { payload: '{}' })).payload, '"v1"');
      const v2 = { ...v1, codeVersion: 'b' };
      const fresh = await runtime.invoke(v2, { payload: '{}' });
      assert.equal(fresh.payload, '"v2"');
      assert.ok(fresh.initDurationMs !== undefined);
      await until(() => runtime.stats('versioned').environments === 1);

      await runtime.retire('versioned');
      await until(() => runtime.stats('versioned').environments === 0);
      const afterRetire = await runtime.invoke(v2, { payload: '{}' });
      assert.ok(afterRetire.initDurationMs !== undefined, 'retire() dropped the warm environment');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an environment retired while busy finishes its invocation first', async () => {
    const s = spec('cjs', 'index.sleep', { name: 'retire-busy' });
    const inFlight = invoke(s, { ms: 300 });
    await sleep(50);
    await runtime.retire('retire-busy');
    const { result, body } = await inFlight;
    assert.equal(result.functionError, undefined);
    assert.equal(body.slept, 300);
    await until(() => runtime.stats('retire-busy').environments === 0);
  });

  it('reclaims idle environments after idleTimeoutMs', async () => {
    const quick = new LambdaRuntime({ idleTimeoutMs: 100 });
    try {
      const s = spec('cjs', 'index.handler');
      await quick.invoke(s, { payload: '{}' });
      assert.equal(quick.stats(s.name).environments, 1);
      await sleep(400);
      assert.equal(quick.stats(s.name).environments, 0);
      const next = await quick.invoke(s, { payload: '{}' });
      assert.ok(next.initDurationMs !== undefined);
    } finally {
      await quick.close();
    }
  });

  it('close() ends invocations in flight and refuses new ones', async () => {
    const closing = new LambdaRuntime();
    const inFlight = closing.invoke(spec('cjs', 'index.sleep'), { payload: '{"ms":2000}' });
    await sleep(300);
    await closing.close();
    const result = await inFlight;
    assert.equal(errorBody(result).errorType, 'Runtime.ExitError');
    await assert.rejects(closing.invoke(spec('cjs', 'index.handler'), { payload: '{}' }), /closed/);
  });
});

describe('logs (CloudWatch format)', () => {
  it('writes START, console lines with level, raw lines, END and REPORT, and returns them as the log tail', async () => {
    const s = spec('cjs', 'index.logs');
    const { result } = await invoke(s, {}, { logTail: true });
    const id = result.requestId;
    const lines = logs.get(s.name) ?? [];
    const prefix = (level: string) => new RegExp(`^${ISO}\\t${id}\\t${level}\\t`);
    // START/END/REPORT shapes: captured logs in alexa-samples/skill-sample-nodejs-smarthome-switch#18 and
    // DataBiosphere/azul#7466; console lines "<ISO time>\t<request id>\t<LEVEL>\t<util.format(...)>" (RIC LogPatch.js),
    // console.log → INFO, console.error → ERROR, console.warn → WARN, console.debug → DEBUG.
    assert.equal(lines[0], `START RequestId: ${id} Version: $LATEST`);
    assert.match(lines[1] ?? '', prefix('INFO'));
    assert.ok(lines[1]?.endsWith('\thello world'));
    assert.ok(lines[2]?.endsWith('\tINFO\t{ a: 1 }'));
    assert.ok(lines[3]?.endsWith('\tWARN\tcareful'));
    assert.ok(lines[4]?.endsWith('\tERROR\tbad thing'));
    assert.ok(lines[5]?.endsWith('\tDEBUG\tdetails'));
    assert.ok(lines[6]?.endsWith('\tINFO\ttwo\nlines'), 'a multi-line message stays one event');
    // Only console methods are rewritten (RIC LogPatch.js); direct stdout/stderr writes reach the log unchanged.
    assert.equal(lines[7], 'raw stdout line');
    assert.equal(lines[8], 'raw stderr line');
    assert.equal(lines[9], `END RequestId: ${id}`);
    assert.match(
      lines[10] ?? '',
      new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms$`),
    );
    assert.equal(lines.length, 11);
    // X-Amz-Log-Result: base64 of the invocation's log (LDG API_Invoke.md).
    assert.equal(Buffer.from(result.logTail ?? '', 'base64').toString('utf8'), lines.map((l) => l + '\n').join(''));

    const warm = await invoke(s, {}, { logTail: true });
    const report = Buffer.from(warm.result.logTail ?? '', 'base64').toString('utf8').trimEnd().split('\n').pop() ?? '';
    // "Init Duration" appears only in the REPORT of an environment's first invocation (captured warm REPORT lines,
    // e.g. DataBiosphere/azul#7466, have none).
    assert.doesNotMatch(report, /Init Duration/, 'Init Duration only on a cold start');
  });

  it('keeps only the last 4 KB in the log tail', async () => {
    const s = spec('cjs', 'index.manyLogs');
    const { result } = await invoke(s, {}, { logTail: true });
    const tail = Buffer.from(result.logTail ?? '', 'base64');
    // "the last 4 KB of the execution log" (LDG API_Invoke.md, LogType Tail).
    assert.equal(tail.length, 4096);
    assert.match(tail.toString('utf8'), new RegExp(`REPORT RequestId: ${result.requestId}\\t[^\\n]*\\n$`));
    assert.equal(logs.get(s.name)?.filter((l) => /\tINFO\tline \d+ /.test(l)).length, 200, 'onLog received every line');
  });

  it('omits logTail unless asked', async () => {
    const { result } = await invoke(spec('cjs', 'index.handler'));
    assert.equal(result.logTail, undefined);
  });
});

describe('runtime identifiers', () => {
  it('runs nodejs18.x..nodejs24.x on the local Node.js, warning once per function when the major version differs', async () => {
    const messages: string[] = [];
    const rt = new LambdaRuntime({ onMessage: (level, m) => messages.push(`${level} ${m}`) });
    try {
      const local = process.versions.node;
      const other = Number(local.split('.')[0]) === 22 ? 'nodejs20.x' : 'nodejs22.x';
      const s = spec('cjs', 'index.handler', { name: 'node-version', runtime: other });
      await rt.invoke(s, { payload: '{}' });
      await rt.invoke({ ...s, codeVersion: '2' }, { payload: '{}' });
      assert.deepEqual(messages, [
        `warn function node-version declares ${other} but runs on the local Node.js ${local}: code that depends on the version may behave differently than on AWS`,
      ]);
      await rt.invoke(spec('cjs', 'index.handler', { runtime: `nodejs${local.split('.')[0]}.x` }), { payload: '{}' });
      assert.equal(messages.length, 1, 'no warning when the major versions agree');
    } finally {
      await rt.close();
    }
  });
});

describe('platform formatting', () => {
  it('bills Duration + Init Duration rounded up to the millisecond', () => {
    // Captured REPORT (2025+, INIT billed): "Duration: 3000.00 ms\tBilled Duration: 3403 ms ... Init Duration: 402.04 ms\tStatus: timeout";
    // warm: "Duration: 11236.65 ms\tBilled Duration: 11237 ms" (DataBiosphere/azul#7466).
    assert.equal(billedDurationMs(3000, 402.04), 3403);
    assert.equal(billedDurationMs(11236.65, undefined), 11237);
    assert.equal(billedDurationMs(0.05, undefined), 1);
    assert.equal(
      reportLine({ requestId: 'r', durationMs: 3000, memorySizeMb: 128, maxMemoryUsedMb: 73, initDurationMs: 402.04, status: { status: 'timeout' } }),
      'REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3403 ms\tMemory Size: 128 MB\tMax Memory Used: 73 MB\tInit Duration: 402.04 ms\tStatus: timeout',
    );
  });

  it('cuts the log tail on bytes', () => {
    const tail = Buffer.from(logTail(['é'.repeat(3000)]), 'base64');
    assert.equal(tail.length, 4096);
  });
});
