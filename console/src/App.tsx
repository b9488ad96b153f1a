import { useEffect, useState } from 'react';
import { consoleApi, type ServerInfo } from './lib/api.js';
import { useConnection } from './lib/events.js';
import { Link, useLocation } from './lib/router.js';
import { ApisPage } from './pages/ApisPage.js';
import { RestApiPage } from './pages/RestApiPage.js';
import { HttpApiPage } from './pages/HttpApiPage.js';
import { FunctionsPage } from './pages/FunctionsPage.js';
import { PlaygroundPage } from './pages/PlaygroundPage.js';
import { DomainsPage } from './pages/DomainsPage.js';

export function App() {
  const loc = useLocation();
  const { connection, generation } = useConnection();
  const [info, setInfo] = useState<ServerInfo>();
  useEffect(() => {
    consoleApi.info().then(setInfo, () => undefined);
  }, [generation]);

  const section = loc.path.startsWith('/functions') ? 'functions' : loc.path.startsWith('/playground') ? 'playground' : loc.path.startsWith('/domains') ? 'domains' : 'apis';
  let page;
  let m: RegExpExecArray | null;
  if (!info) page = <p className="muted">Loading…</p>;
  else if ((m = /^\/apis\/rest\/([^/]+)$/.exec(loc.path))) page = <RestApiPage key={m[1]} apiId={m[1]!} info={info} loc={loc} />;
  else if ((m = /^\/apis\/http\/([^/]+)$/.exec(loc.path))) page = <HttpApiPage key={m[1]} apiId={m[1]!} info={info} loc={loc} />;
  else if (section === 'functions') page = <FunctionsPage loc={loc} />;
  else if (section === 'playground') page = <PlaygroundPage info={info} loc={loc} />;
  else if (section === 'domains') page = <DomainsPage loc={loc} />;
  else page = <ApisPage info={info} />;

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">preflight</span>
        <nav aria-label="Sections">
          <Link to="/" aria-current={section === 'apis' ? 'page' : undefined}>
            APIs
          </Link>
          <Link to="/functions" aria-current={section === 'functions' ? 'page' : undefined}>
            Functions
          </Link>
          <Link to="/domains" aria-current={section === 'domains' ? 'page' : undefined}>
            Custom domains
          </Link>
          <Link to="/playground" aria-current={section === 'playground' ? 'page' : undefined}>
            CORS playground
          </Link>
        </nav>
        <span className={`conn conn-${connection}`} aria-hidden="true" title={`Live updates: ${connection}`} />
      </header>
      {connection === 'lost' ? (
        <div className="banner" role="alert">
          Lost the connection to preflight ({window.location.host}). Reconnecting… Changes you make now may fail until it is back.
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </div>
  );
}
