import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** The console lives under this path on the server (vite `base`). */
export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export interface Location {
  /** Path inside the console, starting with '/'. */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) || '/' : '/';
  return { path, query: new URLSearchParams(window.location.search) };
}

const CHANGE = 'preflight:navigate';

/** Goes to a console path ("/apis/rest/abc?resource=x"); `replace` keeps history short for tab switches. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = `${BASE}${to}`;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return loc;
}

/** Sets or clears query parameters of the current location. */
export function withQuery(loc: Location, changes: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams(loc.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return `${loc.path}${s ? `?${s}` : ''}`;
}

export function Link({ to, replace, ...rest }: { to: string; replace?: boolean } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to, replace ? { replace } : {});
  };
  return <a href={`${BASE}${to}`} onClick={onClick} {...rest} />;
}
