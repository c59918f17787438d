/**
 * Registered models over SQL: create, read, rename, update, delete, tags and search. Deleting a
 * model takes its versions, tags and aliases along (ON DELETE CASCADE).
 */
import type { Page, RegisteredModel, RegistrySearch, Tag } from '../registry-store.js';
import { hydrateModels, modelRow } from './registry-sql-rows.js';
import { attributeColumn, fetchPage, orderByKeys, whereClauses, type SearchColumns } from './search-sql.js';
import { dedupeTags, SqlStoreBase, type Db } from './sql-store-base.js';

const MODEL_COLUMNS: SearchColumns = {
  attributes: { name: 'rm.name', last_updated_timestamp: 'rm.last_updated_time' },
  tag: { table: 'registered_model_tags', join: [['model_id', 'rm.id']] },
};

/** A model's tag as a change's `before` value: null when it was not set. */
async function modelTag(trx: Db, modelId: number, key: string): Promise<Tag | null> {
  const row = await trx.selectFrom('registered_model_tags').select(['key', 'value']).where('model_id', '=', modelId).where('key', '=', key).executeTakeFirst();
  return row ?? null;
}

export class SqlRegisteredModelStore extends SqlStoreBase {
  async createRegisteredModel(name: string, description: string | null, tags: readonly Tag[], now: number): Promise<RegisteredModel> {
    return this.tx(async (trx, changes) => {
      const row = await trx
        .insertInto('registered_models')
        .values({ name, description, creation_time: now, last_updated_time: now, last_version: 0 })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (tags.length > 0) {
        await trx
          .insertInto('registered_model_tags')
          .values(dedupeTags(tags).map((t) => ({ model_id: row.id, key: t.key, value: t.value })))
          .execute();
      }
      changes.push({
        action: 'registered_model.create',
        resourceType: 'registered_model',
        name,
        after: { name, description, tags: dedupeTags(tags) },
      });
      return (await hydrateModels(trx, [row]))[0] as RegisteredModel;
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    return this.guard(async () => {
      const row = await modelRow(this.db, name);
      return row ? (await hydrateModels(this.db, [row]))[0] : undefined;
    });
  }

  async renameRegisteredModel(name: string, newName: string, now: number): Promise<RegisteredModel | undefined> {
    return this.tx(async (trx, changes) => {
      const row = await trx
        .updateTable('registered_models')
        .set({ name: newName, last_updated_time: now })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      // MLflow bumps every version's timestamp on rename (sqlalchemy_store.rename_registered_model).
      await trx.updateTable('model_versions').set({ last_updated_time: now }).where('model_id', '=', row.id).execute();
      changes.push({ action: 'registered_model.rename', resourceType: 'registered_model', name: newName, before: { name }, after: { name: newName } });
      return (await hydrateModels(trx, [row]))[0];
    });
  }

  async updateRegisteredModel(name: string, description: string | null, now: number): Promise<RegisteredModel | undefined> {
    return this.tx(async (trx, changes) => {
      const before = this.journaling ? await modelRow(trx, name) : undefined;
      const row = await trx
        .updateTable('registered_models')
        .set({ description, last_updated_time: now })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      changes.push({
        action: 'registered_model.update',
        resourceType: 'registered_model',
        name,
        before: { description: before?.description ?? null },
        after: { description },
      });
      return (await hydrateModels(trx, [row]))[0];
    });
  }

  async deleteRegisteredModel(name: string): Promise<boolean> {
    // Versions, tags and aliases go with it through ON DELETE CASCADE.
    return this.tx(async (trx, changes) => {
      const row = await modelRow(trx, name);
      if (!row) return false;
      await trx.deleteFrom('registered_models').where('id', '=', row.id).execute();
      changes.push({ action: 'registered_model.delete', resourceType: 'registered_model', name, before: { name } });
      return true;
    });
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const row = await modelRow(trx, name);
      if (!row) return false;
      const before = this.journaling ? await modelTag(trx, row.id, tag.key) : null;
      await trx
        .insertInto('registered_model_tags')
        .values({ model_id: row.id, key: tag.key, value: tag.value })
        .onConflict((oc) => oc.columns(['model_id', 'key']).doUpdateSet({ value: tag.value }))
        .execute();
      changes.push({ action: 'registered_model.tag.set', resourceType: 'registered_model', name, before, after: { key: tag.key, value: tag.value } });
      return true;
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const row = await modelRow(trx, name);
      if (!row) return false;
      const before = this.journaling ? await modelTag(trx, row.id, key) : null;
      await trx.deleteFrom('registered_model_tags').where('model_id', '=', row.id).where('key', '=', key).execute();
      changes.push({ action: 'registered_model.tag.delete', resourceType: 'registered_model', name, before });
      return true;
    });
  }

  async searchRegisteredModels(query: RegistrySearch): Promise<Page<RegisteredModel>> {
    return this.guard(async () => {
      let q = whereClauses(this.db.selectFrom('registered_models as rm').selectAll('rm'), this.dialect, MODEL_COLUMNS, query.clauses);
      const excluded = query.excludeTaggedModels;
      if (excluded) {
        q = q.where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('registered_model_tags as p')
                .select('p.key')
                .whereRef('p.model_id', '=', 'rm.id')
                .where('p.key', '=', excluded.key)
                .where('p.value', '=', excluded.value),
            ),
          ),
        );
      }
      q = orderByKeys(q, query.orderBy, (k) => attributeColumn(MODEL_COLUMNS, k.key), false);
      const { rows, hasMore } = await fetchPage(q, query.offset, query.limit);
      return { items: await hydrateModels(this.db, rows), hasMore };
    });
  }
}
