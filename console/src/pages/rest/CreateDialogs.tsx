import { useState, type FormEvent } from 'react';
import { consoleApi, lambdaIntegrationUri, rest, type FunctionConfiguration, type Resource } from '../../lib/api.js';
import { errorText } from '../../lib/data.js';
import { Dialog } from '../../ui/Dialog.js';
import { Check, ErrorBox, Field } from '../../ui/Field.js';

/** The console's "Create resource": path part under the selected resource, proxy resource, optional CORS. */
export function CreateResourceDialog({ apiId, parent, onClose, onCreated }: { apiId: string; parent: Resource; onClose: () => void; onCreated: (r: Resource) => void }) {
  const [proxy, setProxy] = useState(false);
  const [name, setName] = useState('');
  const [cors, setCors] = useState(false);
  const [error, setError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setFormError(undefined);
    let created: Resource;
    try {
      created = await rest.createResource(apiId, parent.id, name);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
      return;
    }
    if (cors) {
      try {
        await consoleApi.enableCors(apiId, created.id, {}, false);
      } catch (err) {
        setFormError(`The resource was created, but Enable CORS failed: ${errorText(err)}`);
        setBusy(false);
        return;
      }
    }
    onCreated(created);
  };
  return (
    <Dialog title="Create resource" onClose={onClose}>
      <form onSubmit={submit}>
        <Check
          label="Proxy resource"
          checked={proxy}
          onChange={(v) => {
            setProxy(v);
            if (v) setName('{proxy+}');
            if (!v && name === '{proxy+}') setName('');
          }}
          hint="A greedy path variable such as {proxy+} catches every path below the parent."
        />
        <Field label="Resource path">
          <input value={parent.path} readOnly />
        </Field>
        <Field label="Resource name" error={error} hint="A path part: letters, digits, . _ -, or a {variable} / {variable+}.">
          <input value={name} onChange={(e) => setName(e.target.value)} data-autofocus autoComplete="off" placeholder={proxy ? '{proxy+}' : 'users'} />
        </Field>
        <Check label="CORS (Cross Origin Resource Sharing)" checked={cors} onChange={setCors} hint="Also runs Enable CORS on the new resource with the console's defaults." />
        <ErrorBox error={formError} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create resource
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'];
type IntegrationKind = 'lambda' | 'http' | 'mock';

/**
 * The console's "Create method": method type, integration (Lambda function, HTTP endpoint or Mock, proxy or not),
 * authorization. As the console does, it also creates the 200 method response (model Empty) and, for non-proxy
 * integrations, the default 200 integration response.
 */
export function CreateMethodDialog({ apiId, resource, functions, onClose, onCreated }: { apiId: string; resource: Resource; functions: FunctionConfiguration[]; onClose: () => void; onCreated: (m: string) => void }) {
  const existing = new Set(Object.keys(resource.resourceMethods ?? {}));
  const [method, setMethod] = useState(METHODS.find((m) => !existing.has(m)) ?? 'GET');
  const [kind, setKind] = useState<IntegrationKind>('lambda');
  const [proxy, setProxy] = useState(true);
  const [fn, setFn] = useState(functions[0]?.FunctionArn ?? '');
  const [endpoint, setEndpoint] = useState('');
  const [httpMethod, setHttpMethod] = useState('GET');
  const [authorization, setAuthorization] = useState('NONE');
  const [apiKey, setApiKey] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<'method' | 'function' | 'endpoint' | 'form', string>>>({});
  const [methodCreated, setMethodCreated] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    if (!methodCreated) {
      try {
        await rest.putMethod(apiId, resource.id, method, { authorizationType: authorization, apiKeyRequired: apiKey });
        setMethodCreated(true);
      } catch (err) {
        setErrors({ method: errorText(err) });
        setBusy(false);
        return;
      }
    }
    const integration: Record<string, unknown> =
      kind === 'mock'
        ? { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }
        : kind === 'lambda'
          ? { type: proxy ? 'AWS_PROXY' : 'AWS', httpMethod: 'POST', uri: fn ? lambdaIntegrationUri(fn) : '' }
          : { type: proxy ? 'HTTP_PROXY' : 'HTTP', httpMethod, uri: endpoint };
    try {
      await rest.putIntegration(apiId, resource.id, method, integration);
      await rest.putMethodResponse(apiId, resource.id, method, '200', { responseModels: { 'application/json': 'Empty' } });
      if (!(kind !== 'mock' && proxy)) await rest.putIntegrationResponse(apiId, resource.id, method, '200', { selectionPattern: '' });
    } catch (err) {
      const message = `${method} was created, but its integration was refused: ${errorText(err)}`;
      setErrors(kind === 'lambda' ? { function: message } : kind === 'http' ? { endpoint: message } : { form: message });
      setBusy(false);
      return;
    }
    onCreated(method);
  };

  return (
    <Dialog title={`Create method on ${resource.path}`} onClose={onClose} wide>
      <form onSubmit={submit}>
        <Field label="Method type" error={errors.method}>
          <select value={method} onChange={(e) => setMethod(e.target.value)} disabled={methodCreated} data-autofocus>
            {METHODS.map((m) => (
              <option key={m} value={m} disabled={existing.has(m)}>
                {m}
                {existing.has(m) ? ' (exists)' : ''}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="choice">
          <legend>Integration type</legend>
          {(
            [
              ['lambda', 'Lambda function'],
              ['http', 'HTTP'],
              ['mock', 'Mock'],
            ] as const
          ).map(([k, label]) => (
            <label key={k}>
              <input type="radio" name="integration" checked={kind === k} onChange={() => setKind(k)} /> {label}
            </label>
          ))}
        </fieldset>
        {kind === 'lambda' ? (
          <>
            <Check label="Lambda proxy integration" checked={proxy} onChange={setProxy} hint="The request goes to the function as an event; its response is the method response." />
            <Field label="Lambda function" error={errors.function} hint={functions.length === 0 ? 'No functions yet: create one with the AWS CLI or SDK against preflight.' : undefined}>
              <select value={fn} onChange={(e) => setFn(e.target.value)}>
                {functions.length === 0 ? <option value="">(none)</option> : null}
                {functions.map((f) => (
                  <option key={f.FunctionArn} value={f.FunctionArn}>
                    {f.FunctionName}
                  </option>
                ))}
              </select>
            </Field>
          </>
        ) : null}
        {kind === 'http' ? (
          <>
            <Check label="HTTP proxy integration" checked={proxy} onChange={setProxy} />
            <Field label="HTTP method">
              <select value={httpMethod} onChange={(e) => setHttpMethod(e.target.value)}>
                {METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </Field>
            <Field label="Endpoint URL" error={errors.endpoint}>
              <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="https://example.com/{proxy}" autoComplete="off" />
            </Field>
          </>
        ) : null}
        <Field label="Authorization">
          <select value={authorization} onChange={(e) => setAuthorization(e.target.value)} disabled={methodCreated}>
            <option value="NONE">None</option>
            <option value="AWS_IAM">AWS IAM</option>
          </select>
        </Field>
        <Check label="API key required" checked={apiKey} onChange={setApiKey} disabled={methodCreated} />
        <ErrorBox error={errors.form} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {methodCreated ? 'Save integration' : 'Create method'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
