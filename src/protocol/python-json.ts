/**
 * JSON text exactly as Python's `json.dumps(value)` writes it with its defaults: `", "` between
 * items, `": "` after keys, and `ensure_ascii=True` (every character outside printable ASCII,
 * DEL included, as a lower-case `\uXXXX` escape; astral characters as surrogate pairs). MLflow
 * writes values that clients read back and rewrite this way (e.g. the `mlflow.modelVersions` tag,
 * mlflow/store/tracking/abstract_store.py: set_model_versions_tags), so writing the same bytes
 * keeps a value from changing form with whoever wrote it last.
 */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') {
    // JSON.stringify already escapes `"`, `\` and control characters as Python does.
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return JSON.stringify(value) ?? 'null';
}
