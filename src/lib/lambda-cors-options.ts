/**
 * Options of `withCors` (`preflight/lambda`): their types, defaults and validation.
 *
 * This module runs inside users' Lambda functions, so it is plain TypeScript with no runtime imports: validation
 * is hand-written rather than zod, but its messages follow zod's shape (`✖ what is wrong` / `→ at path`) so they
 * read like the rest of preflight's errors.
 */

/** What the Access-Control-Allow-Headers of a preflight answer lists unless `allowHeaders` says otherwise: the
 * value API Gateway's console "Enable CORS" writes, so a function moved behind `withCors` keeps working. */
export const DEFAULT_ALLOW_HEADERS: readonly string[] = Object.freeze([
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
]);

/** The console's Allow-Methods for an `ANY` method: a wrapper cannot know which methods the routes declare. */
export const DEFAULT_ALLOW_METHODS: readonly string[] = Object.freeze([
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
]);

/** Seconds; 600 because Safari caps at 10 minutes, so a longer value would only hold in Chromium (2 h) and Firefox. */
export const DEFAULT_MAX_AGE = 600;

/** Lambda environment variable read (once, when `withCors` is called) for the allowed origins. */
export const DEFAULT_ORIGINS_ENV_VAR = 'CORS_ALLOWED_ORIGINS';

/** API Gateway stage variable read (on every request, from `event.stageVariables`) for the allowed origins. */
export const DEFAULT_ORIGINS_STAGE_VARIABLE = 'corsAllowedOrigins';

/**
 * Options of {@link withCors}. Every field is optional; unknown keys are rejected so a typo such as `origin` (for
 * `origins`) fails at wrap time instead of silently allowing nothing.
 *
 * Allowed origins come from three places; the most specific one that is set wins (they are not merged, so a
 * production stage can narrow what the code allows for development):
 * 1. the stage variable named by {@link WithCorsOptions.originsStageVariable} (default `corsAllowedOrigins`), read
 *    per request from `event.stageVariables`: comma-separated origins, no spaces (API Gateway only accepts
 *    `[A-Za-z0-9-._~:/?#&=,]` in stage variable values, so `*` cannot be expressed there);
 * 2. the environment variable named by {@link WithCorsOptions.originsEnvVar} (default `CORS_ALLOWED_ORIGINS`),
 *    read once when `withCors` is called: comma-separated origins (spaces around commas are ignored) or `*`;
 * 3. {@link WithCorsOptions.origins}.
 * When none is set, no origin is allowed (fail closed) and a warning is logged once.
 */
export interface WithCorsOptions {
  /**
   * Origins allowed to read responses, each exactly as browsers send the `Origin` header:
   * `scheme://host[:port]`, lowercase, without path, trailing slash or default port (e.g.
   * `https://app.example.com`, `http://localhost:3000`). An allowed request origin is reflected in
   * `Access-Control-Allow-Origin` with `Vary: Origin`.
   *
   * `'*'` allows every origin with a constant `Access-Control-Allow-Origin: *`; it cannot be combined with
   * `credentials: true` (browsers refuse it, and API Gateway rejects the same HTTP API configuration).
   * Wildcard patterns such as `https://*.example.com` and the `null` origin are not supported.
   */
  origins?: readonly string[] | '*';
  /**
   * Send `Access-Control-Allow-Credentials: true` so pages may use `credentials: 'include'` (cookies,
   * HTTP authentication). Requires an explicit origin list. Default `false`.
   */
  credentials?: boolean;
  /**
   * Request headers a preflight answer allows (`Access-Control-Allow-Headers`), as an array or a comma-separated
   * string. Default `Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token` (API Gateway console).
   * `'*'` allows any header except `Authorization` (which must be named) and only without credentials.
   */
  allowHeaders?: readonly string[] | string;
  /**
   * Methods a preflight answer allows (`Access-Control-Allow-Methods`), as an array or a comma-separated string.
   * Browsers compare methods case-sensitively, so standard methods must be uppercase.
   * Default `DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT`.
   */
  allowMethods?: readonly string[] | string;
  /**
   * Response headers scripts may read beyond the safelisted ones (`Access-Control-Expose-Headers`), as an array or
   * a comma-separated string. Default: none (a handler's own Access-Control-Expose-Headers is then kept).
   * `'*'` works only without credentials; `Set-Cookie` is never exposed by browsers and is rejected.
   */
  exposeHeaders?: readonly string[] | string;
  /**
   * Seconds a browser may cache a preflight answer (`Access-Control-Max-Age`), an integer 0..86400.
   * Browsers cap it (Chromium 7200, Safari 600, Firefox 86400); 0 disables caching. Default 600.
   */
  maxAge?: number;
  /** Environment variable holding allowed origins (see above); `false` ignores the environment. Default `CORS_ALLOWED_ORIGINS`. */
  originsEnvVar?: string | false;
  /** Stage variable holding allowed origins (see above); `false` ignores stage variables. Default `corsAllowedOrigins`. */
  originsStageVariable?: string | false;
}

