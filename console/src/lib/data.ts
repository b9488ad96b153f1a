import { useCallback, useEffect, useRef, useState } from 'react';
import type { ControlEvent } from '../../../src/control/events.js';
import { ApiError } from './api.js';
import { serverEvents, useConnection } from './events.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads data and keeps it current: again when `deps` change, when the control plane reports a change that
 * `relevant` says concerns it (another tab, the CLI, the SDK), and after a reconnect or a server restart.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], relevant: (e: ControlEvent) => boolean = () => true): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const { generation } = useConnection();
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const relevantRef = useRef(relevant);
  relevantRef.current = relevant;

  const reload = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => {
        if (mine === seq.current) setState({ data, error: undefined, loading: false });
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        const error = e instanceof ApiError ? e : new ApiError(0, 'Error', String(e));
        setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, []);

  useEffect(reload, [...deps, generation]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = serverEvents.on((e) => {
      if (e.type !== 'control' || !relevantRef.current(e.data)) return;
      // A console action makes several changes in a row; one reload after them is enough.
      clearTimeout(timer);
      timer = setTimeout(reload, 120);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [reload]);

  return { ...state, reload };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
