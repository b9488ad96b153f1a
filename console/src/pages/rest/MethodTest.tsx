import { useState, type FormEvent } from 'react';
import { consoleApi, type Resource, type TestInvokeResult } from '../../lib/api.js';
import { errorText } from '../../lib/data.js';
import { ErrorBox, Field } from '../../ui/Field.js';

/** "Name: value" lines, as the console's Test tab takes headers. */
export function parseHeaderLines(text: string): { headers: [string, string][]; error?: string } {
  const headers: [string, string][] = [];
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const i = line.indexOf(':');
    if (i <= 0) return { headers, error: `Line ${n + 1} is not 'Name: value': ${line}` };
    headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return { headers };
}

/**
 * The Test tab: one request through the gateway chain against the API as it is now (no deployment needed, no
 * browser involved, so no CORS), with API Gateway's execution log.
 */
export function MethodTest({ apiId, resource, httpMethod }: { apiId: string; resource: Resource; httpMethod: string }) {
  const params = [...resource.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
  const [values, setValues] = useState<Record<string, string>>({});
  const [query, setQuery] = useState('');
  const [headers, setHeaders] = useState(httpMethod === 'GET' || httpMethod === 'HEAD' ? '' : 'Content-Type: application/json');
  const [body, setBody] = useState(httpMethod === 'GET' || httpMethod === 'HEAD' ? '' : '{}');
  const [result, setResult] = useState<TestInvokeResult>();
  const [error, setError] = useState<{ field: 'headers' | 'path' | 'form'; message: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseHeaderLines(headers);
    if (parsed.error) {
      setError({ field: 'headers', message: parsed.error });
      return;
    }
    const path = resource.path.replace(/\{([^}+]+)\+?\}/g, (whole, name: string) => (values[name] ? values[name]!.split('/').map(encodeURIComponent).join('/') : whole));
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await consoleApi.testInvoke(apiId, resource.id, httpMethod, {
          pathWithQueryString: `${path}${query ? `?${query.replace(/^\?/, '')}` : ''}`,
          headers: Object.fromEntries(parsed.headers),
          ...(body ? { body } : {}),
        }),
      );
    } catch (err) {
      const message = errorText(err);
      setError({ field: /path/i.test(message) ? 'path' : 'form', message });
    }
    setBusy(false);
  };

  return (
    <div className="two-col">
      <form onSubmit={submit} aria-label="Test request">
        <p className="hint">Runs the method as it is now, not as deployed, the way the API Gateway console’s Test tab does.</p>
        {params.map((p, i) => (
          <Field key={p} label={`Path parameter {${p}}`} error={i === 0 && error?.field === 'path' ? error.message : undefined}>
            <input value={values[p] ?? ''} onChange={(e) => setValues({ ...values, [p]: e.target.value })} autoComplete="off" />
          </Field>
        ))}
        <Field label="Query strings" hint="e.g. verbose=true&limit=5" error={params.length === 0 && error?.field === 'path' ? error.message : undefined}>
          <input value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Headers (one 'Name: value' per line)" error={error?.field === 'headers' ? error.message : undefined}>
          <textarea rows={3} className="code" value={headers} onChange={(e) => setHeaders(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="Request body">
          <textarea rows={5} className="code" value={body} onChange={(e) => setBody(e.target.value)} spellCheck={false} />
        </Field>
        <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Test
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {result ? (
          <div className="test-result">
            <h3>
              Status <span className={`badge ${result.status < 400 ? 'ok' : 'warn'}`}>{result.status}</span> <span className="muted small">latency {result.latency} ms</span>
            </h3>
            <h4>Response body</h4>
            <pre className="code">{pretty(result.body) || "(empty)"}</pre>
            <h4>Response headers</h4>
            <pre className="code">{result.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}</pre>
            <h4>Log</h4>
            <pre className="code log">{result.log}</pre>
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
