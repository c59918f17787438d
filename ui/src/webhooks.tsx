/**
 * Webhooks (MLflow's `/api/2.0/mlflow/webhooks`) with their delivery log (flowreg's
 * `/api/flowreg/v1/webhooks/{id}/deliveries`): list, create, test, enable/disable, delete,
 * and each delivery's status with redelivery. Admin-only with authentication on, as in MLflow.
 */
import { useState } from 'preact/hooks';
import { flowreg, mlflow } from './api';
import { ActionButton, ActionForm, field, Pager, Show, time, useLoad, usePaging } from './common';

const enc = encodeURIComponent;

/** Whether the server has the webhooks API and the user may use it (asked once, at start). */
export async function hasWebhooks(): Promise<boolean> {
  try {
    await mlflow('GET', 'webhooks', { max_results: 1 });
    return true;
  } catch {
    return false;
  }
}

function Deliveries({ id }: { id: string }) {
  const paging = usePaging();
  const [loaded, reload] = useLoad(() => flowreg('GET', `webhooks/${enc(id)}/deliveries`, { max_results: 20, page_token: paging.token }), [id, paging.token]);
  return (
    <Show loaded={loaded}>
      {(r: any) => (
        <>
          <div class="table-wrap">
            <table aria-label="deliveries">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Created</th>
                  <th scope="col"></th>
                </tr>
              </thead>
              <tbody>
                {(r.deliveries ?? []).map((d: any) => (
                  <tr key={d.delivery_id}>
                    <td>{d.event}</td>
                    <td>{d.status}</td>
                    <td>{d.attempts}</td>
                    <td class="source">{d.last_status_code ?? ''} {d.last_error ?? d.response_excerpt ?? ''}</td>
                    <td>{time(d.creation_timestamp)}</td>
                    <td>
                      <ActionButton label="Redeliver" run={() => flowreg('POST', `webhooks/${enc(id)}/deliveries/${enc(d.delivery_id)}/redeliver`, {})} done={reload} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {(r.deliveries ?? []).length === 0 ? <p class="muted">No deliveries yet.</p> : null}
          <Pager paging={paging} nextToken={r.next_page_token} />
        </>
      )}
    </Show>
  );
}

export function WebhooksPage() {
  const [open, setOpen] = useState<string>();
  const [tested, setTested] = useState<string>();
  const [loaded, reload] = useLoad(() => mlflow('GET', 'webhooks', { max_results: 100 }), []);
  return (
    <section>
      <h1>Webhooks</h1>
      <Show loaded={loaded}>
        {(r: any) => (
          <ul class="kv">
            {(r.webhooks ?? []).length === 0 ? <li class="muted">No webhooks.</li> : null}
            {(r.webhooks ?? []).map((w: any) => (
              <li key={w.webhook_id}>
                <strong>{w.name}</strong> <span class="chip">{w.status}</span> <span class="source">{w.url}</span>
                <div class="muted small">{(w.events ?? []).map((e: any) => `${e.entity}.${e.action}`.toLowerCase()).join(', ')}</div>
                <ActionButton
                  label="Test"
                  run={async () => {
                    const t = await mlflow('POST', `webhooks/${enc(w.webhook_id)}/test`, {});
                    setTested(`${w.name}: ${t.result?.success ? 'delivered' : 'failed'} ${t.result?.response_status ?? ''} ${t.result?.error_message ?? ''}`);
                  }}
                />
                <ActionButton
                  label={w.status === 'ACTIVE' ? 'Disable' : 'Enable'}
                  run={() => mlflow('PATCH', `webhooks/${enc(w.webhook_id)}`, { status: w.status === 'ACTIVE' ? 'DISABLED' : 'ACTIVE' })}
                  done={reload}
                />
                <ActionButton label="Delete" kind="danger" run={() => mlflow('DELETE', `webhooks/${enc(w.webhook_id)}`)} done={reload} />
                <button type="button" class="link" aria-expanded={open === w.webhook_id} onClick={() => setOpen(open === w.webhook_id ? undefined : w.webhook_id)}>
                  Delivery log
                </button>
                {open === w.webhook_id ? <Deliveries id={w.webhook_id} /> : null}
              </li>
            ))}
          </ul>
        )}
      </Show>
      {tested ? <p role="status">{tested}</p> : null}
      <h2>New webhook</h2>
      <ActionForm
        label="Create webhook"
        submit={(d) =>
          mlflow('POST', 'webhooks', {
            name: field(d, 'name'),
            url: field(d, 'url'),
            events: field(d, 'events')
              .split(/[\s,]+/)
              .filter(Boolean)
              .map((e) => {
                const at = e.lastIndexOf('.');
                // The proto's enum names (webhooks.proto: WebhookEntity, WebhookAction), as the MLflow client sends them.
                return { entity: e.slice(0, at).toUpperCase(), action: e.slice(at + 1).toUpperCase() };
              }),
            ...(field(d, 'secret') ? { secret: field(d, 'secret') } : {}),
          })
        }
        done={reload}
      >
        <input name="name" placeholder="name" aria-label="webhook name" required />
        <input name="url" type="url" placeholder="https://…" aria-label="webhook URL" required />
        <input name="events" placeholder="model_version.created, model_version_alias.created" aria-label="events" required />
        <input name="secret" type="password" placeholder="secret (optional)" aria-label="webhook secret" autocomplete="off" />
      </ActionForm>
    </section>
  );
}
