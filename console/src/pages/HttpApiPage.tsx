import { useState, type FormEvent } from 'react';
import { consoleApi, http, httpInvokeUrl, lambda, type CorsConfiguration, type HttpApi, type HttpIntegration, type ServerInfo } from '../lib/api.js';
import { errorText, useLoad } from '../lib/data.js';
import { Link, navigate, withQuery, type Location } from '../lib/router.js';
import { Check, ErrorBox, Field } from '../ui/Field.js';
import { Tabs } from '../ui/Tabs.js';
import { StageDiffView } from './rest/StagesPanel.js';
import { TableHead } from '../ui/TableHead.js';

type Tab = 'routes' | 'integrations' | 'authorizers' | 'cors' | 'stages';

/** An HTTP API: routes, integrations, authorizers, the CORS configuration and stages. */
export function HttpApiPage({ apiId, info, loc }: { apiId: string; info: ServerInfo; loc: Location }) {
  const relevant = (e: { kind: string; apiId?: string }) => e.kind === 'external' || (e.kind === 'httpapi' && e.apiId === apiId);
  const api = useLoad(() => http.get(apiId), [apiId], relevant);
  const tab = (loc.query.get('tab') as Tab | null) ?? 'routes';
  const go = (t: Tab) => navigate(withQuery(loc, { tab: t === 'routes' ? null : t }), { replace: true });
  if (api.error && !api.data) {
    return (
      <section>
        <h1>HTTP API {apiId}</h1>
        <ErrorBox error={api.error.message} />
        <Link to="/">Back to APIs</Link>
      </section>
    );
  }
  return (
    <section aria-labelledby="api-title">
      <div className="crumbs">
        <Link to="/">APIs</Link> › HTTP API
      </div>
      <h1 id="api-title">
        {api.data?.name ?? '…'} <code className="small">{apiId}</code>
      </h1>
      <Tabs<Tab>
        label="HTTP API sections"
        tabs={[
          { id: 'routes', label: 'Routes' },
          { id: 'integrations', label: 'Integrations' },
          { id: 'authorizers', label: 'Authorizers' },
          { id: 'cors', label: 'CORS' },
          { id: 'stages', label: 'Stages' },
        ]}
        selected={tab}
        onSelect={go}
      />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="pane">
        {tab === 'routes' ? <Routes apiId={apiId} /> : null}
        {tab === 'integrations' ? <Integrations apiId={apiId} /> : null}
        {tab === 'authorizers' ? <Authorizers apiId={apiId} /> : null}
        {tab === 'cors' && api.data ? <CorsPanel key={JSON.stringify(api.data.corsConfiguration ?? null)} api={api.data} onSaved={api.reload} /> : null}
        {tab === 'stages' ? <Stages apiId={apiId} info={info} /> : null}
      </div>
    </section>
  );
}

const relevantTo = (apiId: string) => (e: { kind: string; apiId?: string }) => e.kind === 'external' || (e.kind === 'httpapi' && e.apiId === apiId);

function integrationLabel(i: HttpIntegration | undefined): string {
  if (!i) return 'none';
  const fn = /:function:([^/:]+)/.exec(i.integrationUri ?? '')?.[1];
  return `${i.integrationType} ${fn ?? i.integrationUri ?? ''}`;
}

