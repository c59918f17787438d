/**
 * Publishing a model version without an MLflow client: the registry and tracking side of
 * `POST /api/flowreg/v1/models/{name}/versions` (the HTTP side is http/native/publish.ts).
 *
 * What a publish produces is what `mlflow.<flavor>.log_model(…, registered_model_name=…)` of a
 * 2.x client produces, so every MLflow client can load it:
 *   - a run (new, in experiment `Default` or `experiment_name`; or the given `run_id`) with the
 *     params and metrics of the metadata;
 *   - the files under the run's artifact root in the artifact destination,
 *     `<exp>/<run_id>/artifacts/<artifact_path>/…`, where the proxy serves them;
 *   - a model version whose source is `mlflow-artifacts:/<exp>/<run_id>/artifacts/<artifact_path>`
 *     and whose run_id is the run.
 *
 * Life cycle: the version is created PENDING_REGISTRATION before the first byte of the first file
 * is stored and becomes READY after the last one. On any failure the files written so far are
 * deleted, the version is marked FAILED_REGISTRATION and then deleted (its number stays taken, as
 * for any deleted version), and a run created for the publish is marked FAILED and deleted. A
 * registered model created by the publish is kept (empty). Params and metrics are logged only on
 * success, so a failed publish leaves nothing on an existing run either.
 */
import { invalidParameter, MlflowError } from '../protocol/errors.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { Logger } from '../logger.js';
import type { ModelVersions } from '../registry/model-versions.js';
import type { RegisteredModels } from '../registry/registered-models.js';
import type { Clock } from '../domain/clock.js';
import { IS_PROMPT_TAG, type ModelVersion } from '../store/registry-store.js';
import { DEFAULT_EXPERIMENT_ID, type Experiment } from '../store/tracking-store.js';
import { proxiedArtifactDir } from '../tracking/artifacts.js';
import type { Experiments } from '../tracking/experiments.js';
import type { Runs } from '../tracking/runs.js';
import { validateModelName } from '../registry/validation.js';
import type { PublishMetadata } from './metadata.js';

/** A run tag naming the version a publish created, e.g. `my-model/3`. */
export const PUBLISHED_VERSION_TAG = 'flowreg.published_version';

export interface PublisherDeps {
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  readonly experiments: Experiments;
  readonly runs: Runs;
  /** The `--artifacts-destination`. */
  readonly store: ArtifactStore;
  readonly logger: Logger;
  readonly now: Clock;
}

function isCode(err: unknown, code: string): boolean {
  return err instanceof MlflowError && err.code === code;
}

export class Publisher {
  constructor(private readonly deps: PublisherDeps) {}

  private now(): number {
    return this.deps.now();
  }

