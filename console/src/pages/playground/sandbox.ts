import { useCallback, useEffect, useRef, useState } from 'react';

/** What the page in the sandbox could see of its own fetch: exactly what fetch() gave it. */
export type BrowserOutcome =
  | { ok: true; status: number; statusText: string; type: string; headers: Record<string, string>; body: string; ms: number; origin: string }
  | { ok: false; error: string; ms: number; origin: string };

export interface BrowserRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  credentials: 'include' | 'same-origin';
}

/** Origins the server can host a sandbox page on: http://{name}.localhost:{this port}. */
export function isSandboxOrigin(origin: string, port: number): boolean {
  const m = /^http:\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.localhost:(\d+)$/i.exec(origin.trim());
  return !!m && Number(m[2]) === port && !/\.execute-api$/i.test(m[1]!);
}

/**
 * Drives the sandbox page (src/server/console-sandbox.ts) framed on `origin`: the request is made by that page, so
 * the browser applies CORS exactly as it would for a front end on that origin. Messages go only to that origin.
 */
export function useSandbox(origin: string | undefined) {
  const frame = useRef<HTMLIFrameElement | null>(null);
  const [ready, setReady] = useState(false);
  const pending = useRef(new Map<string, (o: BrowserOutcome) => void>());

  useEffect(() => {
    setReady(false);
    if (!origin) return;
    const onMessage = (e: MessageEvent) => {
      if (e.origin !== origin || typeof e.data !== 'object' || e.data === null) return;
      const data = e.data as { kind?: string; id?: string } & Record<string, unknown>;
      if (data.kind === 'preflight-sandbox-ready') setReady(true);
      if (data.kind === 'preflight-fetch-result' && data.id) {
        pending.current.get(data.id)?.(data as unknown as BrowserOutcome);
        pending.current.delete(data.id);
      }
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [origin]);

  const run = useCallback(
    (req: BrowserRequest) =>
      new Promise<BrowserOutcome>((resolve) => {
        const target = frame.current?.contentWindow;
        if (!origin || !target) {
          resolve({ ok: false, error: 'The sandbox page is not loaded.', ms: 0, origin: origin ?? '' });
          return;
        }
        const id = Math.random().toString(36).slice(2);
        const timer = setTimeout(() => {
          pending.current.delete(id);
          resolve({ ok: false, error: 'The sandbox page did not answer within 30 s.', ms: 30000, origin });
        }, 30_000);
        pending.current.set(id, (o) => {
          clearTimeout(timer);
          resolve(o);
        });
        target.postMessage({ kind: 'preflight-fetch', id, ...req }, origin);
      }),
    [origin],
  );

  return { frame, ready, run };
}
