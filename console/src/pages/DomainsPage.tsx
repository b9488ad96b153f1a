import { useState, type FormEvent } from 'react';
import { consoleApi, domains, type DomainNameView } from '../lib/api.js';
import { errorText, useLoad } from '../lib/data.js';
import { Link, navigate, type Location } from '../lib/router.js';
import { Confirm } from '../ui/Confirm.js';
import { ErrorBox, Field } from '../ui/Field.js';
import { TableHead } from '../ui/TableHead.js';

/** A certificate ARN stands in for the one AWS would need: nothing is served over TLS locally. */
const LOCAL_CERTIFICATE = 'arn:aws:acm:us-east-1:000000000000:certificate/local';

/** Custom domain names, as the API Gateway console's page: the list, and for one its API mappings. */
export function DomainsPage({ loc }: { loc: Location }) {
  const list = useLoad(() => domains.list(), [], (e) => e.kind === 'domains' || e.kind === 'external');
  const name = /^\/domains\/([^/]+)$/.exec(loc.path)?.[1];
  const selected = list.data?.find((d) => d.domainName === (name ? decodeURIComponent(name) : undefined));
  return (
    <section aria-labelledby="domains-title">
      <h1 id="domains-title">Custom domain names</h1>
      <ErrorBox error={list.error?.message} />
      <div className="split">
        <nav className="pane tree-pane" aria-label="Custom domain names">
          {list.data?.length === 0 ? <p className="muted">No custom domain names yet.</p> : null}
          <ul className="stage-list">
            {(list.data ?? []).map((d) => (
              <li key={d.domainName}>
                <Link to={`/domains/${encodeURIComponent(d.domainName)}`} aria-current={d === selected ? 'true' : undefined}>
                  {d.domainName}
                </Link>
                <span className="muted small">{d.endpointConfiguration.types[0]}</span>
              </li>
            ))}
          </ul>
          <CreateDomain onCreated={(d) => navigate(`/domains/${encodeURIComponent(d)}`)} />
        </nav>
        <div className="pane detail-pane">
          {selected ? (
            <DomainDetail key={selected.domainName} domain={selected} />
          ) : (
            <p className="muted">{name ? `No custom domain named ${decodeURIComponent(name)}.` : 'Pick a domain name, or create one.'}</p>
          )}
        </div>
      </div>
    </section>
  );
}

function CreateDomain({ onCreated }: { onCreated: (name: string) => void }) {
  const [domainName, setDomainName] = useState('');
  const [endpointType, setEndpointType] = useState<'REGIONAL' | 'EDGE'>('REGIONAL');
  const [certificateArn, setCertificateArn] = useState(LOCAL_CERTIFICATE);
  const [error, setError] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const d = await domains.create({ domainName: domainName.trim(), endpointType, certificateArn });
      setDomainName('');
      onCreated(d.domainName);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="stack-form" onSubmit={submit} aria-label="Create domain name">
      <h2>Create domain name</h2>
      <Field label="Domain name" error={error} hint="A name under .localhost (api.myapp.localhost) opens in the browser with no DNS to set up.">
        <input value={domainName} onChange={(e) => setDomainName(e.target.value)} placeholder="api.myapp.localhost" required />
      </Field>
      <Field label="Endpoint type">
        <select value={endpointType} onChange={(e) => setEndpointType(e.target.value as 'REGIONAL' | 'EDGE')}>
          <option value="REGIONAL">Regional</option>
          <option value="EDGE">Edge-optimized</option>
        </select>
      </Field>
      <Field label="Certificate ARN" hint="Required by AWS; not used locally.">
        <input value={certificateArn} onChange={(e) => setCertificateArn(e.target.value)} required />
      </Field>
      <button type="submit" className="primary">
        Create domain name
      </button>
    </form>
  );
}

