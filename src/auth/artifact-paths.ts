/**
 * What a proxied artifact path belongs to (auth/__init__.py: _artifact_proxy_child,
 * _artifact_proxy_child_types). An artifact under `<experiment id>/…` belongs to that experiment;
 * below it, `<run id>/artifacts/…` is a run's, `models/…` a logged model's and `traces/…` a
 * trace's, and the request is judged on that tier with the experiment as fallback. A delete
 * removes a subtree, so it is judged on every tier it can reach. A path that names no experiment
 * is judged by `default_permission` alone (MLflow without workspaces).
 *
 * The path given here must already be canonical (the artifact path gate's output): MLflow checks
 * the same canonical path its handler acts on, so a double-encoded segment cannot name one
 * experiment to the check and another to the handler.
 */
import type { ResourceType } from './permissions.js';
import type { Requirement } from './requirements.js';

export type ArtifactAction = 'read' | 'update' | 'manage';

const EXPERIMENT_ID = /^(\d+)\//;
const RUN_ID_SEGMENT = /^[0-9a-f]{32}$/;
const CHILD_FOLDERS: Readonly<Record<string, ResourceType>> = { models: 'logged_model', traces: 'trace' };
const EXPERIMENT_ROOT_TIERS: readonly ResourceType[] = ['run', 'trace', 'logged_model'];

function childTypes(rest: string, recursive: boolean): readonly ResourceType[] {
  const segments = rest.split('/').filter((s) => s !== '');
  const first = segments[0];
  if (first === undefined) return recursive ? EXPERIMENT_ROOT_TIERS : [];
  const folder = CHILD_FOLDERS[first];
  if (folder) return [folder];
  if (segments[1] === 'artifacts' || RUN_ID_SEGMENT.test(first)) return ['run'];
  return recursive ? ['run'] : [];
}

export type ArtifactCheck =
  /** The path names no experiment: allowed when `default_permission` (or admin) allows the action. */
  | { readonly experimentId: undefined; readonly requirements: readonly [] }
  | { readonly experimentId: string; readonly requirements: readonly Requirement[] };

export function artifactPathCheck(canonicalPath: string | undefined, action: ArtifactAction): ArtifactCheck {
  const m = EXPERIMENT_ID.exec(`${(canonicalPath ?? '').replace(/^\/+|\/+$/g, '')}/`);
  if (!m) return { experimentId: undefined, requirements: [] };
  const experimentId = m[1] as string;
  const rest = `${(canonicalPath ?? '').replace(/^\/+/, '')}/`.slice(m[0].length);
  const tiers = childTypes(rest, action === 'manage');
  const anchor = { resourceType: 'experiment' as const, resourceId: experimentId };
  if (tiers.length === 0) return { experimentId, requirements: [{ ...anchor, action }] };
  return {
    experimentId,
    requirements: [{ ...anchor, action: 'read' }, ...tiers.map((t) => ({ resourceType: t, resourceId: '*', action, fallback: [anchor] }))],
  };
}
