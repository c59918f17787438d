/**
 * The history of every position an alias or stage has had, written by a sink of the registry
 * database's journal inside the transaction of the change itself: a position is in the history
 * exactly when the write that made it committed, whichever path made it.
 *
 * - `model_version.alias.set` / `.delete`: one row; the kind is the Change's `via` (rollback,
 *   approval, emergency_rollback) or set / delete.
 * - `model_version.delete`: the aliases the version held go with it (a delete row each).
 * - `model_version.stage.transition`: a row for the stage entered (the previous version is the
 *   highest one it archived, if any) and a delete row for the stage left.
 * - `registered_model.rename`: governance rows follow the new name.
 * - `registered_model.delete`: the model's history, protections and requests go with it (the audit
 *   trail keeps the record); a new model of that name starts clean.
 */
import type { Transaction } from 'kysely';
import type { JournalEntry } from '../change.js';
import type { HistoryKind } from '../governance-store.js';
import { num, str, strings } from './governance-sql-rows.js';
import type { ChangeSink } from './journal.js';
import type { Database } from './schema.js';
import type { GovernanceHistoryTable } from './governance-schema.js';

type Row = Omit<GovernanceHistoryTable, 'id'>;

const VIA_KINDS = new Set<HistoryKind>(['rollback', 'approval', 'emergency_rollback']);

function kindOf(entry: JournalEntry, fallback: HistoryKind): HistoryKind {
  const via = str(entry.after, 'via') as HistoryKind | undefined;
  return via && VIA_KINDS.has(via) ? via : fallback;
}

function rowsOf(entry: JournalEntry): Row[] {
  const base = { model_name: entry.name, user_name: entry.actor.user, time: entry.time, request_id: num(str(entry.after, 'request_id')) };
  switch (entry.action) {
    case 'model_version.alias.set':
      return [
        {
          ...base,
          target_type: 'alias',
          target: str(entry.after, 'alias') ?? '',
          version: num(str(entry.after, 'version')),
          previous_version: num(str(entry.before, 'version')),
          kind: kindOf(entry, 'set'),
        },
      ];
    case 'model_version.alias.delete':
      return [
        { ...base, target_type: 'alias', target: str(entry.before, 'alias') ?? '', version: null, previous_version: num(str(entry.before, 'version')), kind: 'delete' },
      ];
    case 'model_version.delete':
      return strings(entry.before, 'aliases').map((alias) => ({
        ...base,
        target_type: 'alias',
        target: alias,
        version: null,
        previous_version: num(entry.version),
        kind: 'delete',
      }));
    case 'model_version.stage.transition': {
      const from = str(entry.before, 'stage');
      const to = str(entry.after, 'stage');
      if (to === undefined) return [];
      const archived = strings(entry.after, 'archived_versions').map(Number).filter(Number.isSafeInteger);
      const rows: Row[] = [
        {
          ...base,
          target_type: 'stage',
          target: to,
          version: num(entry.version),
          previous_version: archived.length > 0 ? Math.max(...archived) : null,
          kind: kindOf(entry, 'set'),
        },
      ];
      if (from !== undefined && from !== to) {
        rows.push({ ...base, target_type: 'stage', target: from, version: null, previous_version: num(entry.version), kind: 'delete' });
      }
      return rows;
    }
    default:
      return [];
  }
}

export class SqlGovernanceHistory implements ChangeSink {
  async append(trx: Transaction<Database>, entries: readonly JournalEntry[]): Promise<void> {
    const rows: Row[] = [];
    for (const entry of entries) {
      if (entry.action === 'registered_model.rename') {
        // Rows written earlier in this batch are flushed first, so they follow the rename too.
        if (rows.length > 0) await trx.insertInto('governance_history').values(rows.splice(0)).execute();
        const from = str(entry.before, 'name');
        const to = str(entry.after, 'name') ?? entry.name;
        if (from !== undefined && from !== to) await renameModel(trx, from, to);
      } else if (entry.action === 'registered_model.delete') {
        if (rows.length > 0) await trx.insertInto('governance_history').values(rows.splice(0)).execute();
        await forgetModel(trx, str(entry.before, 'name') ?? entry.name);
      } else {
        rows.push(...rowsOf(entry));
      }
    }
    if (rows.length > 0) await trx.insertInto('governance_history').values(rows).execute();
  }
}

async function renameModel(trx: Transaction<Database>, from: string, to: string): Promise<void> {
  await trx.updateTable('governance_history').set({ model_name: to }).where('model_name', '=', from).execute();
  await trx.updateTable('governance_protections').set({ model_name: to }).where('model_name', '=', from).execute();
  await trx.updateTable('governance_requests').set({ model_name: to }).where('model_name', '=', from).execute();
}

async function forgetModel(trx: Transaction<Database>, name: string): Promise<void> {
  await trx.deleteFrom('governance_history').where('model_name', '=', name).execute();
  await trx.deleteFrom('governance_protections').where('model_name', '=', name).execute();
  await trx
    .deleteFrom('governance_votes')
    .where('request_id', 'in', (eb) => eb.selectFrom('governance_requests').select('id').where('model_name', '=', name))
    .execute();
  await trx.deleteFrom('governance_requests').where('model_name', '=', name).execute();
}
