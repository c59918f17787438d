/** Row helpers shared by the governance store and its two journal sinks. */
import type { Tag } from '../registry-store.js';
import type { Db } from './sql-store-base.js';

/**
 * Takes the registered model's row lock (PostgreSQL; SQLite's one write lock is already held) by an
 * UPDATE that changes nothing, and tells whether the model exists. A protection write and the
 * guard's re-check of an alias or stage write both take it first, so one waits for the other and
 * the guard reads the protection as committed: a protection set while an alias write is in flight
 * cannot be missed. Portable: no `FOR UPDATE` (which SQLite lacks).
 */
export async function lockModel(db: Db, name: string): Promise<boolean> {
  const res = await db
    .updateTable('registered_models')
    .set((eb) => ({ last_version: eb.ref('last_version') }))
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export function tagsFromJson(text: string): Tag[] {
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? parsed.map((t) => ({ key: String(t.key), value: String(t.value) })) : [];
}

export function tagsToJson(tags: readonly Tag[]): string {
  return JSON.stringify(tags.map((t) => ({ key: t.key, value: t.value })));
}

/** A Change value's field as a string (versions travel as strings in Changes). */
export function str(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function strings(value: unknown, key: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const v = (value as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.map(String) : [];
}

export function num(s: string | undefined | null): number | null {
  if (s === undefined || s === null || s === '') return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}
