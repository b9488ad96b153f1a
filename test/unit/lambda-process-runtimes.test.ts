/**
 * Child-process runtimes (src/lambda/process-environment.ts): Python functions under our standard-library bootstrap
 * (python/runtime/bootstrap.py) and `provided.al2023` custom runtimes with their own `bootstrap`, both talking to
 * the Runtime API.
 *
 * Sources cited below:
 *  - awslambdaric: aws/aws-lambda-python-runtime-interface-client at commit 46e4c6a, the runtime AWS ships for
 *    python3.x: awslambdaric/bootstrap.py (handler loading, errors, log formats), lambda_context.py,
 *    lambda_runtime_marshaller.py, lambda_runtime_exception.py.
 *  - RIE: aws/aws-lambda-runtime-interface-emulator at commit 4fa2157 (platform errors and their texts).
 *  - LDG: AWS Lambda Developer Guide via /work/shared/reference/aws-apigateway-lambda.md section 7.
 *  - Captured AWS responses quoted in public issues, named where used.
 */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LambdaRuntime, TooManyRequestsError } from '../../src/lambda/runtime.js';
import type { FunctionSpec, InvokeResult } from '../../src/lambda/spec.js';

const PYTHON = fileURLToPath(new URL('../fixtures/python/', import.meta.url));
const SHELL_FIXTURE = fileURLToPath(new URL('../fixtures/lambda/custom-shell', import.meta.url));
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let seq = 0;
function spec(runtime: string, codeDirectory: string, handler: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = overrides.name ?? `proc-${++seq}`;
  return {
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    runtime,
    handler,
    codeDirectory,
    codeVersion: '1',
    timeoutSeconds: 3,
    memoryMb: 128,
    environment: {},
    region: 'us-east-1',
    ...overrides,
  };
}
const py = (handler: string, overrides: Partial<FunctionSpec> = {}, dir = 'behaviour') => spec('python3.12', join(PYTHON, dir), handler, overrides);
const sh = (handler: string, overrides: Partial<FunctionSpec> = {}, dir = SHELL) => spec('provided.al2023', dir, handler, overrides);

