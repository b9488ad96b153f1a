import { useState, type FormEvent } from 'react';
import { rest, restInvokeUrl, type Deployment, type ServerInfo } from '../../lib/api.js';
import { errorText, useLoad } from '../../lib/data.js';
import { Dialog } from '../../ui/Dialog.js';
import { ErrorBox, Field } from '../../ui/Field.js';

const NEW_STAGE = '*new*';

/** Deploy API: to an existing stage or a new one, with a deployment description, as the console's dialog. */
export function DeployDialog({ apiId, info, initialStage, onClose, onDeployed }: { apiId: string; info: ServerInfo; initialStage?: string | undefined; onClose: () => void; onDeployed: () => void }) {
  const stages = useLoad(() => rest.stages(apiId), [apiId]);
  const names = (stages.data ?? []).map((s) => s.stageName);
  const [choice, setChoice] = useState<string>();
  const stage = choice ?? (initialStage && names.includes(initialStage) ? initialStage : names[0] ?? NEW_STAGE);
  const [newName, setNewName] = useState('');
  const [stageDescription, setStageDescription] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<{ field: 'stage' | 'form'; message: string }>();
  const [done, setDone] = useState<{ deployment: Deployment; stage: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const stageName = stage === NEW_STAGE ? newName : stage;
    setBusy(true);
    setError(undefined);
    try {
      const deployment = await rest.deploy(apiId, {
        stageName,
        ...(stage === NEW_STAGE && stageDescription ? { stageDescription } : {}),
        ...(description ? { description } : {}),
      });
      setDone({ deployment, stage: stageName });
      onDeployed();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /stage/i.test(message) ? 'stage' : 'form', message });
    }
    setBusy(false);
  };

  if (done) {
    const url = restInvokeUrl(info.port, apiId, done.stage);
    return (
      <Dialog title="API deployed" onClose={onClose}>
        <p role="status">
          Deployment <code>{done.deployment.id}</code> is now live on stage <strong>{done.stage}</strong>.
        </p>
        <p>
          Invoke URL: <code className="url">{url}</code>
        </p>
        <div className="actions">
          <button type="button" className="primary" onClick={onClose} data-autofocus>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  if (!stages.data) {
    return (
      <Dialog title="Deploy API" onClose={onClose}>
        {stages.error ? <ErrorBox error={stages.error.message} /> : <p className="muted">Loading stages…</p>}
      </Dialog>
    );
  }
  return (
    <Dialog title="Deploy API" onClose={onClose}>
      <form onSubmit={submit}>
        <Field label="Stage" error={error?.field === 'stage' && stage !== NEW_STAGE ? error.message : undefined}>
          <select value={stage} onChange={(e) => setChoice(e.target.value)} data-autofocus autoFocus>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
            <option value={NEW_STAGE}>*New stage*</option>
          </select>
        </Field>
        {stage === NEW_STAGE ? (
          <>
            <Field label="Stage name" error={error?.field === 'stage' ? error.message : undefined}>
              <input value={newName} onChange={(e) => setNewName(e.target.value)} autoComplete="off" placeholder="dev" />
            </Field>
            <Field label="Stage description (optional)">
              <input value={stageDescription} onChange={(e) => setStageDescription(e.target.value)} autoComplete="off" />
            </Field>
          </>
        ) : null}
        <Field label="Deployment description (optional)">
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </Field>
        <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Deploy
          </button>
        </div>
      </form>
    </Dialog>
  );
}
