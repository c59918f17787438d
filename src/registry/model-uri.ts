/**
 * `models:/` URIs as clients write them (mlflow/store/artifact/utils/models.py: _parse_model_uri):
 *   models:/<name>/<version> | models:/<name>/<stage> | models:/<name>/latest
 *   models:/<name>@<alias>   | models:/<model_id>   (an MLflow 3 logged model)
 */
import { invalidParameter } from '../protocol/errors.js';

export type ModelUri =
  | { readonly kind: 'version'; readonly name: string; readonly version: number }
  | { readonly kind: 'stage'; readonly name: string; readonly stage: string }
  | { readonly kind: 'latest'; readonly name: string }
  | { readonly kind: 'alias'; readonly name: string; readonly alias: string }
  | { readonly kind: 'logged-model'; readonly modelId: string };

function improper(uri: string): Error {
  return invalidParameter(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or ` +
      `'models:/name@alias' where suffix is a version, stage, or the string 'latest'.`,
  );
}

export function isModelsUri(uri: string): boolean {
  return /^models:/i.test(uri);
}

export function parseModelUri(uri: string): ModelUri {
  const m = /^models:(.*)$/i.exec(uri);
  if (!m) throw improper(uri);
  let rest = m[1] as string;
  if (rest.startsWith('//')) {
    // A netloc (models://profile/…) names another registry; only this one is served.
    throw invalidParameter(`Invalid model version source: '${uri}'. Registered model sources must use the active model registry.`);
  }
  rest = rest.split('?')[0] as string;
  if (!rest.startsWith('/') || rest.length <= 1) throw improper(uri);
  const parts = rest.slice(1).split('/');
  const first = parts[0] as string;
  if (parts.length > 2 || first.trim() === '') throw improper(uri);
  if (parts.length === 2) {
    const suffix = parts[1] as string;
    if (suffix.trim() === '') throw improper(uri);
    if (/^\d+$/.test(suffix)) return { kind: 'version', name: first, version: Number(suffix) };
    if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name: first };
    return { kind: 'stage', name: first, stage: suffix };
  }
  const at = first.lastIndexOf('@');
  if (rest.includes('@') && at >= 0) {
    const alias = first.slice(at + 1);
    if (alias.trim() === '') throw improper(uri);
    return { kind: 'alias', name: first.slice(0, at), alias };
  }
  return { kind: 'logged-model', modelId: first };
}
