/** Users, API tokens, roles and grants, through the same APIs MLflow's auth client and flowreg's token routes answer. */
import { useState } from 'preact/hooks';
import { flowreg, mlflow, mlflow3 } from './api';
import { ActionButton, ActionForm, field, Show, time, useLoad, useSession } from './common';

const PERMISSIONS = ['READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'];

function Users({ selected, select }: { selected: string | undefined; select: (u: string) => void }) {
  const me = useSession().user?.username;
  const [loaded, reload] = useLoad(() => mlflow('GET', 'users/list'), []);
  return (
    <section aria-label="users">
      <h2>Users</h2>
      <Show loaded={loaded}>
        {(r: any) => (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Admin</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {(r.users ?? []).map((u: any) => (
                  <tr key={u.username} class={u.username === selected ? 'selected' : ''}>
                    <td>
                      <button type="button" class="link" onClick={() => select(u.username)}>
                        {u.username}
                      </button>
                    </td>
                    <td>{u.is_admin ? 'yes' : 'no'}</td>
                    <td>{(u.roles ?? []).map((role: any) => role.name).join(', ') || '—'}</td>
                    <td>
                      <ActionButton
                        label={u.is_admin ? 'Revoke admin' : 'Make admin'}
                        allowed={u.username !== me}
                        reason="you cannot change your own admin status here"
                        run={() => mlflow('PATCH', 'users/update-admin', { username: u.username, is_admin: !u.is_admin })}
                        done={reload}
                      />
                      <ActionButton
                        label="Delete"
                        kind="danger"
                        allowed={u.username !== me}
                        reason="you cannot delete yourself"
                        run={async () => {
                          if (confirm(`Delete user ${u.username}?`)) await mlflow('DELETE', 'users/delete', { username: u.username });
                        }}
                        done={reload}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Show>
      <ActionForm label="Create user" submit={(d) => mlflow('POST', 'users/create', { username: field(d, 'username'), password: String(d.get('password') ?? '') })} done={reload}>
        <input name="username" placeholder="user name" aria-label="new user name" required />
        <input name="password" type="password" placeholder="password" aria-label="new user password" autocomplete="new-password" required />
      </ActionForm>
    </section>
  );
}

function Tokens({ username }: { username: string }) {
  const [secret, setSecret] = useState<string>();
  const [loaded, reload] = useLoad(() => flowreg('GET', 'tokens', { username }), [username]);
  return (
    <section aria-label="tokens">
      <h2>API tokens of {username}</h2>
      <Show loaded={loaded}>
        {(r: any) => (
          <ul class="kv">
            {(r.tokens ?? []).length === 0 ? <li class="muted">No tokens.</li> : null}
            {(r.tokens ?? []).map((t: any) => (
              <li key={t.id}>
                <strong>{t.name}</strong> <span class="muted small">created {time(t.creation_time)}</span>
                {t.revoked_time ? <span class="chip">revoked</span> : <ActionButton label="Revoke" kind="danger" run={() => flowreg('DELETE', `tokens/${t.id}`, { username })} done={reload} />}
              </li>
            ))}
          </ul>
        )}
      </Show>
      <ActionForm
        label="Create token"
        submit={(d) => flowreg('POST', 'tokens', { name: field(d, 'name'), username })}
        done={(r: any) => {
          setSecret(r?.secret);
          reload();
        }}
      >
        <input name="name" placeholder="token name" aria-label="token name" required />
      </ActionForm>
      {secret ? (
        <p class="secret" role="status">
          Copy it now, it is shown once: <code>{secret}</code>
        </p>
      ) : null}
    </section>
  );
}

function Grants({ username }: { username: string }) {
  const [checked, setChecked] = useState<string>();
  return (
    <section aria-label="grants">
      <h2>Grants of {username}</h2>
      <ActionForm
        label="Grant"
        submit={(d) =>
          mlflow3('POST', 'users/permissions/grant', {
            username,
            resource_type: field(d, 'type'),
            resource_id: field(d, 'id'),
            permission: field(d, 'permission'),
          })
        }
      >
        <select name="type" aria-label="resource type">
          <option value="registered_model">registered model</option>
          <option value="experiment">experiment</option>
        </select>
        <input name="id" placeholder="model name or experiment id" aria-label="resource" required />
        <select name="permission" aria-label="permission">
          {PERMISSIONS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </ActionForm>
      <ActionForm
        label="Revoke grant"
        submit={(d) => mlflow3('POST', 'users/permissions/revoke', { username, resource_type: field(d, 'type'), resource_id: field(d, 'id') })}
      >
        <select name="type" aria-label="resource type to revoke">
          <option value="registered_model">registered model</option>
          <option value="experiment">experiment</option>
        </select>
        <input name="id" placeholder="model name or experiment id" aria-label="resource to revoke" required />
      </ActionForm>
      <ActionForm
        label="Check"
        submit={async (d) => {
          const r = await mlflow3('GET', 'users/permissions/get', { username, resource_type: field(d, 'type'), resource_id: field(d, 'id') });
          setChecked(`${field(d, 'id')}: ${r.permission} (${r.allowed ? 'may use' : 'may not use'})`);
        }}
      >
        <select name="type" aria-label="resource type to check">
          <option value="registered_model">registered model</option>
          <option value="experiment">experiment</option>
        </select>
        <input name="id" placeholder="model name or experiment id" aria-label="resource to check" required />
      </ActionForm>
      {checked ? <p role="status">{checked}</p> : null}
    </section>
  );
}

function Roles({ username }: { username: string | undefined }) {
  const [loaded, reload] = useLoad(() => mlflow3('GET', 'roles/list'), []);
  return (
    <section aria-label="roles">
      <h2>Roles</h2>
      <Show loaded={loaded}>
        {(r: any) => (
          <ul class="kv">
            {(r.roles ?? []).length === 0 ? <li class="muted">No roles.</li> : null}
            {(r.roles ?? []).map((role: any) => (
              <li key={role.id}>
                <strong>{role.name}</strong> <span class="muted small">{role.description}</span>
                <ul>
                  {(role.permissions ?? []).map((p: any) => (
                    <li key={p.id}>
                      {p.resource_type} <code>{p.resource_pattern}</code> {p.permission}{' '}
                      <ActionButton label="Remove" kind="danger" run={() => mlflow3('DELETE', 'roles/permissions/remove', { role_permission_id: p.id })} done={reload} />
                    </li>
                  ))}
                </ul>
                <ActionForm
                  label="Add permission"
                  submit={(d) =>
                    mlflow3('POST', 'roles/permissions/add', {
                      role_id: role.id,
                      resource_type: field(d, 'type'),
                      resource_pattern: field(d, 'pattern'),
                      permission: field(d, 'permission'),
                    })
                  }
                  done={reload}
                >
                  <select name="type" aria-label={`resource type for ${role.name}`}>
                    <option value="registered_model">registered model</option>
                    <option value="experiment">experiment</option>
                  </select>
                  <input name="pattern" placeholder="pattern, e.g. fraud-*" aria-label={`pattern for ${role.name}`} required />
                  <select name="permission" aria-label={`permission for ${role.name}`}>
                    {PERMISSIONS.map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                </ActionForm>
                {username ? (
                  <>
                    <ActionButton label={`Assign to ${username}`} run={() => mlflow3('POST', 'roles/assign', { username, role_id: role.id })} done={reload} />
                    <ActionButton label={`Unassign from ${username}`} run={() => mlflow3('DELETE', 'roles/unassign', { username, role_id: role.id })} done={reload} />
                  </>
                ) : null}
                <ActionButton label="Delete role" kind="danger" run={() => mlflow3('DELETE', 'roles/delete', { role_id: role.id })} done={reload} />
              </li>
            ))}
          </ul>
        )}
      </Show>
      <ActionForm label="Create role" submit={(d) => mlflow3('POST', 'roles/create', { name: field(d, 'name'), workspace: 'default', description: field(d, 'description') })} done={reload}>
        <input name="name" placeholder="role name" aria-label="role name" required />
        <input name="description" placeholder="description" aria-label="role description" />
      </ActionForm>
    </section>
  );
}

export function AdminPage() {
  const session = useSession();
  const [selected, setSelected] = useState<string>();
  if (!session.authentication) return <p class="muted">Authentication is off: there are no users to manage.</p>;
  if (!session.user?.is_admin) return <p class="error">Only an admin may manage users, tokens, roles and grants.</p>;
  return (
    <section>
      <h1>Admin</h1>
      <div class="grid">
        <div>
          <Users selected={selected} select={setSelected} />
        </div>
        <div>
          {selected ? (
            <>
              <Tokens username={selected} />
              <Grants username={selected} />
            </>
          ) : (
            <p class="muted">Choose a user for their tokens and grants.</p>
          )}
        </div>
      </div>
      <Roles username={selected} />
    </section>
  );
}
