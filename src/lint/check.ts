import type { SourceLocation } from '../iac/diagnostics.js';
import { scanHandler, type ScanResult } from './handler-scan.js';
import { finding, RULES } from './rules.js';
import type { Finding, LintFunction, LintInput, LintRestApi, LintHttpApi } from './types.js';

const PRODUCTION_STAGE = /^(prod|production|prd|live)$/i;
const unquote = (v: unknown) => (typeof v === 'string' ? v.replace(/^'(.*)'$/, '$1') : '');
const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const OPS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'x-amazon-apigateway-any-method'];

interface Origin {
  value: string;
  at: SourceLocation;
}

export function check(input: LintInput): Finding[] {
  const out: Finding[] = [];
  const scans = new Map<string, ScanResult>();
  const scan = (f: LintFunction) => {
    if (!f.file) return undefined;
    let s = scans.get(f.file);
    if (!s) scans.set(f.file, (s = scanHandler(f.file)));
    return s;
  };
  for (const api of input.restApis) checkRest(api, out, scan);
  for (const api of input.httpApis) checkHttp(api, out, scan);
  for (const role of input.roles) {
    const admin = role.managedPolicyArns.find((a) => typeof a === 'string' && /:policy\/AdministratorAccess$/.test(a));
    const explanation = 'A function runs with every permission of its role; code that is tricked (injection, a vulnerable dependency) can then do anything the role allows in the account.';
    const fix = 'Give the role only what the function needs: AWSLambdaBasicExecutionRole (CloudWatch Logs) for a basic function, plus statements naming the exact actions and resource ARNs it uses.';
    if (admin) out.push(finding(RULES.adminRole, { message: `role ${role.name}${role.usedBy.length ? ` (used by ${role.usedBy.join(', ')})` : ''} has AdministratorAccess`, explanation, fix, location: role.location }));
    for (const { statement, location } of role.statements) {
      if (statement['Effect'] !== 'Allow') continue;
      const actions = [statement['Action']].flat();
      const resources = [statement['Resource']].flat();
      if (actions.includes('*')) out.push(finding(RULES.adminRole, { message: `role ${role.name} allows Action "*"`, explanation, fix, location }));
      else if (resources.includes('*')) out.push(finding(RULES.adminRole, { message: `role ${role.name} allows ${actions.join(', ')} on Resource "*"`, explanation, fix, location }));
    }
  }
  return out;
}