  private async experimentFor(meta: PublishMetadata): Promise<Experiment> {
    const { experiments } = this.deps;
    if (meta.experimentName === null) return experiments.getActive(String(DEFAULT_EXPERIMENT_ID));
    try {
      return await experiments.getByName(meta.experimentName);
    } catch (err) {
      if (!isCode(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
    }
    try {
      await experiments.create(meta.experimentName, undefined, []);
    } catch (err) {
      // Created meanwhile by someone else: use it.
      if (!isCode(err, 'RESOURCE_ALREADY_EXISTS')) throw err;
    }
    return experiments.getByName(meta.experimentName);
  }

  /** The registered model, created when missing. Prompts are not model versions' home. */
  private async ensureModel(name: string): Promise<void> {
    const { registeredModels } = this.deps;
    let tags;
    try {
      tags = (await registeredModels.get(name)).tags;
    } catch (err) {
      if (!isCode(err, 'RESOURCE_DOES_NOT_EXIST')) throw err;
      try {
        await registeredModels.create(name, [], null);
        return;
      } catch (createErr) {
        if (!isCode(createErr, 'RESOURCE_ALREADY_EXISTS')) throw createErr;
        tags = (await registeredModels.get(name)).tags;
      }
    }
    if (tags.some((t) => t.key === IS_PROMPT_TAG && t.value.toLowerCase() === 'true')) {
      throw invalidParameter(`'${name}' is a prompt, not a registered model; files cannot be published to it.`);
    }
  }

  /**
   * Creates (or finds) the run, the registered model and the PENDING_REGISTRATION version. Nothing
   * is stored yet; the caller streams the files with `Publication.write`, then `complete` or
   * `abandon`.
   */
  async begin(name: string, meta: PublishMetadata): Promise<Publication> {
    validateModelName(name);
    const { runs, store } = this.deps;
    let runId: string;
    let runDir: string;
    let createdRun = false;
    if (meta.runId !== null) {
      const info = await runs.info(meta.runId);
      if (info.lifecycleStage !== 'active') {
        throw invalidParameter(`The run ${info.runId} must be in the 'active' state. Current state is ${info.lifecycleStage}.`);
      }
      const dir = proxiedArtifactDir(info.artifactUri);
      if (dir === undefined || dir === '') {
        throw invalidParameter(
          `The artifact root of run ${info.runId} (${info.artifactUri}) is not served by this server's artifact proxy; ` +
            'publish without run_id, or log the files with an MLflow client.',
        );
      }
      runId = info.runId;
      runDir = dir;
      if ((await store.list(`${runDir}/${meta.artifactPath}`)).length > 0) {
        throw invalidParameter(
          `Run ${runId} already has artifacts under '${meta.artifactPath}'; choose another 'artifact_path' in the metadata.`,
        );
      }
    } else {
      const experiment = await this.experimentFor(meta);
      const run = await runs.create({
        experimentId: String(experiment.id),
        userId: undefined,
        runName: undefined,
        startTime: this.now(),
        tags: [],
      });
      runId = run.info.runId;
      createdRun = true;
      // A run of an experiment whose artifact root is elsewhere (s3://…, a local path) still gets
      // its published files in the destination, at the place the proxy would put them.
      runDir = proxiedArtifactDir(run.info.artifactUri) || `${experiment.id}/${runId}/artifacts`;
    }
    const versionDir = `${runDir}/${meta.artifactPath}`;
    let version: ModelVersion;
    try {
      await this.ensureModel(name);
      version = await this.deps.modelVersions.create(name, {
        source: `mlflow-artifacts:/${versionDir}`,
        runId,
        runLink: null,
        description: meta.description,
        tags: meta.tags,
        modelId: null,
        status: 'PENDING_REGISTRATION',
      });
    } catch (err) {
      if (createdRun) await this.dropRun(runId, runDir);
      throw err;
    }
    return new Publication(this.deps, this.log, meta, version, runId, createdRun, runDir, versionDir);
  }

  private get log(): Logger {
    return this.deps.logger;
  }

  private async dropRun(runId: string, runDir: string): Promise<void> {
    await dropRun(this.deps, this.log, runId, runDir);
  }
}

async function attempt(log: Logger, what: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (err) {
    log('warn', `publish cleanup: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function dropRun(deps: PublisherDeps, log: Logger, runId: string, runDir: string): Promise<void> {
  // The run's own directory (`<exp>/<run_id>`, above `artifacts`) goes too: it was made for it.
  const suffix = `/${runId}/artifacts`;
  const home = runDir.endsWith(suffix) ? runDir.slice(0, -'/artifacts'.length) : runDir;
  await attempt(log, `deleting the files of run ${runId}`, () => deps.store.delete(home));
  await attempt(log, `marking run ${runId} FAILED`, () => deps.runs.update(runId, { status: 'FAILED', endTime: deps.now() }));
  await attempt(log, `deleting run ${runId}`, () => deps.runs.delete(runId));
}

/** One publish in progress: write the files, then complete or abandon. */
export class Publication {
  /** Store paths written so far. */
  private readonly written: string[] = [];
  private readonly names = new Set<string>();
  /** Whether file names repeat the model directory's name (`model/MLmodel`); set by the first file. */
  private prefixed: boolean | undefined;
  private finished = false;

  constructor(
    private readonly deps: PublisherDeps,
    private readonly log: Logger,
    private readonly meta: PublishMetadata,
    readonly version: ModelVersion,
    readonly runId: string,
    private readonly createdRun: boolean,
    private readonly runDir: string,
    /** Store path of the model directory: the version's source. */
    readonly versionDir: string,
  ) {}

  get name(): string {
    return this.version.name;
  }

  /** Files stored so far, relative to the model directory. */
  get fileCount(): number {
    return this.written.length;
  }

  /**
   * Where a file part's (already checked) name goes, relative to the model directory. Names are
   * relative to the model directory; they may instead all start with its name (`model/MLmodel`
   * for the default `artifact_path` `model`), which the first file decides.
   */
  relativeName(fileName: string): string {
    const prefix = `${this.meta.artifactPath}/`;
    const hasPrefix = fileName.startsWith(prefix);
    this.prefixed ??= hasPrefix;
    if (this.prefixed && !hasPrefix) {
      throw invalidParameter(
        `Invalid file name ${JSON.stringify(fileName)}: the first file's name started with '${prefix}', so every name ` +
          `must (names are either all relative to the model directory or all start with '${prefix}').`,
      );
    }
    const rel = this.prefixed ? fileName.slice(prefix.length) : fileName;
    if (rel === '') throw invalidParameter(`Invalid file name ${JSON.stringify(fileName)}: it names a directory`);
    if (this.names.has(rel)) throw invalidParameter(`Invalid file name ${JSON.stringify(fileName)}: the same file is sent twice`);
    this.names.add(rel);
    return rel;
  }

  /** Streams one file into the model directory; returns its size. */
  async write(rel: string, body: NodeJS.ReadableStream): Promise<number> {
    const target = `${this.versionDir}/${rel}`;
    this.written.push(target);
    const { size } = await this.deps.store.write(target, body);
    return size;
  }

  /** Logs params and metrics, finishes a created run, marks the version READY, sets the aliases. */
  async complete(): Promise<ModelVersion> {
    const { runs, modelVersions } = this.deps;
    const { meta, version } = this;
    if (this.written.length === 0) throw invalidParameter('The request has no file parts: publish at least one file.');
    await runs.logBatch(this.runId, meta.metrics, meta.params, [{ key: PUBLISHED_VERSION_TAG, value: `${version.name}/${version.version}` }]);
    if (this.createdRun) await runs.update(this.runId, { status: 'FINISHED', endTime: this.deps.now() });
    await modelVersions.setStatus(version.name, version.version, 'READY', null);
    this.finished = true;
    // Aliases move only to a READY version. The names were checked up front, so this fails only if
    // the model is deleted meanwhile; the version is published then, and the response shows which
    // aliases it got.
    for (const alias of meta.aliases) {
      try {
        await modelVersions.setAlias(version.name, alias, version.version);
      } catch (err) {
        this.log('warn', `publish of ${version.name}/${version.version}: setting alias '${alias}' failed: ${String(err)}`);
      }
    }
    return modelVersions.get(version.name, version.version);
  }

  /**
   * Undoes the publish: files, version, and a run created for it. Never throws; problems are
   * logged. After `complete` succeeded there is nothing to undo.
   */
  async abandon(reason: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const { store, modelVersions } = this.deps;
    const { name, version } = this.version;
    const log = this.log;
    await attempt(log, `marking ${name}/${version} FAILED_REGISTRATION`, () =>
      modelVersions.setStatus(name, version, 'FAILED_REGISTRATION', reason.slice(0, 500)),
    );
    for (const path of this.written) await attempt(log, `deleting ${path}`, () => store.delete(path));
    await attempt(log, `deleting ${this.versionDir}`, () => store.delete(this.versionDir));
    await attempt(log, `deleting model version ${name}/${version}`, () => modelVersions.delete(name, version));
    if (this.createdRun) await dropRun(this.deps, log, this.runId, this.runDir);
    log('info', `publish of ${name}/${version} abandoned: ${reason}`);
  }
}
