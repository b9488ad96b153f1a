import { useEffect, useRef, useState, type FormEvent } from 'react';
import { consoleApi, lambda, type FunctionConfiguration, type InvokeOutcome, type LogEvent } from '../lib/api.js';
import { errorText, useLoad } from '../lib/data.js';
import { useServerEvent } from '../lib/events.js';
import { Link, type Location } from '../lib/router.js';
import { Check, ErrorBox, Field } from '../ui/Field.js';
import { EVENT_TEMPLATES } from './functions/eventTemplates.js';
import { pretty } from './rest/MethodTest.js';

/** Functions: the list, and for one function its configuration, live logs and a test invoke. */
export function FunctionsPage({ loc }: { loc: Location }) {
  const functions = useLoad(() => lambda.list(), [], (e) => e.kind === 'function' || e.kind === 'external');
  const name = /^\/functions\/([^/]+)$/.exec(loc.path)?.[1];
  const selected = functions.data?.find((f) => f.FunctionName === (name ? decodeURIComponent(name) : undefined));
  return (
    <section aria-labelledby="fn-title">
      <h1 id="fn-title">Functions</h1>
      <ErrorBox error={functions.error?.message} />
      <div className="split">
        <nav className="pane tree-pane" aria-label="Functions">
          {functions.data?.length === 0 ? <p className="muted">No functions. Create them with the AWS CLI or SDK (create-function), or a template at start.</p> : null}
          <ul className="stage-list">
            {(functions.data ?? []).map((f) => (
              <li key={f.FunctionName}>
                <Link to={`/functions/${encodeURIComponent(f.FunctionName)}`} aria-current={f === selected ? 'true' : undefined}>
                  {f.FunctionName}
                </Link>
                <span className="muted small">{f.Runtime}</span>
              </li>
            ))}
          </ul>
        </nav>
        <div className="pane detail-pane">
          {selected ? (
            <FunctionDetail key={selected.FunctionName} fn={selected} onChanged={functions.reload} />
          ) : (
            <p className="muted">{name ? `No function named ${decodeURIComponent(name)}.` : 'Pick a function.'}</p>
          )}
        </div>
      </div>
    </section>
  );
}

function FunctionDetail({ fn, onChanged }: { fn: FunctionConfiguration; onChanged: () => void }) {
  return (
    <div>
      <h2>{fn.FunctionName}</h2>
      <p className="muted small">
        <code>{fn.FunctionArn}</code>
      </p>
      <div className="two-col">
        <Configuration fn={fn} onChanged={onChanged} />
        <TestInvoke fn={fn} />
      </div>
      <Logs name={fn.FunctionName} />
    </div>
  );
}

