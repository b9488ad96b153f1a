import { isForbiddenMethod, isForbiddenRequestHeader } from '../cors/index.js';
import { DoctorError, type DoctorInput } from './types.js';

export interface RawOptions {
  origin?: string | undefined;
  method?: string | undefined;
  header?: readonly string[] | undefined;
  credentials?: boolean | undefined;
  data?: string | undefined;
}

/**
 * Checks an origin the way a page's origin looks: `scheme://host[:port]`, nothing else. Users often paste a host
 * without scheme, or a URL with a trailing slash or path; each gets its own explanation.
 */
export function parseOrigin(raw: string): string {
  const value = raw.trim();
  if (value === 'null') return 'null';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new DoctorError(
      `--origin '${raw}' has no scheme. An origin is scheme://host[:port], exactly as the page's location shows it, e.g. --origin https://${value.replace(/^\/+/, '') || 'app.example.com'} or --origin http://localhost:3000`,
      'usage',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DoctorError(`--origin '${raw}' is not a valid origin: expected scheme://host[:port], e.g. https://app.example.com`, 'usage');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DoctorError(`--origin '${raw}': doctor probes from web pages, whose origins are http:// or https://`, 'usage');
  }
  const rest = value.slice(value.indexOf('//') + 2);
  const slash = rest.search(/[/?#]/);
  if (slash !== -1) {
    throw new DoctorError(
      `--origin '${raw}' has a path, query or trailing slash ('${rest.slice(slash)}'). Browsers send the origin without them: use --origin ${url.origin}`,
      'usage',
    );
  }
  if (url.username || url.password) throw new DoctorError(`--origin '${raw}' contains a user name or password; an origin never does: use --origin ${url.origin}`, 'usage');
  return url.origin;
}

export function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DoctorError(`'${raw}' is not a valid URL: give the full URL the page calls, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev/users`, 'usage');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DoctorError(`'${raw}' is not an http(s) URL`, 'usage');
  return url.href;
}

/** `--header 'Name: value'`, as curl takes it. */
export function parseHeader(raw: string): [string, string] {
  const i = raw.indexOf(':');
  const name = i === -1 ? '' : raw.slice(0, i).trim();
  if (i === -1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new DoctorError(`--header '${raw}' is not 'Name: value' (e.g. --header 'Content-Type: application/json')`, 'usage');
  }
  const value = raw.slice(i + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new DoctorError(`--header '${name}' has a line break or NUL in its value`, 'usage');
  return [name, value];
}

export function parseInput(url: string, options: RawOptions): { input: DoctorInput; notes: string[] } {
  if (!options.origin) throw new DoctorError('--origin is required: the origin of the page that makes the request, e.g. --origin http://localhost:3000', 'usage');
  const notes: string[] = [];
  const method = options.method ?? (options.data !== undefined ? 'POST' : 'GET');
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) throw new DoctorError(`--method '${method}' is not an HTTP method`, 'usage');
  if (isForbiddenMethod(method)) throw new DoctorError(`--method ${method}: browsers refuse to send ${method.toUpperCase()} from a page at all (fetch throws a TypeError)`, 'usage');
  const upper = method.toUpperCase();
  if (options.data !== undefined && (upper === 'GET' || upper === 'HEAD')) {
    throw new DoctorError(`--data with ${upper}: a browser cannot send a body with GET or HEAD (fetch throws a TypeError); use --method POST or drop --data`, 'usage');
  }
  const headers = (options.header ?? []).map(parseHeader);
  for (const [name, value] of headers) {
    if (isForbiddenRequestHeader(name, value)) notes.push(`A page cannot set ${name} (a forbidden header): the browser drops it, so doctor does too.`);
  }
  return {
    input: { url: parseUrl(url), origin: parseOrigin(options.origin), method, headers, credentials: !!options.credentials, body: options.data },
    notes,
  };
}
