/**
 * Artifacts on local disk under the `--artifacts-destination` directory
 * (mlflow/store/artifact/local_artifact_repo.py is the behaviour matched).
 *
 * Security: every path passes `safeArtifactPath`, and then the real path of the target (or of its
 * nearest existing ancestor) must stay inside the real path of the root, so a symlink inside the
 * destination cannot lead outside it (mlflow/utils/uri.py: validate_path_within_directory). As in
 * MLflow, a symlink swapped in between the check and the operation is not defended against: that
 * needs write access to the destination already.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { invalidParameter } from '../protocol/errors.js';
import { STREAM_CHUNK_SIZE, TEMP_PREFIX, type ArtifactEntry, type ArtifactStore } from './artifact-store.js';
import { safeArtifactPath } from './safe-path.js';

/**
 * Name prefix of uploads in flight, MLflow's own (`_TEMP_ARTIFACT_PREFIX`): such files are never
 * listed or served, and uploading under such a name is refused, as MLflow does.
 */

const OUTSIDE_MESSAGE = 'Invalid path: resolved path is outside the artifact directory';

interface Located {
  /** The gated, decoded relative path. */
  readonly rel: string;
  readonly segments: readonly string[];
  readonly abs: string;
  /** Some segment is a temp-file name. */
  readonly reserved: boolean;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(err: unknown): boolean {
  const code = errno(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The real path of `abs`: resolved whole when it exists, else the real path of its nearest existing
 * ancestor with the rest appended. undefined for a dangling symlink on the way, which cannot be
 * proven to stay inside.
 */
async function resolveNearest(abs: string): Promise<string | undefined> {
  const rest: string[] = [];
  let current = abs;
  for (;;) {
    try {
      return path.join(await fs.realpath(current), ...rest);
    } catch (err) {
      if (!isMissing(err)) throw err;
      // realpath fails on a dangling symlink, lstat does not.
      const link = await fs.lstat(current).then(
        (s) => s.isSymbolicLink(),
        () => false,
      );
      if (link) return undefined;
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      rest.unshift(path.basename(current));
      current = parent;
    }
  }
}

export class LocalArtifactStore implements ArtifactStore {
  private readonly root: string;

  /** The directory is created on the first upload, not here. */
  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  private locate(relPath: string): Located {
    const rel = safeArtifactPath(relPath);
    const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
    return {
      rel,
      segments,
      abs: path.join(this.root, ...segments),
      reserved: segments.some((s) => s.startsWith(TEMP_PREFIX)),
    };
  }

  /** realpath(root), or undefined while nothing was ever uploaded. */
  private async realRoot(): Promise<string | undefined> {
    try {
      return await fs.realpath(this.root);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  private async assertInside(realRoot: string, abs: string): Promise<void> {
    const real = await resolveNearest(abs);
    if (real === undefined || (real !== realRoot && !real.startsWith(realRoot + path.sep))) {
      throw invalidParameter(OUTSIDE_MESSAGE);
    }
  }

  /** Gate + containment for reads; undefined when there is nothing to find. */
  private async locateExisting(relPath: string): Promise<Located | undefined> {
    const loc = this.locate(relPath);
    if (loc.reserved) return undefined;
    const realRoot = await this.realRoot();
    if (realRoot === undefined) return undefined;
    await this.assertInside(realRoot, loc.abs);
    return loc;
  }

  async write(relPath: string, body: NodeJS.ReadableStream): Promise<{ size: number }> {
    const loc = this.locate(relPath);
    const name = loc.segments[loc.segments.length - 1];
    if (name === undefined || loc.rel.endsWith('/')) {
      throw invalidParameter("Artifact path must include a filename (cannot end with '/').");
    }
    if (loc.reserved) {
      throw invalidParameter(
        `Invalid artifact file name: '${loc.rel}'. Artifact names starting with '${TEMP_PREFIX}' are reserved.`,
      );
    }
    const conflict = () => invalidParameter(`Cannot write artifact '${loc.rel}': a parent is a file or the path is a directory.`);
    await fs.mkdir(this.root, { recursive: true });
    const realRoot = await fs.realpath(this.root);
    await this.assertInside(realRoot, loc.abs);
    const dir = path.dirname(loc.abs);
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (err) {
      if (errno(err) === 'EEXIST' || errno(err) === 'ENOTDIR') throw conflict();
      throw err;
    }
    // Again now that the directories exist: nothing may have been swapped for a symlink meanwhile.
    await this.assertInside(realRoot, dir);

    // A temp file next to the target, renamed over it when complete (MLflow does the same), so a
    // reader sees the old artifact or the new one, never a partial upload.
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await fs.open(temp, 'wx');
    const out = handle.createWriteStream({ highWaterMark: STREAM_CHUNK_SIZE });
    try {
      await pipeline(body, out);
      await fs.rename(temp, loc.abs);
      return { size: out.bytesWritten };
    } catch (err) {
      // Wait for the descriptor to close before removing the file it points to.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await fs.rm(temp, { force: true }).catch(() => undefined);
      if (errno(err) === 'EISDIR' || errno(err) === 'ENOTDIR' || errno(err) === 'EEXIST') throw conflict();
      throw err;
    }
  }

  async read(
    relPath: string,
    range?: { start: number; end: number },
  ): Promise<{ stream: NodeJS.ReadableStream; size: number } | undefined> {
    const loc = await this.locateExisting(relPath);
    if (!loc) return undefined;
    let handle: fs.FileHandle;
    try {
      // O_NONBLOCK: opening a FIFO planted in the tree must not hang the request.
      handle = await fs.open(loc.abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    } catch (err) {
      if (isMissing(err) || errno(err) === 'EISDIR') return undefined;
      throw err;
    }
    try {
      // The size of the file actually opened, consistent with the bytes streamed even if the path
      // is replaced by a new upload meanwhile.
      const st = await handle.stat();
      if (!st.isFile()) {
        await handle.close();
        return undefined;
      }
      const stream = handle.createReadStream({
        highWaterMark: STREAM_CHUNK_SIZE,
        ...(range ? { start: range.start, end: range.end } : {}),
      });
      return { stream, size: st.size };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  async stat(relPath: string): Promise<{ size: number; isDir: boolean } | undefined> {
    const loc = await this.locateExisting(relPath);
    if (!loc) return undefined;
    try {
      const st = await fs.stat(loc.abs);
      if (st.isDirectory()) return { size: 0, isDir: true };
      return st.isFile() ? { size: st.size, isDir: false } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async list(relDir: string): Promise<ArtifactEntry[]> {
    const loc = await this.locateExisting(relDir);
    if (!loc) return [];
    const realRoot = (await this.realRoot()) as string;
    let dirents;
    try {
      dirents = await fs.readdir(loc.abs, { withFileTypes: true });
    } catch (err) {
      // A missing directory or a file path lists as nothing, as in MLflow's local repository;
      // the client's _is_directory relies on it.
      if (isMissing(err)) return [];
      throw err;
    }
    const entries = await Promise.all(
      dirents
        .filter((d) => !d.name.startsWith(TEMP_PREFIX))
        .map(async (d): Promise<ArtifactEntry | undefined> => {
          const abs = path.join(loc.abs, d.name);
          if (d.isSymbolicLink()) {
            // Listed only when it resolves inside the root: nothing outside is ever revealed.
            const real = await resolveNearest(abs).catch(() => undefined);
            if (real === undefined || !real.startsWith(realRoot + path.sep)) return undefined;
          } else if (!d.isFile() && !d.isDirectory()) {
            return undefined;
          }
          const st = await fs.stat(abs).catch(() => undefined);
          if (st?.isDirectory()) return { path: d.name, isDir: true };
          if (st?.isFile()) return { path: d.name, isDir: false, size: st.size };
          return undefined;
        }),
    );
    return entries
      .filter((e): e is ArtifactEntry => e !== undefined)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(relPath: string): Promise<void> {
    if (this.locate(relPath).segments.length === 0) {
      throw invalidParameter('Deleting the artifact root is not allowed.');
    }
    const loc = await this.locateExisting(relPath);
    if (!loc) return;
    // Removes a symlink itself, never what it points to.
    await fs.rm(loc.abs, { recursive: true, force: true });
  }
}
