/**
 * The audit trail's read side: events as the API shows them, the query behind
 * `GET /api/flowreg/v1/audit` and `flowreg audit`, and the result of verifying the chain.
 */
export interface AuditEvent {
  /** The order events were written in (what pages follow). */
  readonly id: number;
  /** The event's place in the hash chain; null until it is sealed (within about a second). */
  readonly seq: number | null;
  readonly time: number;
  readonly user: string;
  readonly action: string;
  readonly resourceType: string;
  readonly name: string;
  readonly version: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  readonly hash: string | null;
}

export interface AuditQuery {
  /** Any of these resource types (absent: every type). */
  readonly resourceTypes?: readonly string[];
  readonly name?: string;
  readonly version?: string;
  readonly user?: string;
  readonly action?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  readonly until?: number;
  /** Page cursor: only events written before this id. */
  readonly before?: number;
  readonly limit: number;
}

export interface AuditPage {
  readonly events: readonly AuditEvent[];
  readonly hasMore: boolean;
}

export type ChainCheck =
  /** `head`: the hash of the last event (keep it elsewhere to notice a rewritten chain later). */
  /** `pending`: events written but not yet sealed into the chain (a running server seals them). */
  | { readonly ok: true; readonly checked: number; readonly head: string; readonly pending: number }
  | { readonly ok: false; readonly checked: number; readonly brokenAt: number; readonly reason: string };

export interface AuditStore {
  list(query: AuditQuery): Promise<AuditPage>;
  verify(): Promise<ChainCheck>;
  /** Seals every event written so far into the chain (what the server does in the background). */
  seal(options?: { wait?: boolean }): Promise<number>;
}
