// Fuzzing the browser side of the CORS engine (src/cors: browserRequest + simulate) with arbitrary scripts and
// arbitrary, even hostile, servers: redirect loops, malformed Access-Control-* values, huge header lists. It must
// always end (Fetch's 20-redirect limit), never throw, and never let a page read a cross-origin response the Fetch
// Standard's CORS check would refuse (#cors-check: Access-Control-Allow-Origin is "*" without credentials, or the
// request's serialized Origin exactly; with credentials also Access-Control-Allow-Credentials: "true"). Seeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { browserRequest } from '../../src/cors/request.js';
import { simulate, type WireRequest } from '../../src/cors/fetch.js';
import { PreflightCache } from '../../src/cors/preflight-cache.js';
import type { HeaderList, HttpResponse } from '../../src/cors/types.js';

const SEED = 20261125;
const ORIGIN = 'http://localhost:3000';

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const headerName = fc.oneof(fc.constantFrom('Content-Type', 'Authorization', 'X-Api-Key', 'Accept', 'Range', 'Cookie', 'Origin', 'Host', 'Sec-Fetch-Mode', 'X-Custom', 'content-language', 'DPR'), token);
const headerValue = fc.oneof(fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', 'bytes=0-1', 'bytes=1-0', '*', 'null', ''), fc.string({ maxLength: 20 }));
const headers: fc.Arbitrary<HeaderList> = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });
const url = fc.oneof(
  fc.constantFrom(`${ORIGIN}/same`, 'http://127.0.0.1:4010/dev/x', 'https://api.example.com/x', 'http://a.execute-api.localhost:4010/dev', 'data:text/plain,hi', 'ftp://x/y', 'http://[::1]:4010/', 'HTTP://LOCALHOST:3000/case'),
  fc.webUrl(),
);

const script = fc.record({
  initiator: fc.constantFrom('fetch' as const, 'xhr' as const),
  url,
  method: fc.oneof(fc.constantFrom('GET', 'get', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'patch', 'CONNECT'), token),
  headers,
  body: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  credentials: fc.constantFrom('omit' as const, 'same-origin' as const, 'include' as const),
  uploadListeners: fc.boolean(),
});

/** What a server may answer with: any status, redirects anywhere, any Access-Control-* values. */
const acValue = fc.oneof(fc.constantFrom('*', ORIGIN, `${ORIGIN}/`, 'null', 'true', 'TRUE', 'GET, POST', 'PUT,DELETE,*', 'x-custom, authorization', '600', '-1', '99999999999', ORIGIN.toUpperCase(), `${ORIGIN}, ${ORIGIN}`), fc.string({ maxLength: 16 }));
const response: fc.Arbitrary<HttpResponse> = fc.record({
  status: fc.oneof(fc.constantFrom(200, 204, 301, 302, 303, 307, 308, 403, 404, 500), fc.integer({ min: 0, max: 999 })),
  headers: fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom('Access-Control-Allow-Origin', 'Access-Control-Allow-Credentials', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Headers', 'Access-Control-Max-Age', 'Access-Control-Expose-Headers'), acValue),
      fc.tuple(fc.constant('Location'), url),
      fc.tuple(headerName, headerValue),
    ),
    { maxLength: 8 },
  ),
});

function header(list: HeaderList, name: string): string[] {
  return list.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

test('any script against any server: ends, never throws, and a page only reads what the CORS check allows', () => {
  let checked = 0;
  fc.assert(
    fc.property(script, fc.array(fc.tuple(response, fc.boolean()), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 10_000_000 }), (s, answers, now) => {
      let i = 0;
      // Half the answers come from a server that means to allow the request (echoing what was asked), so that
      // allowed cross-origin reads happen often enough to check; the hostile half sends anything.
      const server = (req: WireRequest): HttpResponse => {
        const [answer, cooperate] = answers[i++ % answers.length]!;
        if (!cooperate) return answer;
        const origin = header(req.headers, 'Origin')[0] ?? '*';
        const cors: [string, string][] = [
          ['Access-Control-Allow-Origin', origin],
          ['Access-Control-Allow-Credentials', 'true'],
          ['Access-Control-Allow-Methods', header(req.headers, 'Access-Control-Request-Method')[0] ?? 'GET'],
          ['Access-Control-Allow-Headers', header(req.headers, 'Access-Control-Request-Headers')[0] ?? ''],
        ];
        return { status: answer.status >= 300 && answer.status < 400 ? 200 : answer.status, headers: [...cors, ...answer.headers.filter(([n]) => !/^access-control-|^location$/i.test(n))] };
      };
      const request = browserRequest(s);
      const outcome = simulate(request, server, { origin: ORIGIN, cache: new PreflightCache(), now });
      assert.ok(outcome.exchanges.length <= 2 * 21 + 1, 'bounded by the redirect limit');
      if (!outcome.allowed) {
        assert.ok(typeof outcome.message === 'string' || typeof outcome.networkError === 'string', 'a refusal says why');
        return;
      }
      assert.ok(outcome.response, 'an allowed request has a response');
      const last = outcome.exchanges[outcome.exchanges.length - 1]!;
      assert.equal(last.request.purpose, 'actual');
      const sentOrigin = header(last.request.headers, 'Origin');
      // A cross-origin read (the browser sent Origin on a CORS request): the response passed the CORS check.
      if (sentOrigin.length === 1 && outcome.exchanges.some((e) => e.request.purpose === 'preflight' || new URL(e.request.url).origin !== ORIGIN)) {
        const acao = header(last.response.headers, 'Access-Control-Allow-Origin');
        const crossOrigin = new URL(last.request.url).origin !== ORIGIN || sentOrigin[0] === 'null';
        if (crossOrigin) {
          checked++;
          assert.equal(acao.length, 1, 'exactly one Access-Control-Allow-Origin');
          if (s.credentials === 'include') {
            assert.equal(acao[0], sentOrigin[0], 'with credentials, the exact origin');
            assert.deepEqual(header(last.response.headers, 'Access-Control-Allow-Credentials'), ['true']);
          } else assert.ok(acao[0] === '*' || acao[0] === sentOrigin[0], `allowed by ${acao[0]}`);
        }
      }
    }),
    { seed: SEED, numRuns: 4000 },
  );
  assert.ok(checked > 50, `the CORS-check property was exercised (${checked} cross-origin reads)`);
});

test('a server that always redirects ends with the redirect limit, not a loop', () => {
  const request = browserRequest({ initiator: 'fetch', url: 'http://127.0.0.1:4010/a', method: 'GET', headers: [], credentials: 'same-origin' });
  let n = 0;
  const outcome = simulate(request, () => ({ status: 302, headers: [['Location', `http://127.0.0.1:4010/r${n++}`], ['Access-Control-Allow-Origin', '*']] }), { origin: ORIGIN });
  assert.equal(outcome.allowed, false);
  assert.equal(outcome.networkError, 'ERR_TOO_MANY_REDIRECTS');
  assert.ok(n <= 21);
});
