import type { Prediction } from '../../lib/api.js';
import { Link } from '../../lib/router.js';
import type { BrowserOutcome } from './sandbox.js';

type Report = Extract<Prediction, { kind: 'report' }>['report'];

/** The two verdicts side by side, and whether they agree. */
export function Verdicts({ prediction, browser }: { prediction: Prediction; browser: BrowserOutcome | 'not-run' | undefined }) {
  const predicted = prediction.kind === 'report' ? prediction.report.verdict : prediction.kind === 'same-origin' ? 'allowed' : undefined;
  const real = browser === undefined || browser === 'not-run' ? undefined : browser.ok ? 'allowed' : 'blocked';
  return (
    <div className="verdicts" role="status">
      <span className={`verdict ${predicted ?? 'unknown'}`}>Prediction: {predicted ?? 'no answer'}</span>
      <span className={`verdict ${real ?? 'unknown'}`}>Browser: {real ?? 'not run'}</span>
      {predicted && real ? (
        predicted === real ? (
          <span className="muted">The browser did what preflight predicted.</span>
        ) : (
          <span className="warn-text">The browser disagrees with the prediction (a cached preflight can do this: Chromium keeps a passed preflight for 5 s unless Access-Control-Max-Age says otherwise).</span>
        )
      ) : null}
    </div>
  );
}