/** One problem found in the options, the environment variable or the stage variable. */
export interface CorsOptionsIssue {
  /** Where the problem is, e.g. `['origins', 1]` or `['env', 'CORS_ALLOWED_ORIGINS', 0]`. */
  readonly path: readonly (string | number)[];
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/** Thrown by `withCors` at wrap time when its configuration is invalid; `issues` lists every problem found. */
export class CorsOptionsError extends Error {
  readonly issues: readonly CorsOptionsIssue[];

  constructor(issues: readonly CorsOptionsIssue[]) {
    super(formatIssues('withCors: invalid CORS configuration', issues));
    this.name = 'CorsOptionsError';
    this.issues = issues;
  }
}

/** Which origins a request may come from: every origin (`*`), or an exact list. */
export type OriginPolicy = { readonly kind: 'any' } | { readonly kind: 'list'; readonly origins: ReadonlySet<string> };

/** Options after validation, with header values already serialized. */
export interface CompiledCorsOptions {
  /** From the environment variable when set, else from `origins`; undefined when neither is set. */
  readonly origins: OriginPolicy | undefined;
  readonly credentials: boolean;
  readonly allowHeaders: string;
  readonly allowMethods: string;
  readonly exposeHeaders: string | undefined;
  readonly maxAge: string;
  readonly originsEnvVar: string | undefined;
  readonly originsStageVariable: string | undefined;
}

type Path = readonly (string | number)[];

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

export function formatIssues(title: string, issues: readonly CorsOptionsIssue[]): string {
  const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
  const lines = [`${title} (${count}):`];
  for (const issue of issues) {
    lines.push(`✖ ${issue.message}`);
    if (issue.path.length > 0) lines.push(`  → at ${formatPath(issue.path)}`);
  }
  return lines.join('\n');
}

const KNOWN_KEYS: readonly (keyof WithCorsOptions)[] = [
  'origins',
  'credentials',
  'allowHeaders',
  'allowMethods',
  'exposeHeaders',
  'maxAge',
  'originsEnvVar',
  'originsStageVariable',
];

// Names other CORS libraries use, so someone porting a config gets pointed at ours.
const ALIASES: Readonly<Record<string, keyof WithCorsOptions>> = {
  origin: 'origins',
  alloworigin: 'origins',
  alloworigins: 'origins',
  allowedorigins: 'origins',
  allowcredentials: 'credentials',
  headers: 'allowHeaders',
  allowedheaders: 'allowHeaders',
  methods: 'allowMethods',
  allowedmethods: 'allowMethods',
  exposedheaders: 'exposeHeaders',
  maxageseconds: 'maxAge',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}

function q(value: string): string {
  return JSON.stringify(value);
}

const SPECIAL_SCHEMES = new Set(['http', 'https', 'ws', 'wss', 'ftp']);
const STANDARD_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Checks one configured origin against what browsers put in the `Origin` header. Returns a message saying what is
 * wrong and the corrected value, or undefined when the origin is fine.
 */
export function checkOrigin(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `Expected an origin string such as "https://app.example.com", received ${describe(value)}.`;
  }
  if (value === '') return 'Empty origin. Fix: remove it, or write one such as "https://app.example.com".';
  if (value.trim() !== value) {
    return `${q(value)} has leading or trailing whitespace, which an Origin header never has. Fix: use ${q(value.trim())}.`;
  }
  if (value === '*') {
    return '"*" inside a list is not supported: it would make the list pointless. Fix: use origins: \'*\' on its own (without credentials), or list exact origins.';
  }
  if (value.toLowerCase() === 'null') {
    return '"null" is the origin of sandboxed iframes, file: pages and data: URLs; allowing it lets any such document read your responses. Fix: serve the page from a real origin and list that.';
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(value);
  if (!match) {
    const broken = /^([A-Za-z][A-Za-z0-9+.-]*):\/*(?=[^\d/])/.exec(value);
    const host = value.slice(broken ? broken[0].length : 0).replace(/^\/+/, '').split(/[/?#]/)[0] ?? '';
    if (broken) {
      const guess = `${(broken[1] ?? '').toLowerCase()}://${host.toLowerCase()}`;
      return `${q(value)} is malformed: the scheme must be followed by "://". Fix: use ${q(guess)}.`;
    }
    return `${q(value)} has no scheme; browsers send the Origin header as scheme://host[:port]. Fix: use ${q(`https://${host}`)} (or the http:// form for a local server).`;
  }
  const scheme = match[1] ?? '';
  const rest = match[2] ?? '';
  const cut = rest.search(/[/?#]/);
  const hostPort = cut === -1 ? rest : rest.slice(0, cut);
  const tail = cut === -1 ? '' : rest.slice(cut);
  if (hostPort.includes('*')) {
    return `${q(value)} is a wildcard pattern; withCors matches origins exactly. Fix: list each origin, e.g. "https://app.example.com", "https://admin.example.com".`;
  }
  const lowerScheme = scheme.toLowerCase();
  if (lowerScheme === 'file' || lowerScheme === 'data' || lowerScheme === 'blob' || lowerScheme === 'about') {
    return `${q(value)} can never match: pages loaded from ${lowerScheme}: URLs send "Origin: null". Fix: serve the page over http(s) and list that origin.`;
  }

  const reasons: string[] = [];
  if (tail === '/') reasons.push('it has a trailing slash');
  else if (tail !== '') reasons.push(`it has a path, query or fragment (${q(tail)})`);
  const at = hostPort.lastIndexOf('@');
  const bareHostPort = at === -1 ? hostPort : hostPort.slice(at + 1);
  if (at !== -1) reasons.push('it contains user credentials');
  if (hostPort === '' || bareHostPort === '') return `${q(value)} has no host. Fix: write scheme://host[:port], e.g. "https://app.example.com".`;

  let canonical: string;
  if (SPECIAL_SCHEMES.has(lowerScheme)) {
    try {
      canonical = new URL(`${lowerScheme}://${bareHostPort}`).origin;
    } catch {
      return `${q(value)} is not a valid origin: ${q(bareHostPort)} is not a valid host[:port]. Fix: write scheme://host[:port] with a port in 1..65535, e.g. "https://app.example.com".`;
    }
    const given = `${scheme}://${bareHostPort}`;
    if (canonical !== given) {
      let explained = given.toLowerCase();
      if (explained !== given) reasons.push('it has uppercase letters (browsers send origins in lowercase)');
      const port = /:(\d+)$/.exec(bareHostPort)?.[1];
      if (port !== undefined && new URL(canonical).port === '') {
        reasons.push(`it has the default port :${port}, which browsers leave out`);
        explained = explained.slice(0, -(port.length + 1));
      }
      if (explained !== canonical) reasons.push(`browsers serialize it as ${q(canonical)}`);
    }
  } else {
    // Non-special schemes (capacitor://localhost, chrome-extension://<id>) keep an opaque host; browsers send it
    // verbatim, so only the shape is checked.
    if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(bareHostPort)) {
      return `${q(value)} is not a valid origin: ${q(bareHostPort)} is not a valid host[:port]. Fix: write scheme://host[:port].`;
    }
    canonical = `${lowerScheme}://${bareHostPort}`;
    if (scheme !== lowerScheme) reasons.push('its scheme has uppercase letters (browsers send it in lowercase)');
  }
  if (reasons.length === 0) return undefined;
  return `${q(value)} is not an origin as browsers send it: ${reasons.join('; ')}. Fix: use ${q(canonical)}.`;
}

/** Where a comma-separated origin list came from, for messages. */
export type OriginListSource = { readonly kind: 'env' | 'stage'; readonly name: string };

/**
 * Parses the comma-separated origin list of an environment or stage variable. Returns undefined for a value with
 * no entries (treated as "not set"), the policy, or the issues found.
 */
export function parseOriginList(
  raw: string,
  source: OriginListSource,
): { readonly policy: OriginPolicy } | { readonly issues: readonly CorsOptionsIssue[] } | undefined {
  const label = source.kind === 'env' ? `environment variable ${source.name}` : `stage variable ${source.name}`;
  const entries = raw.split(',').map((entry, index) => ({ entry: entry.trim(), index }));
  const present = entries.filter((e) => e.entry !== '');
  if (present.length === 0) return undefined;
  if (present.length === 1 && present[0]?.entry === '*') return { policy: { kind: 'any' } };
  const issues: CorsOptionsIssue[] = [];
  const origins = new Set<string>();
  for (const { entry, index } of present) {
    const path = [source.kind, source.name, index];
    if (entry === '*') {
      issues.push({ path, message: `In ${label}, "*" must be the whole value (allow every origin), not one entry of a list. Fix: set it to "*" alone, or list exact origins.` });
      continue;
    }
    const problem = checkOrigin(entry);
    if (problem !== undefined) issues.push({ path, message: `In ${label}: ${problem}` });
    else origins.add(entry);
  }
  return issues.length > 0 ? { issues } : { policy: { kind: 'list', origins } };
}

export function credentialsWithAnyOriginMessage(where: string): string {
  return (
    `credentials: true cannot be combined with ${where}: browsers refuse "Access-Control-Allow-Origin: *" on ` +
    `credentialed requests (API Gateway rejects the same HTTP API setting: "allow-credentials is not supported if ` +
    `'allow-origin' is *"). Fix: list the exact origins that may send credentials, e.g. ` +
    `origins: ['https://app.example.com'], or drop credentials.`
  );
}

function headerList(
  value: unknown,
  key: 'allowHeaders' | 'allowMethods' | 'exposeHeaders',
  issues: CorsOptionsIssue[],
): string[] | undefined {
  let items: unknown[];
  if (typeof value === 'string') items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  else if (Array.isArray(value)) items = value;
  else {
    issues.push({ path: [key], message: `Expected an array of strings or a comma-separated string, received ${describe(value)}.` });
    return undefined;
  }
  if (items.length === 0) {
    const why = key === 'allowMethods' ? 'preflights for PUT, DELETE, PATCH … would fail' : key === 'allowHeaders' ? 'preflights asking for any header would fail' : 'it exposes nothing';
    issues.push({ path: [key], message: `Empty list: ${why}. Fix: list the names, or leave ${key} out for the default.` });
    return undefined;
  }
  const out: string[] = [];
  items.forEach((item, index) => {
    const path = typeof value === 'string' ? [key] : [key, index];
    if (typeof item !== 'string' || !TOKEN.test(item)) {
      const shown = typeof item === 'string' ? q(item) : describe(item);
      issues.push({ path, message: `${shown} is not a valid ${key === 'allowMethods' ? 'method' : 'header name'} (letters, digits and !#$%&'*+.^_\`|~- only, no spaces or commas inside an entry).` });
      return;
    }
    out.push(item);
  });
  return out;
}

/**
 * Validates options and reads the origins environment variable. Throws {@link CorsOptionsError} listing every
 * problem, so a misconfigured function fails at initialization with a readable message instead of answering
 * requests the browser will block.
 */
export function compileOptions(
  options: unknown,
  env: Readonly<Record<string, string | undefined>>,
): CompiledCorsOptions {
  const issues: CorsOptionsIssue[] = [];
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CorsOptionsError([{ path: [], message: `Expected an options object, received ${describe(options)}.` }]);
  }
  const o = options as Record<string, unknown>;

  for (const key of Object.keys(o)) {
    if ((KNOWN_KEYS as readonly string[]).includes(key)) continue;
    const suggestion = ALIASES[key.toLowerCase()] ?? KNOWN_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    issues.push({
      path: [key],
      message: `Unrecognized key ${q(key)}.${suggestion ? ` Did you mean ${q(suggestion)}?` : ` Known keys: ${KNOWN_KEYS.join(', ')}.`}`,
    });
  }

  let credentials = false;
  if (o.credentials !== undefined) {
    if (typeof o.credentials !== 'boolean') {
      issues.push({ path: ['credentials'], message: `Expected true or false, received ${describe(o.credentials)}.` });
    } else credentials = o.credentials;
  }

  let origins: OriginPolicy | undefined;
  if (o.origins !== undefined) {
    if (o.origins === '*') {
      origins = { kind: 'any' };
      if (credentials) issues.push({ path: ['credentials'], message: credentialsWithAnyOriginMessage("origins: '*'") });
    } else if (typeof o.origins === 'string') {
      issues.push({
        path: ['origins'],
        message: `Expected an array of origins or '*', received the string ${q(o.origins)}. Fix: origins: [${q(o.origins)}].`,
      });
    } else if (!Array.isArray(o.origins)) {
      issues.push({ path: ['origins'], message: `Expected an array of origins or '*', received ${describe(o.origins)}.` });
    } else if (o.origins.length === 0) {
      issues.push({
        path: ['origins'],
        message: 'Empty list: no origin would be allowed. Fix: list origins such as "https://app.example.com", or leave origins out to configure them through the environment or a stage variable.',
      });
    } else {
      const set = new Set<string>();
      (o.origins as unknown[]).forEach((origin, index) => {
        const problem = checkOrigin(origin);
        if (problem !== undefined) issues.push({ path: ['origins', index], message: problem });
        else set.add(origin as string);
      });
      origins = { kind: 'list', origins: set };
    }
  }

  const allowHeaders = o.allowHeaders === undefined ? [...DEFAULT_ALLOW_HEADERS] : headerList(o.allowHeaders, 'allowHeaders', issues);
  const allowMethods = o.allowMethods === undefined ? [...DEFAULT_ALLOW_METHODS] : headerList(o.allowMethods, 'allowMethods', issues);
  const exposeHeaders = o.exposeHeaders === undefined ? undefined : headerList(o.exposeHeaders, 'exposeHeaders', issues);

  allowMethods?.forEach((method, index) => {
    const upper = method.toUpperCase();
    if (FORBIDDEN_METHODS.has(upper)) {
      issues.push({ path: ['allowMethods', index], message: `${q(method)} is a forbidden method: browsers refuse to send it. Fix: remove it.` });
    } else if (STANDARD_METHODS.has(upper) && method !== upper) {
      issues.push({
        path: ['allowMethods', index],
        message: `${q(method)} is not uppercase; browsers send ${q(upper)} and compare Access-Control-Allow-Methods case-sensitively. Fix: use ${q(upper)}.`,
      });
    }
  });
  if (credentials) {
    for (const [key, list] of [['allowHeaders', allowHeaders], ['allowMethods', allowMethods], ['exposeHeaders', exposeHeaders]] as const) {
      if (list?.includes('*')) {
        issues.push({
          path: [key],
          message: `"*" is only a wildcard for requests without credentials; with credentials: true browsers read it as a literal name "*". Fix: list the names explicitly.`,
        });
      }
    }
  }
  exposeHeaders?.forEach((name, index) => {
    if (/^set-cookie2?$/i.test(name)) {
      issues.push({ path: ['exposeHeaders', index], message: `${q(name)} is never exposed to scripts by browsers, whatever the server says. Fix: remove it.` });
    }
  });

  let maxAge = DEFAULT_MAX_AGE;
  if (o.maxAge !== undefined) {
    if (typeof o.maxAge !== 'number' || !Number.isInteger(o.maxAge) || o.maxAge < 0 || o.maxAge > 86400) {
      issues.push({
        path: ['maxAge'],
        message: `Expected an integer number of seconds from 0 to 86400, received ${describe(o.maxAge)}. Browsers cap it anyway (Chromium 7200, Safari 600).`,
      });
    } else maxAge = o.maxAge;
  }

  const originsEnvVar = nameOption(o.originsEnvVar, 'originsEnvVar', DEFAULT_ORIGINS_ENV_VAR, /^[A-Za-z][A-Za-z0-9_]*$/, 'an environment variable name (a letter, then letters, digits, underscores)', issues);
  const originsStageVariable = nameOption(o.originsStageVariable, 'originsStageVariable', DEFAULT_ORIGINS_STAGE_VARIABLE, /^[A-Za-z0-9_]+$/, 'a stage variable name (letters, digits, underscores)', issues);

  if (originsEnvVar !== undefined) {
    const raw = env[originsEnvVar];
    const parsed = raw === undefined ? undefined : parseOriginList(raw, { kind: 'env', name: originsEnvVar });
    if (parsed && 'issues' in parsed) issues.push(...parsed.issues);
    else if (parsed) {
      origins = parsed.policy;
      if (credentials && parsed.policy.kind === 'any' && o.origins !== '*') {
        issues.push({ path: ['env', originsEnvVar], message: credentialsWithAnyOriginMessage(`${originsEnvVar}=*`) });
      }
    }
  }

  if (origins === undefined && originsStageVariable === undefined && issues.length === 0) {
    issues.push({
      path: ['origins'],
      message: `No allowed origins: options.origins is not set, ${originsEnvVar === undefined ? 'the environment is ignored' : `${originsEnvVar} is not set`} and stage variables are ignored, so every CORS request would be refused. Fix: pass origins: ['https://app.example.com'] (or '*').`,
    });
  }

  if (issues.length > 0) throw new CorsOptionsError(issues);
  return {
    origins,
    credentials,
    allowHeaders: (allowHeaders ?? []).join(','),
    allowMethods: (allowMethods ?? []).join(','),
    exposeHeaders: exposeHeaders === undefined ? undefined : exposeHeaders.join(','),
    maxAge: String(maxAge),
    originsEnvVar,
    originsStageVariable,
  };
}

function nameOption(
  value: unknown,
  key: 'originsEnvVar' | 'originsStageVariable',
  fallback: string,
  pattern: RegExp,
  what: string,
  issues: CorsOptionsIssue[],
): string | undefined {
  if (value === undefined) return fallback;
  if (value === false) return undefined;
  if (typeof value === 'string' && pattern.test(value)) return value;
  issues.push({ path: [key], message: `Expected ${what} or false, received ${describe(value)}.` });
  return undefined;
}