function Routes({ apiId }: { apiId: string }) {
  const routes = useLoad(() => http.routes(apiId), [apiId], relevantTo(apiId));
  const integrations = useLoad(() => http.integrations(apiId), [apiId], relevantTo(apiId));
  const authorizers = useLoad(() => http.authorizers(apiId), [apiId], relevantTo(apiId));
  const [routeKey, setRouteKey] = useState('GET /items');
  const [target, setTarget] = useState('');
  const [authorizer, setAuthorizer] = useState('');
  const [error, setError] = useState<{ field: 'key' | 'target' | 'auth' | 'form'; message: string }>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const auth = authorizers.data?.find((a) => a.authorizerId === authorizer);
    try {
      await http.createRoute(apiId, {
        routeKey,
        ...(target ? { target: `integrations/${target}` } : {}),
        ...(auth ? { authorizationType: auth.authorizerType === 'JWT' ? 'JWT' : 'CUSTOM', authorizerId: auth.authorizerId } : {}),
      });
      routes.reload();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /route key|path parts|Route with key/i.test(message) ? 'key' : /integration|target/i.test(message) ? 'target' : /authoriz/i.test(message) ? 'auth' : 'form', message });
    }
  };
  const byId = new Map((integrations.data ?? []).map((i) => [i.integrationId, i]));
  return (
    <div>
      <h2>Routes</h2>
      <ErrorBox error={routes.error?.message} />
      <div className="table-wrap">
        <table>
          <TableHead columns={['Route', 'Integration', 'Authorization']} />
          <tbody>
            {(routes.data ?? []).map((r) => (
              <tr key={r.routeId}>
                <td>
                  <code>{r.routeKey}</code>
                </td>
                <td>{integrationLabel(byId.get(r.target?.replace('integrations/', '') ?? ''))}</td>
                <td>{r.authorizationType}</td>
                <td>
                  <button type="button" className="small danger" aria-label={`Delete route ${r.routeKey}`} onClick={() => http.removeRoute(apiId, r.routeId).then(routes.reload, (e: unknown) => setError({ field: 'form', message: errorText(e) }))}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="inline-form" onSubmit={create} aria-label="Create route">
        <Field label="Route key" error={error?.field === 'key' ? error.message : undefined} hint="METHOD /path, e.g. GET /items/{id}, or $default">
          <input value={routeKey} onChange={(e) => setRouteKey(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Integration" error={error?.field === 'target' ? error.message : undefined}>
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">(attach later)</option>
            {(integrations.data ?? []).map((i) => (
              <option key={i.integrationId} value={i.integrationId}>
                {integrationLabel(i)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Authorizer" error={error?.field === 'auth' ? error.message : undefined}>
          <select value={authorizer} onChange={(e) => setAuthorizer(e.target.value)}>
            <option value="">None</option>
            {(authorizers.data ?? []).map((a) => (
              <option key={a.authorizerId} value={a.authorizerId}>
                {a.name} ({a.authorizerType})
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">Create route</button>
      </form>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
    </div>
  );
}

function Integrations({ apiId }: { apiId: string }) {
  const integrations = useLoad(() => http.integrations(apiId), [apiId], relevantTo(apiId));
  const functions = useLoad(() => lambda.list(), []);
  const [kind, setKind] = useState<'lambda' | 'http'>('lambda');
  const [fn, setFn] = useState('');
  const [version, setVersion] = useState('2.0');
  const [url, setUrl] = useState('');
  const [error, setError] = useState<{ field: 'uri' | 'form'; message: string }>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const arn = fn || functions.data?.[0]?.FunctionArn || '';
    try {
      await http.createIntegration(
        apiId,
        kind === 'lambda'
          ? { integrationType: 'AWS_PROXY', integrationUri: arn, payloadFormatVersion: version }
          : { integrationType: 'HTTP_PROXY', integrationUri: url, integrationMethod: 'ANY', payloadFormatVersion: '1.0' },
      );
      integrations.reload();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /uri|url|function/i.test(message) ? 'uri' : 'form', message });
    }
  };
  return (
    <div>
      <h2>Integrations</h2>
      <ul className="plain">
        {(integrations.data ?? []).map((i) => (
          <li key={i.integrationId}>
            <code>{i.integrationId}</code> {integrationLabel(i)} <span className="muted small">payload {i.payloadFormatVersion}</span>{' '}
            <button type="button" className="small danger" aria-label={`Delete integration ${i.integrationId}`} onClick={() => http.removeIntegration(apiId, i.integrationId).then(integrations.reload, (e: unknown) => setError({ field: 'form', message: errorText(e) }))}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={create} aria-label="Create integration">
        <Field label="Integration target">
          <select value={kind} onChange={(e) => setKind(e.target.value as 'lambda' | 'http')}>
            <option value="lambda">Lambda function</option>
            <option value="http">HTTP URL</option>
          </select>
        </Field>
        {kind === 'lambda' ? (
          <>
            <Field label="Lambda function" error={error?.field === 'uri' ? error.message : undefined}>
              <select value={fn} onChange={(e) => setFn(e.target.value)}>
                {(functions.data ?? []).map((f) => (
                  <option key={f.FunctionArn} value={f.FunctionArn}>
                    {f.FunctionName}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Payload format version">
              <select value={version} onChange={(e) => setVersion(e.target.value)}>
                <option>2.0</option>
                <option>1.0</option>
              </select>
            </Field>
          </>
        ) : (
          <Field label="URL" error={error?.field === 'uri' ? error.message : undefined}>
            <input value={url} onChange={(e) => setUrl(e.target.value)} autoComplete="off" placeholder="https://example.com/{proxy}" />
          </Field>
        )}
        <button type="submit">Create integration</button>
      </form>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
    </div>
  );
}

function Authorizers({ apiId }: { apiId: string }) {
  const authorizers = useLoad(() => http.authorizers(apiId), [apiId], relevantTo(apiId));
  const [name, setName] = useState('jwt');
  const [issuer, setIssuer] = useState('https://issuer.preflight.localhost');
  const [audience, setAudience] = useState('');
  const [source, setSource] = useState('$request.header.Authorization');
  const [error, setError] = useState<{ field: 'name' | 'issuer' | 'audience' | 'source' | 'form'; message: string }>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await http.createAuthorizer(apiId, {
        name,
        authorizerType: 'JWT',
        identitySource: [source],
        jwtConfiguration: { issuer, audience: audience.split(',').map((a) => a.trim()).filter(Boolean) },
      });
      authorizers.reload();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /issuer/i.test(message) ? 'issuer' : /audience/i.test(message) ? 'audience' : /identity source/i.test(message) ? 'source' : /name/i.test(message) ? 'name' : 'form', message });
    }
  };
  return (
    <div>
      <h2>Authorizers</h2>
      <ul className="plain">
        {(authorizers.data ?? []).map((a) => (
          <li key={a.authorizerId}>
            <strong>{a.name}</strong> {a.authorizerType} <span className="muted small">{a.jwtConfiguration?.issuer ?? a.authorizerUri ?? ''}</span>{' '}
            <button type="button" className="small danger" aria-label={`Delete authorizer ${a.name}`} onClick={() => http.removeAuthorizer(apiId, a.authorizerId).then(authorizers.reload, (e: unknown) => setError({ field: 'form', message: errorText(e) }))}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form className="stack-form" onSubmit={create} aria-label="Create JWT authorizer">
        <h3>Create JWT authorizer</h3>
        <Field label="Name" error={error?.field === 'name' ? error.message : undefined}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Identity source" error={error?.field === 'source' ? error.message : undefined}>
          <input value={source} onChange={(e) => setSource(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Issuer URL" error={error?.field === 'issuer' ? error.message : undefined} hint="preflight’s built-in issuer mints tokens with `preflight token`.">
          <input value={issuer} onChange={(e) => setIssuer(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Audience (comma-separated)" error={error?.field === 'audience' ? error.message : undefined}>
          <input value={audience} onChange={(e) => setAudience(e.target.value)} autoComplete="off" />
        </Field>
        <button type="submit">Create authorizer</button>
      </form>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
    </div>
  );
}

type CorsField = 'origins' | 'methods' | 'headers' | 'expose' | 'maxAge' | 'credentials' | 'form';
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/**
 * The CORS panel: the six CorsConfiguration members. Validation is the control layer's, with AWS's messages
 * (credentials with '*' is refused as AWS refuses it), each shown next to the field it is about.
 */
function CorsPanel({ api, onSaved }: { api: HttpApi; onSaved: () => void }) {
  const c: CorsConfiguration = api.corsConfiguration ?? {};
  const [origins, setOrigins] = useState((c.allowOrigins ?? []).join(', '));
  const [methods, setMethods] = useState((c.allowMethods ?? []).join(', '));
  const [headers, setHeaders] = useState((c.allowHeaders ?? []).join(', '));
  const [expose, setExpose] = useState((c.exposeHeaders ?? []).join(', '));
  const [maxAge, setMaxAge] = useState(c.maxAge === undefined ? '' : String(c.maxAge));
  const [credentials, setCredentials] = useState(!!c.allowCredentials);
  const [error, setError] = useState<{ field: CorsField; message: string }>();
  const [saved, setSaved] = useState(false);
  const err = (f: CorsField) => (error?.field === f ? error.message : undefined);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    if (maxAge !== '' && !/^-?\d+$/.test(maxAge.trim())) {
      setError({ field: 'maxAge', message: `Max age must be a whole number of seconds; got '${maxAge}'` });
      return;
    }
    try {
      await http.update(api.apiId, {
        corsConfiguration: {
          allowOrigins: list(origins),
          allowMethods: list(methods),
          allowHeaders: list(headers),
          exposeHeaders: list(expose),
          allowCredentials: credentials,
          ...(maxAge !== '' ? { maxAge: Number(maxAge) } : {}),
        },
      });
      setSaved(true);
      onSaved();
    } catch (err2) {
      const message = errorText(err2);
      const field: CorsField = /allow-credentials/i.test(message) ? 'credentials' : /allowOrigins/i.test(message) ? 'origins' : /allowMethods/i.test(message) ? 'methods' : /maxAge/i.test(message) ? 'maxAge' : /allowHeaders/i.test(message) ? 'headers' : /exposeHeaders/i.test(message) ? 'expose' : 'form';
      setError({ field, message });
    }
  };
  const clear = async () => {
    try {
      await http.removeCors(api.apiId);
      onSaved();
    } catch (e) {
      setError({ field: 'form', message: errorText(e) });
    }
  };
  return (
    <form className="stack-form" onSubmit={save} aria-label="CORS configuration">
      <h2>CORS</h2>
      <p className="hint">With a CORS configuration, API Gateway answers preflights itself and ignores CORS headers from integrations. Changes go live on auto-deploying stages at once; other stages need a deployment.</p>
      <Field label="Access-Control-Allow-Origin (comma-separated)" error={err('origins')} hint="* or origins such as https://example.com (scheme and host, no path)">
        <input value={origins} onChange={(e) => setOrigins(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Access-Control-Allow-Methods (comma-separated)" error={err('methods')} hint="GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or *">
        <input value={methods} onChange={(e) => setMethods(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Access-Control-Allow-Headers (comma-separated)" error={err('headers')}>
        <input value={headers} onChange={(e) => setHeaders(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Access-Control-Expose-Headers (comma-separated)" error={err('expose')}>
        <input value={expose} onChange={(e) => setExpose(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Access-Control-Max-Age (seconds)" error={err('maxAge')}>
        <input value={maxAge} onChange={(e) => setMaxAge(e.target.value)} inputMode="numeric" autoComplete="off" />
      </Field>
      <Check label="Access-Control-Allow-Credentials" checked={credentials} onChange={setCredentials} error={err('credentials')} />
      <ErrorBox error={err('form')} />
      {saved ? <p role="status" className="ok-note">Saved.</p> : null}
      <div className="actions">
        <button type="button" onClick={clear}>
          Clear CORS configuration
        </button>
        <button type="submit" className="primary">
          Save
        </button>
      </div>
    </form>
  );
}

function Stages({ apiId, info }: { apiId: string; info: ServerInfo }) {
  const stages = useLoad(() => http.stages(apiId), [apiId], relevantTo(apiId));
  const statuses = useLoad(() => consoleApi.httpStageStatus(apiId), [apiId], relevantTo(apiId));
  const deployments = useLoad(() => http.deployments(apiId), [apiId], relevantTo(apiId));
  const [name, setName] = useState('');
  const [auto, setAuto] = useState(true);
  const [error, setError] = useState<{ field: 'name' | 'form'; message: string }>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await http.createStage(apiId, { stageName: name, autoDeploy: auto });
      stages.reload();
    } catch (err) {
      const message = errorText(err);
      setError({ field: /stage/i.test(message) ? 'name' : 'form', message });
    }
  };
  const deploy = async (stageName: string) => {
    try {
      await http.deploy(apiId, { stageName });
      statuses.reload();
    } catch (e) {
      setError({ field: 'form', message: errorText(e) });
    }
  };
  return (
    <div>
      <h2>Stages</h2>
      {(stages.data ?? []).map((s) => {
        const st = statuses.data?.find((x) => x.stageName === s.stageName);
        const stale = !!st?.undeployedChanges && !s.autoDeploy;
        return (
          <section key={s.stageName} className="stage-card" aria-label={`Stage ${s.stageName}`}>
            <h3>
              {s.stageName} {s.autoDeploy ? <span className="badge ok">auto-deploy</span> : null} {stale ? <span className="badge warn">changes not deployed</span> : null}
            </h3>
            <div>
              Invoke URL: <code className="url">{httpInvokeUrl(info.port, apiId, s.stageName)}</code>
            </div>
            <div className="muted small">Deployment {s.deploymentId ?? 'none'}</div>
            {!s.autoDeploy ? (
              <button type="button" className="primary small" onClick={() => deploy(s.stageName)}>
                Deploy to {s.stageName}
              </button>
            ) : null}
            {stale ? <StageDiffView apiId={apiId} stage={s.stageName} kind="http" /> : null}
          </section>
        );
      })}
      <h3>Deployment history</h3>
      <ul className="plain">
        {[...(deployments.data ?? [])].reverse().map((d) => (
          <li key={d.deploymentId}>
            <code>{d.deploymentId}</code> {new Date(d.createdDate).toLocaleString()} <span className="muted small">{d.description ?? ''}</span>
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={create} aria-label="Create stage">
        <Field label="Stage name" error={error?.field === 'name' ? error.message : undefined}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" placeholder="$default" />
        </Field>
        <Check label="Automatic deployment" checked={auto} onChange={setAuto} />
        <button type="submit">Create stage</button>
      </form>
      <ErrorBox error={error?.field === 'form' ? error.message : undefined} />
    </div>
  );
}
