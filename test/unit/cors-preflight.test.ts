// Preflight responses and the preflight cache, in Chromium's order (services/network/cors/preflight_controller.cc,
// preflight_result.cc, preflight_cache.cc; Fetch #cors-preflight-fetch, #cors-preflight-cache). Every behaviour
// here is also exercised against Chromium 156 by test/conformance.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CHROMIUM_156,
  checkPreflightResponse,
  parseAllowList,
  parseMaxAge,
  PreflightCache,
  type HeaderList,
  type PreflightResult,
} from '../../src/cors/index.js';

// Seeded, so a failure reproduces on every run and machine (change the seed to explore).
fc.configureGlobal({ seed: 20261125 });

const ORIGIN = 'http://localhost:3000';
const ok = (headers: [string, string][], status = 204) => ({ status, headers });
const subject = (method: string, headers: HeaderList = [], credentials: 'include' | 'same-origin' = 'same-origin') => ({ method, headers, credentials });

describe('Access-Control-Max-Age (preflight_result.cc ParseAccessControlMaxAge)', () => {
  test('absent → 5 s; integers as given; capped at 7200; negative → 0; malformed → 5', () => {
    assert.equal(parseMaxAge(undefined), 5);
    assert.equal(parseMaxAge('600'), 600);
    assert.equal(parseMaxAge('7200'), 7200);
    assert.equal(parseMaxAge('86400'), 7200);
    assert.equal(parseMaxAge('-1'), 0);
    assert.equal(parseMaxAge('+0'), 0);
    for (const bad of ['abc', '5.5', '', '1e3', '0, 5', '99999999999999999999', ' 5x']) assert.equal(parseMaxAge(bad), 5, bad);
  });
  test('property: always within [0, 7200]', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const v = parseMaxAge(s);
      return v >= 0 && v <= 7200;
    }));
  });
});

describe('Access-Control-Allow-Methods / -Headers lists', () => {
  test('comma-separated tokens; empty items skipped; anything else is unparsable', () => {
    assert.deepEqual([...parseAllowList('GET,,POST, ', false)!], ['GET', 'POST']);
    assert.deepEqual([...parseAllowList('Content-Type, X-Api-Key', true)!], ['content-type', 'x-api-key']);
    assert.equal(parseAllowList('GET POST', false), null);
    assert.equal(parseAllowList('"x"', true), null);
    assert.equal(parseAllowList(undefined, false)!.size, 0);
  });
});