function Configuration({ fn, onChanged }: { fn: FunctionConfiguration; onChanged: () => void }) {
  const [description, setDescription] = useState(fn.Description);
  const [handler, setHandler] = useState(fn.Handler);
  const [timeout, setTimeoutS] = useState(String(fn.Timeout));
  const [memory, setMemory] = useState(String(fn.MemorySize));
  const [env, setEnv] = useState(Object.entries(fn.Environment?.Variables ?? {}).map(([k, v]) => `${k}=${v}`).join('\n'));
  const [error, setError] = useState<{ field: 'handler' | 'timeout' | 'memory' | 'env' | 'form'; message: string }>();
  const [saved, setSaved] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    const vars: Record<string, string> = {};
    for (const line of env.split('\n')) {
      if (!line.trim()) continue;
      const i = line.indexOf('=');
      if (i <= 0) {
        setError({ field: 'env', message: `'${line}' is not NAME=value` });
        return;
      }
      vars[line.slice(0, i).trim()] = line.slice(i + 1);
    }
    try {
      await lambda.updateConfiguration(fn.FunctionName, { Description: description, Handler: handler, Timeout: Number(timeout), MemorySize: Number(memory), Environment: { Variables: vars } });
      setSaved(true);
      onChanged();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /handler/i.test(message) ? 'handler' : /timeout/i.test(message) ? 'timeout' : /memory/i.test(message) ? 'memory' : /environment|variable/i.test(message) ? 'env' : 'form', message });
    }
  };
  return (
    <form className="stack-form" onSubmit={save} aria-label="Configuration">
      <h3>Configuration</h3>
      <dl className="facts">
        <dt>Runtime</dt>
        <dd>{fn.Runtime}</dd>
        <dt>Last modified</dt>
        <dd>{fn.LastModified}</dd>
      </dl>
      <Field label="Description">
        <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Handler" error={error?.field === 'handler' ? error.message : undefined}>
        <input value={handler} onChange={(e) => setHandler(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Timeout (seconds)" error={error?.field === 'timeout' ? error.message : undefined}>
        <input value={timeout} onChange={(e) => setTimeoutS(e.target.value)} inputMode="numeric" />
      </Field>
      <Field label="Memory (MB)" error={error?.field === 'memory' ? error.message : undefined}>
        <input value={memory} onChange={(e) => setMemory(e.target.value)} inputMode="numeric" />
      </Field>
      <Field label="Environment variables (NAME=value per line)" error={error?.field === 'env' ? error.message : undefined}>
        <textarea rows={4} className="code" value={env} onChange={(e) => setEnv(e.target.value)} spellCheck={false} />
      </Field>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
      {saved ? <p role="status" className="ok-note">Saved. New invocations use the new configuration.</p> : null}
      <button type="submit" className="primary">
        Save configuration
      </button>
    </form>
  );
}

function TestInvoke({ fn }: { fn: FunctionConfiguration }) {
  const [template, setTemplate] = useState(EVENT_TEMPLATES[0]!.id);
  const [event, setEvent] = useState(JSON.stringify(EVENT_TEMPLATES[0]!.event, null, 2));
  const [result, setResult] = useState<InvokeOutcome>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const invoke = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setResult(await lambda.invoke(fn.FunctionName, event));
    } catch (err) {
      setResult(undefined);
      setError(errorText(err));
    }
    setBusy(false);
  };
  return (
    <form className="stack-form" onSubmit={invoke} aria-label="Test invoke">
      <h3>Test</h3>
      <Field label="Event template">
        <select
          value={template}
          onChange={(e) => {
            setTemplate(e.target.value);
            const t = EVENT_TEMPLATES.find((x) => x.id === e.target.value);
            if (t) setEvent(JSON.stringify(t.event, null, 2));
          }}
        >
          {EVENT_TEMPLATES.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Event JSON" error={error}>
        <textarea rows={10} className="code" value={event} onChange={(e) => setEvent(e.target.value)} spellCheck={false} />
      </Field>
      <button type="submit" className="primary" disabled={busy}>
        Invoke
      </button>
      {result ? (
        <div aria-live="polite" className="test-result">
          <h4>
            {result.functionError ? <span className="badge warn">Function error: {result.functionError}</span> : <span className="badge ok">Succeeded</span>}
          </h4>
          <pre className="code">{pretty(result.payload)}</pre>
          <h4>Log output (LogType Tail)</h4>
          <pre className="code log">{result.logTail}</pre>
        </div>
      ) : null}
    </form>
  );
}

const MAX_LINES = 2000;

/** The function's recent log events, then live lines as the server writes them (server-sent events). */
function Logs({ name }: { name: string }) {
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string>();
  const box = useRef<HTMLPreElement>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    consoleApi.functionLogs(name).then(setEvents, (e: unknown) => setError(errorText(e)));
  }, [name]);
  useServerEvent(
    (e) => {
      if (e.type !== 'log' || e.data.functionName !== name || pausedRef.current) return;
      setEvents((list) => [...list.slice(-(MAX_LINES - 1)), { timestamp: e.data.timestamp, message: e.data.message }]);
    },
    [name],
  );
  useEffect(() => {
    const el = box.current;
    if (el && !paused) el.scrollTop = el.scrollHeight;
  }, [events, paused]);

  return (
    <section aria-labelledby="logs-title">
      <div className="page-head">
        <h3 id="logs-title">Live logs</h3>
        <div className="toolbar">
          <Check label="Pause" checked={paused} onChange={setPaused} />
          <button type="button" className="small" onClick={() => setEvents([])}>
            Clear view
          </button>
        </div>
      </div>
      <ErrorBox error={error} />
      <pre ref={box} className="code log logs" tabIndex={0} aria-label={`Log lines of ${name}`}>
        {events.length === 0 ? 'No log lines yet: invoke the function.' : events.map((e) => `${new Date(e.timestamp).toISOString().slice(11, 23)}  ${e.message}`).join('\n')}
      </pre>
    </section>
  );
}
