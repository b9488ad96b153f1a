import { useState, type FormEvent } from 'react';
import { consoleApi, http, rest, type ServerInfo } from '../lib/api.js';
import { errorText, useLoad } from '../lib/data.js';
import { Link, navigate } from '../lib/router.js';
import { Confirm } from '../ui/Confirm.js';
import { Dialog } from '../ui/Dialog.js';
import { ErrorBox, Field } from '../ui/Field.js';
import { TableHead } from '../ui/TableHead.js';

const IAC_LATER = 'Import and export (SAM, OpenAPI) arrive with preflight’s IaC support; until then use the AWS CLI against preflight.';

export function ApisPage({ info }: { info: ServerInfo }) {
  const apis = useLoad(() => consoleApi.apis(), [], (e) => e.kind !== 'function');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<{ kind: 'rest' | 'http'; id: string; name: string }>();
  const rows = [
    ...(apis.data?.rest ?? []).map((a) => ({
      kind: 'rest' as const,
      id: a.id,
      name: a.name,
      description: a.description,
      created: new Date(a.createdDate * 1000),
      stages: a.stages.map((s) => ({ name: s.stageName, stale: s.undeployedChanges })),
    })),
    ...(apis.data?.http ?? []).map((a) => ({
      kind: 'http' as const,
      id: a.apiId,
      name: a.name,
      description: a.description,
      created: new Date(a.createdDate),
      stages: a.stages.map((s) => ({ name: s.stageName, stale: s.undeployedChanges && !s.autoDeploy })),
    })),
  ];
  return (
    <section aria-labelledby="apis-title">
      <div className="page-head">
        <h1 id="apis-title">APIs</h1>
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create API
          </button>
          <span title={IAC_LATER}>
            <button type="button" disabled={!info.features.import} aria-describedby="iac-note">
              Import
            </button>
          </span>
          <span title={IAC_LATER}>
            <button type="button" disabled={!info.features.export} aria-describedby="iac-note">
              Export
            </button>
          </span>
        </div>
      </div>
      <p className="hint" id="iac-note">
        {info.features.import ? '' : IAC_LATER}
      </p>
      <ErrorBox error={apis.error?.message} />
      {apis.data && rows.length === 0 ? <p className="muted">No APIs yet. Create one, or use the AWS CLI/SDK with --endpoint-url {window.location.origin}.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">REST and HTTP APIs</caption>
            <TableHead columns={['Name', 'ID', 'Type', 'Stages', 'Created']} />
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/apis/${r.kind}/${r.id}`}>{r.name}</Link>
                    {r.description ? <div className="muted small">{r.description}</div> : null}
                  </td>
                  <td>
                    <code>{r.id}</code>
                  </td>
                  <td>{r.kind === 'rest' ? 'REST' : 'HTTP'}</td>
                  <td>
                    {r.stages.length === 0 ? <span className="muted">none</span> : null}
                    {r.stages.map((s) => (
                      <span key={s.name} className={`badge${s.stale ? ' warn' : ''}`} title={s.stale ? 'Changes not deployed to this stage' : 'Up to date'}>
                        {s.name}
                        {s.stale ? ' • changes not deployed' : ''}
                      </span>
                    ))}
                  </td>
                  <td>{r.created.toLocaleString()}</td>
                  <td>
                    <button type="button" className="danger small" aria-label={`Delete API ${r.name}`} onClick={() => setDeleting({ kind: r.kind, id: r.id, name: r.name })}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {creating ? <CreateApiDialog onClose={() => setCreating(false)} /> : null}
      {deleting ? (
        <Confirm
          title={`Delete API ${deleting.name}?`}
          message={`This deletes the ${deleting.kind === 'rest' ? 'REST' : 'HTTP'} API ${deleting.id} with its stages and deployments.`}
          action={() => (deleting.kind === 'rest' ? rest.remove(deleting.id) : http.remove(deleting.id))}
          onDone={() => {
            setDeleting(undefined);
            apis.reload();
          }}
          onClose={() => setDeleting(undefined)}
        />
      ) : null}
    </section>
  );
}

function CreateApiDialog({ onClose }: { onClose: () => void }) {
  const [kind, setKind] = useState<'rest' | 'http'>('rest');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<{ field: 'name' | 'description' | 'form'; message: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const input = { name, ...(description ? { description } : {}) };
      if (kind === 'rest') {
        const api = await rest.create(input);
        navigate(`/apis/rest/${api.id}`);
      } else {
        const api = await http.create(input);
        navigate(`/apis/http/${api.apiId}`);
      }
      onClose();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /description/i.test(message) ? 'description' : /name/i.test(message) ? 'name' : 'form', message });
      setBusy(false);
    }
  };
  return (
    <Dialog title="Create API" onClose={onClose}>
      <form onSubmit={submit}>
        <fieldset className="choice">
          <legend>API type</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'rest'} onChange={() => setKind('rest')} /> REST API (API Gateway v1)
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'http'} onChange={() => setKind('http')} /> HTTP API (API Gateway v2)
          </label>
        </fieldset>
        <Field label="API name" error={error?.field === 'name' ? error.message : undefined}>
          <input value={name} onChange={(e) => setName(e.target.value)} data-autofocus autoComplete="off" />
        </Field>
        <Field label="Description (optional)" error={error?.field === 'description' ? error.message : undefined}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </Field>
        <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create API
          </button>
        </div>
      </form>
    </Dialog>
  );
}
