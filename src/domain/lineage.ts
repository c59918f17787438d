/**
 * What the registry needs to know about runs and logged models when a version is created from
 * them. The tracking side implements it; without one, runs and logged models are unknown.
 */
export interface LoggedModelRef {
  readonly modelId: string;
  readonly artifactLocation: string;
  readonly sourceRunId: string | null;
}

export interface Lineage {
  loggedModel(modelId: string): Promise<LoggedModelRef | undefined>;
  /** The run's artifact root URI, or undefined when there is no such run. */
  runArtifactUri(runId: string): Promise<string | undefined>;
  /** Records on the logged model that a registered version now points at it. */
  linkModelVersion(modelId: string, name: string, version: number): Promise<void>;
}

export const NO_LINEAGE: Lineage = {
  loggedModel: async () => undefined,
  runArtifactUri: async () => undefined,
  linkModelVersion: async () => {},
};