function authUsed(def: Record<string, unknown>): boolean {
  const s = JSON.stringify(def['paths'] ?? {});
  return (Array.isArray(def['security']) && def['security'].length > 0) || /"security":\[\{"(?!NONE")/.test(s);
}

function sendsAuthorization(def: Record<string, unknown>): boolean {
  const schemes = { ...(isMap(def['securityDefinitions']) ? def['securityDefinitions'] : {}), ...(isMap(def['components']) && isMap(def['components']['securitySchemes']) ? def['components']['securitySchemes'] : {}) };
  return Object.values(schemes).some((s) => isMap(s) && (/authorization/i.test(String(s['name'] ?? '')) || /authorization/i.test(JSON.stringify(s['x-amazon-apigateway-authorizer'] ?? '')) || (isMap(s['x-amazon-apigateway-authorizer']) && s['x-amazon-apigateway-authorizer']['type'] === 'jwt')));
}

function originChecks(origins: Origin[], stages: string[], credentials: Origin | undefined, auth: boolean, out: Finding[]): void {
  const prodStage = stages.find((s) => PRODUCTION_STAGE.test(s));
  for (const o of origins) {
    if (o.value === '*' && auth) {
      out.push(finding(RULES.wildcardWithAuth, { message: "Access-Control-Allow-Origin is '*' on an API that requires an authorizer, an API key or IAM auth", explanation: "Any site can call this API from its visitors' browsers and read the answers; with credentials in headers (tokens, API keys that a page holds) the wildcard lets every origin use them.", fix: "Allow the exact origins of your front ends, e.g. 'https://app.example.com'.", location: o.at }));
    }
    if (o.value === '*' && credentials) {
      out.push(finding(RULES.credentialsWithWildcard, { message: "Access-Control-Allow-Credentials is true while Access-Control-Allow-Origin is '*'", explanation: "Browsers refuse credentialed responses with a wildcard origin (Fetch standard CORS check); every request with cookies or credentials: 'include' fails.", fix: 'Send the exact requesting origin (echo it after checking it against an allow-list) and Vary: Origin.', location: credentials.at }));
    }
    if (o.value === 'null') {
      out.push(finding(RULES.nullOrigin, { message: "the 'null' origin is allowed", explanation: "Sandboxed iframes, file: pages and some redirects send Origin: null, so any site can produce it; allowing it is close to allowing '*'.", fix: "Remove 'null' and list real origins.", location: o.at }));
    }
    if (o.value !== '*' && o.value.includes('*')) {
      out.push(finding(RULES.overbroadOrigin, { message: `origin pattern ${o.value} matches more sites than intended`, explanation: 'A wildcard in an origin lets any host that fits the pattern (including ones an attacker registers) read responses.', fix: 'List each origin exactly.', location: o.at }));
    }
    if (prodStage && (/^http:\/\//i.test(o.value) || /localhost|127\.0\.0\.1|\[::1\]/i.test(o.value))) {
      out.push(finding(RULES.insecureOriginInProduction, { message: `stage ${prodStage} allows the origin ${o.value}`, explanation: 'A plain-http origin can be impersonated on any network path; localhost origins let any local development server (or malware on a user machine) call production with the user\'s credentials.', fix: 'Allow development origins only in development stages (a parameter or a Condition per stage), and https origins in production.', location: o.at }));
    }
  }
}

function checkRest(api: LintRestApi, out: Finding[], scan: (f: LintFunction) => ScanResult | undefined): void {
  const def = api.definition;
  const paths = isMap(def['paths']) ? def['paths'] : {};
  const origins: Origin[] = [];
  let credentials: Origin | undefined;
  const allowHeaders: Origin[] = [];
  const withOptions: string[] = [];
  const withoutOptions: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isMap(item)) continue;
    const options = item['options'];
    const params: Record<string, unknown> = {};
    if (isMap(options) && isMap(options['x-amazon-apigateway-integration']) && isMap(options['x-amazon-apigateway-integration']['responses'])) {
      for (const r of Object.values(options['x-amazon-apigateway-integration']['responses'])) if (isMap(r) && isMap(r['responseParameters'])) Object.assign(params, r['responseParameters']);
    }
    const at = api.locate(['paths', path, 'options']);
    const origin = params['method.response.header.Access-Control-Allow-Origin'];
    if (origin !== undefined) {
      withOptions.push(path);
      for (const v of unquote(origin).split(',').map((s) => s.trim()).filter(Boolean)) origins.push({ value: v, at });
      if (unquote(params['method.response.header.Access-Control-Allow-Credentials']) === 'true') credentials = { value: 'true', at };
      const h = params['method.response.header.Access-Control-Allow-Headers'];
      if (h !== undefined) allowHeaders.push({ value: unquote(h), at });
    } else if (!isMap(options) && OPS.some((m) => m in item)) withoutOptions.push(path);
  }
  const gr = isMap(def['x-amazon-apigateway-gateway-responses']) ? def['x-amazon-apigateway-gateway-responses'] : {};
  for (const [type, r] of Object.entries(gr)) {
    const p = isMap(r) && isMap(r['responseParameters']) ? r['responseParameters'] : {};
    const o = p['gatewayresponse.header.Access-Control-Allow-Origin'];
    if (o !== undefined) origins.push({ value: unquote(o), at: api.locate(['x-amazon-apigateway-gateway-responses', type]) });
  }
  const auth = authUsed(def);
  const corsEnabled = withOptions.length > 0;
  originChecks(origins, api.stages, credentials, auth, out);
  if (corsEnabled) {
    for (const path of withoutOptions) {
      out.push(finding(RULES.missingOptions, { message: `resource ${path} has no OPTIONS method, while the API answers preflights on ${withOptions[0]}`, explanation: 'A browser sends a preflight OPTIONS before non-simple requests (JSON bodies, custom headers, PUT/PATCH/DELETE); without an OPTIONS method API Gateway answers it 403 Missing Authentication Token and the browser blocks the call.', fix: `Enable CORS on ${path} (an OPTIONS method with a MOCK integration; SAM: Cors on the Api adds it to every path).`, location: api.locate(['paths', path]) }));
    }
    if (auth) {
      const missing = ['DEFAULT_4XX', 'DEFAULT_5XX'].filter((t) => !(isMap(gr[t]) && isMap(gr[t]['responseParameters']) && 'gatewayresponse.header.Access-Control-Allow-Origin' in gr[t]['responseParameters']));
      if (missing.length) {
        out.push(finding(RULES.gatewayResponsesWithoutCors, { message: `CORS is enabled and the API uses auth, but ${missing.join(' and ')} gateway responses have no Access-Control-Allow-Origin`, explanation: "When the authorizer or API key check refuses a request (401/403) or the gateway fails (5xx), API Gateway answers with a gateway response; without CORS headers the browser hides it and the page only sees a CORS error instead of the status.", fix: `Add gatewayresponse.header.Access-Control-Allow-Origin to ${missing.join(' and ')} (SAM GatewayResponses, or the console's Enable CORS "Default 4XX/5XX").`, location: api.locate(['x-amazon-apigateway-gateway-responses']) }));
      }
    }
  }
  for (const h of allowHeaders) allowHeadersCheck(h, sendsAuthorization(def), out);
  for (const f of api.functions) handlerChecks(f, scan(f), corsEnabled, out);
}

