import { useEffect, useState } from 'react';
import { consoleApi, type EnableCorsInput, type EnableCorsResult, type Resource } from '../../lib/api.js';
import { errorText } from '../../lib/data.js';
import { Dialog } from '../../ui/Dialog.js';
import { Check, ErrorBox, Field } from '../../ui/Field.js';

const DEFAULT_HEADERS = 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token';

/**
 * Enable CORS with the console's fields (gateway responses, methods, Access-Control-Allow-Headers and -Origin). The
 * preview is the control layer's own plan (a dry run of the same operation), so it shows exactly what Save creates or
 * replaces; after Save the dialog shows what was done and that nothing is live before a deployment.
 */
export function EnableCorsDialog({ apiId, resource, initialOrigin, initialGatewayResponses, onClose, onDeploy }: { apiId: string; resource: Resource; initialOrigin?: string | undefined; initialGatewayResponses?: boolean; onClose: () => void; onDeploy: () => void }) {
  const methods = Object.keys(resource.resourceMethods ?? {}).filter((m) => m !== 'OPTIONS').sort();
  const [gw4, setGw4] = useState(!!initialGatewayResponses);
  const [gw5, setGw5] = useState(!!initialGatewayResponses);
  const [selected, setSelected] = useState<Set<string>>(() => new Set(methods));
  const [allowHeaders, setAllowHeaders] = useState(DEFAULT_HEADERS);
  const [allowOrigin, setAllowOrigin] = useState(initialOrigin ?? '*');
  const [plan, setPlan] = useState<EnableCorsResult>();
  const [error, setError] = useState<{ field: 'headers' | 'origin' | 'methods' | 'form'; message: string }>();
  const [result, setResult] = useState<EnableCorsResult>();
  const [busy, setBusy] = useState(false);

  const input: EnableCorsInput = {
    methods: [...selected],
    allowHeaders,
    allowOrigin,
    gatewayResponses: [...(gw4 ? ['DEFAULT_4XX' as const] : []), ...(gw5 ? ['DEFAULT_5XX' as const] : [])],
  };
  const key = JSON.stringify(input);

  useEffect(() => {
    let stale = false;
    const t = setTimeout(() => {
      consoleApi.enableCors(apiId, resource.id, JSON.parse(key) as EnableCorsInput, true).then(
        (p) => {
          if (stale) return;
          setPlan(p);
          setError(undefined);
        },
        (e: unknown) => {
          if (stale) return;
          setPlan(undefined);
          setError(placeError(errorText(e)));
        },
      );
    }, 150);
    return () => {
      stale = true;
      clearTimeout(t);
    };
  }, [apiId, resource.id, key]);

  const save = async () => {
    setBusy(true);
    try {
      setResult(await consoleApi.enableCors(apiId, resource.id, input, false));
    } catch (e) {
      setError(placeError(errorText(e)));
    }
    setBusy(false);
  };

  if (result) {
    return (
      <Dialog title={`CORS enabled on ${result.resourcePath}`} onClose={onClose} wide>
        <p role="status">
          Done: {result.changes.length} change{result.changes.length === 1 ? '' : 's'} made. <strong>Nothing is live yet:</strong> every stage keeps serving its
          last deployment until you deploy the API.
        </p>
        <ChangeList result={result} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="button" className="primary" onClick={onDeploy} data-autofocus>
            Deploy API…
          </button>
        </div>
      </Dialog>
    );
  }

  const originLooksWrong = allowOrigin !== '*' && !/^https?:\/\/[^/\s]+$/i.test(allowOrigin.trim());
  return (
    <Dialog title={`Enable CORS on ${resource.path}`} onClose={onClose} wide>
      <div className="two-col">
        <div>
          <fieldset className="choice">
            <legend>Gateway responses</legend>
            <Check label="Default 4XX" checked={gw4} onChange={setGw4} />
            <Check label="Default 5XX" checked={gw5} onChange={setGw5} />
          </fieldset>
          <fieldset className="choice">
            <legend>Access-Control-Allow-Methods</legend>
            <Check label="OPTIONS" checked disabled onChange={() => undefined} hint="always" />
            {methods.map((m) => (
              <Check
                key={m}
                label={m}
                checked={selected.has(m)}
                onChange={(v) => {
                  const next = new Set(selected);
                  if (v) next.add(m);
                  else next.delete(m);
                  setSelected(next);
                }}
              />
            ))}
            {error?.field === 'methods' ? (
              <div className="error" role="alert">
                {error.message}
              </div>
            ) : null}
          </fieldset>
          <Field label="Access-Control-Allow-Headers" error={error?.field === 'headers' ? error.message : undefined}>
            <input value={allowHeaders} onChange={(e) => setAllowHeaders(e.target.value)} autoComplete="off" />
          </Field>
          <Field
            label="Access-Control-Allow-Origin"
            error={error?.field === 'origin' ? error.message : undefined}
            hint={originLooksWrong ? 'API Gateway accepts this, but browsers compare it with the page’s origin exactly: use * or scheme://host[:port].' : '* or one origin, e.g. http://localhost:3000'}
          >
            <input value={allowOrigin} onChange={(e) => setAllowOrigin(e.target.value)} autoComplete="off" data-autofocus />
          </Field>
        </div>
        <div>
          <h3>Preview</h3>
          <p className="hint">What Save will do, from a dry run of the same operation.</p>
          {plan ? <ChangeList result={plan} /> : <p className="muted">{error ? 'Fix the highlighted field to see the plan.' : 'Computing…'}</p>}
        </div>
      </div>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={save} disabled={busy || !plan}>
          Save
        </button>
      </div>
    </Dialog>
  );
}

function placeError(message: string): { field: 'headers' | 'origin' | 'methods' | 'form'; message: string } {
  if (message.includes('Access-Control-Allow-Origin')) return { field: 'origin', message };
  if (message.includes('Access-Control-Allow-Headers')) return { field: 'headers', message };
  if (/Cannot enable CORS for/.test(message)) return { field: 'methods', message };
  return { field: 'form', message };
}

function ChangeList({ result }: { result: EnableCorsResult }) {
  return (
    <>
      <ul className="changes" aria-label="Changes">
        {result.changes.map((c, i) => (
          <li key={i}>
            <span className={`action a-${c.action}`}>{c.action}</span> <strong>{c.target}</strong>
            <div className="muted small">{c.detail}</div>
          </li>
        ))}
      </ul>
      {result.proxyMethods.length > 0 ? (
        <p className="note">
          {result.proxyMethods.join(', ')} use{result.proxyMethods.length === 1 ? 's' : ''} a proxy integration: API Gateway passes the backend’s response through, so the
          backend must send Access-Control-Allow-Origin itself (e.g. wrap the Lambda with withCors).
        </p>
      ) : null}
    </>
  );
}
