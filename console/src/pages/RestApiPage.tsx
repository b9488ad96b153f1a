import { useState } from 'react';
import { consoleApi, lambda, rest, type ServerInfo } from '../lib/api.js';
import { useLoad } from '../lib/data.js';
import { Link, navigate, withQuery, type Location } from '../lib/router.js';
import { Confirm } from '../ui/Confirm.js';
import { ErrorBox } from '../ui/Field.js';
import { Tabs } from '../ui/Tabs.js';
import { ResourceTree } from './rest/ResourceTree.js';
import { CreateMethodDialog, CreateResourceDialog } from './rest/CreateDialogs.js';
import { EnableCorsDialog } from './rest/EnableCorsDialog.js';
import { DeployDialog } from './rest/DeployDialog.js';
import { MethodView } from './rest/MethodView.js';
import { StagesPanel } from './rest/StagesPanel.js';

type Tab = 'resources' | 'stages';

/**
 * A REST API as the API Gateway console shows it: the resource tree with its methods and actions (create resource,
 * create method, Enable CORS, Deploy API), the method execution view, and the stages. Which resource, method, tab and
 * dialog are open lives in the URL, so the playground can link straight to a fix.
 */
export function RestApiPage({ apiId, info, loc }: { apiId: string; info: ServerInfo; loc: Location }) {
  const relevant = (e: { kind: string; apiId?: string }) => e.kind === 'external' || (e.kind === 'restapi' && e.apiId === apiId);
  const api = useLoad(() => rest.get(apiId), [apiId], relevant);
  const resources = useLoad(() => rest.resources(apiId), [apiId], relevant);
  const statuses = useLoad(() => consoleApi.restStageStatus(apiId), [apiId], relevant);
  const functions = useLoad(() => lambda.list(), [], (e) => e.kind === 'function' || e.kind === 'external');
  const [deletingResource, setDeletingResource] = useState(false);

  const tab = (loc.query.get('tab') as Tab | null) ?? 'resources';
  const dialog = loc.query.get('dialog');
  const list = resources.data ?? [];
  const root = list.find((r) => r.path === '/');
  const selectedId = loc.query.get('resource') ?? root?.id;
  const selected = list.find((r) => r.id === selectedId) ?? root;
  const methodName = loc.query.get('method');
  const method = methodName && selected?.resourceMethods?.[methodName] ? methodName : undefined;
  const go = (changes: Record<string, string | null | undefined>, replace = true) => navigate(withQuery(loc, changes), { replace });
  const closeDialog = () => go({ dialog: null, origin: null, gatewayResponses: null });
  const stale = (statuses.data ?? []).filter((s) => s.undeployedChanges);

  if (api.error && !api.data) {
    return (
      <section>
        <h1>REST API {apiId}</h1>
        <ErrorBox error={api.error.message} />
        <Link to="/">Back to APIs</Link>
      </section>
    );
  }
  return (
    <section aria-labelledby="api-title">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/">APIs</Link> › REST API
          </div>
          <h1 id="api-title">
            {api.data?.name ?? '…'} <code className="small">{apiId}</code>
          </h1>
        </div>
        <div className="toolbar">
          {stale.length > 0 ? (
            <Link className="badge warn" to={withQuery(loc, { tab: 'stages', stage: stale[0]!.stageName, dialog: null })}>
              Changes not deployed: {stale.map((s) => s.stageName).join(', ')}
            </Link>
          ) : null}
          <button type="button" className="primary" onClick={() => go({ dialog: 'deploy' }, false)}>
            Deploy API
          </button>
        </div>
      </div>
      <Tabs<Tab>
        label="REST API sections"
        tabs={[
          { id: 'resources', label: 'Resources' },
          { id: 'stages', label: 'Stages' },
        ]}
        selected={tab}
        onSelect={(t) => go({ tab: t === 'resources' ? null : t })}
      />
      <ErrorBox error={resources.error?.message} />
      {tab === 'resources' ? (
        <div className="split" role="tabpanel" id="panel-resources" aria-labelledby="tab-resources">
          <div className="pane tree-pane">
            <div className="toolbar wrap" role="toolbar" aria-label="Resource actions">
              <button type="button" onClick={() => go({ dialog: 'resource' }, false)} disabled={!selected}>
                Create resource
              </button>
              <button type="button" onClick={() => go({ dialog: 'method' }, false)} disabled={!selected}>
                Create method
              </button>
              <button type="button" onClick={() => go({ dialog: 'cors' }, false)} disabled={!selected}>
                Enable CORS
              </button>
              <button type="button" className="danger" onClick={() => setDeletingResource(true)} disabled={!selected || selected.path === '/'}>
                Delete resource
              </button>
            </div>
            <ResourceTree resources={list} selectedId={selected?.id} onSelect={(id) => go({ resource: id, method: null })} />
          </div>
          <div className="pane detail-pane">
            {selected ? (
              method ? (
                <MethodView
                  key={`${selected.id}/${method}`}
                  apiId={apiId}
                  resource={selected}
                  httpMethod={method}
                  functions={functions.data ?? []}
                  onBack={() => go({ method: null })}
                  onChanged={resources.reload}
                />
              ) : (
                <ResourceSummary resource={selected} onMethod={(m) => go({ method: m })} onCreateMethod={() => go({ dialog: 'method' }, false)} />
              )
            ) : (
              <p className="muted">Loading resources…</p>
            )}
          </div>
        </div>
      ) : (
        <div role="tabpanel" id="panel-stages" aria-labelledby="tab-stages">
          <StagesPanel apiId={apiId} info={info} loc={loc} statuses={statuses.data ?? []} onDeploy={(stage) => go({ dialog: 'deploy', stage }, false)} />
        </div>
      )}
      {dialog === 'resource' && selected ? (
        <CreateResourceDialog apiId={apiId} parent={selected} onClose={closeDialog} onCreated={(r) => navigate(withQuery(loc, { resource: r.id, dialog: null, method: null }), { replace: true })} />
      ) : null}
      {dialog === 'method' && selected ? (
        <CreateMethodDialog
          apiId={apiId}
          resource={selected}
          functions={functions.data ?? []}
          onClose={closeDialog}
          onCreated={(m) => navigate(withQuery(loc, { method: m, dialog: null }), { replace: true })}
        />
      ) : null}
      {dialog === 'cors' && selected ? (
        <EnableCorsDialog
          apiId={apiId}
          resource={selected}
          initialOrigin={loc.query.get('origin') ?? undefined}
          initialGatewayResponses={loc.query.get('gatewayResponses') === 'true'}
          onClose={closeDialog}
          onDeploy={() => go({ dialog: 'deploy', origin: null, gatewayResponses: null })}
        />
      ) : null}
      {dialog === 'deploy' ? (
        <DeployDialog apiId={apiId} info={info} initialStage={loc.query.get('stage') ?? undefined} onClose={closeDialog} onDeployed={() => statuses.reload()} />
      ) : null}
      {deletingResource && selected ? (
        <Confirm
          title={`Delete resource ${selected.path}?`}
          message="This deletes the resource, its child resources and all their methods. Deployed stages keep serving them until you deploy."
          action={() => rest.removeResource(apiId, selected.id)}
          onDone={() => {
            setDeletingResource(false);
            go({ resource: selected.parentId ?? null, method: null });
          }}
          onClose={() => setDeletingResource(false)}
        />
      ) : null}
    </section>
  );
}

function ResourceSummary({ resource, onMethod, onCreateMethod }: { resource: { id: string; path: string; resourceMethods?: Record<string, unknown> }; onMethod: (m: string) => void; onCreateMethod: () => void }) {
  const methods = Object.keys(resource.resourceMethods ?? {}).sort();
  return (
    <div>
      <h2>
        Resource <code>{resource.path}</code>
      </h2>
      <p className="muted small">Resource ID {resource.id}</p>
      <h3>Methods</h3>
      {methods.length === 0 ? (
        <p className="muted">
          No methods yet.{' '}
          <button type="button" className="link" onClick={onCreateMethod}>
            Create method
          </button>
        </p>
      ) : (
        <ul className="method-list">
          {methods.map((m) => (
            <li key={m}>
              <button type="button" className={`method-chip m-${m.toLowerCase()}`} onClick={() => onMethod(m)} aria-label={`Open method ${m} ${resource.path}`}>
                {m}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
