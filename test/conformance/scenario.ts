// Scenarios for the differential test: what the server does (as data, so the scenario server and the model compute
// the very same responses) and what the page asks for. Generated with fast-check.
import fc from 'fast-check';
import type { CredentialsMode, HeaderList, HttpResponse, Initiator } from '../../src/cors/index.js';

export type AcaoSpec =
  | 'absent' | '*' | 'origin' | 'echo' | 'null' | 'origin/' | 'other-scheme' | 'other-port' | 'upper' | 'dup-origin'
  | 'origin,*' | 'two-origins' | 'invalid' | 'empty' | 'dup-star' | 'padded';
export type AcacSpec = 'absent' | 'true' | 'TRUE' | 'false' | 'dup-true' | 'empty';
export type AllowSpec = 'absent' | '*' | 'match' | 'match-lower' | 'match-upper' | 'fixed' | 'malformed' | 'empty-items' | 'dup' | 'star-and-match';
export type RedirectTo = 'same' | 'other' | 'page' | 'creds';

export interface PreflightSpec {
  status: number;
  acao: AcaoSpec;
  acac: AcacSpec;
  acam: AllowSpec;
  acah: AllowSpec;
  maxAge: string | null;
  redirect: { status: number; to: RedirectTo } | null;
}

export interface HopSpec {
  status: number;
  acao: AcaoSpec;
  acac: AcacSpec;
  aceh: string | null;
  extra: [string, string][];
  redirect: { status: number; to: RedirectTo } | null;
}

export interface RequestSpec {
  initiator: Initiator;
  method: string;
  headers: [string, string][];
  body: string | null;
  /** fetch: the credentials option, or null for the default; XHR: include ↔ withCredentials. */
  credentials: CredentialsMode | null;
  uploadListeners: boolean;
}

export interface Scenario {
  preflight: PreflightSpec;
  hops: HopSpec[];
  requests: RequestSpec[];
}

/** Where a scenario lives: its id makes every URL unique, so no preflight cache entry leaks between scenarios. */
export interface Hosts {
  page: string; // http://localhost:P
  api: string; // http://api.localhost:P
  other: string; // http://other.localhost:P
  port: number;
}

export function credentialsOf(r: RequestSpec): CredentialsMode {
  return r.credentials ?? 'same-origin';
}

export function scenarioUrl(hosts: Hosts, id: string, hop = 0): string {
  return `${hosts.api}/s/${id}/h${hop}`;
}

function acaoValues(spec: AcaoSpec, hosts: Hosts, requestOrigin: string | undefined): string[] {
  const o = hosts.page;
  switch (spec) {
    case 'absent': return [];
    case '*': return ['*'];
    case 'origin': return [o];
    case 'echo': return requestOrigin === undefined ? [] : [requestOrigin];
    case 'null': return ['null'];
    case 'origin/': return [`${o}/`];
    case 'other-scheme': return [o.replace('http:', 'https:')];
    case 'other-port': return [`http://localhost:${hosts.port + 1}`];
    case 'upper': return [o.replace('localhost', 'LOCALHOST')];
    case 'dup-origin': return [o, o];
    case 'origin,*': return [`${o},*`];
    case 'two-origins': return [`${o} ${hosts.other}`];
    case 'invalid': return ['localhost'];
    case 'empty': return [''];
    case 'dup-star': return ['*', '*'];
    case 'padded': return [`  ${o}  `];
  }
}

function acacValues(spec: AcacSpec): string[] {
  switch (spec) {
    case 'absent': return [];
    case 'true': return ['true'];
    case 'TRUE': return ['TRUE'];
    case 'false': return ['false'];
    case 'dup-true': return ['true', 'true'];
    case 'empty': return [''];
  }
}

function allowValues(spec: AllowSpec, requested: string | undefined, fixed: string): string[] {
  const r = requested ?? '';
  switch (spec) {
    case 'absent': return [];
    case '*': return ['*'];
    case 'match': return r ? [r] : [];
    case 'match-lower': return r ? [r.toLowerCase()] : [];
    case 'match-upper': return r ? [r.toUpperCase()] : [];
    case 'fixed': return [fixed];
    case 'malformed': return [r ? `${r.replaceAll(',', ' ')} X` : 'GET POST'];
    case 'empty-items': return [`,${r},,`];
    case 'dup': return r ? [r, fixed] : [fixed, fixed];
    case 'star-and-match': return r ? [`*, ${r}`] : ['*'];
  }
}

