/**
 * `flowreg push <dir> --name m`: publishes a directory as a new model version through the native
 * API, streaming the files as one multipart request (no MLflow client needed).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkRelativePath } from '../native/file-names.js';
import { ClientError, describeError, readText, remoteFrom, send, versionUrl } from './client/remote.js';
import { multipartBody, type LocalFile } from './client/multipart-body.js';
import { readArgs, UsageError, runSubcommand } from './command.js';
import { formatBytes, formatRate, Progress } from './progress.js';

export const PUSH_HELP = `Usage: flowreg push <dir> --name NAME [options]

Publishes every file under <dir> as a new version of registered model NAME (created when
missing). The version is an ordinary MLflow model version: when <dir> is an MLflow model
directory, mlflow.pyfunc.load_model("models:/NAME/<version>") loads it.

Options:
  -n, --name NAME          registered model name (required)
  --tracking-uri URL       the flowreg server (default: $MLFLOW_TRACKING_URI)
  -t, --tag KEY=VALUE      model version tag (repeatable)
  -a, --alias ALIAS        point this alias at the new version (repeatable)
  --description TEXT       model version description
  --param KEY=VALUE        param to log on the run (repeatable)
  --metric KEY=NUMBER      metric to log on the run (repeatable)
  --run-id ID              attach the files to this existing run instead of a new one
  --experiment-name NAME   experiment of the new run (default: Default)
  --artifact-path PATH     directory of the model inside the run (default: model)
  --no-progress            no progress bar
  -h, --help               this text

Authentication as for MLflow clients: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and
MLFLOW_TRACKING_PASSWORD.
`;

interface PushOptions {
  dir: string;
  name: string;
  trackingUri: string | undefined;
  tags: Record<string, string>;
  aliases: string[];
  description: string | undefined;
  params: Record<string, string>;
  metrics: Record<string, number>;
  runId: string | undefined;
  experimentName: string | undefined;
  artifactPath: string | undefined;
  progress: boolean | undefined;
}

function keyValue(flag: string, raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} expects KEY=VALUE, got '${raw}'`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

function parseArgs(argv: readonly string[]): PushOptions | 'help' {
  const opts: PushOptions = {
    dir: '',
    name: '',
    trackingUri: undefined,
    tags: {},
    aliases: [],
    description: undefined,
    params: {},
    metrics: {},
    runId: undefined,
    experimentName: undefined,
    artifactPath: undefined,
    progress: undefined,
  };
  const positional = readArgs(argv, opts, (flag, value) => {
    switch (flag) {
      case '-n':
      case '--name':
        opts.name = value();
        return true;
      case '-t':
      case '--tag': {
        const [k, v] = keyValue(flag, value());
        opts.tags[k] = v;
        return true;
      }
      case '-a':
      case '--alias':
        opts.aliases.push(value());
        return true;
      case '--description':
        opts.description = value();
        return true;
      case '--param': {
        const [k, v] = keyValue(flag, value());
        opts.params[k] = v;
        return true;
      }
      case '--metric': {
        const [k, v] = keyValue(flag, value());
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--metric ${k}: '${v}' is not a number`);
        opts.metrics[k] = n;
        return true;
      }
      case '--run-id':
        opts.runId = value();
        return true;
      case '--experiment-name':
        opts.experimentName = value();
        return true;
      case '--artifact-path':
        opts.artifactPath = value();
        return true;
      default:
        return false;
    }
  });
  if (positional === 'help') return 'help';
  if (positional.length !== 1) throw new UsageError('give exactly one directory to publish');
  opts.dir = positional[0] as string;
  if (!opts.name) throw new UsageError('--name is required');
  return opts;
}

/** Regular files under dir (symlinks to files followed), sorted, with `/`-separated relative names. */
export async function listLocalFiles(dir: string): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const visit = async (abs: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const st = await fs.stat(childAbs);
      if (e.isDirectory()) {
        await visit(childAbs, childRel);
      } else if (st.isFile()) {
        out.push({ name: childRel, path: childAbs, size: st.size });
      } else if (e.isSymbolicLink() && st.isDirectory()) {
        throw new ClientError(`${childAbs}: symbolic links to directories are not followed; copy the directory instead`);
      }
    }
  };
  const st = await fs.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ClientError(`${dir} is not a directory`);
  await visit(dir, '');
  return out;
}

export async function pushCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runSubcommand('push', PUSH_HELP, () => parseArgs(argv), (opts) => push(opts, env));
}

async function push(opts: PushOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const remote = remoteFrom(opts.trackingUri, env);
  const artifactPath = (opts.artifactPath ?? 'model').replace(/\/+$/, '');
  const local = await listLocalFiles(opts.dir);
  if (local.length === 0) throw new ClientError(`${opts.dir} has no files to publish`);
  for (const f of local) checkRelativePath(f.name, 'file name');
  // Every name carries the model directory's name, so the server never has to guess which form
  // the names are in (a model directory may well contain a subdirectory called `model`).
  const files = local.map((f) => ({ ...f, name: `${artifactPath}/${f.name}` }));
  const metadata: Record<string, unknown> = {};
  if (opts.description !== undefined) metadata.description = opts.description;
  if (Object.keys(opts.tags).length > 0) metadata.tags = opts.tags;
  if (opts.aliases.length > 0) metadata.aliases = opts.aliases;
  if (Object.keys(opts.params).length > 0) metadata.params = opts.params;
  if (Object.keys(opts.metrics).length > 0) metadata.metrics = opts.metrics;
  if (opts.runId !== undefined) metadata.run_id = opts.runId;
  if (opts.experimentName !== undefined) metadata.experiment_name = opts.experimentName;
  if (opts.artifactPath !== undefined) metadata.artifact_path = artifactPath;

  const totalFileBytes = files.reduce((s, f) => s + f.size, 0);
  const progress = new Progress(`push ${opts.name}`, totalFileBytes, process.stderr, opts.progress);
  const body = multipartBody(metadata, files, (n) => progress.add(n));
  const res = await send(versionUrl(remote, opts.name), {
    method: 'POST',
    headers: { ...remote.headers, 'Content-Type': body.contentType, 'Content-Length': body.length, Accept: 'application/json' },
    body: body.stream,
  });
  progress.finish();
  if ((res.statusCode ?? 0) !== 200) {
    // An early refusal (a bad name, a body over the limit): stop sending the rest.
    body.stream.destroy();
    throw new ClientError(await describeError(res));
  }
  const answer = JSON.parse(await readText(res)) as { model_version?: { name?: string; version?: string; aliases?: string[] } };
  const mv = answer.model_version ?? {};
  const elapsed = progress.elapsedMs;
  process.stderr.write(
    `Published ${opts.name} version ${mv.version ?? '?'}: ${files.length} file${files.length === 1 ? '' : 's'}, ` +
      `${formatBytes(totalFileBytes)} in ${(elapsed / 1000).toFixed(1)} s (${formatRate(totalFileBytes, elapsed)})` +
      `${mv.aliases?.length ? `; aliases: ${mv.aliases.join(', ')}` : ''}\n`,
  );
  process.stdout.write(`models:/${mv.name ?? opts.name}/${mv.version ?? ''}\n`);
  return 0;
}