function DomainDetail({ domain }: { domain: DomainNameView }) {
  const name = domain.domainName;
  const mappings = useLoad(() => domains.mappings(name), [name], (e) => e.kind === 'domains' || e.kind === 'external');
  const apis = useLoad(() => consoleApi.apis(), [], (e) => e.kind === 'restapi' || e.kind === 'httpapi' || e.kind === 'external');
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string>();
  const target = domain.regionalDomainName ?? domain.distributionDomainName;
  const local = name.endsWith('.localhost') ? `http://${name}:${window.location.port || '80'}` : undefined;
  // A mapping made through API Gateway v2 may point at an HTTP API: the v1 view names it restApiId all the same.
  const apiOf = (id: string) => {
    const restApi = apis.data?.rest.find((a) => a.id === id);
    if (restApi) return { to: `/apis/rest/${id}`, name: restApi.name };
    const httpApi = apis.data?.http.find((a) => a.apiId === id);
    return { to: `/apis/http/${id}`, name: httpApi?.name ?? id };
  };
  const removeMapping = async (basePath: string) => {
    setError(undefined);
    try {
      await domains.removeMapping(name, basePath);
      mappings.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div>
      <div className="page-head">
        <h2>{name}</h2>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete domain name
        </button>
      </div>
      <dl className="facts">
        <dt>Endpoint type</dt>
        <dd>{domain.endpointConfiguration.types.join(', ')}</dd>
        <dt>API Gateway domain name</dt>
        <dd>
          <code>{target}</code> <span className="muted small">(what a DNS record would point at on AWS)</span>
        </dd>
        <dt>Security policy</dt>
        <dd>{domain.securityPolicy}</dd>
        {local ? (
          <>
            <dt>Here</dt>
            <dd>
              <a href={local} target="_blank" rel="noreferrer">
                {local}
              </a>
            </dd>
          </>
        ) : null}
      </dl>
      <h3>API mappings</h3>
      <ErrorBox error={mappings.error?.message ?? error} />
      {mappings.data?.length === 0 ? <p className="muted">No mappings: every request to this name gets 403 Forbidden.</p> : null}
      {mappings.data && mappings.data.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">API mappings of {name}</caption>
            <TableHead columns={['Path', 'API', 'Stage']} />
            <tbody>
              {mappings.data.map((m) => {
                const path = `/${m.basePath === '(none)' ? '' : m.basePath}`;
                const target = apiOf(m.restApiId);
                return (
                  <tr key={m.basePath}>
                    <td>
                      <code>{path}</code>
                    </td>
                    <td>
                      <Link to={target.to}>{target.name}</Link>
                    </td>
                    <td>{m.stage ?? <span className="muted">named by the caller</span>}</td>
                    <td>
                      <button type="button" className="danger small" onClick={() => void removeMapping(m.basePath)} aria-label={`Delete mapping ${path}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <AddMapping
        domainName={name}
        regional={domain.endpointConfiguration.types.includes('REGIONAL')}
        apis={[
          ...(apis.data?.rest ?? []).map((a) => ({ id: a.id, name: a.name, kind: 'REST' as const, stages: a.stages })),
          ...(apis.data?.http ?? []).map((a) => ({ id: a.apiId, name: a.name, kind: 'HTTP' as const, stages: a.stages })),
        ]}
        onAdded={mappings.reload}
      />
      {deleting ? (
        <Confirm
          title={`Delete ${name}?`}
          message="Its API mappings go with it; the APIs stay."
          action={() => domains.remove(name)}
          onDone={() => navigate('/domains')}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </div>
  );
}

type ApiChoice = { id: string; name: string; kind: 'REST' | 'HTTP'; stages: { stageName: string }[] };

/**
 * A REGIONAL domain takes API mappings (API Gateway v2: REST or HTTP APIs, paths of several levels), an EDGE one base
 * path mappings (v1: REST APIs, one level), as in the API Gateway console.
 */
function AddMapping({ domainName, regional, apis, onAdded }: { domainName: string; regional: boolean; apis: ApiChoice[]; onAdded: () => void }) {
  const [basePath, setBasePath] = useState('');
  const [apiId, setApiId] = useState('');
  const [stage, setStage] = useState('');
  const [error, setError] = useState<string>();
  const choices = regional ? apis : apis.filter((a) => a.kind === 'REST');
  const stages = choices.find((a) => a.id === apiId)?.stages ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const path = basePath.trim();
      if (regional) await domains.createApiMapping(domainName, { apiId, apiMappingKey: path, stage });
      else await domains.createMapping(domainName, { basePath: path, restApiId: apiId, stage });
      setBasePath('');
      onAdded();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add API mapping">
      <Field label="Path" hint={regional ? 'Empty maps the whole domain; levels with "/" (orders/v2).' : 'Empty maps the whole domain.'} error={error}>
        <input value={basePath} onChange={(e) => setBasePath(e.target.value)} placeholder="v1" />
      </Field>
      <Field label="API">
        <select
          value={apiId}
          onChange={(e) => {
            setApiId(e.target.value);
            setStage('');
          }}
          required
        >
          <option value="">{regional ? 'Choose an API' : 'Choose a REST API'}</option>
          {choices.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.kind} {a.id})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Stage">
        <select value={stage} onChange={(e) => setStage(e.target.value)} required disabled={!apiId}>
          <option value="">Choose a stage</option>
          {stages.map((s) => (
            <option key={s.stageName} value={s.stageName}>
              {s.stageName}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" className="primary">
        Add mapping
      </button>
    </form>
  );
}