/** What the scenario server answers a request with (and what the model is told it answers). */
export function respond(
  scenario: Scenario,
  hosts: Hosts,
  id: string,
  req: { method: string; url: string; headers: HeaderList },
): HttpResponse & { body: string } {
  const get = (n: string) => req.headers.find(([k]) => k.toLowerCase() === n)?.[1];
  const hop = Number(/\/h(\d+)$/.exec(new URL(req.url).pathname)?.[1] ?? 0);
  const origin = get('origin');
  const headers: [string, string][] = [];
  let status: number;
  let redirect: { status: number; to: RedirectTo } | null;
  const isPreflight = req.method === 'OPTIONS' && get('access-control-request-method') !== undefined;
  if (isPreflight) {
    const p = scenario.preflight;
    status = p.status;
    redirect = p.redirect;
    for (const v of acaoValues(p.acao, hosts, origin)) headers.push(['Access-Control-Allow-Origin', v]);
    for (const v of acacValues(p.acac)) headers.push(['Access-Control-Allow-Credentials', v]);
    for (const v of allowValues(p.acam, get('access-control-request-method'), 'GET,PUT,DELETE')) headers.push(['Access-Control-Allow-Methods', v]);
    for (const v of allowValues(p.acah, get('access-control-request-headers'), 'Content-Type,X-Custom')) headers.push(['Access-Control-Allow-Headers', v]);
    if (p.maxAge !== null) headers.push(['Access-Control-Max-Age', p.maxAge]);
  } else {
    const h = scenario.hops[Math.min(hop, scenario.hops.length - 1)]!;
    status = h.status;
    redirect = hop < scenario.hops.length - 1 ? h.redirect : null;
    for (const v of acaoValues(h.acao, hosts, origin)) headers.push(['Access-Control-Allow-Origin', v]);
    for (const v of acacValues(h.acac)) headers.push(['Access-Control-Allow-Credentials', v]);
    if (h.aceh !== null) headers.push(['Access-Control-Expose-Headers', h.aceh]);
    headers.push(...h.extra);
  }
  if (redirect) {
    status = redirect.status;
    const path = `/s/${id}/h${hop + 1}`;
    const target =
      redirect.to === 'same' ? `${hosts.api}${path}`
      : redirect.to === 'other' ? `${hosts.other}${path}`
      : redirect.to === 'page' ? `${hosts.page}${path}`
      : `${hosts.api.replace('http://', 'http://user:pw@')}${path}`;
    headers.push(['Location', target]);
  }
  // No HTTP caching between the requests of one scenario (Chromium keeps 301/308 without validators forever).
  headers.push(['Cache-Control', 'no-store']);
  const body = req.method === 'HEAD' || status === 204 || status === 304 ? '' : 'ok';
  if (body) headers.push(['Content-Type', 'text/plain']);
  headers.push(['Content-Length', String(body.length)], ['Connection', 'keep-alive']);
  return { status, headers, body };
}

// ---- generators ------------------------------------------------------------------------------------------------

const acao = fc.constantFrom<AcaoSpec>(
  'absent', '*', 'origin', 'origin', 'echo', 'echo', 'null', 'origin/', 'other-scheme', 'other-port', 'upper', 'dup-origin',
  'origin,*', 'two-origins', 'invalid', 'empty', 'dup-star', 'padded',
);
const acac = fc.constantFrom<AcacSpec>('absent', 'true', 'true', 'TRUE', 'false', 'dup-true', 'empty');
const allow = fc.constantFrom<AllowSpec>('absent', '*', 'match', 'match', 'match-lower', 'match-upper', 'fixed', 'malformed', 'empty-items', 'dup', 'star-and-match');
const redirectTo = fc.constantFrom<RedirectTo>('same', 'other', 'page', 'creds');

const preflightSpec: fc.Arbitrary<PreflightSpec> = fc.record({
  status: fc.constantFrom(200, 200, 204, 299, 300, 400, 403, 404, 500),
  acao,
  acac,
  acam: allow,
  acah: allow,
  maxAge: fc.constantFrom(null, null, '0', '-1', '+0', '-0', 'abc', '10', '7200', '99999999999999999999', '5.5', '', '0, 5', '00'),
  redirect: fc.option(fc.record({ status: fc.constantFrom(301, 302, 307, 308), to: fc.constantFrom<RedirectTo>('same', 'other') }), { freq: 8 }),
});

const extraHeader = fc.constantFrom<[string, string][]>(
  [['X-Custom', '1']],
  [['X-Other', '2']],
  [['Set-Cookie', 'a=b']],
  [['Cache-Control', 'no-cache']],
  [['Content-Language', 'en']],
  [['Expires', '0']],
  [['Last-Modified', 'Wed, 21 Oct 2015 07:28:00 GMT']],
  [['Pragma', 'no-cache']],
  [['X-Dup', 'a'], ['X-Dup', 'b']],
  [['Content-Type', 'application/json']],
);

const hopSpec: fc.Arbitrary<HopSpec> = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 502),
  acao,
  acac,
  aceh: fc.constantFrom(null, null, '*', 'X-Custom', 'x-custom, X-Other', 'set-cookie', '*, X-Custom', 'X-Dup', 'X Custom', ''),
  extra: fc.array(extraHeader, { maxLength: 3 }).map((l) => l.flat()),
  redirect: fc.option(fc.record({ status: fc.constantFrom(301, 302, 303, 307, 308), to: redirectTo }), { freq: 4 }),
});

