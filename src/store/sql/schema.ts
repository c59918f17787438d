/**
 * Typed table definitions for the query builder. This is flowreg's own schema (see migrations.ts),
 * designed for the registry: a registered model has a surrogate id, so a rename touches one row.
 */
import type { Generated } from 'kysely';
import type { AuditTables } from './audit-schema.js';
import type { GovernanceTables } from './governance-schema.js';
import type { TrackingTables } from './tracking-schema.js';

export interface RegisteredModelsTable {
  id: Generated<number>;
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  /** The highest version number ever allocated (deleted versions included): numbers are never reused. */
  last_version: number;
}

export interface RegisteredModelTagsTable {
  model_id: number;
  key: string;
  value: string;
}

export interface ModelVersionsTable {
  model_id: number;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  /** None | Staging | Production | Archived, or Deleted_Internal for a soft-deleted version. */
  current_stage: string;
  source: string;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
  /** Where the bytes really are when `source` is indirect (`models:/m-…`, `models:/name/1`). */
  storage_location: string | null;
  logged_model_id: string | null;
}

export interface ModelVersionTagsTable {
  model_id: number;
  version: number;
  key: string;
  value: string;
}

export interface RegisteredModelAliasesTable {
  model_id: number;
  alias: string;
  version: number;
}

export interface Database extends TrackingTables, AuditTables, GovernanceTables {
  registered_models: RegisteredModelsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
}
