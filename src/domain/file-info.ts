/** One entry of an artifact listing, like MLflow's FileInfo. */
export interface FileInfo {
  /** Relative to the artifact root, like MLflow's FileInfo.path. */
  readonly path: string;
  readonly isDir: boolean;
  readonly fileSize?: number;
}
