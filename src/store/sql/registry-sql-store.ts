/**
 * The registry store over SQL, one implementation for SQLite and PostgreSQL, in three parts
 * (registry-sql-models.ts, registry-sql-versions.ts, registry-sql-aliases.ts) sharing the row
 * helpers of registry-sql-rows.ts. This facade presents them as the one RegistryStore.
 */
import type { Kysely } from 'kysely';
import type { RegistryStore } from '../registry-store.js';
import type { SqlDialect } from './dialect.js';
import { SqlModelAliasStore } from './registry-sql-aliases.js';
import { SqlRegisteredModelStore } from './registry-sql-models.js';
import { SqlModelVersionStore } from './registry-sql-versions.js';
import type { Journal } from './journal.js';
import type { Database } from './schema.js';

export { DELETED_STAGE } from './registry-sql-rows.js';

type Args<K extends keyof RegistryStore> = Parameters<RegistryStore[K]>;

export class SqlRegistryStore implements RegistryStore {
  private readonly models: SqlRegisteredModelStore;
  private readonly versions: SqlModelVersionStore;
  private readonly aliases: SqlModelAliasStore;

  constructor(db: Kysely<Database>, dialect: SqlDialect, journal: Journal) {
    this.models = new SqlRegisteredModelStore(db, dialect, journal);
    this.versions = new SqlModelVersionStore(db, dialect, journal);
    this.aliases = new SqlModelAliasStore(db, dialect, journal);
  }

  createRegisteredModel = (...a: Args<'createRegisteredModel'>) => this.models.createRegisteredModel(...a);
  getRegisteredModel = (...a: Args<'getRegisteredModel'>) => this.models.getRegisteredModel(...a);
  renameRegisteredModel = (...a: Args<'renameRegisteredModel'>) => this.models.renameRegisteredModel(...a);
  updateRegisteredModel = (...a: Args<'updateRegisteredModel'>) => this.models.updateRegisteredModel(...a);
  deleteRegisteredModel = (...a: Args<'deleteRegisteredModel'>) => this.models.deleteRegisteredModel(...a);
  setRegisteredModelTag = (...a: Args<'setRegisteredModelTag'>) => this.models.setRegisteredModelTag(...a);
  deleteRegisteredModelTag = (...a: Args<'deleteRegisteredModelTag'>) => this.models.deleteRegisteredModelTag(...a);
  searchRegisteredModels = (...a: Args<'searchRegisteredModels'>) => this.models.searchRegisteredModels(...a);

  createModelVersion = (...a: Args<'createModelVersion'>) => this.versions.createModelVersion(...a);
  getModelVersion = (...a: Args<'getModelVersion'>) => this.versions.getModelVersion(...a);
  updateModelVersion = (...a: Args<'updateModelVersion'>) => this.versions.updateModelVersion(...a);
  transitionModelVersionStage = (...a: Args<'transitionModelVersionStage'>) => this.versions.transitionModelVersionStage(...a);
  deleteModelVersion = (...a: Args<'deleteModelVersion'>) => this.versions.deleteModelVersion(...a);
  setModelVersionStatus = (...a: Args<'setModelVersionStatus'>) => this.versions.setModelVersionStatus(...a);
  setModelVersionTag = (...a: Args<'setModelVersionTag'>) => this.versions.setModelVersionTag(...a);
  deleteModelVersionTag = (...a: Args<'deleteModelVersionTag'>) => this.versions.deleteModelVersionTag(...a);
  getLatestVersions = (...a: Args<'getLatestVersions'>) => this.versions.getLatestVersions(...a);
  searchModelVersions = (...a: Args<'searchModelVersions'>) => this.versions.searchModelVersions(...a);

  setAlias = (...a: Args<'setAlias'>) => this.aliases.setAlias(...a);
  deleteAlias = (...a: Args<'deleteAlias'>) => this.aliases.deleteAlias(...a);
  getAliasVersion = (...a: Args<'getAliasVersion'>) => this.aliases.getAliasVersion(...a);
}
