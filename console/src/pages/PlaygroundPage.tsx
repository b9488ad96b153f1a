import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { consoleApi, http, httpInvokeUrl, rest, restInvokeUrl, type Prediction, type ServerInfo } from '../lib/api.js';
import { errorText, useLoad } from '../lib/data.js';
import { navigate, withQuery, type Location } from '../lib/router.js';
import { Check, ErrorBox, Field } from '../ui/Field.js';
import { parseHeaderLines } from './rest/MethodTest.js';
import { isSandboxOrigin, useSandbox, type BrowserOutcome } from './playground/sandbox.js';
import { PredictionView, BrowserView, Verdicts } from './playground/Results.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
type FieldName = 'url' | 'origin' | 'method' | 'headers' | 'body';

/**
 * The CORS playground: one request, judged twice. Left, preflight doctor's prediction (src/doctor via the console
 * API) with its trace and the console line Chromium prints; right, the same fetch made by this browser from a sandbox
 * page on another origin. From a failure, one click opens the fix.
 */
export function PlaygroundPage({ info, loc }: { info: ServerInfo; loc: Location }) {
  const apis = useLoad(() => consoleApi.apis(), []);
  const q = loc.query;
  const apiId = q.get('api') ?? apis.data?.rest[0]?.id ?? apis.data?.http[0]?.apiId ?? '';
  const restApi = apis.data?.rest.find((a) => a.id === apiId);
  const httpApi = apis.data?.http.find((a) => a.apiId === apiId);
  const kind = restApi ? 'rest' : httpApi ? 'http' : undefined;
  const stages = restApi ? restApi.stages.map((s) => s.stageName) : httpApi ? httpApi.stages.map((s) => s.stageName) : [];
  const stage = q.get('stage') ?? stages[0] ?? '';
  const routes = useLoad(
    async () => {
      if (!apiId || !kind) return [] as { path: string; methods: string[] }[];
      if (kind === 'rest') return (await rest.resources(apiId)).map((r) => ({ path: r.path, methods: Object.keys(r.resourceMethods ?? {}).filter((m) => m !== 'OPTIONS') }));
      const byPath = new Map<string, string[]>();
      for (const r of await http.routes(apiId)) {
        const [m, p] = r.routeKey === '$default' ? ['ANY', '/'] : r.routeKey.split(' ');
        byPath.set(p!, [...(byPath.get(p!) ?? []), m!]);
      }
      return [...byPath].map(([path, methods]) => ({ path, methods }));
    },
    [apiId, kind],
    (e) => e.kind === 'external' || ((e.kind === 'restapi' || e.kind === 'httpapi') && e.apiId === apiId),
  );
  const set = (changes: Record<string, string | null>) => navigate(withQuery(loc, changes), { replace: true });

  const [path, setPath] = useState(q.get('path') ?? '/');
  const [origin, setOrigin] = useState(q.get('origin') ?? info.sandboxOrigin);
  const [method, setMethod] = useState(q.get('method') ?? 'POST');
  const [headers, setHeaders] = useState('Content-Type: application/json');
  const [body, setBody] = useState('{"name":"ada"}');
  const [credentials, setCredentials] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName | 'form', string>>>({});
  const [busy, setBusy] = useState(false);
  const [prediction, setPrediction] = useState<Prediction>();
  const [browser, setBrowser] = useState<BrowserOutcome | 'not-run'>();
  const [ran, setRan] = useState<{ url: string; origin: string; method: string }>();

  // Pick the first route with a method once the API's routes are known, unless the URL chose a path.
  useEffect(() => {
    if (q.get('path') || !routes.data?.length) return;
    const first = routes.data.find((r) => r.methods.length > 0) ?? routes.data[0]!;
    setPath(first.path);
    if (first.methods.length && !first.methods.includes(method)) setMethod(first.methods[0] === 'ANY' ? 'GET' : first.methods[0]!);
  }, [routes.data]);

  const base = kind === 'rest' ? restInvokeUrl(info.port, apiId, stage) : kind === 'http' ? httpInvokeUrl(info.port, apiId, stage || '$default') : '';
  const url = base ? `${base}${path.startsWith('/') ? path : `/${path}`}` : '';
  const canFetch = isSandboxOrigin(origin, info.port);
  const sandboxAt = canFetch ? origin.trim() : undefined;
  const sandbox = useSandbox(sandboxAt);
  const routeMethods = useMemo(() => routes.data?.find((r) => r.path === path)?.methods ?? [], [routes.data, path]);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseHeaderLines(headers);
    if (parsed.error) {
      setErrors({ headers: parsed.error });
      return;
    }
    if (!url) {
      setErrors({ url: 'Pick an API and a stage first (a REST API needs a deployment to a stage).' });
      return;
    }
    setErrors({});
    setBusy(true);
    setPrediction(undefined);
    setBrowser(undefined);
    const sendBody = method === 'GET' || method === 'HEAD' ? undefined : body;
    const [p, b] = await Promise.all([
      consoleApi
        .predict({ url, origin: origin.trim(), method, headers: parsed.headers, credentials, ...(sendBody !== undefined ? { body: sendBody } : {}) })
        .catch((err: unknown): Prediction => ({ kind: 'network', message: errorText(err) })),
      canFetch
        ? sandbox.run({ url, method, headers: Object.fromEntries(parsed.headers), body: sendBody, credentials: credentials ? 'include' : 'same-origin' })
        : Promise.resolve('not-run' as const),
    ]);
    setPrediction(p);
    if (p.kind === 'invalid') setErrors({ [p.field]: p.message });
    setBrowser(p.kind === 'invalid' ? undefined : b);
    setRan({ url, origin: origin.trim(), method });
    setBusy(false);
  };

  return (
    <section aria-labelledby="pg-title">
      <h1 id="pg-title">CORS playground</h1>
      <p className="hint">
        One request, judged twice: by preflight’s prediction (the same engine as <code>preflight doctor</code>) and by this browser, fetching from a sandbox page on another origin.
      </p>
      <ErrorBox error={apis.error?.message} />
      <form className="playground-form" onSubmit={run} aria-label="Request">
        <Field label="API">
          <select value={apiId} onChange={(e) => set({ api: e.target.value, stage: null, path: null })}>
            {!apis.data ? <option value="">Loading…</option> : null}
            {apis.data && apis.data.rest.length + apis.data.http.length === 0 ? <option value="">No APIs yet</option> : null}
            {(apis.data?.rest ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.id}, REST)
              </option>
            ))}
            {(apis.data?.http ?? []).map((a) => (
              <option key={a.apiId} value={a.apiId}>
                {a.name} ({a.apiId}, HTTP)
              </option>
            ))}
          </select>
        </Field>
        <Field label="Stage" hint={kind === 'rest' && stages.length === 0 ? 'Not deployed yet: a REST API serves nothing before its first deployment.' : undefined}>
          <select value={stage} onChange={(e) => set({ stage: e.target.value })}>
            {stages.length === 0 ? <option value="">(none)</option> : null}
            {stages.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Route">
          <select
            value={routes.data?.some((r) => r.path === path) ? path : ''}
            onChange={(e) => {
              setPath(e.target.value);
              const m = routes.data?.find((r) => r.path === e.target.value)?.methods[0];
              if (m) setMethod(m === 'ANY' ? 'GET' : m);
            }}
          >
            <option value="">(custom path)</option>
            {(routes.data ?? []).map((r) => (
              <option key={r.path} value={r.path}>
                {r.path} {r.methods.length ? `(${r.methods.join(', ')})` : '(no methods)'}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Path" error={errors.url} hint={url ? <code className="url">{url}</code> : undefined}>
          <input value={path} onChange={(e) => setPath(e.target.value)} autoComplete="off" />
        </Field>
        <Field
          label="Page origin"
          error={errors.origin}
          hint={canFetch ? 'The browser’s real request comes from a sandbox page preflight serves on this origin.' : `Only a prediction for this origin: the browser can make a real request only from a page preflight serves, on http://NAME.localhost:${info.port} (e.g. ${info.sandboxOrigin}).`}
        >
          <input value={origin} onChange={(e) => setOrigin(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Method" error={errors.method}>
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            {[...new Set([...METHODS, ...routeMethods.filter((m) => m !== 'ANY')])].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
        <Field label="Request headers (one 'Name: value' per line)" error={errors.headers}>
          <textarea rows={2} className="code" value={headers} onChange={(e) => setHeaders(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="Body" error={errors.body}>
          <textarea rows={2} className="code" value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} disabled={method === 'GET' || method === 'HEAD'} />
        </Field>
        <Check label="Send credentials (credentials: 'include')" checked={credentials} onChange={setCredentials} />
        <ErrorBox error={errors.form} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || (canFetch && !sandbox.ready)}>
            {busy ? 'Running…' : 'Send request'}
          </button>
        </div>
      </form>
      {sandboxAt ? (
        <iframe
          key={sandboxAt}
          ref={sandbox.frame}
          className="sandbox-frame"
          title={`Sandbox page on ${sandboxAt}`}
          src={`${sandboxAt}/`}
          tabIndex={-1}
          aria-hidden="true"
        />
      ) : null}
      {prediction && ran && prediction.kind !== 'invalid' ? (
        <div aria-live="polite">
          <Verdicts prediction={prediction} browser={browser} />
          <div className="two-col results">
            <PredictionView prediction={prediction} origin={ran.origin} />
            <BrowserView outcome={browser} request={ran} />
          </div>
        </div>
      ) : null}
    </section>
  );
}
