/**
 * Resolving and checking a new model version's `source` (server/handlers.py: _create_model_version,
 * _resolve_registered_model_source_lineage, _validate_source_run, _validate_source_model).
 *
 * Deliberate difference from MLflow 3.17's server: a `runs:/` or `mlflow-artifacts:` source is not
 * required to belong to the run named by `run_id`. MLflow added that check to back its per-experiment
 * permissions; flowreg has none, and older clients and scripts register such sources without run_id.
 * The traversal checks, which protect the server's own files, are kept in full.
 */
import path from 'node:path';
import { invalidParameter, notFound } from '../protocol/errors.js';
import { isLocalUri, validateNonLocalSource } from '../artifacts/safe-path.js';
import type { Lineage } from '../domain/lineage.js';
import { isModelsUri, parseModelUri } from './model-uri.js';

export interface SourceRequest {
  readonly source: string;
  readonly runId: string | null;
  readonly modelId: string | null;
  /** The request tags the version as a prompt (`mlflow.prompt.is_prompt` = true). */
  readonly isPrompt: boolean;
}

export interface ResolvedSource {
  readonly source: string;
  readonly runId: string | null;
  readonly modelId: string | null;
  /** Where the files are, when the source points at them indirectly. */
  readonly storageLocation: string | null;
}

/** Looks up a registered version for `models:/name/…` sources (copy_model_version). */
export interface VersionLookup {
  resolveModelUri(uri: string): Promise<{ name: string; version: number; runId: string | null; modelId: string | null; downloadUri: string }>;
}

function localPath(uri: string): string {
  return path.resolve(uri.replace(/^file:(\/\/(localhost|127\.0\.0\.1)?)?/i, ''));
}

function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Prompt versions carry no files: clients register them with a placeholder source
 * (mlflow/prompt/constants.py: _PROMPT_SOURCE_PLACEHOLDERS).
 */
const PROMPT_SOURCE_PLACEHOLDERS = new Set(['dummy-source', 'prompt-template']);

export async function resolveSource(req: SourceRequest, lineage: Lineage, versions: VersionLookup): Promise<ResolvedSource> {
  const { source } = req;
  let { runId, modelId } = req;

  if (req.isPrompt) {
    if (!PROMPT_SOURCE_PLACEHOLDERS.has(source)) {
      throw invalidParameter(`Invalid prompt source: '${source}'. Prompt sources must use an MLflow placeholder.`);
    }
    return { source, runId, modelId, storageLocation: null };
  }

  if (isLocalUri(source)) {
    // A local path is only acceptable inside the local artifact directory of the run or logged
    // model it claims to come from; anything else could register arbitrary server files.
    const owner = modelId ? 'model_id' : 'run_id';
    const root = modelId ? (await lineage.loggedModel(modelId))?.artifactLocation : runId ? await lineage.runArtifactUri(runId) : undefined;
    if (root && isLocalUri(root) && isWithin(localPath(source), localPath(root))) {
      return { source, runId, modelId, storageLocation: null };
    }
    throw invalidParameter(
      `Invalid model version source: '${source}'. To use a local path as a model version source, the ${owner} ` +
        `request parameter has to be specified and the local path has to be contained within the artifact ` +
        `directory of the run specified by the ${owner}.`,
    );
  }

  validateNonLocalSource(source);

  if (isModelsUri(source)) {
    const parsed = parseModelUri(source);
    if (parsed.kind === 'logged-model') {
      if (modelId && modelId !== parsed.modelId) {
        throw invalidParameter(
          `Invalid model version source: '${source}'. The model_id request parameter must identify the resource that contains the source.`,
        );
      }
      const model = await lineage.loggedModel(parsed.modelId);
      if (!model) throw notFound(`Logged model with ID '${parsed.modelId}' not found.`);
      return {
        source,
        runId: runId || model.sourceRunId,
        modelId: parsed.modelId,
        storageLocation: model.artifactLocation,
      };
    }
    // models:/name/version, @alias, /stage, /latest: pin it to the version it names now.
    const target = await versions.resolveModelUri(source);
    // The copy inherits the source version's lineage; naming a different run or logged model is
    // a contradiction (handlers._resolve_registered_model_source_lineage).
    if ((runId && runId !== (target.runId ?? '')) || (modelId && modelId !== (target.modelId ?? ''))) {
      throw invalidParameter(
        `Invalid model version source: '${source}'. The run_id and model_id request parameters must match the referenced model version.`,
      );
    }
    return {
      source: `models:/${target.name}/${target.version}`,
      runId: runId || target.runId,
      modelId: modelId || target.modelId,
      storageLocation: target.downloadUri,
    };
  }

  if (modelId && !runId) {
    runId = (await lineage.loggedModel(modelId))?.sourceRunId ?? null;
  }
  return { source, runId, modelId, storageLocation: null };
}
