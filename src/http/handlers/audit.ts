/**
 * `GET /api/flowreg/v1/audit`: the audit trail, newest first, filtered and paged. flowreg's own
 * route (MLflow has no audit log). Every state change appends one event in the transaction that
 * makes it (store/sql/journal.ts, store/sql/audit-sql.ts); nothing updates or deletes an event
 * through any API.
 *
 * Access (route-permissions.ts, `model-audit`): with authentication off, anyone; with it on, admins
 * read everything, other users the events of one registered model they may read. The handler
 * applies the same restriction to what it queries, not only the guard.
 *
 * With `--no-audit` the route still answers, with the events recorded while the trail was on.
 */
import type { Principal } from '../../auth/authenticator.js';
import { modelAuditDenied } from '../../auth/route-guard.js';
import { invalidParameter } from '../../protocol/errors.js';
import { decodeCursorToken, encodeCursorToken } from '../../protocol/page-token.js';
import { field } from '../../protocol/request-schema.js';
import type { AuditEvent } from '../../store/audit-store.js';
import { MODEL_RESOURCE_TYPES, RESOURCE_TYPES, type AuditFilters, type AuditTrails, type RecordChanges } from '../../store/audit-trails.js';
import type { RouteDef } from '../router.js';
import { rpc } from './rpc.js';

export const AUDIT_DEFAULT_MAX_RESULTS = 100;
export const AUDIT_MAX_RESULTS = 1000;

export interface AuditDeps {
  readonly trails: AuditTrails;
  readonly record: RecordChanges;
}

/** One event on the wire: snake_case, every key present (null when unset), as a SIEM wants it. */
export function auditEventJson(e: AuditEvent): Record<string, unknown> {
  return {
    id: e.id,
    seq: e.seq,
    time: e.time,
    user: e.user,
    action: e.action,
    resource_type: e.resourceType,
    name: e.name,
    version: e.version,
    before: e.before,
    after: e.after,
    request_id: e.requestId,
    client_address: e.clientAddress,
    user_agent: e.userAgent,
    hash: e.hash,
  };
}

/** `max_results`: 100 unless given; outside 1…1000 is a 400. */
function maxResultsOf(value: number | undefined): number {
  if (value === undefined) return AUDIT_DEFAULT_MAX_RESULTS;
  if (value < 1 || value > AUDIT_MAX_RESULTS) {
    throw invalidParameter(`Invalid value ${value} for parameter 'max_results': it must be between 1 and ${AUDIT_MAX_RESULTS}.`);
  }
  return value;
}

export function auditRoutes(deps: AuditDeps): RouteDef[] {
  const shape = {
    resource_type: field.nonEmptyString,
    name: field.nonEmptyString,
    version: field.nonEmptyString,
    user: field.nonEmptyString,
    action: field.nonEmptyString,
    since: field.optionalInt64,
    until: field.optionalInt64,
    max_results: field.optionalInt64,
    page_token: field.nonEmptyString,
  };
  return [
    rpc('GET', 'flowreg/v1', '/audit', shape, async (req, { res }) => {
      const limit = maxResultsOf(req.maxResults);
      const type = req.resourceType;
      if (type !== undefined && !(RESOURCE_TYPES as readonly string[]).includes(type)) {
        throw invalidParameter(`Invalid value '${type}' for parameter 'resource_type': expected one of ${RESOURCE_TYPES.join(', ')}.`);
      }
      let types = type === undefined ? undefined : [type];
      const caller = res.locals.principal as Principal | undefined;
      if (caller && !caller.isAdmin) {
        // The guard has checked READ on the model; a non-admin's query never reaches beyond it.
        if (req.name === undefined || (type !== undefined && !(MODEL_RESOURCE_TYPES as readonly string[]).includes(type))) throw modelAuditDenied(MODEL_RESOURCE_TYPES);
        types ??= [...MODEL_RESOURCE_TYPES];
      }
      const filters: AuditFilters = {
        ...(types ? { resourceTypes: types } : {}),
        ...(req.name === undefined ? {} : { name: req.name }),
        ...(req.version === undefined ? {} : { version: req.version }),
        ...(req.user === undefined ? {} : { user: req.user }),
        ...(req.action === undefined ? {} : { action: req.action }),
        ...(req.since === undefined ? {} : { since: req.since }),
        ...(req.until === undefined ? {} : { until: req.until }),
      };
      const cursor = req.pageToken === undefined ? undefined : decodeCursorToken(req.pageToken, ['backend', 'registry']);
      const page = await deps.trails.list(filters, limit, cursor);
      return {
        events: page.events.map(auditEventJson),
        ...(page.next ? { next_page_token: encodeCursorToken(page.next) } : {}),
      };
    }),
  ];
}