const long = (n: number) => 'a'.repeat(n);
/** Header values chosen around each rule's edges (Fetch #cors-safelisted-request-header, cors.cc). */
const requestHeader = fc.constantFrom<[string, string][]>(
  [['Content-Type', 'text/plain']],
  [['Content-Type', 'application/json']],
  [['Content-Type', 'application/json; charset=utf-8']],
  [['Content-Type', 'application/x-www-form-urlencoded']],
  [['Content-Type', 'multipart/form-data; boundary=x']],
  [['Content-Type', 'text/plain; charset=latin1']],
  [['Content-Type', 'TEXT/PLAIN']],
  [['Content-Type', 'text /plain']],
  [['Content-Type', 'text/plain,']],
  [['Content-Type', 'text/plain;garbage\u0001']],
  [['Content-Type', 'text/plain;"']],
  [['Content-Type', `text/plain;${long(125)}`]],
  [['Accept', 'application/json']],
  [['Accept', 'text/(html)']],
  [['Accept', long(129)]],
  [['Accept-Language', 'en-US,en;q=0.9']],
  [['Accept-Language', 'en_US']],
  [['Content-Language', 'de']],
  [['Content-Language', 'de@x']],
  [['Range', 'bytes=0-99']],
  [['Range', 'bytes=5-']],
  [['Range', 'bytes=-5']],
  [['Range', 'bytes=5-1']],
  [['Range', 'bytes=0-1,3-4']],
  [['X-Custom', '1']],
  [['x-custom', 'a'], ['X-Custom', 'b']],
  [['X-Requested-With', 'XMLHttpRequest']],
  [['Authorization', 'Bearer t']],
  [['X-Api-Key', 'k']],
  [['X-Amz-Date', '20240101T000000Z']],
  [['DPR', '2']],
  [['DPR', '2.']],
  [['Width', '100']],
  [['Viewport-Width', '1.5']],
  [['Device-Memory', '8']],
  [['Save-Data', 'on']],
  [['Save-Data', 'off']],
  [['RTT', '50']],
  [['Downlink', '1.5']],
  [['ECT', '4g']],
  [['ECT', '5g']],
  [['Intervention', 'x']],
  [['Lang', 'en']],
  [['User-Agent', 'x']],
  [['Cookie', 'a=b']],
  [['Sec-Foo', '1']],
  [['X-HTTP-Method-Override', 'TRACE']],
  [['X-HTTP-Method-Override', 'PUT']],
  [['X-Long', long(200)]],
  [
    ['Accept', long(120)], ['Accept-Language', long(120)], ['Content-Language', long(120)], ['Intervention', long(120)],
    ['DPR', '1'.repeat(120)], ['Width', '1'.repeat(120)], ['Viewport-Width', '1'.repeat(120)], ['Device-Memory', '1'.repeat(120)],
    ['RTT', '1'.repeat(120)],
  ],
);

const requestSpec: fc.Arbitrary<RequestSpec> = fc
  .record({
    initiator: fc.constantFrom<Initiator>('fetch', 'fetch', 'xhr'),
    method: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'patch', 'post', 'get', 'delete', 'OPTIONS', 'FOO', 'propfind'),
    headers: fc.array(requestHeader, { maxLength: 3 }).map((l) => l.flat()),
    body: fc.boolean(),
    credentials: fc.constantFrom<CredentialsMode | null>(null, 'omit', 'same-origin', 'include', 'include'),
    uploadListeners: fc.boolean(),
  })
  .map((r) => {
    const upper = r.method.toUpperCase();
    const bodyAllowed = upper !== 'GET' && upper !== 'HEAD';
    const credentials = r.initiator === 'xhr' ? (r.credentials === 'include' ? 'include' : null) : r.credentials;
    return {
      initiator: r.initiator,
      method: r.method,
      headers: r.headers,
      body: bodyAllowed && r.body ? 'x' : null,
      credentials,
      uploadListeners: r.initiator === 'xhr' && bodyAllowed && r.body && r.uploadListeners,
    } satisfies RequestSpec;
  });

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  preflight: preflightSpec,
  hops: fc.array(hopSpec, { minLength: 1, maxLength: 3 }),
  requests: fc.oneof(
    { weight: 6, arbitrary: requestSpec.map((r) => [r]) },
    { weight: 2, arbitrary: requestSpec.map((r) => [r, r]) },
    { weight: 2, arbitrary: fc.array(requestSpec, { minLength: 2, maxLength: 3 }) },
  ),
});

export function sampleScenarios(count: number, seed: number): Scenario[] {
  return fc.sample(scenarioArb, { numRuns: count, seed });
}
