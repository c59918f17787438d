/** Typed tables of governance (governance-migration.ts). Booleans are integers. */
export interface GovernanceHistoryTable {
  id: import('kysely').Generated<number>;
  model_name: string;
  /** `alias` or `stage`. */
  target_type: string;
  target: string;
  version: number | null;
  previous_version: number | null;
  user_name: string;
  time: number;
  /** set | delete | rollback | approval | emergency_rollback */
  kind: string;
  request_id: number | null;
}

export interface GovernanceProtectionsTable {
  model_name: string;
  target_type: string;
  target: string;
  approvals_required: number;
  /** JSON `[{key, value}]`. */
  required_tags: string;
  user_name: string;
  time: number;
}

export interface GovernanceRequestsTable {
  id: import('kysely').Generated<number>;
  model_name: string;
  target_type: string;
  target: string;
  version: number;
  comment: string | null;
  requester: string;
  /** pending | approved | rejected | applied */
  status: string;
  approvals_required: number;
  required_tags: string;
  archive_existing: number;
  created_time: number;
  updated_time: number;
}

export interface GovernanceVotesTable {
  request_id: number;
  user_name: string;
  /** approve | reject */
  decision: string;
  comment: string | null;
  time: number;
}

export interface GovernanceTables {
  governance_history: GovernanceHistoryTable;
  governance_protections: GovernanceProtectionsTable;
  governance_requests: GovernanceRequestsTable;
  governance_votes: GovernanceVotesTable;
}
