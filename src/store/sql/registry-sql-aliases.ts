/** Registered-model aliases over SQL: each names one live version of its model. */
import { liveVersionRow, modelRow } from './registry-sql-rows.js';
import { SqlStoreBase, type Db } from './sql-store-base.js';

async function aliasTarget(trx: Db, modelId: number, alias: string): Promise<number | undefined> {
  const row = await trx.selectFrom('registered_model_aliases').select('version').where('model_id', '=', modelId).where('alias', '=', alias).executeTakeFirst();
  return row?.version;
}

export class SqlModelAliasStore extends SqlStoreBase {
  async setAlias(name: string, alias: string, version: number): Promise<'ok' | 'no-model' | 'no-version'> {
    return this.tx(async (trx, changes) => {
      const model = await modelRow(trx, name);
      if (!model) return 'no-model';
      const target = await liveVersionRow(trx, name, version);
      if (!target) return 'no-version';
      const before = this.journaling ? await aliasTarget(trx, model.id, alias) : undefined;
      await trx
        .insertInto('registered_model_aliases')
        .values({ model_id: model.id, alias, version })
        .onConflict((oc) => oc.columns(['model_id', 'alias']).doUpdateSet({ version }))
        .execute();
      changes.push({
        action: 'model_version.alias.set',
        resourceType: 'model_version',
        name,
        version: String(version),
        before: before === undefined ? null : { alias, version: String(before) },
        after: { alias, version: String(version) },
      });
      return 'ok';
    });
  }

  async deleteAlias(name: string, alias: string): Promise<boolean> {
    return this.tx(async (trx, changes) => {
      const model = await modelRow(trx, name);
      if (!model) return false;
      const removed = await trx
        .deleteFrom('registered_model_aliases')
        .where('model_id', '=', model.id)
        .where('alias', '=', alias)
        .returning('version')
        .executeTakeFirst();
      // Deleting an alias that is not set succeeds, as in MLflow, and changes nothing to record.
      if (removed) {
        changes.push({
          action: 'model_version.alias.delete',
          resourceType: 'model_version',
          name,
          version: String(removed.version),
          before: { alias, version: String(removed.version) },
        });
      }
      return true;
    });
  }

  async getAliasVersion(name: string, alias: string): Promise<{ version: number | undefined } | undefined> {
    return this.guard(async () => {
      const model = await modelRow(this.db, name);
      if (!model) return undefined;
      const row = await this.db
        .selectFrom('registered_model_aliases')
        .select('version')
        .where('model_id', '=', model.id)
        .where('alias', '=', alias)
        .executeTakeFirst();
      return { version: row?.version };
    });
  }
}