function allowHeadersCheck(h: Origin, authorization: boolean, out: Finding[]): void {
  if (!authorization || !h.value.split(',').map((s) => s.trim()).includes('*')) return;
  out.push(finding(RULES.allowHeadersWildcardAuthorization, { message: "Access-Control-Allow-Headers is '*' while clients send Authorization", explanation: "The Fetch standard makes Authorization a non-wildcard request header: '*' does not cover it, so spec-following browsers (Firefox, Safari) block the preflight. Chromium 156 does not block it (measured), so the bug hides in Chrome testing.", fix: "List Authorization explicitly: 'Authorization,Content-Type,...' (or add it beside '*').", location: h.at }));
}

function handlerChecks(f: LintFunction, s: ScanResult | undefined, corsEnabled: boolean, out: Finding[]): void {
  if (!s || s.wrapped) return;
  for (const c of s.overbroadChecks) {
    out.push(finding(RULES.overbroadOrigin, { message: `origin check \`${c.text}\` in ${f.name} matches more sites than intended`, explanation: "endsWith('example.com') also accepts evil-example.com; includes() and unanchored regular expressions accept any origin containing the text.", fix: "Compare against an exact allow-list (new Set(['https://app.example.com']).has(origin)), or anchor and escape the pattern: /^https:\\/\\/([a-z0-9-]+\\.)?example\\.com$/.", location: c.location }));
  }
  const partial = s.returnsWithCors > 0 && s.returnsWithoutCors.length > 0;
  if (partial || (corsEnabled && s.returnsWithoutCors.length > 0 && s.returnsWithCors === 0)) {
    for (const at of s.returnsWithoutCors) {
      out.push(finding(RULES.handlerMissingCors, { message: `${f.name} returns a response without Access-Control-Allow-Origin here`, explanation: 'With a Lambda proxy integration the function\'s headers are what the browser sees; a response without Access-Control-Allow-Origin (often an error path) is blocked, and the page sees a CORS error instead of the status.', fix: "Build every response with the same headers helper, or wrap the handler: withCors(handler, { origins: [...] }) from 'preflight/lambda'.", location: at }));
    }
  }
}

function checkHttp(api: LintHttpApi, out: Finding[], scan: (f: LintFunction) => ScanResult | undefined): void {
  const def = api.definition;
  const cors = isMap(def['x-amazon-apigateway-cors']) ? def['x-amazon-apigateway-cors'] : undefined;
  const auth = authUsed(def);
  if (cors) {
    const originsList = Array.isArray(cors['allowOrigins']) ? cors['allowOrigins'] : [];
    const origins = originsList.map((o, i) => ({ value: String(o), at: api.locate(['x-amazon-apigateway-cors', 'allowOrigins', i]) }));
    const credentials = cors['allowCredentials'] === true ? { value: 'true', at: api.locate(['x-amazon-apigateway-cors', 'allowCredentials']) } : undefined;
    originChecks(origins, api.stages, credentials, auth, out);
    const headers = Array.isArray(cors['allowHeaders']) ? cors['allowHeaders'].map(String) : [];
    if (headers.includes('*')) allowHeadersCheck({ value: headers.join(','), at: api.locate(['x-amazon-apigateway-cors', 'allowHeaders']) }, sendsAuthorization(def), out);
    for (const f of api.functions) {
      const s = scan(f);
      if (s && s.setsCorsHeaders.length) {
        out.push(finding(RULES.httpApiLambdaCorsHeaders, { message: `${f.name} sets CORS headers, but this HTTP API has a CorsConfiguration`, explanation: 'With a CorsConfiguration, API Gateway ignores CORS headers returned by the integration and sends the configured ones (AGDG http-api-cors.md); the code suggests a policy that is not in effect.', fix: 'Remove the CORS headers from the function, or remove CorsConfiguration and own CORS in the function.', location: s.setsCorsHeaders[0]! }));
      }
    }
  }
  for (const f of api.functions) {
    const s = scan(f);
    if (s && !cors) handlerChecks(f, s, false, out);
    else if (s && !s.wrapped) for (const c of s.overbroadChecks) handlerChecks(f, { ...s, returnsWithoutCors: [], returnsWithCors: 0, overbroadChecks: [c] }, false, out);
  }
}
