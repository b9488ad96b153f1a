// The actual response, exposed headers, redirects and Chromium's console text, end to end through the model.
// Sources: Fetch #cors-check, #main-fetch, #http-redirect-fetch; Chromium cors.cc CheckAccess, cors_url_loader.cc,
// blink cors_error_string.cc; texts and endings as Chromium 156 prints them (test/conformance, seed story).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { browserRequest, checkAccessValues, consoleMessage, exposedHeaders, simulate, type HttpResponse, type WireRequest } from '../../src/cors/index.js';

const ORIGIN = 'http://localhost:3000';
const URL_ = 'http://api.localhost:4010/dev/users';

describe('the CORS check (cors.cc CheckAccess order)', () => {
  test("'*' passes without credentials, fails with them even with ACAC true", () => {
    assert.equal(checkAccessValues('*', undefined, 'same-origin', ORIGIN), null);
    assert.equal(checkAccessValues('*', 'true', 'include', ORIGIN)?.kind, 'WildcardOriginNotAllowed');
  });
  test('missing, multiple, null, invalid, mismatch', () => {
    assert.equal(checkAccessValues(undefined, undefined, 'omit', ORIGIN)?.kind, 'MissingAllowOriginHeader');
    assert.deepEqual(checkAccessValues(`${ORIGIN}, ${ORIGIN}`, undefined, 'omit', ORIGIN), { kind: 'MultipleAllowOriginValues', hint: `${ORIGIN}, ${ORIGIN}` });
    assert.equal(checkAccessValues('null', undefined, 'omit', ORIGIN)?.kind, 'AllowOriginMismatch');
    assert.equal(checkAccessValues('localhost', undefined, 'omit', ORIGIN)?.kind, 'InvalidAllowOriginValue');
    assert.equal(checkAccessValues('', undefined, 'omit', ORIGIN)?.kind, 'InvalidAllowOriginValue');
    assert.equal(checkAccessValues(`${ORIGIN}/`, undefined, 'omit', ORIGIN)?.kind, 'AllowOriginMismatch');
    assert.equal(checkAccessValues('http://LOCALHOST:3000', undefined, 'omit', ORIGIN)?.kind, 'AllowOriginMismatch');
  });
  test("credentials need ACAC exactly 'true'", () => {
    assert.equal(checkAccessValues(ORIGIN, 'true', 'include', ORIGIN), null);
    assert.deepEqual(checkAccessValues(ORIGIN, 'TRUE', 'include', ORIGIN), { kind: 'InvalidAllowCredentials', hint: 'TRUE' });
    assert.deepEqual(checkAccessValues(ORIGIN, 'true, true', 'include', ORIGIN), { kind: 'InvalidAllowCredentials', hint: 'true, true' });
  });
  test('property: the exact origin without credentials always passes; any other value never does', () => {
    fc.assert(fc.property(fc.string(), (v) => {
      const e = checkAccessValues(v, undefined, 'omit', ORIGIN);
      return v === ORIGIN || v === '*' ? e === null : e !== null;
    }));
  });
});

