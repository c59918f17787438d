/**
 * `flowreg pull models:/m@champion -d out`: downloads a model version's archive through the native
 * API and unpacks it (safely: cli/client/extract.ts) into a directory.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { ClientError, describeError, remoteFrom, send, versionUrl } from './client/remote.js';
import { extractTar } from './client/extract.js';
import { parseModelUri } from '../registry/model-uri.js';
import { formatBytes, formatRate, Progress } from './progress.js';
import { readArgs, UsageError, runSubcommand } from './command.js';

export const PULL_HELP = `Usage: flowreg pull <model-uri> [-d DIR] [options]

Downloads a model version and unpacks its files into DIR (default: the current directory).

  <model-uri>  models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/latest

Options:
  -d, --dst-path DIR       where to put the files (created if missing)
  --tracking-uri URL       the flowreg server (default: $MLFLOW_TRACKING_URI)
  --no-progress            no progress bar
  -h, --help               this text
`;

interface PullOptions {
  uri: string;
  dest: string;
  trackingUri: string | undefined;
  progress: boolean | undefined;
}

function parseArgs(argv: readonly string[]): PullOptions | 'help' {
  const opts: PullOptions = { uri: '', dest: '.', trackingUri: undefined, progress: undefined };
  const positional = readArgs(argv, opts, (flag, value) => {
    if (flag !== '-d' && flag !== '--dst-path' && flag !== '--dest') return false;
    opts.dest = value();
    return true;
  });
  if (positional === 'help') return 'help';
  if (positional.length !== 1) throw new UsageError('give exactly one model URI, e.g. models:/my-model@champion');
  opts.uri = positional[0] as string;
  return opts;
}

/** The `{name, ref}` of a models:/ URI, `ref` as the native API takes it (`3`, `latest`, `@alias`). */
export function versionRef(uri: string): { name: string; ref: string } {
  let parsed;
  try {
    parsed = parseModelUri(uri);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  switch (parsed.kind) {
    case 'version':
      return { name: parsed.name, ref: String(parsed.version) };
    case 'alias':
      return { name: parsed.name, ref: `@${parsed.alias}` };
    case 'latest':
      return { name: parsed.name, ref: 'latest' };
    case 'stage':
      throw new UsageError(`stages are not supported by pull ('${uri}'); use a version number, an alias or 'latest'`);
    case 'logged-model':
      throw new UsageError(`'${uri}' names a logged model, not a registered model version`);
  }
}

export async function pullCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parse = () => {
    const opts = parseArgs(argv);
    // A malformed model URI is a usage error, reported before anything is contacted.
    if (opts !== 'help') versionRef(opts.uri);
    return opts;
  };
  return runSubcommand('pull', PULL_HELP, parse, (opts) => pull(opts, env));
}

async function pull(opts: PullOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const remote = remoteFrom(opts.trackingUri, env);
  const { name, ref } = versionRef(opts.uri);
  const res = await send(versionUrl(remote, name, ref, 'archive'), {
    method: 'GET',
    headers: { ...remote.headers, Accept: 'application/gzip' },
  });
  if ((res.statusCode ?? 0) !== 200) throw new ClientError(await describeError(res));
  const tarSize = Number(res.headers['x-flowreg-tar-size']);
  const version = String(res.headers['x-flowreg-model-version'] ?? `${name}/${ref}`);
  const progress = new Progress(`pull ${version}`, Number.isFinite(tarSize) ? tarSize : undefined, process.stderr, opts.progress);
  const gunzip = zlib.createGunzip({ chunkSize: 1024 * 1024 });
  res.on('error', (err) => gunzip.destroy(err));
  res.pipe(gunzip);
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      progress.add(chunk.length);
      yield chunk;
    }
  }
  let result;
  try {
    result = await extractTar(counted(), opts.dest);
  } finally {
    res.destroy();
    progress.finish();
  }
  const elapsed = progress.elapsedMs;
  process.stderr.write(
    `Pulled ${version} into ${path.resolve(opts.dest)}: ${result.files} file${result.files === 1 ? '' : 's'}, ` +
      `${formatBytes(result.bytes)} in ${(elapsed / 1000).toFixed(1)} s (${formatRate(result.bytes, elapsed)})\n`,
  );
  return 0;
}
