/** Pieces every page shares: the session, routing helpers, loading state, permissions, small widgets. */
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, messageOf, mlflow3 } from './api';

export interface SessionInfo {
  /** Whether the server has authentication on. */
  readonly authentication: boolean;
  readonly user?: { readonly id: number; readonly username: string; readonly is_admin: boolean };
}

export const Session = createContext<SessionInfo>({ authentication: false });

export function useSession(): SessionInfo {
  return useContext(Session);
}

export const modelHref = (name: string) => `#/models/${encodeURIComponent(name)}`;
export const versionHref = (name: string, v: string) => `#/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(v)}`;
export const runHref = (exp: string, run: string) => `#/experiments/${encodeURIComponent(exp)}/runs/${encodeURIComponent(run)}`;

export function time(ms: number | string | undefined): string {
  if (ms === undefined || ms === null || ms === '') return '';
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace('T', ' ').slice(0, 19);
}

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ok'; value: T };

/** Runs `load` when `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => live && setResult({ state: 'ok', value }),
      (error) => live && setResult({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [result, () => setTick((t) => t + 1)];
}

export function ErrorBox({ error }: { error: unknown }) {
  const denied = error instanceof ApiError && (error.status === 403 || error.status === 404);
  return (
    <p class="error" role="alert">
      {denied && error instanceof ApiError && error.status === 403 ? 'You may not see this. ' : ''}
      {messageOf(error)}
    </p>
  );
}

export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <p class="muted" aria-busy="true">Loading…</p>;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  return <>{children(loaded.value)}</>;
}

/** What the signed-in user may do on a registered model (auth off: everything). */
export interface Abilities {
  readonly canUpdate: boolean;
  readonly canDelete: boolean;
  readonly canManage: boolean;
  /** Why a disabled button is disabled. */
  readonly reason: string;
}

const ALL: Abilities = { canUpdate: true, canDelete: true, canManage: true, reason: '' };
const RANK: Record<string, number> = { READ: 1, USE: 2, EDIT: 3, MANAGE: 4 };

/** The user's permission on the model, through the same API MLflow's auth client uses (users/permissions/get). */
export function useModelAbilities(name: string): Abilities {
  const session = useSession();
  const [abilities, setAbilities] = useState<Abilities>(session.authentication && !session.user?.is_admin ? none('checking permissions…') : ALL);
  useEffect(() => {
    if (!session.authentication || !session.user || session.user.is_admin) {
      setAbilities(ALL);
      return;
    }
    mlflow3('GET', 'users/permissions/get', { username: session.user.username, resource_type: 'registered_model', resource_id: name }).then(
      (r: { permission?: string }) => {
        const rank = RANK[r.permission ?? ''] ?? 0;
        const reason = `your permission on this model is ${r.permission ?? 'none'}`;
        setAbilities({
          canUpdate: rank >= 3,
          canDelete: rank >= 4,
          canManage: rank >= 4,
          reason: rank >= 3 ? `${reason}; deleting needs MANAGE` : `${reason}; changes need EDIT`,
        });
      },
      () => setAbilities(none('your permissions could not be read')),
    );
  }, [name, session.user?.username]);
  return abilities;
}

function none(reason: string): Abilities {
  return { canUpdate: false, canDelete: false, canManage: false, reason };
}

/** A button that runs an async action, shows the server's refusal, and is disabled with its reason. */
export function ActionButton({
  label,
  run,
  allowed = true,
  reason = '',
  kind = '',
  done,
}: {
  label: string;
  run: () => Promise<unknown>;
  allowed?: boolean;
  reason?: string;
  kind?: string;
  done?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <span class="action">
      <button
        type="button"
        class={kind}
        disabled={!allowed || busy}
        title={allowed ? undefined : reason}
        aria-label={allowed ? undefined : `${label} (not allowed: ${reason})`}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await run();
            done?.();
          } catch (err) {
            setError(messageOf(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </button>
      {error ? (
        <span class="error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

/** A form whose submit runs an async action; the server's error shows beside it. */
export function ActionForm({
  children,
  submit,
  label,
  allowed = true,
  reason = '',
  done,
  name,
}: {
  children: ComponentChildren;
  submit: (data: FormData) => Promise<unknown>;
  label: string;
  allowed?: boolean;
  reason?: string;
  done?: (result: unknown) => void;
  name?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <form
      class="inline-form"
      aria-label={name ?? label}
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget as HTMLFormElement;
        setBusy(true);
        setError(undefined);
        try {
          const result = await submit(new FormData(form));
          form.reset();
          done?.(result);
        } catch (err) {
          setError(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset disabled={!allowed || busy} title={allowed ? undefined : reason}>
        {children}
        <button type="submit">{label}</button>
      </fieldset>
      {!allowed && reason ? <span class="muted small">Not allowed: {reason}</span> : null}
      {error ? (
        <span class="error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

export function field(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

/** Previous/next over server-side page tokens: the stack of tokens that led to the current page. */
export function usePaging(): {
  token: string | undefined;
  page: number;
  next: (token: string) => void;
  prev: () => void;
  reset: () => void;
} {
  const [tokens, setTokens] = useState<(string | undefined)[]>([undefined]);
  return {
    token: tokens[tokens.length - 1],
    page: tokens.length,
    next: (t) => setTokens((s) => [...s, t]),
    prev: () => setTokens((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setTokens([undefined]),
  };
}

export function Pager({ paging, nextToken }: { paging: ReturnType<typeof usePaging>; nextToken: string | undefined }) {
  return (
    <nav class="pager" aria-label="pages">
      <button type="button" disabled={paging.page <= 1} onClick={paging.prev}>
        ← Previous
      </button>
      <span>Page {paging.page}</span>
      <button type="button" disabled={!nextToken} onClick={() => nextToken && paging.next(nextToken)}>
        Next →
      </button>
    </nav>
  );
}

export function Tags({ tags }: { tags: readonly { key: string; value: string }[] | undefined }) {
  if (!tags?.length) return <span class="muted">—</span>;
  return (
    <span class="chips">
      {tags.map((t) => (
        <span class="chip" key={t.key}>
          {t.key}
          {t.value ? `=${t.value}` : ''}
        </span>
      ))}
    </span>
  );
}
