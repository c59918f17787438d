/**
 * The composition root's product: everything createApp needs, built by server.ts from the config
 * (or by tests around a temporary database).
 */
import type { Router } from 'express';
import type { RouteDef } from './http/router.js';
import type { Logger } from './logger.js';
import type { ModelVersions } from './registry/model-versions.js';
import type { RegisteredModels } from './registry/registered-models.js';

export interface Deps {
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  /** More JSON RPCs (tracking, logged models). */
  readonly extraRoutes?: readonly RouteDef[];
  /** Routes that stream bodies themselves (artifacts), mounted ahead of the JSON dispatcher. */
  readonly streamRoutes?: ReadonlyArray<(router: Router) => void>;
  readonly staticPrefix?: string;
  /** `--artifacts-only`: the MLflow JSON RPCs answer 503 (handlers.py: _disable_if_artifacts_only). */
  readonly artifactsOnly?: boolean;
  readonly logger?: Logger;
}
