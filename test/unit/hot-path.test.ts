// Shortcuts the data plane takes on its hot path (issue 10) give exactly what the long way gives: the default gateway
// response body without VTL, requestTime from a per-second cache, the console logger's batched lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GATEWAY_RESPONSE_TEMPLATE } from '../../src/model/gateway-responses.js';
import { compileTemplate, renderTemplate } from '../../src/gateway/vtl/index.js';
import { clfTime } from '../../src/gateway/rest/context.js';
import { consoleLogger } from '../../src/server/logger.js';

describe('default gateway response body', () => {
  it('is what the default template renders, for any message', () => {
    const template = compileTemplate(DEFAULT_GATEWAY_RESPONSE_TEMPLATE);
    const messages = [
      'Missing Authentication Token',
      'Unauthorized',
      null,
      'quotes " and \\ backslashes',
      'unicode: é ✓ 😀',
      'control \u0001 and newline \n',
      '$dollar and #hash',
    ];
    for (const message of messages) {
      const messageString = JSON.stringify(message);
      const rendered = renderTemplate(template, {
        input: { body: '', params: { path: {}, querystring: {}, header: {} } },
        context: { error: { message, messageString, responseType: 'DEFAULT_4XX', validationErrorString: '' } },
        stageVariables: {},
      });
      assert.equal(rendered.error, undefined);
      // src/gateway/rest/gateway-response.ts writes this without rendering.
      assert.equal(`{"message":${messageString}}`, rendered.output, String(message));
    }
  });
});

describe('clfTime', () => {
  it('formats each second, whatever order the times come in', () => {
    const t = Date.UTC(2020, 2, 4, 19, 15, 17, 250);
    assert.equal(clfTime(t), '04/Mar/2020:19:15:17 +0000');
    assert.equal(clfTime(t + 700), '04/Mar/2020:19:15:17 +0000');
    assert.equal(clfTime(t + 1000), '04/Mar/2020:19:15:18 +0000');
    assert.equal(clfTime(t), '04/Mar/2020:19:15:17 +0000');
    assert.equal(clfTime(Date.UTC(2021, 11, 31, 23, 59, 59)), '31/Dec/2021:23:59:59 +0000');
  });
});

describe('console logger', () => {
  it('writes lines in the order they were logged, batched per turn of the event loop', async () => {
    const written: { stream: 'out' | 'err'; text: string }[] = [];
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    // The test runner talks to its parent over stdout in Buffers; the logger writes strings. Only those are recorded.
    const capture = (stream: 'out' | 'err', original: typeof process.stdout.write) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === 'string') {
          written.push({ stream, text: chunk });
          return true;
        }
        return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = capture('out', out);
    process.stderr.write = capture('err', err);
    try {
      const logger = consoleLogger();
      logger.lambda('fn', 'START RequestId: 1 Version: $LATEST');
      logger.lambda('fn', 'END RequestId: 1');
      logger.execution('abc', 'Execution failed');
      logger.info('after');
      // Each stream's pending lines go out before the other stream's next line: the order they were logged in.
      assert.deepEqual(written, [
        { stream: 'out', text: '[fn] START RequestId: 1 Version: $LATEST\n[fn] END RequestId: 1\n' },
        { stream: 'err', text: '[apigw abc] Execution failed\n' },
      ]);
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(written.slice(2), [{ stream: 'out', text: 'after\n' }]);
    } finally {
      process.stdout.write = out;
      process.stderr.write = err;
    }
  });
});
