/**
 * Unpacking a downloaded version archive into a directory, safely: only regular files and
 * directories; no absolute names, no `..`, no backslashes or NULs; and every file's real parent
 * directory must lie inside the destination, so a symlink already there cannot redirect a write.
 */
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readTar, type TarReadEntry } from '../../native/tar.js';

export class UnsafeArchiveError extends Error {
  override name = 'UnsafeArchiveError';
}

/** The entry's path as relative segments; throws for anything that could leave the destination. */
export function safeEntrySegments(name: string): string[] {
  const refuse = (why: string) => new UnsafeArchiveError(`refusing archive entry ${JSON.stringify(name)}: ${why}`);
  if (name.includes('\u0000')) throw refuse('it contains NUL');
  if (name.includes('\\')) throw refuse("it contains '\\'");
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw refuse('it is an absolute path');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw refuse("it contains '..'");
  return segments;
}

export interface ExtractResult {
  readonly files: number;
  readonly bytes: number;
}

/** Extracts an uncompressed tar stream into dest (created if missing). */
export async function extractTar(source: AsyncIterable<Buffer>, dest: string, onBytes?: (n: number) => void): Promise<ExtractResult> {
  await fs.mkdir(dest, { recursive: true });
  const root = await fs.realpath(dest);
  let handle: fs.FileHandle | undefined;
  let files = 0;
  let bytes = 0;

  const inside = async (dir: string): Promise<void> => {
    const real = await fs.realpath(dir);
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw new UnsafeArchiveError(`refusing to write outside ${dest}: ${dir} leads to ${real}`);
    }
  };

  /** Creates the directories of segments one by one, refusing any that is a symlink. */
  const makeDirs = async (segments: readonly string[]): Promise<string> => {
    let current = root;
    for (const s of segments) {
      current = path.join(current, s);
      const st = await fs.lstat(current).catch(() => undefined);
      if (!st) await fs.mkdir(current);
      else if (st.isSymbolicLink()) throw new UnsafeArchiveError(`refusing to write through the symbolic link ${current}`);
      else if (!st.isDirectory()) throw new UnsafeArchiveError(`${current} exists and is not a directory`);
    }
    await inside(current);
    return current;
  };

  try {
    await readTar(source, {
      entry: async (e: TarReadEntry) => {
        const segments = safeEntrySegments(e.path);
        if (e.typeflag === '5') {
          if (segments.length > 0) await makeDirs(segments);
          return;
        }
        if (e.typeflag !== '0' && e.typeflag !== '7') {
          throw new UnsafeArchiveError(`refusing archive entry ${JSON.stringify(e.path)}: only files and directories are extracted (type '${e.typeflag}')`);
        }
        if (segments.length === 0) throw new UnsafeArchiveError(`refusing archive entry ${JSON.stringify(e.path)}: no file name`);
        const dir = await makeDirs(segments.slice(0, -1));
        const target = path.join(dir, segments[segments.length - 1] as string);
        const st = await fs.lstat(target).catch(() => undefined);
        if (st?.isSymbolicLink()) throw new UnsafeArchiveError(`refusing to write through the symbolic link ${target}`);
        if (st?.isDirectory()) throw new UnsafeArchiveError(`${target} exists and is a directory`);
        // O_NOFOLLOW: a symlink planted between the check and the open is not followed either.
        handle = await fs.open(target, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW, 0o644);
        files += 1;
      },
      data: async (chunk: Buffer) => {
        if (!handle) return;
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, off, chunk.length - off);
          off += bytesWritten;
        }
        bytes += chunk.length;
        onBytes?.(chunk.length);
      },
      end: async () => {
        const h = handle;
        handle = undefined;
        await h?.close();
      },
    });
  } finally {
    await handle?.close().catch(() => undefined);
  }
  return { files, bytes };
}
