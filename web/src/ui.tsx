import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), null);
  return (
    <div className="error" role="alert">
      {e.code && <span className="code">{e.code}</span>} {e.message}
    </div>
  );
}

export function StageBadge({ stage }: { stage: string }) {
  return <span className={`badge stage stage-${stage.toLowerCase()}`}>{stage}</span>;
}

export function AliasBadge({ alias, version }: { alias: string; version?: number | null }) {
  return (
    <span className="badge alias" data-alias={alias}>
      @{alias}
      {version != null && <b> → v{version}</b>}
    </span>
  );
}

/** Loads with `load` whenever `deps` change; exposes data, error, loading and a reload. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    run().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [run, tick]);
  return { ...state, reload: () => setTick((t) => t + 1), setData: (f: (d: T | null) => T | null) => setState((s) => ({ ...s, data: f(s.data) })) };
}
