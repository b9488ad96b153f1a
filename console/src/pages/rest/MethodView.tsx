import { useState, type FormEvent } from 'react';
import { functionOfUri, lambdaIntegrationUri, rest, type FunctionConfiguration, type Method, type Resource } from '../../lib/api.js';
import { errorText } from '../../lib/data.js';
import { Confirm } from '../../ui/Confirm.js';
import { Check, ErrorBox, Field } from '../../ui/Field.js';
import { Tabs } from '../../ui/Tabs.js';
import { MethodTest } from './MethodTest.js';
import { TemplateList, toEntries, toRecord, useTemplateCheck, type TemplateEntry } from './Templates.js';

type Box = 'request' | 'integration' | 'integration-responses' | 'method-responses';

/**
 * The method execution view: Method Request → Integration Request → (the integration) → Integration Response →
 * Method Response, each box with its summary and an editor; and the Test tab.
 */
export function MethodView({ apiId, resource, httpMethod, functions, onBack, onChanged }: { apiId: string; resource: Resource; httpMethod: string; functions: FunctionConfiguration[]; onBack: () => void; onChanged: () => void }) {
  const method = resource.resourceMethods?.[httpMethod];
  const [tab, setTab] = useState<'execution' | 'test'>('execution');
  const [open, setOpen] = useState<Box>();
  const [deleting, setDeleting] = useState(false);
  if (!method) return null;
  const integration = method.methodIntegration;
  const proxy = integration?.type === 'AWS_PROXY' || integration?.type === 'HTTP_PROXY';
  const props = { apiId, resource, method, onDone: () => { setOpen(undefined); onChanged(); } };
  return (
    <div>
      <div className="page-head">
        <h2>
          <span className={`method-chip m-${httpMethod.toLowerCase()}`}>{httpMethod}</span> <code>{resource.path}</code>
        </h2>
        <div className="toolbar">
          <button type="button" onClick={onBack}>
            Back to resource
          </button>
          <button type="button" className="danger" onClick={() => setDeleting(true)}>
            Delete method
          </button>
        </div>
      </div>
      <Tabs
        label="Method views"
        tabs={[
          { id: 'execution', label: 'Method execution' },
          { id: 'test', label: 'Test' },
        ]}
        selected={tab}
        onSelect={setTab}
      />
      {tab === 'test' ? (
        <div role="tabpanel" id="panel-test" aria-labelledby="tab-test">
          <MethodTest apiId={apiId} resource={resource} httpMethod={httpMethod} />
        </div>
      ) : (
        <div role="tabpanel" id="panel-execution" aria-labelledby="tab-execution">
          <div className="flow">
            <FlowBox title="Method request" onEdit={() => setOpen('request')} active={open === 'request'}>
              <div>Authorization: {method.authorizationType}</div>
              <div>API key required: {method.apiKeyRequired ? 'yes' : 'no'}</div>
            </FlowBox>
            <FlowBox title="Integration request" onEdit={() => setOpen('integration')} active={open === 'integration'}>
              {integration ? (
                <>
                  <div>Type: {integration.type}</div>
                  {functionOfUri(integration.uri) ? <div>Function: {functionOfUri(integration.uri)}</div> : integration.uri ? <div className="ellipsis">{integration.uri}</div> : null}
                  <div>Templates: {Object.keys(integration.requestTemplates ?? {}).join(', ') || 'none'}</div>
                </>
              ) : (
                <div className="warn-text">No integration: deploying fails until there is one.</div>
              )}
            </FlowBox>
            <FlowBox title="Integration response" onEdit={proxy || !integration ? undefined : () => setOpen('integration-responses')} active={open === 'integration-responses'}>
              {proxy ? (
                <div className="muted">Proxy integration: the backend’s response passes through.</div>
              ) : (
                Object.values(integration?.integrationResponses ?? {}).map((r) => (
                  <div key={r.statusCode}>
                    {r.statusCode} {r.selectionPattern ? `← /${r.selectionPattern}/` : '(default)'}
                  </div>
                ))
              )}
            </FlowBox>
            <FlowBox title="Method response" onEdit={() => setOpen('method-responses')} active={open === 'method-responses'}>
              {Object.values(method.methodResponses ?? {}).map((r) => (
                <div key={r.statusCode}>
                  {r.statusCode} {Object.keys(r.responseParameters ?? {}).length ? `(${Object.keys(r.responseParameters ?? {}).map((h) => h.replace('method.response.header.', '')).join(', ')})` : ''}
                </div>
              ))}
            </FlowBox>
          </div>
          {open === 'request' ? <MethodRequestEditor {...props} onCancel={() => setOpen(undefined)} /> : null}
          {open === 'integration' ? <IntegrationEditor {...props} functions={functions} onCancel={() => setOpen(undefined)} /> : null}
          {open === 'integration-responses' ? <IntegrationResponsesEditor {...props} onCancel={() => setOpen(undefined)} /> : null}
          {open === 'method-responses' ? <MethodResponsesEditor {...props} onCancel={() => setOpen(undefined)} /> : null}
        </div>
      )}
      {deleting ? (
        <Confirm
          title={`Delete method ${httpMethod} ${resource.path}?`}
          message="The method, its integration and responses are deleted. Deployed stages keep serving it until you deploy."
          action={() => rest.removeMethod(apiId, resource.id, httpMethod)}
          onDone={() => {
            setDeleting(false);
            onChanged();
            onBack();
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </div>
  );
}

function FlowBox({ title, children, onEdit, active }: { title: string; children: React.ReactNode; onEdit?: (() => void) | undefined; active: boolean }) {
  return (
    <section className={`flow-box${active ? ' active' : ''}`} aria-label={title}>
      <h3>{title}</h3>
      <div className="small">{children}</div>
      {onEdit ? (
        <button type="button" className="small" onClick={onEdit} aria-label={`Edit ${title.toLowerCase()}`}>
          Edit
        </button>
      ) : null}
    </section>
  );
}

interface EditorProps {
  apiId: string;
  resource: Resource;
  method: Method;
  onDone: () => void;
  onCancel: () => void;
}

function EditorFrame({ title, onSubmit, onCancel, busy, submitLabel = 'Save', children, error }: { title: string; onSubmit: (e: FormEvent) => void; onCancel: () => void; busy: boolean; submitLabel?: string; children: React.ReactNode; error?: string | undefined }) {
  return (
    <form className="editor" onSubmit={onSubmit} aria-label={title}>
      <h3>{title}</h3>
      {children}
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function MethodRequestEditor({ apiId, resource, method, onDone, onCancel }: EditorProps) {
  const [authorization, setAuthorization] = useState<string>(method.authorizationType);
  const [apiKey, setApiKey] = useState(method.apiKeyRequired);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await rest.updateMethod(apiId, resource.id, method.httpMethod, [
        { op: 'replace', path: '/authorizationType', value: authorization },
        { op: 'replace', path: '/apiKeyRequired', value: String(apiKey) },
      ]);
      onDone();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <EditorFrame title="Edit method request" onSubmit={submit} onCancel={onCancel} busy={busy}>
      <Field label="Authorization" error={error}>
        <select value={authorization} onChange={(e) => setAuthorization(e.target.value)} data-autofocus>
          {['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'].map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </Field>
      <Check label="API key required" checked={apiKey} onChange={setApiKey} />
    </EditorFrame>
  );
}

function IntegrationEditor({ apiId, resource, method, functions, onDone, onCancel }: EditorProps & { functions: FunctionConfiguration[] }) {
  const current = method.methodIntegration;
  const [type, setType] = useState<string>(current?.type ?? 'AWS_PROXY');
  const currentFn = functions.find((f) => f.FunctionName === functionOfUri(current?.uri));
  const [fnArn, setFnArn] = useState(currentFn?.FunctionArn ?? functions[0]?.FunctionArn ?? '');
  const [uri, setUri] = useState(current?.uri ?? '');
  const [httpMethod, setHttpMethod] = useState(current?.httpMethod ?? 'POST');
  const [passthrough, setPassthrough] = useState<string>(current?.passthroughBehavior ?? 'WHEN_NO_MATCH');
  const [timeout, setTimeoutMs] = useState(String(current?.timeoutInMillis ?? 29000));
  const [templates, setTemplates] = useState<TemplateEntry[]>(toEntries(current?.requestTemplates));
  const templateCheck = useTemplateCheck();
  const [error, setError] = useState<{ field: 'uri' | 'timeout' | 'form'; message: string }>();
  const [busy, setBusy] = useState(false);
  const isLambda = type === 'AWS' || type === 'AWS_PROXY';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    if (await templateCheck.stopsSave(templates)) {
      setBusy(false);
      return;
    }
    try {
      await rest.putIntegration(apiId, resource.id, method.httpMethod, {
        type,
        ...(type === 'MOCK' ? {} : { httpMethod: isLambda ? 'POST' : httpMethod, uri: isLambda ? (fnArn ? lambdaIntegrationUri(fnArn) : '') : uri }),
        passthroughBehavior: passthrough,
        timeoutInMillis: Number(timeout),
        requestTemplates: toRecord(templates),
        ...(current?.requestParameters ? { requestParameters: current.requestParameters } : {}),
        ...(current?.contentHandling ? { contentHandling: current.contentHandling } : {}),
      });
      onDone();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /uri|endpoint|arn/i.test(message) ? 'uri' : /timeout/i.test(message) ? 'timeout' : 'form', message });
      setBusy(false);
    }
  };

  return (
    <EditorFrame title="Edit integration request" onSubmit={submit} onCancel={onCancel} busy={busy} submitLabel={templateCheck.saveLabel} error={error?.field === 'form' ? error.message : undefined}>
      <Field label="Integration type">
        <select value={type} onChange={(e) => setType(e.target.value)} data-autofocus>
          <option value="AWS_PROXY">Lambda function, proxy (AWS_PROXY)</option>
          <option value="AWS">Lambda function, custom (AWS)</option>
          <option value="HTTP_PROXY">HTTP, proxy (HTTP_PROXY)</option>
          <option value="HTTP">HTTP, custom (HTTP)</option>
          <option value="MOCK">Mock</option>
        </select>
      </Field>
      {isLambda ? (
        <Field label="Lambda function" error={error?.field === 'uri' ? error.message : undefined}>
          <select value={fnArn} onChange={(e) => setFnArn(e.target.value)}>
            {functions.length === 0 ? <option value="">(no functions)</option> : null}
            {functions.map((f) => (
              <option key={f.FunctionArn} value={f.FunctionArn}>
                {f.FunctionName}
              </option>
            ))}
          </select>
        </Field>
      ) : null}
      {type === 'HTTP' || type === 'HTTP_PROXY' ? (
        <>
          <Field label="HTTP method">
            <select value={httpMethod} onChange={(e) => setHttpMethod(e.target.value)}>
              {['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'].map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field label="Endpoint URL" error={error?.field === 'uri' ? error.message : undefined}>
            <input value={uri} onChange={(e) => setUri(e.target.value)} autoComplete="off" />
          </Field>
        </>
      ) : null}
      <Field label="Request body passthrough">
        <select value={passthrough} onChange={(e) => setPassthrough(e.target.value)}>
          <option value="WHEN_NO_MATCH">When no template matches the Content-Type (WHEN_NO_MATCH)</option>
          <option value="WHEN_NO_TEMPLATES">When there are no templates defined (WHEN_NO_TEMPLATES)</option>
          <option value="NEVER">Never (NEVER)</option>
        </select>
      </Field>
      <Field label="Integration timeout (ms)" error={error?.field === 'timeout' ? error.message : undefined}>
        <input value={timeout} onChange={(e) => setTimeoutMs(e.target.value)} inputMode="numeric" />
      </Field>
      {type === 'AWS_PROXY' || type === 'HTTP_PROXY' ? (
        <p className="hint">Proxy integrations send the request as it is: mapping templates do not apply.</p>
      ) : (
        <TemplateList label="Mapping templates" entries={templates} onChange={setTemplates} errors={templateCheck.errors} />
      )}
    </EditorFrame>
  );
}

/** "Header-Name = 'value'" lines ⇄ method.response.header.* mappings. */
function mappingsToText(params: Record<string, string> | undefined): string {
  return Object.entries(params ?? {})
    .map(([k, v]) => `${k.replace(/^method\.response\.header\./, '')} = ${v}`)
    .join('\n');
}

function textToMappings(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i === -1 || !line.trim()) continue;
    out[`method.response.header.${line.slice(0, i).trim()}`] = line.slice(i + 1).trim();
  }
  return out;
}

function IntegrationResponsesEditor({ apiId, resource, method, onDone, onCancel }: EditorProps) {
  const responses = method.methodIntegration?.integrationResponses ?? {};
  const codes = Object.keys(method.methodResponses ?? {});
  const [status, setStatus] = useState(Object.keys(responses)[0] ?? codes[0] ?? '200');
  const existing = responses[status];
  const [pattern, setPattern] = useState(existing?.selectionPattern ?? '');
  const [headers, setHeaders] = useState(mappingsToText(existing?.responseParameters));
  const [templates, setTemplates] = useState<TemplateEntry[]>(toEntries(existing?.responseTemplates));
  const templateCheck = useTemplateCheck();
  const [error, setError] = useState<{ field: 'status' | 'headers' | 'form'; message: string }>();
  const [busy, setBusy] = useState(false);

  const pick = (code: string) => {
    setStatus(code);
    const r = responses[code];
    setPattern(r?.selectionPattern ?? '');
    setHeaders(mappingsToText(r?.responseParameters));
    setTemplates(toEntries(r?.responseTemplates));
    templateCheck.clear();
    setError(undefined);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    if (await templateCheck.stopsSave(templates)) {
      setBusy(false);
      return;
    }
    try {
      await rest.putIntegrationResponse(apiId, resource.id, method.httpMethod, status, {
        selectionPattern: pattern,
        responseParameters: textToMappings(headers),
        responseTemplates: toRecord(templates),
      });
      onDone();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /mapping expression|header/i.test(message) ? 'headers' : /status|Response status/i.test(message) ? 'status' : 'form', message });
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await rest.removeIntegrationResponse(apiId, resource.id, method.httpMethod, status);
      onDone();
    } catch (err) {
      setError({ field: 'form', message: errorText(err) });
    }
  };
  return (
    <EditorFrame title="Edit integration response" onSubmit={submit} onCancel={onCancel} busy={busy} submitLabel={templateCheck.saveLabel} error={error?.field === 'form' ? error.message : undefined}>
      <Field label="Method response status code" error={error?.field === 'status' ? error.message : undefined} hint="An integration response maps to one of the method's responses.">
        <select value={status} onChange={(e) => pick(e.target.value)} data-autofocus>
          {[...new Set([...Object.keys(responses), ...codes])].map((c) => (
            <option key={c} value={c}>
              {c}
              {responses[c] ? '' : ' (new)'}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Lambda error regex / HTTP status regex (selection pattern)" hint="Empty: the default response.">
        <input value={pattern} onChange={(e) => setPattern(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Header mappings (one per line: Header-Name = 'static value' or integration.response.header.X)" error={error?.field === 'headers' ? error.message : undefined}>
        <textarea rows={3} className="code" value={headers} onChange={(e) => setHeaders(e.target.value)} spellCheck={false} />
      </Field>
      <TemplateList label="Mapping templates" entries={templates} onChange={setTemplates} errors={templateCheck.errors} />
      {responses[status] ? (
        <button type="button" className="small danger" onClick={remove}>
          Delete integration response {status}
        </button>
      ) : null}
    </EditorFrame>
  );
}

function MethodResponsesEditor({ apiId, resource, method, onDone, onCancel }: EditorProps) {
  const [status, setStatus] = useState('');
  const [headers, setHeaders] = useState('');
  const [error, setError] = useState<{ field: 'status' | 'headers' | 'form'; message: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const names = headers.split(',').map((h) => h.trim()).filter(Boolean);
      await rest.putMethodResponse(apiId, resource.id, method.httpMethod, status, {
        responseParameters: Object.fromEntries(names.map((n) => [`method.response.header.${n}`, false])),
        responseModels: { 'application/json': 'Empty' },
      });
      onDone();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /statusCode|status/i.test(message) ? 'status' : /header|mapping/i.test(message) ? 'headers' : 'form', message });
      setBusy(false);
    }
  };
  const remove = async (code: string) => {
    try {
      await rest.removeMethodResponse(apiId, resource.id, method.httpMethod, code);
      onDone();
    } catch (err) {
      setError({ field: 'form', message: errorText(err) });
    }
  };
  return (
    <EditorFrame title="Method responses" onSubmit={submit} onCancel={onCancel} busy={busy} submitLabel="Add method response" error={error?.field === 'form' ? error.message : undefined}>
      <ul className="plain">
        {Object.values(method.methodResponses ?? {}).map((r) => (
          <li key={r.statusCode}>
            <strong>{r.statusCode}</strong> {Object.keys(r.responseParameters ?? {}).map((h) => h.replace('method.response.header.', '')).join(', ')}{' '}
            <button type="button" className="small danger" onClick={() => remove(r.statusCode)} aria-label={`Delete method response ${r.statusCode}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <Field label="HTTP status code" error={error?.field === 'status' ? error.message : undefined}>
        <input value={status} onChange={(e) => setStatus(e.target.value)} autoComplete="off" placeholder="400" data-autofocus />
      </Field>
      <Field label="Response headers (comma-separated names)" error={error?.field === 'headers' ? error.message : undefined}>
        <input value={headers} onChange={(e) => setHeaders(e.target.value)} autoComplete="off" placeholder="Access-Control-Allow-Origin" />
      </Field>
    </EditorFrame>
  );
}
