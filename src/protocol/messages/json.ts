/**
 * Helpers of the JSON encoders: proto JSON (MLflow's message_to_json) leaves unset fields out, so
 * an entity field that is null is omitted rather than sent as null.
 */
import type { Tag } from '../../store/registry-store.js';

export type Json = Record<string, unknown>;

/** The entries of `fields` whose value is set (not null or undefined), in their order. */
export function setFields(fields: Json): Json {
  const out: Json = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

export function tagsJson(tags: readonly Tag[]): Json[] {
  return tags.map((t) => ({ key: t.key, value: t.value }));
}