export function PredictionView({ prediction, origin }: { prediction: Prediction; origin: string }) {
  if (prediction.kind === 'same-origin') {
    return (
      <section className="result-col" aria-labelledby="pred-title">
        <h2 id="pred-title">Prediction</h2>
        <p>{prediction.message}</p>
      </section>
    );
  }
  if (prediction.kind !== 'report') {
    return (
      <section className="result-col" aria-labelledby="pred-title">
        <h2 id="pred-title">Prediction</h2>
        <div className="error-box" role="alert">
          {prediction.message}
        </div>
      </section>
    );
  }
  const r = prediction.report;
  return (
    <section className="result-col" aria-labelledby="pred-title">
      <h2 id="pred-title">
        Prediction <span className="muted small">preflight doctor, server side</span>
      </h2>
      <p className={`verdict-line ${r.verdict}`}>
        {r.verdict === 'allowed' ? 'Allowed' : 'Blocked'}: {r.explanation}
      </p>
      {r.chromiumMessage ? (
        <figure className="console-line">
          <figcaption>
            What Chromium prints in DevTools’ console <span className="muted small">(predicted by preflight’s Chromium model, src/cors: a page cannot read the console)</span>
          </figcaption>
          <pre className="code error-text">{r.chromiumMessage}</pre>
        </figure>
      ) : null}
      <FixLinks report={r} origin={origin} />
      {r.fixes.length ? (
        <>
          <h3>Fixes</h3>
          <ul className="plain">
            {r.fixes.map((f, i) => (
              <li key={i}>
                {f.text}
                {f.command ? <pre className="code">{f.command}</pre> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {r.warnings.length ? (
        <>
          <h3>Warnings</h3>
          <ul className="plain">
            {r.warnings.map((w, i) => (
              <li key={i} className="warn-text">
                {w.text}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Trace</h3>
      <ol className="trace">
        {r.trace.map((s, i) => (
          <li key={i} className={s.ok ? 'ok' : 'bad'}>
            <span aria-hidden="true">{s.ok ? '✓' : '✗'}</span> <strong>{s.question}</strong> <span>{s.answer}</span>
          </li>
        ))}
      </ol>
      <details>
        <summary>Exchanges ({r.exchanges.length})</summary>
        {r.exchanges.map((e, i) => (
          <pre key={i} className="code">
            {`${e.request.method} ${e.request.url}   [${e.purpose}]\n${Object.entries(e.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n→ ${e.response.status}\n${Object.entries(e.response.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}`}
          </pre>
        ))}
      </details>
    </section>
  );
}

/** One click from a failure to the place that fixes it in this console. */
function FixLinks({ report, origin }: { report: Report; origin: string }) {
  const inspection = report.inspection;
  const links: { to: string; label: string }[] = [];
  const apiId = inspection?.api?.id;
  if (apiId && inspection?.kind === 'rest') {
    const stage = inspection.stage?.name;
    const resourceId = inspection.current?.id;
    const undeployed = report.cause === 'stale-deployment' || report.warnings.some((w) => w.id === 'undeployed-changes');
    if (undeployed && stage) links.push({ to: `/apis/rest/${apiId}?tab=stages&stage=${encodeURIComponent(stage)}&dialog=deploy`, label: `Open stage ${stage} to deploy the changes` });
    const corsCauses = ['no-options-method', 'preflight-missing-allow-origin', 'preflight-status', 'origin-mismatch', 'method-not-allowed', 'header-not-allowed', 'credentials-with-wildcard', 'invalid-allow-methods', 'invalid-allow-headers', 'gateway-error-without-cors'];
    if (report.cause && corsCauses.includes(report.cause)) {
      const q = new URLSearchParams({ dialog: 'cors', ...(resourceId ? { resource: resourceId } : {}), ...(report.cause === 'gateway-error-without-cors' ? { gatewayResponses: 'true' } : {}) });
      // The doctor's fix names the page's origin; the dialog opens with it filled in (the console's default is '*').
      q.set('origin', origin);
      links.push({ to: `/apis/rest/${apiId}?${q}`, label: `Open Enable CORS for ${inspection.current?.path ?? 'the resource'}` });
    }
    const fn = inspection.method?.functionName;
    if (fn && (report.cause === 'lambda-missing-cors-headers' || report.cause === 'missing-allow-origin')) {
      links.push({ to: `/functions/${encodeURIComponent(fn)}`, label: `Open function ${fn} (its response needs Access-Control-Allow-Origin)` });
    }
  } else if (apiId && inspection?.kind === 'http' && report.verdict === 'blocked') {
    links.push({ to: `/apis/http/${apiId}?tab=cors`, label: 'Open the API’s CORS configuration' });
  }
  if (links.length === 0) return null;
  return (
    <div className="fix-links">
      {links.map((l) => (
        <Link key={l.to} to={l.to} className="button primary">
          {l.label}
        </Link>
      ))}
    </div>
  );
}

export function BrowserView({ outcome, request }: { outcome: BrowserOutcome | 'not-run' | undefined; request: { url: string; origin: string; method: string } }) {
  return (
    <section className="result-col" aria-labelledby="browser-title">
      <h2 id="browser-title">
        This browser <span className="muted small">real fetch from {request.origin}</span>
      </h2>
      {outcome === undefined ? <p className="muted">…</p> : null}
      {outcome === 'not-run' ? (
        <p className="muted">Not run: preflight cannot serve a page on {request.origin}. Use an origin such as http://app.localhost:PORT to compare with a real request.</p>
      ) : null}
      {outcome && outcome !== 'not-run' ? (
        outcome.ok ? (
          <>
            <p className="verdict-line allowed">
              Allowed: the page read the response, status {outcome.status} ({outcome.ms} ms).
            </p>
            <h3>Headers the page can read</h3>
            <pre className="code">{Object.entries(outcome.headers).map(([k, v]) => `${k}: ${v}`).join('\n') || '(none)'}</pre>
            <h3>Body</h3>
            <pre className="code">{outcome.body || '(empty)'}</pre>
          </>
        ) : (
          <>
            <p className="verdict-line blocked">Blocked: fetch() rejected ({outcome.ms} ms).</p>
            <figure className="console-line">
              <figcaption>
                What the page saw <span className="muted small">(captured from the sandbox page: this is all a page is told)</span>
              </figcaption>
              <pre className="code error-text">{outcome.error}</pre>
            </figure>
            <p className="hint">
              Browsers hide the reason from the page on purpose; the reason is in DevTools’ console (open it on this tab to see the line for {request.method} {request.url}).
            </p>
          </>
        )
      ) : null}
    </section>
  );
}
