/**
 * The words of governance's refusals. A refused MLflow call names the API that does what the
 * caller meant, so nobody is left guessing why `set_registered_model_alias` failed.
 */
import type { TargetType } from '../store/governance-store.js';

const API = '/api/flowreg/v1';

/** `aliases/champion` or `stages/Production` of model m's API path. */
export function targetPath(model: string, type: TargetType, target: string): string {
  return `${API}/models/${encodeURIComponent(model)}/${type === 'alias' ? 'aliases' : 'stages'}/${encodeURIComponent(target)}`;
}

export function describeTarget(model: string, type: TargetType, target: string): string {
  return `${type === 'alias' ? 'Alias' : 'Stage'} '${target}' of model '${model}'`;
}

/** The 403 of a direct write to a protected alias or stage. */
export function protectedMessage(model: string, type: TargetType, target: string): string {
  return `${describeTarget(model, type, target)} is protected: request the change with POST ${targetPath(model, type, target)}/requests`;
}

/** The 403 of deleting a version that holds a protected alias. */
export function protectedVersionMessage(model: string, version: string, alias: string): string {
  return (
    `Version ${version} of model '${model}' holds the protected alias '${alias}' and cannot be deleted: ` +
    `move the alias first with POST ${targetPath(model, 'alias', alias)}/requests`
  );
}
