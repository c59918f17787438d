/**
 * The one place protections are enforced: a sink of the registry database's journal, so it sees
 * every alias write, stage transition and version delete, whichever path made it (MLflow's RPCs
 * under /api and /ajax-api, the native publish API, anything added later), inside that write's own
 * transaction and before its commit. A refused change throws ProtectedChange and the transaction
 * rolls back; nothing of it stays.
 *
 * Why here and not in the registry service or the HTTP handlers: a check before the write could
 * miss a protection committed between the check and the write; this one takes the model's row lock
 * (lockModel), which a protection write takes too, and reads the protection after it, inside the
 * write's transaction. And a path that forgets to call a check cannot exist.
 *
 * Allowed without approval: writes whose Change says they come from an applied request
 * (`via: 'approval'`) or from a MANAGE user's emergency rollback (`via: 'emergency_rollback'`).
 * Only governance's own store writes such Changes; no client can put `via` into one.
 */
import type { Transaction } from 'kysely';
import type { JournalEntry } from '../change.js';
import type { ProtectionDefaults, TargetType } from '../governance-store.js';
import { ProtectedChange } from '../store-errors.js';
import { lockModel, str, strings } from './governance-sql-rows.js';
import type { ChangeSink } from './journal.js';
import type { Database } from './schema.js';

interface Check {
  readonly type: TargetType;
  readonly model: string;
  readonly target: string;
  readonly deletedVersion?: string;
}

const EXEMPT = new Set(['approval', 'emergency_rollback']);

function checksOf(entry: JournalEntry): Check[] {
  const via = str(entry.after, 'via');
  switch (entry.action) {
    case 'model_version.alias.set': {
      const alias = str(entry.after, 'alias');
      return alias === undefined || (via && EXEMPT.has(via)) ? [] : [{ type: 'alias', model: entry.name, target: alias }];
    }
    case 'model_version.alias.delete': {
      const alias = str(entry.before, 'alias');
      return alias === undefined ? [] : [{ type: 'alias', model: entry.name, target: alias }];
    }
    case 'model_version.delete':
      return strings(entry.before, 'aliases').map((alias) => ({ type: 'alias', model: entry.name, target: alias, deletedVersion: entry.version ?? '' }));
    case 'model_version.stage.transition': {
      // Into a protected stage; leaving one (e.g. archiving the version that was in it) is not guarded.
      const stage = str(entry.after, 'stage');
      return stage === undefined || via === 'approval' ? [] : [{ type: 'stage', model: entry.name, target: stage }];
    }
    default:
      return [];
  }
}

export class SqlProtectionGuard implements ChangeSink {
  constructor(private readonly defaults: ProtectionDefaults) {}

  /** The server-wide default covers it (a model's own rule can change its terms, not lift it). */
  private serverWide(c: Check): boolean {
    return (c.type === 'alias' ? this.defaults.aliases : this.defaults.stages).includes(c.target);
  }

  private async hasOwnProtection(trx: Transaction<Database>, c: Check): Promise<boolean> {
    const row = await trx
      .selectFrom('governance_protections')
      .select('model_name')
      .where('model_name', '=', c.model)
      .where('target_type', '=', c.type)
      .where('target', '=', c.target)
      .executeTakeFirst();
    return row !== undefined;
  }

  async append(trx: Transaction<Database>, entries: readonly JournalEntry[]): Promise<void> {
    const checks = entries.flatMap(checksOf);
    if (checks.length === 0) return;
    const locked = new Set<string>();
    for (const c of checks) {
      const refuse = () => new ProtectedChange(c.type, c.model, c.target, c.deletedVersion);
      if (this.serverWide(c)) throw refuse();
      if (!locked.has(c.model)) {
        await lockModel(trx, c.model);
        locked.add(c.model);
      }
      if (await this.hasOwnProtection(trx, c)) throw refuse();
    }
  }
}