describe('console messages (blink cors_error_string.cc, as Chromium 156 prints them)', () => {
  const ctx = { initiator: 'fetch' as const, url: URL_, initialUrl: URL_, origin: ORIGIN };
  test('no opaque-response hint any more; preflight prefix', () => {
    assert.equal(
      consoleMessage({ kind: 'PreflightMissingAllowOriginHeader', hint: '' }, ctx),
      `Access to fetch at '${URL_}' from origin '${ORIGIN}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
    );
  });
  test('"valid value" ending for fetch only; the withCredentials sentence for XHR only', () => {
    const m = { kind: 'AllowOriginMismatch' as const, hint: `${ORIGIN}/` };
    assert.match(consoleMessage(m, ctx), /not equal to the supplied origin\. Have the server send the header with a valid value\.$/);
    assert.match(consoleMessage(m, { ...ctx, initiator: 'xhr' }), /^Access to XMLHttpRequest at .*not equal to the supplied origin\.$/);
    assert.match(consoleMessage({ kind: 'WildcardOriginNotAllowed', hint: '' }, { ...ctx, initiator: 'xhr' }), /controlled by the withCredentials attribute\.$/);
  });
  test('redirected requests name both URLs; credentials in Location quote an empty location (measured)', () => {
    const m = consoleMessage({ kind: 'RedirectContainsCredentials', hint: '' }, { ...ctx, url: `${URL_}/2`, initialUrl: URL_ });
    assert.equal(m, `Access to fetch at '${URL_}/2' (redirected from '${URL_}') from origin '${ORIGIN}' has been blocked by CORS policy: Redirect location '' contains a username and password, which is disallowed for cross-origin requests.`);
  });
});

describe('exposed headers (Fetch #cors-safelisted-response-header-name)', () => {
  const headers: [string, string][] = [['Content-Type', 'text/plain'], ['X-A', '1'], ['X-A', '2'], ['Set-Cookie', 'a=b'], ['Date', 'x']];
  test('safelisted ones always; others when listed; duplicates joined', () => {
    assert.deepEqual(Object.fromEntries(exposedHeaders(headers, 'omit')), { 'content-type': 'text/plain' });
    assert.deepEqual(Object.fromEntries(exposedHeaders([...headers, ['Access-Control-Expose-Headers', 'x-a, set-cookie']], 'omit')), { 'content-type': 'text/plain', 'x-a': '1, 2' });
  });
  test("'*' exposes everything but Set-Cookie, and only without credentials", () => {
    const star: [string, string][] = [...headers, ['Access-Control-Expose-Headers', '*']];
    assert.deepEqual([...exposedHeaders(star, 'omit').keys()], ['access-control-expose-headers', 'content-type', 'date', 'x-a']);
    assert.deepEqual([...exposedHeaders(star, 'include').keys()], ['content-type']);
  });
});

describe('whole requests through the model', () => {
  const run = (server: (r: WireRequest) => HttpResponse, init: { method?: string; headers?: [string, string][]; credentials?: 'include' | 'same-origin' } = {}) =>
    simulate(browserRequest({ initiator: 'fetch', url: URL_, method: init.method ?? 'GET', headers: init.headers ?? [], credentials: init.credentials ?? 'same-origin' }), server, { origin: ORIGIN });

  test('a simple request sends no preflight and carries Origin', () => {
    const o = run(() => ({ status: 200, headers: [['Access-Control-Allow-Origin', '*']] }));
    assert.equal(o.allowed, true);
    assert.equal(o.preflights, 0);
    assert.deepEqual(o.exchanges[0]!.request.headers.find(([n]) => n === 'Origin'), ['Origin', ORIGIN]);
  });
  test('the preflight carries ACRM and the sorted ACRH, and no credentials', () => {
    const seen: WireRequest[] = [];
    const o = run((r) => {
      seen.push(r);
      return { status: 204, headers: [['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Methods', 'PUT'], ['Access-Control-Allow-Headers', 'x-b, content-type']] };
    }, { method: 'PUT', headers: [['X-B', '1'], ['Content-Type', 'application/json']] });
    assert.equal(o.allowed, true);
    assert.equal(seen[0]!.method, 'OPTIONS');
    assert.deepEqual(seen[0]!.headers.filter(([n]) => n.startsWith('Access-Control')), [['Access-Control-Request-Method', 'PUT'], ['Access-Control-Request-Headers', 'content-type,x-b']]);
  });
  test('a cross-origin redirect taints the origin: the next hop sees Origin: null and must allow null or *', () => {
    const o = run((r) =>
      r.url === URL_
        ? { status: 302, headers: [['Location', 'http://other.localhost:4010/x'], ['Access-Control-Allow-Origin', '*']] }
        : { status: 200, headers: [['Access-Control-Allow-Origin', ORIGIN]] },
    );
    assert.equal(o.allowed, false);
    assert.deepEqual(o.exchanges[1]!.request.headers.find(([n]) => n === 'Origin'), ['Origin', 'null']);
    assert.equal(o.message, `Access to fetch at 'http://other.localhost:4010/x' (redirected from '${URL_}') from origin '${ORIGIN}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '${ORIGIN}' that is not equal to the supplied origin. Have the server send the header with a valid value.`);
  });
  test('each redirect response is CORS-checked itself', () => {
    const o = run(() => ({ status: 301, headers: [['Location', `${URL_}/next`]] }));
    assert.equal(o.error?.kind, 'MissingAllowOriginHeader');
    assert.equal(o.url, URL_);
  });
  test('a POST redirected with 302 becomes a GET without its body headers', () => {
    const seen: WireRequest[] = [];
    simulate(browserRequest({ initiator: 'fetch', url: URL_, method: 'POST', headers: [['Content-Type', 'text/plain']], body: 'x', credentials: 'same-origin' }), (r) => {
      seen.push(r);
      return r.url === URL_ ? { status: 302, headers: [['Location', `${URL_}/2`], ['Access-Control-Allow-Origin', '*']] } : { status: 200, headers: [['Access-Control-Allow-Origin', '*']] };
    }, { origin: ORIGIN });
    assert.equal(seen[1]!.method, 'GET');
    assert.equal(seen[1]!.headers.some(([n]) => n.toLowerCase() === 'content-type'), false);
  });
});