describe('checking a preflight response, in Chromium order', () => {
  test('a redirect fails first, whatever the headers', () => {
    const r = checkPreflightResponse(ok([['Access-Control-Allow-Origin', '*']], 301), true, subject('PUT'), ORIGIN);
    assert.equal(!r.ok && r.error.kind, 'PreflightDisallowedRedirect');
  });
  test('the origin check comes before the status: a 404 without ACAO reports the missing header', () => {
    const r = checkPreflightResponse(ok([], 404), false, subject('PUT'), ORIGIN);
    assert.equal(!r.ok && r.error.kind, 'PreflightMissingAllowOriginHeader');
    const s = checkPreflightResponse(ok([['Access-Control-Allow-Origin', '*']], 404), false, subject('PUT'), ORIGIN);
    assert.equal(!s.ok && s.error.kind, 'PreflightInvalidStatus');
  });
  test('the ACAO/ACAC check uses the actual request credentials mode', () => {
    const r = checkPreflightResponse(ok([['Access-Control-Allow-Origin', '*']]), false, subject('PUT', [], 'include'), ORIGIN);
    assert.equal(!r.ok && r.error.kind, 'PreflightWildcardOriginNotAllowed');
    const c = checkPreflightResponse(ok([['Access-Control-Allow-Origin', ORIGIN]]), false, subject('PUT', [], 'include'), ORIGIN);
    assert.deepEqual(!c.ok && c.error, { kind: 'PreflightInvalidAllowCredentials', hint: '' });
  });
  test('methods parse before headers; the method is checked before the headers', () => {
    const both = ok([['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Methods', 'GET POST'], ['Access-Control-Allow-Headers', 'a b']]);
    assert.equal((checkPreflightResponse(both, false, subject('PUT'), ORIGIN) as { error: { kind: string } }).error.kind, 'InvalidAllowMethodsPreflightResponse');
    const r = checkPreflightResponse(ok([['Access-Control-Allow-Origin', '*']]), false, subject('PUT', [['X-A', '1']]), ORIGIN);
    assert.deepEqual(!r.ok && r.error, { kind: 'MethodDisallowedByPreflightResponse', hint: 'PUT' });
  });
  test('method matching is case-sensitive as sent (patch needs patch: measured in Chromium 156)', () => {
    const allowUpper = ok([['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Methods', 'PATCH']]);
    assert.equal(checkPreflightResponse(allowUpper, false, subject('patch'), ORIGIN).ok, false);
    assert.equal(checkPreflightResponse(allowUpper, false, subject('PATCH'), ORIGIN).ok, true);
  });
  test("'*' methods and headers count only without credentials", () => {
    const star = ok([['Access-Control-Allow-Origin', ORIGIN], ['Access-Control-Allow-Credentials', 'true'], ['Access-Control-Allow-Methods', '*'], ['Access-Control-Allow-Headers', '*']]);
    assert.equal(checkPreflightResponse(star, false, subject('PUT', [['X-A', '1']]), ORIGIN).ok, true);
    const r = checkPreflightResponse(star, false, subject('PUT', [], 'include'), ORIGIN);
    assert.deepEqual(!r.ok && r.error, { kind: 'MethodDisallowedByPreflightResponse', hint: 'PUT' });
  });
  test("Authorization under '*': allowed by Chromium 156 (measured), refused by the Fetch Standard", () => {
    const star = ok([['Access-Control-Allow-Origin', '*'], ['Access-Control-Allow-Headers', '*']]);
    const r = checkPreflightResponse(star, false, subject('GET', [['Authorization', 'Bearer x']]), ORIGIN);
    assert.equal(r.ok && r.authorizationCoveredByWildcard, true);
    const spec = checkPreflightResponse(star, false, subject('GET', [['Authorization', 'Bearer x']]), ORIGIN, { ...CHROMIUM_156, wildcardCoversAuthorization: false });
    assert.deepEqual(!spec.ok && spec.error, { kind: 'HeaderDisallowedByPreflightResponse', hint: 'authorization' });
  });
  test('safelisted methods never need listing', () => {
    fc.assert(fc.property(fc.constantFrom('GET', 'HEAD', 'POST'), fc.constantFrom('omit', 'same-origin', 'include') as fc.Arbitrary<'omit' | 'same-origin' | 'include'>, (m, credentials) => {
      const r = checkPreflightResponse(ok([['Access-Control-Allow-Origin', ORIGIN], ['Access-Control-Allow-Credentials', 'true']]), false, { method: m, headers: [], credentials }, ORIGIN);
      return r.ok;
    }));
  });
});

describe('the preflight cache (Chromium: per origin and URL, replaced whole)', () => {
  const result = (methods: string[], headers: string[], credentials = false, maxAgeSeconds = 5): PreflightResult => ({ methods: new Set(methods), headers: new Set(headers), credentials, maxAgeSeconds });
  test('a hit needs the method and the headers covered, within max-age', () => {
    const c = new PreflightCache();
    c.put(ORIGIN, 'http://api/x', result(['PUT'], ['x-a']), 0);
    assert.equal(c.canSkip(ORIGIN, 'http://api/x', 'same-origin', 'PUT', [['X-A', '1']], 4999), true);
    assert.equal(c.canSkip(ORIGIN, 'http://api/x', 'same-origin', 'PUT', [['X-A', '1']], 5000), false);
    assert.equal(c.canSkip(ORIGIN, 'http://api/y', 'same-origin', 'PUT', [], 0), false);
    assert.equal(c.canSkip('http://other', 'http://api/x', 'same-origin', 'PUT', [], 0), false);
  });
  test('an entry made without credentials cannot serve a credentialed request; the reverse can', () => {
    const c = new PreflightCache();
    c.put(ORIGIN, 'http://api/x', result(['PUT'], []), 0);
    assert.equal(c.canSkip(ORIGIN, 'http://api/x', 'include', 'PUT', [], 0), false);
    c.put(ORIGIN, 'http://api/x', result(['PUT'], [], true), 0);
    assert.equal(c.canSkip(ORIGIN, 'http://api/x', 'omit', 'PUT', [], 0), true);
  });
  test('a new preflight to the same URL replaces the entry (measured: PUT re-preflights after DELETE)', () => {
    const c = new PreflightCache();
    c.put(ORIGIN, 'http://api/x', result(['PUT'], []), 0);
    c.put(ORIGIN, 'http://api/x', result(['DELETE'], []), 0);
    assert.equal(c.canSkip(ORIGIN, 'http://api/x', 'same-origin', 'PUT', [], 0), false);
  });
  test('max-age 0 caches nothing', () => {
    const c = new PreflightCache();
    c.put(ORIGIN, 'http://api/x', result(['PUT'], [], false, 0), 0);
    assert.equal(c.canSkip(ORIGIN, 'http://api/x', 'same-origin', 'PUT', [], 0), false);
  });
});
