import { useState, type FormEvent } from 'react';
import { consoleApi, rest, restInvokeUrl, type ServerInfo, type SnapshotChange, type StageStatus } from '../../lib/api.js';
import { errorText, useLoad } from '../../lib/data.js';
import { Link, withQuery, type Location } from '../../lib/router.js';
import { Confirm } from '../../ui/Confirm.js';
import { ErrorBox, Field } from '../../ui/Field.js';
import { TableHead } from '../../ui/TableHead.js';

/** Stages: invoke URLs, which deployment each serves, undeployed changes with their diff, variables, history. */
export function StagesPanel({ apiId, info, loc, statuses, onDeploy }: { apiId: string; info: ServerInfo; loc: Location; statuses: StageStatus[]; onDeploy: (stage: string) => void }) {
  const relevant = (e: { kind: string; apiId?: string }) => e.kind === 'external' || (e.kind === 'restapi' && e.apiId === apiId);
  const stages = useLoad(() => rest.stages(apiId), [apiId], relevant);
  const deployments = useLoad(() => rest.deployments(apiId), [apiId], relevant);
  const selectedName = loc.query.get('stage') ?? stages.data?.[0]?.stageName;
  const stage = stages.data?.find((s) => s.stageName === selectedName);
  const status = statuses.find((s) => s.stageName === selectedName);
  const [deleting, setDeleting] = useState(false);

  if (stages.data && stages.data.length === 0) {
    return (
      <div className="pane">
        <p className="muted">No stages yet: a REST API serves nothing until it is deployed to a stage.</p>
        <button type="button" className="primary" onClick={() => onDeploy('')}>
          Deploy API
        </button>
      </div>
    );
  }
  return (
    <div className="split">
      <div className="pane tree-pane">
        <h2 className="sr-only">Stages</h2>
        <ul className="stage-list" aria-label="Stages">
          {(stages.data ?? []).map((s) => {
            const st = statuses.find((x) => x.stageName === s.stageName);
            return (
              <li key={s.stageName}>
                <Link to={withQuery(loc, { stage: s.stageName })} replace aria-current={s.stageName === selectedName ? 'true' : undefined}>
                  {s.stageName}
                </Link>
                {st?.undeployedChanges ? <span className="badge warn">changes not deployed</span> : <span className="badge ok">up to date</span>}
              </li>
            );
          })}
        </ul>
      </div>
      <div className="pane detail-pane">
        <ErrorBox error={stages.error?.message} />
        {stage ? (
          <div>
            <div className="page-head">
              <h2>
                Stage <code>{stage.stageName}</code>
              </h2>
              <div className="toolbar">
                <button type="button" className="primary" onClick={() => onDeploy(stage.stageName)}>
                  {status?.undeployedChanges ? 'Deploy changes' : 'Redeploy'}
                </button>
                <button type="button" className="danger" onClick={() => setDeleting(true)}>
                  Delete stage
                </button>
              </div>
            </div>
            <dl className="facts">
              <dt>Invoke URL</dt>
              <dd>
                <code className="url">{restInvokeUrl(info.port, apiId, stage.stageName)}</code>
              </dd>
              <dt>Path form (for clients that cannot resolve *.localhost)</dt>
              <dd>
                <code className="url">{`${window.location.protocol}//127.0.0.1:${info.port}/restapis/${apiId}/${stage.stageName}/_user_request_`}</code>
              </dd>
              <dt>Deployment</dt>
              <dd>
                <code>{stage.deploymentId}</code>
                {status ? ` deployed ${new Date(status.deployedAt * 1000).toLocaleString()}` : ''}
              </dd>
              {stage.description ? (
                <>
                  <dt>Description</dt>
                  <dd>{stage.description}</dd>
                </>
              ) : null}
            </dl>
            {status?.undeployedChanges ? <StageDiffView apiId={apiId} stage={stage.stageName} /> : <p className="ok-note">This stage serves the API as it is now.</p>}
            <StageVariables apiId={apiId} stageName={stage.stageName} variables={stage.variables ?? {}} onChanged={stages.reload} />
            <h3>Deployment history</h3>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Deployment</th>
                    <th scope="col">Created</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {[...(deployments.data ?? [])].reverse().map((d) => (
                    <tr key={d.id} className={d.id === stage.deploymentId ? 'current' : undefined}>
                      <td>
                        <code>{d.id}</code>
                        {d.id === stage.deploymentId ? <span className="badge ok">active on {stage.stageName}</span> : null}
                      </td>
                      <td>{new Date(d.createdDate * 1000).toLocaleString()}</td>
                      <td>{d.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        ) : null}
      </div>
      {deleting && stage ? (
        <Confirm
          title={`Delete stage ${stage.stageName}?`}
          message="The stage's URL stops answering (403 Forbidden). Its deployments stay."
          action={() => rest.removeStage(apiId, stage.stageName)}
          onDone={() => {
            setDeleting(false);
            stages.reload();
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </div>
  );
}

/** What the stage would gain from a deployment now: the diff between its deployment and the API as it is. */
export function StageDiffView({ apiId, stage, kind = 'rest' }: { apiId: string; stage: string; kind?: 'rest' | 'http' }) {
  const diff = useLoad(() => (kind === 'rest' ? consoleApi.restStageDiff(apiId, stage) : consoleApi.httpStageDiff(apiId, stage)), [apiId, stage, kind]);
  return (
    <section className="stale" aria-labelledby="diff-title">
      <h3 id="diff-title">
        <span className="badge warn">Changes not deployed</span> What changed since deployment {diff.data?.deploymentId ?? ''}
      </h3>
      <ErrorBox error={diff.error?.message} />
      {diff.data ? <ChangeTable changes={diff.data.changes} /> : <p className="muted">Loading…</p>}
    </section>
  );
}

function ChangeTable({ changes }: { changes: SnapshotChange[] }) {
  if (changes.length === 0) return <p className="muted">No differences found.</p>;
  const show = (v: unknown) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return (
    <ul className="changes diff" aria-label="Undeployed changes">
      {changes.map((c, i) => (
        <li key={i}>
          <span className={`action a-${c.kind}`}>{c.kind}</span> <strong>{c.target}</strong>
          {c.kind !== 'added' && c.before !== undefined ? <div className="before">− {show(c.before)}</div> : null}
          {c.kind !== 'removed' && c.after !== undefined ? <div className="after">+ {show(c.after)}</div> : null}
        </li>
      ))}
    </ul>
  );
}

function StageVariables({ apiId, stageName, variables, onChanged }: { apiId: string; stageName: string; variables: Record<string, string>; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<{ field: 'name' | 'value' | 'form'; message: string }>();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await rest.updateStage(apiId, stageName, [{ op: 'replace', path: `/variables/${name}`, value }]);
      setName('');
      setValue('');
      onChanged();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /variable name/i.test(message) ? 'name' : /value/i.test(message) ? 'value' : 'form', message });
    }
  };
  const remove = async (k: string) => {
    try {
      await rest.updateStage(apiId, stageName, [{ op: 'remove', path: `/variables/${k}` }]);
      onChanged();
    } catch (err) {
      setError({ field: 'form', message: errorText(err) });
    }
  };
  return (
    <section aria-labelledby="vars-title">
      <h3 id="vars-title">Stage variables</h3>
      <p className="hint">Stage variables are live at once: they belong to the stage, not to a deployment.</p>
      {Object.keys(variables).length ? (
        <div className="table-wrap">
          <table>
            <TableHead columns={['Name', 'Value']} />
            <tbody>
              {Object.entries(variables).map(([k, v]) => (
                <tr key={k}>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td>
                    <code>{v}</code>
                  </td>
                  <td>
                    <button type="button" className="small danger" aria-label={`Remove stage variable ${k}`} onClick={() => remove(k)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form className="inline-form" onSubmit={add}>
        <Field label="Variable name" error={error?.field === 'name' ? error.message : undefined}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Value" error={error?.field === 'value' ? error.message : undefined}>
          <input value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
        </Field>
        <button type="submit">Add variable</button>
      </form>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
    </section>
  );
}
