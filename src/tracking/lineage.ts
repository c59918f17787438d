/**
 * The registry's view of runs and logged models (registry/lineage.ts), served by the tracking
 * store: where a logged model's files are and which run produced it, a run's artifact root, and
 * the `mlflow.modelVersions` link written on a logged model when a version is registered from it.
 */
import type { Lineage, LoggedModelRef } from '../domain/lineage.js';
import type { LoggedModels } from './logged-models.js';
import type { Runs } from './runs.js';

export class TrackingLineage implements Lineage {
  constructor(
    private readonly loggedModels: LoggedModels,
    private readonly runs: Runs,
  ) {}

  async loggedModel(modelId: string): Promise<LoggedModelRef | undefined> {
    const model = await this.loggedModels.find(modelId);
    return model ? { modelId: model.modelId, artifactLocation: model.artifactLocation, sourceRunId: model.sourceRunId } : undefined;
  }

  async runArtifactUri(runId: string): Promise<string | undefined> {
    try {
      return (await this.runs.info(runId)).artifactUri;
    } catch (err) {
      if ((err as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async linkModelVersion(modelId: string, name: string, version: number): Promise<void> {
    // A version may point at a model that was deleted meanwhile: nothing to record then.
    await this.loggedModels.linkModelVersion(modelId, name, version);
  }
}
