// doctor's pure parts: input checks with their explanations, how origins differ, the offline HAR diagnosis of a
// HAR recorded from Chromium (test/fixtures/har, captured by test/browser/doctor-har.test.ts), text rendering.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseHeader, parseInput, parseOrigin } from '../../src/doctor/input.js';
import { originDifference } from '../../src/doctor/diagnose.js';
import { diagnoseHar, parseHar } from '../../src/doctor/har.js';
import { platformFromUrl } from '../../src/doctor/platform.js';
import { renderText } from '../../src/doctor/render.js';
import { DoctorError } from '../../src/doctor/types.js';

const usage = (fn: () => unknown, message: RegExp) => assert.throws(fn, (e: unknown) => e instanceof DoctorError && e.kind === 'usage' && message.test(e.message));

describe('input', () => {
  test('origins: scheme required, no path or trailing slash, default port dropped', () => {
    usage(() => parseOrigin('app.example.com'), /has no scheme.*--origin https:\/\/app\.example\.com/);
    usage(() => parseOrigin('http://localhost:3000/'), /trailing slash.*use --origin http:\/\/localhost:3000/);
    usage(() => parseOrigin('https://app.example.com/app'), /path/);
    usage(() => parseOrigin('ftp://x.example'), /http:\/\/ or https:\/\//);
    assert.equal(parseOrigin('https://app.example.com:443'), 'https://app.example.com');
    assert.equal(parseOrigin('HTTP://LOCALHOST:3000'), 'http://localhost:3000');
  });
  test("headers are 'Name: value'", () => {
    assert.deepEqual(parseHeader('Content-Type: application/json'), ['Content-Type', 'application/json']);
    usage(() => parseHeader('no colon'), /is not 'Name: value'/);
  });
  test('--data defaults the method to POST; GET with a body is refused as the browser refuses it', () => {
    assert.equal(parseInput('http://a.test/x', { origin: 'http://b.test', data: '{}' }).input.method, 'POST');
    usage(() => parseInput('http://a.test/x', { origin: 'http://b.test', method: 'GET', data: '{}' }), /cannot send a body with GET/);
    usage(() => parseInput('http://a.test/x', { origin: 'http://b.test', method: 'TRACE' }), /refuse to send TRACE/);
  });
  test('forbidden headers are noted and dropped like the browser drops them', () => {
    const { notes } = parseInput('http://a.test/x', { origin: 'http://b.test', header: ['Cookie: a=b'] });
    assert.match(notes[0]!, /cannot set Cookie/);
  });
});

describe('origin differences in words', () => {
  const O = 'http://localhost:3000';
  test('trailing slash, scheme, port, case, another origin', () => {
    assert.match(originDifference(`${O}/`, O), /trailing slash/);
    assert.match(originDifference('https://localhost:3000', O), /scheme differs/);
    assert.match(originDifference('http://localhost:5173', O), /port differs \(5173 instead of 3000\)/);
    assert.match(originDifference('http://LocalHost:3000', O), /letter case/);
    assert.match(originDifference('https://app.example.com', O), /a different origin/);
  });
});

describe('platform from the URL', () => {
  test('the local emulator in host and path form, and AWS', () => {
    assert.deepEqual(platformFromUrl('http://abc123.execute-api.localhost:4010/dev/users'), { kind: 'local-rest', apiId: 'abc123', stage: 'dev', resourcePath: '/users', localBase: 'http://127.0.0.1:4010' });
    assert.equal(platformFromUrl('http://127.0.0.1:4010/restapis/abc123/dev/_user_request_/users').resourcePath, '/users');
    assert.equal(platformFromUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items').stage, 'prod');
  });
});

describe('HAR', () => {
  const file = fileURLToPath(new URL('../fixtures/har/seed-lambda-no-headers.har', import.meta.url));
  test('a HAR recorded from Chromium: the Lambda without headers and a gateway 403, diagnosed offline', () => {
    const results = diagnoseHar(readFileSync(file, 'utf8'), file);
    assert.equal(results.length, 2);
    const [post, get] = results;
    assert.equal(post!.report.cause, 'lambda-missing-cors-headers');
    assert.match(post!.report.chromiumMessage!, /^Access to fetch at 'http:\/\/\w+\.execute-api\.localhost:\d+\/dev\/users' from origin 'http:\/\/localhost:\d+' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource\.$/);
    assert.equal(post!.report.exchanges[0]!.purpose, 'preflight');
    assert.equal(get!.report.cause, 'gateway-error-without-cors');
    assert.match(renderText(post!.report), /Verdict: blocked/);
  });
  test('not JSON, or JSON that is not a HAR: usage errors', () => {
    usage(() => parseHar('<html>', 'x.har'), /x\.har is not JSON/);
    usage(() => parseHar('{"log":{}}', 'x.har'), /not a HAR file/);
  });
});
