/**
 * The Lambda Runtime API (2018-06-01) as one environment's runtime process sees it (src/lambda/runtime-api.ts).
 *
 * Sources: aws-lambda-runtime-interface-emulator (RIE) at commit 4fa2157 (2026-01): internal/lambda/rapi/router.go,
 * handler/{invocationnext,invocationresponse,invocationerror,initerror}.go, rendering/{rendering,render_error,
 * render_json}.go, core/states.go and core/runtime_state_names.go; the Lambda Developer Guide runtimes-api.md
 * (via /work/shared/reference/aws-apigateway-lambda.md section 7).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { RuntimeApiServer, type RuntimeApiListener, type RuntimeEvent } from '../../src/lambda/runtime-api.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(address: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function recorder() {
  const calls: string[] = [];
  const listener: RuntimeApiListener = {
    ready: () => calls.push('ready'),
    response: (id, body, contentType) => calls.push(`response ${id} ${body.toString()} ${contentType ?? ''}`),
    responseTooLarge: (id, size) => calls.push(`tooLarge ${id} ${size}`),
    error: (id, body, type) => calls.push(`error ${id} ${body.toString()} ${type ?? ''}`),
    initError: (body, type) => calls.push(`initError ${body.toString()} ${type ?? ''}`),
  };
  return { calls, listener };
}

const event = (requestId: string): RuntimeEvent => ({
  requestId,
  payload: '{"hello":"world"}',
  deadlineMs: 1542409706888,
  invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:custom-runtime',
  traceId: 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
  clientContext: '{"custom":{"k":"v"}}',
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), 'condition not reached');
}

describe('Runtime API (RIE rapi)', () => {
  it('listens on loopback only, on an ephemeral port', async () => {
    const api = await RuntimeApiServer.start(recorder().listener);
    try {
      assert.match(api.address, /^127\.0\.0\.1:\d+$/);
    } finally {
      await api.close();
    }
  });

  it('long-polls /next, then delivers the event with the Lambda-Runtime-* headers', async () => {
    const { calls, listener } = recorder();
    const api = await RuntimeApiServer.start(listener);
    try {
      const next = request(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
      await until(() => calls.includes('ready'));
      assert.equal(api.polling, true);
      api.deliver(event('8476a536-e9f4-11e8-9739-2dfe598c3fcd'));
      const r = await next;
      // RIE rendering.go renderInvokeHeaders; header examples from LDG runtimes-api.md.
      assert.equal(r.status, 200);
      assert.equal(r.body, '{"hello":"world"}');
      assert.equal(r.headers['lambda-runtime-aws-request-id'], '8476a536-e9f4-11e8-9739-2dfe598c3fcd');
      assert.equal(r.headers['lambda-runtime-deadline-ms'], '1542409706888');
      assert.equal(r.headers['lambda-runtime-invoked-function-arn'], 'arn:aws:lambda:us-east-2:123456789012:function:custom-runtime');
      assert.equal(r.headers['lambda-runtime-trace-id'], 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1');
      assert.equal(r.headers['lambda-runtime-client-context'], '{"custom":{"k":"v"}}');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['lambda-runtime-cognito-identity'], undefined, 'only set when present (setHeaderIfNotEmpty)');

      // While Running, /next renders the same invocation again (RIE RuntimeRunningState.Ready returns nil).
      const again = await request(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
      assert.equal(again.headers['lambda-runtime-aws-request-id'], '8476a536-e9f4-11e8-9739-2dfe598c3fcd');

      const accepted = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response', '"ok"', {
        'Content-Type': 'application/json',
      });
      // RIE RenderAccepted: 202 {"status":"OK"} from Go's json.Encoder (trailing newline).
      assert.equal(accepted.status, 202);
      assert.equal(accepted.body, '{"status":"OK"}\n');
      assert.equal(accepted.headers['content-type'], 'application/json');
      assert.ok(calls.includes('response 8476a536-e9f4-11e8-9739-2dfe598c3fcd "ok" application/json'));
    } finally {
      await api.close();
    }
  });

  it('refuses a second response with 403 InvalidStateTransition, naming the states as RIE does', async () => {
    const { calls, listener } = recorder();
    const api = await RuntimeApiServer.start(listener);
    try {
      const next = request(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
      await until(() => calls.includes('ready'));
      api.deliver(event('req-1'));
      await next;
      assert.equal((await request(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/response', '1')).status, 202);
      const second = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/response', '2');
      // RIE handler/constants.go StateTransitionFailedForRuntimeMessageFormat; core ErrNotAllowed; render_error.go.
      assert.equal(second.status, 403);
      assert.deepEqual(JSON.parse(second.body), {
        errorMessage: 'State transition from RuntimeResponseSentState to InvocationResponse failed for runtime. Error: State transition is not allowed',
        errorType: 'InvalidStateTransition',
      });
      const error = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/req-1/error', '{}');
      assert.equal(error.status, 403);
      assert.match(JSON.parse(error.body).errorMessage, /^State transition from RuntimeResponseSentState to InvocationErrorResponse failed/);
      const initError = await request(api.address, 'POST', '/2018-06-01/runtime/init/error', '{}');
      assert.equal(initError.status, 403);
      assert.match(JSON.parse(initError.body).errorMessage, /^State transition from RuntimeResponseSentState to InitError failed/);
    } finally {
      await api.close();
    }
  });

  it('answers a response before any invocation with 403 from the Started state', async () => {
    const api = await RuntimeApiServer.start(recorder().listener);
    try {
      const r = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/nobody/response', '1');
      assert.equal(r.status, 403);
      assert.equal(JSON.parse(r.body).errorMessage, 'State transition from Started to InvocationResponse failed for runtime. Error: State transition is not allowed');
    } finally {
      await api.close();
    }
  });

  it('answers a wrong request id with 400 InvalidRequestID', async () => {
    const { calls, listener } = recorder();
    const api = await RuntimeApiServer.start(listener);
    try {
      const next = request(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
      await until(() => calls.includes('ready'));
      api.deliver(event('right-id'));
      await next;
      const r = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/wrong-id/response', '1');
      // RIE render_error.go RenderInvalidRequestID.
      assert.equal(r.status, 400);
      assert.equal(r.body, '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n');
      assert.ok(!calls.some((c) => c.startsWith('response')));
    } finally {
      await api.close();
    }
  });

  it('answers a response over 6291556 bytes with 413 RequestEntityTooLarge and reports it', async () => {
    const { calls, listener } = recorder();
    const api = await RuntimeApiServer.start(listener);
    try {
      const next = request(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
      await until(() => calls.includes('ready'));
      api.deliver(event('big'));
      await next;
      const r = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/big/response', Buffer.alloc(6291557, 0x61));
      // RIE interop.MaxPayloadSize = 6*1024*1024 + 100; RenderRequestEntityTooLarge.
      assert.equal(r.status, 413);
      assert.deepEqual(JSON.parse(r.body), { errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).', errorType: 'RequestEntityTooLarge' });
      assert.ok(calls.includes('tooLarge big 6291557'));
    } finally {
      await api.close();
    }
  });

  it('passes /error bodies and Lambda-Runtime-Function-Error-Type through, and accepts /init/error while starting', async () => {
    const { calls, listener } = recorder();
    const api = await RuntimeApiServer.start(listener);
    try {
      const next = request(api.address, 'GET', '/2018-06-01/runtime/invocation/next');
      await until(() => calls.includes('ready'));
      api.deliver(event('e1'));
      await next;
      const body = '{"errorMessage":"boom","errorType":"MyError","stackTrace":[]}';
      const r = await request(api.address, 'POST', '/2018-06-01/runtime/invocation/e1/error', body, { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
      assert.equal(r.status, 202);
      assert.ok(calls.includes(`error e1 ${body} Unhandled`));
    } finally {
      await api.close();
    }
    const init = recorder();
    const starting = await RuntimeApiServer.start(init.listener);
    try {
      const r = await request(starting.address, 'POST', '/2018-06-01/runtime/init/error', '{"errorMessage":"bad","errorType":"Runtime.ConfigInvalid"}', {
        'Lambda-Runtime-Function-Error-Type': 'Runtime.ConfigInvalid',
      });
      assert.equal(r.status, 202);
      assert.ok(init.calls.includes('initError {"errorMessage":"bad","errorType":"Runtime.ConfigInvalid"} Runtime.ConfigInvalid'));
      // After an init error nothing else is allowed (RIE RuntimeInitErrorState).
      const next = await request(starting.address, 'GET', '/2018-06-01/runtime/invocation/next');
      assert.equal(next.status, 403);
      assert.match(JSON.parse(next.body).errorMessage, /^State transition from InitError to Ready failed/);
    } finally {
      await starting.close();
    }
  });

  it('404s unknown paths and 405s wrong methods (chi defaults), and refuses browser requests', async () => {
    const api = await RuntimeApiServer.start(recorder().listener);
    try {
      const unknown = await request(api.address, 'GET', '/2018-06-01/runtime/nope');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body, '404 page not found\n');
      assert.equal((await request(api.address, 'POST', '/2018-06-01/runtime/invocation/next')).status, 405);
      // Not AWS: a page in a browser could reach a loopback port; runtimes never send Origin.
      const browser = await request(api.address, 'POST', '/2018-06-01/runtime/init/error', '{}', { Origin: 'http://evil.example' });
      assert.equal(browser.status, 403);
    } finally {
      await api.close();
    }
  });
});