const logs = new Map<string, string[]>();
const messages: string[] = [];
const runtime = new LambdaRuntime({
  onLog: (fn, line) => {
    let lines = logs.get(fn);
    if (!lines) logs.set(fn, (lines = []));
    lines.push(line);
  },
  onMessage: (level, m) => messages.push(`${level} ${m}`),
});
const temps: string[] = [];
after(async () => {
  await runtime.close();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function invoke(s: FunctionSpec, event: unknown = {}, extra: { logTail?: boolean; clientContext?: string } = {}) {
  const result = await runtime.invoke(s, { payload: JSON.stringify(event), ...extra });
  return { result, body: JSON.parse(result.payload) as Record<string, unknown> };
}

function errorBody(result: InvokeResult): Record<string, unknown> {
  assert.equal(result.functionError, 'Unhandled');
  return JSON.parse(result.payload) as Record<string, unknown>;
}

const tail = (r: InvokeResult) => Buffer.from(r.logTail ?? '', 'base64').toString('utf8');

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function tempCopy(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-proc-'));
  temps.push(dir);
  cpSync(from, dir, { recursive: true });
  chmodSync(join(dir, 'bootstrap'), 0o755);
  return dir;
}

// A copy with its executable bit set for sure (a checkout or an archive may have lost it).
const SHELL = tempCopy(SHELL_FIXTURE);

describe('Python: handler, context, environment (awslambdaric)', () => {
  it('runs a handler and keeps module state in a warm environment', async () => {
    const s = py('app.handler');
    const first = await invoke(s, { n: 1 });
    assert.deepEqual(first.body, { invocations: 1, event: { n: 1 } });
    assert.ok(first.result.initDurationMs !== undefined, 'cold start');
    const second = await invoke(s, { n: 2 });
    assert.deepEqual(second.body, { invocations: 2, event: { n: 2 } });
    assert.equal(second.result.initDurationMs, undefined, 'warm');
    assert.deepEqual(runtime.stats(s.name), { environments: 1, idle: 1 });
  });

  it('passes the context object', async () => {
    const s = py('app.context_fields', { name: 'py-ctx', memoryMb: 256, timeoutSeconds: 5 });
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64');
    const { result, body } = await invoke(s, {}, { clientContext });
    // awslambdaric lambda_context.py: attributes from the environment and the /next headers.
    assert.equal(body.aws_request_id, result.requestId);
    assert.equal(body.function_name, 'py-ctx');
    assert.equal(body.function_version, '$LATEST');
    assert.equal(body.invoked_function_arn, 'arn:aws:lambda:us-east-1:000000000000:function:py-ctx');
    assert.equal(body.memory_limit_in_mb, '256');
    assert.equal(body.log_group_name, '/aws/lambda/py-ctx');
    assert.match(String(body.log_stream_name), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const remaining = Number(body.remaining);
    assert.ok(remaining > 4000 && remaining <= 5000, `get_remaining_time_in_millis() = ${remaining}`);
    assert.deepEqual(body.client_context_custom, { k: 'v' });
    assert.equal(body.identity, 'CognitoIdentity');
  });

  it('sets the reserved and the function variables, cwd and sys.path as Lambda does', async () => {
    process.env.PREFLIGHT_HOST_ONLY = 'must not leak';
    try {
      const s = py('app.environment', { name: 'py-env', environment: { GREETING: 'hello', AWS_REGION: 'user-cannot-override' } });
      const { body } = await invoke(s);
      const env = body.env as Record<string, string>;
      // LDG configuration-envvars.md (reserved variables); AWS_EXECUTION_ENV is AWS_Lambda_<runtime>.
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'py-env');
      assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_python3.12');
      assert.equal(env._HANDLER, 'app.environment');
      assert.equal(env.AWS_REGION, 'us-east-1');
      assert.equal(env.LAMBDA_TASK_ROOT, s.codeDirectory);
      assert.match(env.AWS_LAMBDA_RUNTIME_API ?? '', /^127\.0\.0\.1:\d+$/);
      assert.match(env._X_AMZN_TRACE_ID ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      assert.equal(env._LAMBDA_TELEMETRY_LOG_FD, undefined, 'the runtime removes it from the environment (awslambdaric create_log_sink)');
      assert.equal(env.GREETING, 'hello');
      assert.equal(env.PREFLIGHT_HOST_ONLY, undefined, "the server's environment is not inherited");
      // The runtime starts in the task root with it first on sys.path (/var/task on Lambda).
      assert.equal(body.cwd, s.codeDirectory);
      assert.equal(body.path0, s.codeDirectory);
    } finally {
      delete process.env.PREFLIGHT_HOST_ONLY;
    }
  });

  it('marshals as the runtime does: Decimal, bytes, and Runtime.MarshalError for the rest', async () => {
    const { result } = await invoke(py('app.decimals'));
    // lambda_runtime_marshaller.py: Decimal digits as numbers; python3.12+ writes non-ASCII unescaped.
    assert.equal(result.payload, '{"int": 10, "float": 1.5, "text": "café"}');
    assert.equal((await runtime.invoke(py('app.raw_bytes'), { payload: '{}' })).payload, 'raw bytes');
    const err = errorBody((await invoke(py('app.not_serializable'))).result);
    assert.equal(err.errorType, 'Runtime.MarshalError');
    assert.equal(err.errorMessage, 'Unable to marshal response: Object of type object is not JSON serializable');
  });
});

describe('Python: errors (awslambdaric make_error / log_error)', () => {
  it('reports a raised exception with errorMessage, errorType, requestId, stackTrace and keeps the environment', async () => {
    const s = py('app.raises');
    const { result } = await invoke(s, {}, { logTail: true });
    const err = errorBody(result);
    // Captured AWS shape (LocalStack AWS-validated test_lambda snapshot, via /tmp/research/data-plane.md section 6):
    // {"errorMessage":"...","errorType":"Exception","requestId":"<uuid>","stackTrace":["  File \"/var/task/x.py\", line 2, in handler\n    raise ..."]}
    assert.deepEqual(Object.keys(err), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(err.errorMessage, 'bad value from Python');
    assert.equal(err.errorType, 'ValueError');
    assert.equal(err.requestId, result.requestId);
    assert.deepEqual(err.stackTrace, [`  File "${join(s.codeDirectory, 'app.py')}", line 46, in raises\n    raise ValueError("bad value from Python")\n`]);
    // log_error: "[ERROR] Type: message", "Traceback (most recent call last):", lines indented with U+00A0, one event.
    assert.match(
      tail(result),
      new RegExp(`\\n\\[ERROR\\] ValueError: bad value from Python\\nTraceback \\(most recent call last\\):\\n\u00a0\u00a0File "[^"]+app\\.py", line 46, in raises\\n\u00a0{4}raise ValueError\\("bad value from Python"\\)\\nEND RequestId: `),
    );
    assert.equal((await invoke(s)).result.initDurationMs, undefined, 'a handled error keeps the environment');
  });

  const initFailures: [string, string, string, string][] = [
    // The SyntaxError's own text depends on the interpreter (3.10+: "expected ':'", before: "invalid syntax").
    ['syntax-error', 'app.handler', 'Runtime.UserCodeSyntaxError', "Syntax error in module 'app': * (app.py, line 1)"],
    ['missing-dependency', 'app.handler', 'Runtime.ImportModuleError', "Unable to import module 'app': No module named 'preflight_fixture_missing_package'"],
    ['behaviour', 'app.not_there', 'Runtime.HandlerNotFound', "Handler 'not_there' missing on module 'app'"],
    ['behaviour', 'app', 'Runtime.MalformedHandlerName', "Bad handler 'app': not enough values to unpack (expected 2, got 1)"],
    ['behaviour', 'sys.handler', 'Runtime.BuiltInModuleConflict', 'Cannot use built-in module sys as a handler module'],
  ];
  for (const [dir, handler, type, message] of initFailures) {
    it(`reports ${type} for ${dir}/${handler} at init, and does not keep the environment`, async () => {
      const s = py(handler, {}, dir);
      const { result } = await invoke(s, {}, { logTail: true });
      const err = errorBody(result);
      // awslambdaric bootstrap.py _get_handler and FaultException texts; posted to /runtime/init/error.
      assert.equal(err.errorType, type);
      if (message.includes('*')) {
        const [before, after] = message.split('*');
        assert.ok(String(err.errorMessage).startsWith(before!) && String(err.errorMessage).endsWith(after!), String(err.errorMessage));
      } else {
        assert.equal(err.errorMessage, message);
      }
      assert.equal(err.requestId, '', 'init errors carry no request id (make_error without invoke_id)');
      const t = tail(result);
      assert.match(t, new RegExp(`INIT_REPORT Init Duration: [\\d.]+ ms\\tPhase: init\\tStatus: error\\tError Type: ${type.replace('.', '\\.')}\\n`));
      assert.match(t, /\tStatus: error\tError Type: Runtime\./);
      await until(() => runtime.stats(s.name).environments === 0);
    });
  }

  it('logs an exception raised at import, with the LAMBDA_WARNING first', async () => {
    const s = py('app.handler', {}, 'init-raises');
    const { result } = await invoke(s);
    const err = errorBody(result);
    assert.equal(err.errorType, 'RuntimeError');
    assert.equal(err.errorMessage, 'init failed on purpose');
    const lines = logs.get(s.name) ?? [];
    assert.equal(lines[0], 'initialising');
    // lambda_literals.py lambda_unhandled_exception_warning_message, logged with logging.warning before log_error.
    assert.match(lines[1] ?? '', new RegExp(`^\\[WARNING\\]\\t${ISO}\\t\\tLAMBDA_WARNING: Unhandled exception\\. The most likely cause is an issue in the function code\\.`));
    assert.match(lines[2] ?? '', /^\[ERROR\] RuntimeError: init failed on purpose\nTraceback \(most recent call last\):\n/);
  });
});

describe('Python: logs', () => {
  it('writes print() line by line and each logging record as one event, between START and END', async () => {
    const s = py('app.logs');
    const { result } = await invoke(s, {}, { logTail: true });
    const id = result.requestId;
    const lines = logs.get(s.name) ?? [];
    assert.equal(lines[0], `START RequestId: ${id} Version: $LATEST`);
    // Lambda splits a process's stdout into lines; the runtime's logging handler frames each record
    // (awslambdaric FramedTelemetryLogSink) in the format "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s".
    assert.deepEqual(lines.slice(1, 4), ['plain print line', 'two', 'printed lines']);
    assert.match(lines[4] ?? '', new RegExp(`^\\[INFO\\]\\t${ISO}\\t${id}\\tinfo record with\\nnewline$`));
    assert.match(lines[5] ?? '', new RegExp(`^\\[WARNING\\]\\t${ISO}\\t${id}\\tcareful$`));
    assert.equal(lines[6], 'to stderr');
    assert.equal(lines[7], `END RequestId: ${id}`);
    assert.match(lines[8] ?? '', new RegExp(`^REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms$`));
    assert.equal(lines.length, 9);
    assert.equal(tail(result), lines.map((l) => l + '\n').join(''));
  });

  it('keeps only the last 4 KB in the log tail, and every line in the function log', async () => {
    const s = py('app.many_logs');
    const { result } = await invoke(s, {}, { logTail: true });
    const bytes = Buffer.from(result.logTail ?? '', 'base64');
    // "the last 4 KB of the execution log" (LDG API_Invoke.md, LogType Tail).
    assert.equal(bytes.length, 4096);
    assert.match(bytes.toString('utf8'), new RegExp(`REPORT RequestId: ${result.requestId}\\t[^\\n]*\\n$`));
    assert.equal(logs.get(s.name)?.filter((l) => /^line \d+ /.test(l)).length, 200);
    assert.equal(runtime.recentLogs(s.name).filter((e) => /^line \d+ /.test(e.message)).length, 200, 'kept for the console');
  });
});

describe('Python: crashes kill only their environment', () => {
  it('a process exit fails the invocation with Runtime.ExitError and the next one starts fresh', async () => {
    const s = py('app.exit_process');
    const { result } = await invoke(s, {}, { logTail: true });
    // RIE rapid/handlers.go: "Runtime exited with error: exit status N"; captured payload shape in floci-io/floci#3314.
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 2`,
    });
    const t = tail(result);
    assert.match(t, /\nabout to exit\n/, 'output written before the exit is kept');
    assert.match(t, new RegExp(`RequestId: ${result.requestId} Error: Runtime exited with error: exit status 2\\nRuntime.ExitError\\nEND RequestId`));
    assert.match(t, /\tStatus: error\tError Type: Runtime\.ExitError\n$/);
    await until(() => runtime.stats(s.name).environments === 0);
  });

  it('times out after timeoutSeconds with Sandbox.Timedout and recycles the environment', async () => {
    const s = py('app.sleep', { timeoutSeconds: 1 });
    const warm = await invoke(s, { seconds: 0 });
    assert.equal(warm.body.slept, 0);
    const { result } = await invoke(s, { seconds: 5 }, { logTail: true });
    // Same payload as for Node functions (LocalStack test_lambda snapshot; floci-io/floci#3314).
    assert.deepEqual(errorBody(result), {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`,
    });
    assert.match(tail(result), /\tDuration: 1000\.00 ms\t.*\tStatus: timeout\n$/);
    await until(() => runtime.stats(s.name).environments === 0);
    assert.ok((await invoke(s, { seconds: 0 })).result.initDurationMs !== undefined, 'a fresh environment');
  });

  it('over its memory size the process is killed: Runtime.OutOfMemory, Max Memory Used at the limit', async () => {
    const s = py('app.hog_memory', { memoryMb: 128 });
    const { result } = await invoke(s, {}, { logTail: true });
    // Runtime.OutOfMemory with "signal: killed" (DataDog/datadog-lambda-extension#776).
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: signal: killed`,
    });
    assert.match(tail(result), /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*\tStatus: error\tError Type: Runtime\.OutOfMemory\n$/);
    await until(() => runtime.stats(s.name).environments === 0);
  });

  it('a stdout flood is slowed down, ends with the timeout, and other functions keep running meanwhile', async () => {
    const s = py('app.flood', { timeoutSeconds: 1 });
    const flooding = invoke(s);
    const other = await invoke(py('app.handler'), { during: 'flood' });
    assert.deepEqual(other.body, { invocations: 1, event: { during: 'flood' } });
    const { result } = await flooding;
    assert.equal(errorBody(result).errorType, 'Sandbox.Timedout');
    await until(() => runtime.stats(s.name).environments === 0);
  });

  it('fails a response over 6 MB with Function.ResponseSizeTooLarge', async () => {
    const { result } = await invoke(py('app.big_response'));
    // Same error as for Node functions (DataBiosphere/azul#7466; umihico/pythonista-chromeless#11).
    assert.deepEqual(errorBody(result), {
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });
});

describe('Python: concurrency', () => {
  it('runs parallel invocations in separate environments and throttles beyond reserved concurrency', async () => {
    const s = py('app.sleep', { reservedConcurrency: 3 });
    const running = [1, 2, 3].map(() => invoke(s, { seconds: 0.4 }));
    // The 4th concurrent invocation: 429 TooManyRequestsException, ReservedFunctionConcurrentInvocationLimitExceeded.
    await assert.rejects(runtime.invoke(s, { payload: '{"seconds":0}' }), (e: unknown) => {
      assert.ok(e instanceof TooManyRequestsError);
      assert.equal(e.reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      return true;
    });
    const results = await Promise.all(running);
    assert.deepEqual(results.map((r) => r.body.invocations), [1, 1, 1], 'three environments, each with its own module state');
    assert.equal(runtime.stats(s.name).environments, 3);
  });
});

describe('Python: local interpreter', () => {
  it('warns once when the local Python version differs from the runtime identifier', async () => {
    const s = py('app.handler', { name: 'py-version', runtime: 'python3.9' });
    await invoke(s);
    await invoke({ ...s, codeVersion: '2' });
    const warnings = messages.filter((m) => m.startsWith('warn function py-version declares python3.9 but runs on the local Python'));
    assert.equal(warnings.length, 1);
  });
});

describe('custom runtime (provided.al2023, a bash bootstrap)', () => {
  it('runs the bootstrap against the Runtime API and keeps its state between invocations', async () => {
    const s = sh('function.echo_event');
    const first = await invoke(s, { a: 1 }, { logTail: true });
    assert.deepEqual(first.body, { count: 1, event: { a: 1 } });
    assert.ok(first.result.initDurationMs !== undefined);
    const second = await invoke(s, { a: 2 });
    assert.deepEqual(second.body, { count: 2, event: { a: 2 } });
    const lines = logs.get(s.name) ?? [];
    // Output of the init phase comes before the first START; stderr lines are log events.
    assert.equal(lines[0], 'initialising the shell function');
    assert.equal(lines[1], `START RequestId: ${first.result.requestId} Version: $LATEST`);
    assert.equal(lines[2], 'handling event 1');
    assert.equal(lines[3], `END RequestId: ${first.result.requestId}`);
  });

  it('gives the runtime its environment and the invocation headers; no AWS_EXECUTION_ENV', async () => {
    const s = sh('function.environment', { name: 'sh-env', environment: { GREETING: 'hi' } });
    const before = Date.now();
    const { body } = await invoke(s);
    assert.equal(body.handler, 'function.environment');
    assert.equal(body.taskRoot, SHELL);
    assert.equal(body.pwd, SHELL, 'started in the task root');
    assert.equal(body.functionName, 'sh-env');
    assert.equal(body.memory, '128');
    // "AWS_EXECUTION_ENV ... not for custom runtimes" (LDG configuration-envvars.md).
    assert.equal(body.executionEnv, 'unset');
    assert.equal(body.greeting, 'hi');
    assert.equal(body.arn, 'arn:aws:lambda:us-east-1:000000000000:function:sh-env');
    const deadline = Number(body.deadlineMs);
    assert.ok(deadline >= before + 2900 && deadline <= Date.now() + 3000, `Lambda-Runtime-Deadline-Ms ${deadline}`);
    assert.match(String(body.trace), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  it('returns what the runtime posts to /error', async () => {
    const { result } = await invoke(sh('function.fail'));
    assert.deepEqual(errorBody(result), { errorMessage: 'fail failed', errorType: 'HandlerError' });
  });

  it('a runtime that exits fails the invocation with Runtime.ExitError', async () => {
    const s = sh('function.crash');
    const { result } = await invoke(s);
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 3`,
    });
    await until(() => runtime.stats(s.name).environments === 0);
  });

  it('times out like any function', async () => {
    const { result } = await invoke(sh('function.slow', { timeoutSeconds: 1 }));
    assert.equal(errorBody(result).errorType, 'Sandbox.Timedout');
  });

  it('returns the error a runtime posts to /runtime/init/error, with INIT_REPORT', async () => {
    const { result } = await invoke(sh('missing.handler'), {}, { logTail: true });
    assert.deepEqual(errorBody(result), { errorMessage: 'Handler script missing.sh not found', errorType: 'Runtime.HandlerNotFound' });
    assert.match(tail(result), /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.HandlerNotFound\n/);
  });

  it('a bootstrap that is not executable: Runtime.InvalidEntrypoint "permission denied"', async () => {
    const dir = tempCopy(SHELL);
    chmodSync(join(dir, 'bootstrap'), 0o644);
    const { result } = await invoke(sh('function.echo_event', {}, dir), {}, { logTail: true });
    // Captured (awslabs/aws-lambda-dart-runtime#20): "RequestId: <id> Error: fork/exec /var/task/bootstrap: permission denied".
    assert.deepEqual(errorBody(result), {
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: `RequestId: ${result.requestId} Error: fork/exec ${join(dir, 'bootstrap')}: permission denied`,
    });
    // Captured log: START, "RequestId: <id> Error: fork/exec ...: permission denied\nRuntime.InvalidEntrypoint", END, REPORT.
    assert.match(tail(result), new RegExp(`START RequestId: ${UUID} Version: \\$LATEST\\nRequestId: ${UUID} Error: fork/exec [^\\n]+: permission denied\\nRuntime\\.InvalidEntrypoint\\nEND RequestId`));
    assert.ok(messages.some((m) => m.includes('chmod +x bootstrap')), 'the server says how to fix it');
  });

  it('no bootstrap, or one that is neither a script nor a binary: Runtime.InvalidEntrypoint', async () => {
    const missing = tempCopy(SHELL);
    unlinkSync(join(missing, 'bootstrap'));
    const err = errorBody((await invoke(sh('function.echo_event', {}, missing))).result);
    // softprops/serverless-rust#122: "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]" (no layers here).
    assert.equal(err.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(String(err.errorMessage), new RegExp(`^RequestId: ${UUID} Error: Couldn't find valid bootstrap\\(s\\): \\[${join(missing, 'bootstrap')}\\]$`));

    const noShebang = tempCopy(SHELL);
    writeFileSync(join(noShebang, 'bootstrap'), 'echo no interpreter line\n', { mode: 0o755 });
    const format = errorBody((await invoke(sh('function.echo_event', {}, noShebang))).result);
    // awslabs/aws-lambda-powershell-runtime#23: "Error: fork/exec /opt/bootstrap: exec format error".
    assert.equal(format.errorMessage, `RequestId: ${String(format.errorMessage).slice(11, 47)} Error: fork/exec ${join(noShebang, 'bootstrap')}: exec format error`);
  });
});
