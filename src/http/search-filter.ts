/**
 * Searches with authentication on return only what the caller may read (auth/__init__.py:
 * filter_search_experiments, filter_search_registered_models, filter_search_model_versions,
 * filter_search_logged_models, and the experiment-id narrowing of run searches). Like MLflow, a
 * page of experiments or registered models keeps fetching until it holds max_results readable
 * rows or the results run out; MLflow re-reads a full page and cuts it, flowreg asks for just the
 * rows still missing, so that its page token stays correct.
 */
import type { Principal } from '../auth/authenticator.js';
import type { AccessControl } from '../auth/access-control.js';
import { RequestMessage } from '../protocol/request-message.js';

type Row = Record<string, unknown>;
type Body = Record<string, unknown>;

interface SearchSpec {
  readonly type: 'experiment' | 'registered_model';
  /** The response field holding the rows. */
  readonly rows: string;
  readonly idOf: (row: Row) => unknown;
  /** Fill a page up to max_results (MLflow does for experiments and registered models). */
  readonly refill: boolean;
  /** The request names experiments in `experiment_ids`: only readable ones are searched. */
  readonly narrow: boolean;
}

const experimentOfInfo = (row: Row) => (row.info as Row | undefined)?.experiment_id;

const SEARCHES: Readonly<Record<string, SearchSpec>> = {
  'GET 2.0/mlflow/registered-models/search': { type: 'registered_model', rows: 'registered_models', idOf: (r) => r.name, refill: true, narrow: false },
  'GET 2.0/mlflow/model-versions/search': { type: 'registered_model', rows: 'model_versions', idOf: (r) => r.name, refill: false, narrow: false },
  'GET 2.0/mlflow/experiments/search': { type: 'experiment', rows: 'experiments', idOf: (r) => r.experiment_id, refill: true, narrow: false },
  'POST 2.0/mlflow/experiments/search': { type: 'experiment', rows: 'experiments', idOf: (r) => r.experiment_id, refill: true, narrow: false },
  'POST 2.0/mlflow/runs/search': { type: 'experiment', rows: 'runs', idOf: experimentOfInfo, refill: false, narrow: true },
  'POST 2.0/mlflow/logged-models/search': { type: 'experiment', rows: 'models', idOf: experimentOfInfo, refill: false, narrow: true },
};

function withFields(message: RequestMessage, fields: Record<string, unknown>): RequestMessage {
  return new RequestMessage({ ...message.raw, ...fields }, message.fromQuery);
}

function rowsOf(body: Body, field: string): Row[] {
  const rows = body[field];
  return Array.isArray(rows) ? (rows as Row[]) : [];
}

/**
 * Runs a filtered search: `search` answers one request message. A search this table does not
 * know is refused by the caller's rule check before it gets here; one it knows but cannot filter
 * returns nothing rather than everything.
 */
export async function filteredSearch(
  key: string,
  access: AccessControl,
  principal: Principal,
  message: RequestMessage,
  search: (message: RequestMessage) => Promise<object>,
): Promise<object> {
  if (principal.isAdmin) return search(message);
  const spec = SEARCHES[key];
  if (!spec) return {};
  const readable = await access.readable(principal, spec.type);
  const keep = (row: Row) => {
    const id = spec.idOf(row);
    return (typeof id === 'string' || typeof id === 'number') && readable(String(id));
  };
  let request = message;
  if (spec.narrow) {
    const asked = message.raw.experiment_ids;
    const ids = (Array.isArray(asked) ? asked : asked === undefined ? [] : [asked]).map(String);
    const allowed = ids.filter((id) => readable(id));
    if (ids.length > 0 && allowed.length === 0) return {};
    request = withFields(message, { experiment_ids: allowed });
  }
  const body = (await search(request)) as Body;
  const kept = rowsOf(body, spec.rows).filter(keep);
  let token = typeof body.next_page_token === 'string' ? body.next_page_token : '';
  if (spec.refill) {
    const asked = Number(message.scalar('max_results'));
    // Without max_results the server's page size applies: a page that has a next token was full.
    const max = Number.isSafeInteger(asked) && asked > 0 ? asked : rowsOf(body, spec.rows).length;
    while (kept.length < max && token !== '') {
      const missing = max - kept.length;
      const next = (await search(withFields(message, { page_token: token, max_results: message.fromQuery ? String(missing) : missing }))) as Body;
      const rows = rowsOf(next, spec.rows);
      if (rows.length === 0) {
        token = '';
        break;
      }
      kept.push(...rows.filter(keep));
      token = typeof next.next_page_token === 'string' ? next.next_page_token : '';
    }
  }
  const out: Body = { ...body };
  // An empty repeated field and an empty token are left out of MLflow's JSON.
  if (kept.length > 0) out[spec.rows] = kept;
  else delete out[spec.rows];
  if (token !== '') out.next_page_token = token;
  else delete out.next_page_token;
  return out;
}
