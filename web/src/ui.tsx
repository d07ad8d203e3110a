import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

/** An error as the server gave it: its code, and its message verbatim; the dashboard's own hint apart. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e =
    error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), null);
  return (
    <div className="error" role="alert">
      {e.code && <span className="code">{e.code}</span>} <span className="server-message">{e.message}</span>
      {e.hint && <div className="hint">{e.hint}</div>}
    </div>
  );
}

/** A version's or model's tags as key=value chips. */
export function TagList({ tags }: { tags: { key: string; value: string }[] }) {
  return (
    <>
      {tags.map((t) => (
        <span key={t.key} className="tag">
          {t.key}={t.value}
        </span>
      ))}
    </>
  );
}

export function StageBadge({ stage }: { stage: string }) {
  return <span className={`badge stage stage-${stage.toLowerCase()}`}>{stage}</span>;
}

export function AliasBadge({
  alias,
  version,
  protectedAlias,
}: {
  alias: string;
  version?: number | null;
  protectedAlias?: boolean;
}) {
  return (
    <span
      className="badge alias"
      data-alias={alias}
      title={protectedAlias ? 'protected: moving it is a promotion' : undefined}
    >
      {protectedAlias && <span aria-label="protected">🔒 </span>}@{alias}
      {version != null && <b> → v{version}</b>}
    </span>
  );
}

/**
 * Loads with `load` whenever `deps` or `reloadKey` change; exposes data, error,
 * loading, a reload. A change of `deps` is a new question: the old answer is
 * cleared. A change of `reloadKey` (a live event, a tick) asks the same
 * question again: what is shown stays on screen, and with it any dialog open
 * in it, until the new answer arrives.
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[], reloadKey?: unknown) {
  // The state remembers which question its data answers: on the render where the
  // question changes (before the effect below has run) the old answer is not shown
  // as the new one's, e.g. page 1's rows under a "page 2" heading.
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean; deps: unknown[] }>({
    data: null,
    error: null,
    loading: true,
    deps,
  });
  const [tick, setTick] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, [...deps, reloadKey]);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: sameDeps(s.deps, deps) ? s.data : null, loading: true, error: null, deps }));
    run().then(
      (data) => live && setState({ data, error: null, loading: false, deps }),
      (error) =>
        live && setState((s) => ({ data: sameDeps(s.deps, deps) ? s.data : null, error, loading: false, deps })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = sameDeps(state.deps, deps);
  return {
    data: current ? state.data : null,
    error: current ? state.error : null,
    loading: current ? state.loading : true,
    reload,
  };
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((d, i) => Object.is(d, b[i]));
}

/**
 * A button that opens a confirmation dialog saying what will happen; the
 * confirm button runs the mutation. A refusal is shown in the dialog with the
 * server's code and message verbatim, and the dialog stays open. On success
 * the dialog closes: the page updates from the live events, not from here.
 */
export function Action({
  label,
  title,
  confirm,
  run,
  children,
  onOpen,
  onDone,
  danger,
  testid,
}: {
  label: ReactNode;
  title: string;
  confirm: string;
  run: () => Promise<unknown>;
  children: ReactNode;
  onOpen?: () => void;
  onDone?: (result: unknown) => void;
  danger?: boolean;
  testid?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const open = () => {
    setError(null);
    onOpen?.();
    ref.current?.showModal();
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await run();
      ref.current?.close();
      onDone?.(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={`action${danger ? ' danger' : ''}`} onClick={open} data-testid={testid}>
        {label}
      </button>
      <dialog
        ref={ref}
        aria-labelledby={`${id}-title`}
        className="confirm"
        data-testid={testid ? `${testid}-dialog` : undefined}
      >
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h2 id={`${id}-title`}>{title}</h2>
          <div className="what">{children}</div>
          <ErrorBox error={error} />
          <div className="buttons">
            <button type="button" onClick={() => ref.current?.close()} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className={danger ? 'primary danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : confirm}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** A labelled form field: the label is tied to its control for screen readers and clicks. */
export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  children: (id: string) => ReactNode;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <div className="muted small">{hint}</div>}
    </div>
  );
}

/** "live" / "live: polling" / "…" beside a heading: how the page keeps itself current. */
export function LiveBadge({ mode }: { mode: 'connecting' | 'websocket' | 'polling' }) {
  return (
    <span className={`live live-${mode}`} data-testid="live-mode">
      {mode === 'polling' ? 'live: polling every 3 s' : mode === 'websocket' ? 'live' : '…'}
    </span>
  );
}

export function Pager({
  canBack,
  canForward,
  onBack,
  onForward,
  busy,
  label,
}: {
  canBack: boolean;
  canForward: boolean;
  onBack: () => void;
  onForward: () => void;
  busy?: boolean;
  label?: string;
}) {
  return (
    <nav className="pager" aria-label="pages">
      <button type="button" disabled={!canBack || busy} onClick={onBack}>
        ← previous
      </button>
      {label && <span className="muted">{label}</span>}
      <button type="button" disabled={!canForward || busy} onClick={onForward}>
        next →
      </button>
    </nav>
  );
}
