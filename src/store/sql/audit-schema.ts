import type { Generated } from 'kysely';

/** Typed tables of the audit trail (audit-migration.ts). */
export interface AuditEventsTable {
  id: Generated<number>;
  /** The event's place in the hash chain; null until it is sealed. */
  seq: number | null;
  time: number;
  user_name: string;
  action: string;
  resource_type: string;
  resource_name: string;
  resource_version: string | null;
  before_json: string | null;
  after_json: string | null;
  request_id: string | null;
  client_address: string | null;
  user_agent: string | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
  audit_chain_head: AuditChainHeadTable;
}
