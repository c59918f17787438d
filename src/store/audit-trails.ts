/**
 * The audit trail as one thing to query, over the one or two databases that hold it. Each database
 * journals its own changes (a change's event commits with it, in the same transaction), so with
 * a registry store separate from the backend store the registry's resources are in the registry
 * database's trail and everything else in the backend's. A query goes to the trail that holds its
 * resource types; without a type it reads both and merges them, newest first by time, keeping each
 * trail's own order. The cursor holds a position per trail.
 *
 * Used by `GET /api/flowreg/v1/audit` (http/handlers/audit.ts) and `flowreg audit` (cli/audit.ts).
 */
import type { AuditEvent, AuditQuery, AuditStore } from './audit-store.js';
import type { Change, ResourceType } from './change.js';

/** The resource types the registry store journals; every other type is in the backend store's trail. */
export const REGISTRY_RESOURCE_TYPES: readonly ResourceType[] = ['registered_model', 'model_version', 'protection', 'approval_request', 'webhook'];
export const BACKEND_RESOURCE_TYPES: readonly ResourceType[] = ['experiment', 'run', 'logged_model', 'artifact', 'user', 'role', 'permission', 'token'];
export const RESOURCE_TYPES: readonly ResourceType[] = [...REGISTRY_RESOURCE_TYPES, ...BACKEND_RESOURCE_TYPES];

export type TrailName = 'backend' | 'registry';

/**
 * Where a listing stands: per trail still to read, the event id its next page starts below
 * (`null`: from its newest event). A trail absent from it has nothing more.
 */
export type AuditCursor = Partial<Record<TrailName, number | null>>;

export type AuditFilters = Omit<AuditQuery, 'before' | 'limit'>;

export interface AuditListing {
  readonly events: readonly AuditEvent[];
  /** Absent when there is nothing more. */
  readonly next?: AuditCursor;
}

export class AuditTrails {
  constructor(private readonly trails: { readonly backend: AuditStore; readonly registry: AuditStore }) {}

  /** Whether there are two trails (a registry store separate from the backend store). */
  get split(): boolean {
    return this.trails.backend !== this.trails.registry;
  }

  /** The distinct trails, each once. */
  distinct(): { name: TrailName; store: AuditStore }[] {
    const all: { name: TrailName; store: AuditStore }[] = [{ name: 'backend', store: this.trails.backend }];
    if (this.split) all.push({ name: 'registry', store: this.trails.registry });
    return all;
  }

  /** The trails that may hold events of these types (all of them when no type is given). */
  private trailsFor(types: readonly string[] | undefined): TrailName[] {
    if (!this.split) return ['backend'];
    if (types === undefined) return ['backend', 'registry'];
    const names: TrailName[] = [];
    if (types.some((t) => !isRegistryResource(t))) names.push('backend');
    if (types.some(isRegistryResource)) names.push('registry');
    return names;
  }

  /** The trails a fresh listing starts with. */
  start(filters: AuditFilters): AuditCursor {
    return Object.fromEntries(this.trailsFor(filters.resourceTypes).map((n) => [n, null]));
  }

  /**
   * One page, newest first. `cursor`: from a previous page (absent: the first page). Trails the
   * cursor names that the filters cannot match are ignored.
   */
  async list(filters: AuditFilters, limit: number, cursor: AuditCursor = this.start(filters)): Promise<AuditListing> {
    const wanted = this.trailsFor(filters.resourceTypes).filter((n) => n in cursor);
    const pages = await Promise.all(
      wanted.map(async (name) => {
        const before = cursor[name];
        const page = await this.trails[name].list({ ...filters, ...(before == null ? {} : { before }), limit });
        return { name, events: page.events, hasMore: page.hasMore, taken: 0 };
      }),
    );
    // A two-way merge by time that keeps each trail's own (sequence) order.
    const events: AuditEvent[] = [];
    while (events.length < limit) {
      let best: (typeof pages)[number] | undefined;
      for (const p of pages) {
        const head = p.events[p.taken];
        if (head && (!best || head.time > (best.events[best.taken] as AuditEvent).time)) best = p;
      }
      if (!best) break;
      events.push(best.events[best.taken] as AuditEvent);
      best.taken += 1;
    }
    const next: AuditCursor = {};
    for (const p of pages) {
      if (p.taken < p.events.length || p.hasMore) next[p.name] = p.taken === 0 ? (cursor[p.name] ?? null) : (p.events[p.taken - 1] as AuditEvent).id;
    }
    return Object.keys(next).length === 0 ? { events } : { events, next };
  }
}

/** The resource types whose events belong to a registered model (`name` is the model's name). */
export const MODEL_RESOURCE_TYPES: readonly ResourceType[] = ['registered_model', 'model_version', 'protection', 'approval_request'];

/**
 * Journals changes that are no database write of their own (an artifact written to disk or S3, a
 * native publish), each in the database whose trail holds its resource type. A no-op with
 * `--no-audit` (and no other sink).
 */
export type RecordChanges = (changes: readonly Change[]) => Promise<void>;

export function isRegistryResource(type: string): boolean {
  return (REGISTRY_RESOURCE_TYPES as readonly string[]).includes(type);
}
