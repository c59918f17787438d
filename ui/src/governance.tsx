/**
 * Governance on a model page (alias history, rollback, protections, approval requests: README
 * "Governance") and a version's audit trail. Each panel asks its route once and hides itself when
 * the server has no such route (ENDPOINT_NOT_FOUND), so the UI works against servers with and
 * without them.
 */
import { ApiError, flowreg } from './api';
import { ActionButton, ActionForm, ErrorBox, field, time, useLoad, useSession, versionHref, type Abilities } from './common';

const enc = encodeURIComponent;

function missingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'ENDPOINT_NOT_FOUND';
}

interface Request {
  id: string;
  name: string;
  alias?: string;
  stage?: string;
  version: string;
  comment?: string;
  requester: string;
  status: string;
  approvals_required: number;
  approvals: number;
  required_tags?: Record<string, string>;
}

function Requests({ name, abilities, refresh, done }: { name: string; abilities: Abilities; refresh: number; done: () => void }) {
  const me = useSession().user?.username;
  const [loaded, reload] = useLoad(() => flowreg<{ requests?: Request[] }>('GET', 'requests', { name, max_results: 50 }), [name, refresh]);
  if (loaded.state === 'loading') return null;
  if (loaded.state === 'error') return missingRoute(loaded.error) ? null : <ErrorBox error={loaded.error} />;
  const after = () => {
    reload();
    done();
  };
  const open = (loaded.value.requests ?? []).filter((r) => r.status === 'pending' || r.status === 'approved');
  return (
    <section aria-label="approval requests">
      <h3>Approval requests</h3>
      {open.length === 0 ? <p class="muted">No open requests.</p> : null}
      <ul class="kv">
        {open.map((r) => {
          const mine = me !== undefined && r.requester === me;
          const reason = !abilities.canManage ? `approving needs MANAGE; ${abilities.reason}` : 'you made this request: another user must approve it (four eyes)';
          return (
            <li key={r.id}>
              #{r.id}: {r.alias ? `@${r.alias}` : `stage ${r.stage}`} → <a href={versionHref(name, r.version)}>Version {r.version}</a> by {r.requester} ·{' '}
              <strong>{r.status}</strong> ({r.approvals}/{r.approvals_required} approvals){r.comment ? ` · “${r.comment}”` : ''}{' '}
              {r.status === 'pending' ? (
                <>
                  <ActionButton label="Approve" allowed={abilities.canManage && !mine} reason={reason} run={() => flowreg('POST', `requests/${r.id}/approve`, {})} done={after} />
                  <ActionButton label="Reject" kind="danger" allowed={abilities.canManage} reason={reason} run={() => flowreg('POST', `requests/${r.id}/reject`, {})} done={after} />
                </>
              ) : (
                <ActionButton label="Apply" allowed={abilities.canManage} reason={reason} run={() => flowreg('POST', `requests/${r.id}/apply`, {})} done={after} />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function AliasGovernance({ name, alias, abilities, refresh, done }: { name: string; alias: string; abilities: Abilities; refresh: number; done: () => void }) {
  const base = `models/${enc(name)}/aliases/${enc(alias)}`;
  const [history] = useLoad(() => flowreg('GET', `${base}/history`, { max_results: 5 }), [base, refresh]);
  const [protection, reloadProtection] = useLoad(() => flowreg('GET', `${base}/protection`), [base, refresh]);
  const p = protection.state === 'ok' ? protection.value.protection : undefined;
  return (
    <li>
      <strong>@{alias}</strong>{' '}
      {p ? (
        <span class="chip">
          protected: {p.approvals_required} approval{p.approvals_required === 1 ? '' : 's'}
          {Object.keys(p.required_tags ?? {}).length ? `, tags ${Object.entries(p.required_tags).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}
          {p.source === 'default' ? ' (server default)' : ''}
        </span>
      ) : (
        <span class="muted small">not protected</span>
      )}{' '}
      {p && p.source !== 'default' ? (
        <ActionButton label="Unprotect" allowed={abilities.canManage} reason={`needs MANAGE; ${abilities.reason}`} run={() => flowreg('DELETE', `${base}/protection`)} done={reloadProtection} />
      ) : (
        <ActionButton
          label="Protect (1 approval)"
          allowed={abilities.canManage}
          reason={`needs MANAGE; ${abilities.reason}`}
          run={() => flowreg('PUT', `${base}/protection`, { approvals_required: 1 })}
          done={reloadProtection}
        />
      )}
      <ActionButton label="Roll back" allowed={abilities.canUpdate} reason={abilities.reason} run={() => flowreg('POST', `${base}/rollback`, {})} done={done} />
      {history.state === 'ok' ? (
        <ol class="history" aria-label={`history of ${alias}`}>
          {(history.value.history ?? []).map((h: any, i: number) => (
            <li key={i}>
              {time(h.timestamp)} · {h.kind} · {h.previous_version ? `v${h.previous_version} → ` : ''}
              {h.version ? `v${h.version}` : 'removed'} · {h.user}
              {h.approved_by?.length ? ` · approved by ${h.approved_by.join(', ')}` : ''}
            </li>
          ))}
        </ol>
      ) : null}
    </li>
  );
}

/** The model page's governance panel; absent when the server has no governance routes. */
export function Governance({ name, abilities, refresh, done, aliases }: { name: string; abilities: Abilities; refresh: number; done: () => void; aliases?: string[] }) {
  const [probe] = useLoad(() => flowreg('GET', 'requests', { name, max_results: 1 }), [name]);
  if (probe.state !== 'ok') return null;
  return (
    <section aria-label="governance">
      <h2>Governance</h2>
      <Requests name={name} abilities={abilities} refresh={refresh} done={done} />
      <h3>Aliases: history and protection</h3>
      <ul class="kv">
        {(aliases ?? []).map((a) => (
          <AliasGovernance key={a} name={name} alias={a} abilities={abilities} refresh={refresh} done={done} />
        ))}
      </ul>
      <ActionForm
        label="Request alias change"
        name="request a protected alias change"
        allowed={abilities.canUpdate}
        reason={abilities.reason}
        submit={(d) => flowreg('POST', `models/${enc(name)}/aliases/${enc(field(d, 'alias'))}/requests`, { version: field(d, 'version'), comment: field(d, 'comment') || null })}
        done={done}
      >
        <input name="alias" placeholder="alias" aria-label="alias to request" required />
        <input name="version" placeholder="version" aria-label="version to request" inputMode="numeric" required />
        <input name="comment" placeholder="why" aria-label="comment for the request" />
      </ActionForm>
      <ActionForm
        label="Request stage change"
        name="request a protected stage change"
        allowed={abilities.canUpdate}
        reason={abilities.reason}
        submit={(d) => flowreg('POST', `models/${enc(name)}/stages/${enc(field(d, 'stage'))}/requests`, { version: field(d, 'version'), comment: field(d, 'comment') || null })}
        done={done}
      >
        <select name="stage" aria-label="stage to request">
          <option>Staging</option>
          <option>Production</option>
          <option>Archived</option>
        </select>
        <input name="version" placeholder="version" aria-label="version for the stage request" inputMode="numeric" required />
        <input name="comment" placeholder="why" aria-label="comment for the stage request" />
      </ActionForm>
    </section>
  );
}

/** A version's audit trail (GET /api/flowreg/v1/audit), when the server has that route. */
export function AuditTrail({ name, version }: { name: string; version?: string }) {
  const [loaded] = useLoad(() => flowreg('GET', 'audit', { name, ...(version ? { version } : {}), max_results: 50 }), [name, version]);
  if (loaded.state === 'loading') return null;
  if (loaded.state === 'error') return missingRoute(loaded.error) ? null : <ErrorBox error={loaded.error} />;
  const events: any[] = loaded.value.events ?? [];
  return (
    <section aria-label="audit trail">
      <h2>Audit trail</h2>
      {events.length === 0 ? <p class="muted">No recorded changes.</p> : null}
      <ol class="history">
        {events.map((e, i) => (
          <li key={e.seq ?? i}>
            {time(e.time ?? e.timestamp)} · <strong>{e.action}</strong> · {e.user ?? e.user_name}
            {e.before !== undefined || e.after !== undefined ? (
              <span class="muted small">
                {' '}
                {e.before ? JSON.stringify(e.before) : '∅'} → {e.after ? JSON.stringify(e.after) : '∅'}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
