/**
 * Streaming a model version as a tar or tar.gz archive. Nothing is staged: headers are computed
 * from the listing, file contents are copied from the artifact store with backpressure.
 *
 * Compression adapts per file: model weights are mostly incompressible, and deflating them costs
 * CPU for nothing (on a typical core, deflate crawls at 15-30 MB/s over random-looking bytes,
 * while storing runs at hundreds). Each file larger than PROBE_MIN is probed by deflating its first
 * 128 KiB; one that does not shrink by at least 10% is stored (deflate level 0), everything else
 * is compressed at level 1. The result is an ordinary single-member .tar.gz.
 */
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { TAR_TRAILER, tarHeader, tarPadding, type TarEntry } from './tar.js';

const CHUNK = 1024 * 1024;
const PROBE_BYTES = 128 * 1024;
const PROBE_MIN = 256 * 1024;
/** A sample that deflates to more than this fraction of its size is not worth compressing. */
const WORTH_IT = 0.9;

export interface ArchiveFile extends TarEntry {
  /** Store path of a file's content. */
  readonly storePath?: string;
}

/** Waits until `stream` can take more, or fails if it closes or errs first. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onError);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('the connection closed during the download'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onError);
  });
}

async function write(stream: Writable, chunk: Buffer): Promise<void> {
  if (stream.destroyed) {
    throw Object.assign(new Error('the connection closed during the download'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
  }
  if (!stream.write(chunk)) await drained(stream);
}

async function compressible(store: ArtifactStore, storePath: string, size: number): Promise<boolean> {
  if (size < PROBE_MIN) return true;
  const opened = await store.read(storePath, { start: 0, end: PROBE_BYTES - 1 });
  if (!opened) return true;
  const parts: Buffer[] = [];
  for await (const c of opened.stream as AsyncIterable<Buffer>) parts.push(c);
  const sample = Buffer.concat(parts);
  if (sample.length === 0) return true;
  return zlib.deflateRawSync(sample, { level: 1 }).length <= sample.length * WORTH_IT;
}

/** A gzip member header: deflate, no name, no mtime, unknown OS (RFC 1952). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

function gzipTrailer(crc: number, isize: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(crc >>> 0, 0);
  b.writeUInt32LE(isize >>> 0, 4);
  return b;
}

/**
 * Writes the archive of `files` (in order) to `out` and ends it. Files must not change meanwhile:
 * one whose size differs from its entry aborts the archive (the response is cut, never wrong).
 *
 * The gzip framing is written here around a raw deflate stream, whose level can change between
 * files (Node's Gzip stream ignores params(); DeflateRaw honours it).
 */
export async function writeArchive(store: ArtifactStore, files: readonly ArchiveFile[], out: Writable, gzip: boolean): Promise<void> {
  const deflate = gzip ? zlib.createDeflateRaw({ level: 1, chunkSize: CHUNK }) : undefined;
  const target: Writable = deflate ?? out;
  let crc = 0;
  let isize = 0;
  let piping: Promise<void> | undefined;
  if (deflate) {
    out.write(GZIP_HEADER);
    piping = pipeline(deflate, out, { end: false });
    // Keep a failure of the pipe from going unhandled while the producer below is busy.
    piping.catch(() => undefined);
  }
  const put = async (chunk: Buffer) => {
    if (out.destroyed) {
      throw Object.assign(new Error('the connection closed during the download'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    }
    if (deflate) {
      crc = zlib.crc32(chunk, crc);
      isize = (isize + chunk.length) % 0x1_0000_0000;
    }
    await write(target, chunk);
  };
  let level = 1;
  const setLevel = async (next: number) => {
    if (!deflate || next === level) return;
    level = next;
    await new Promise<void>((resolve) => deflate.params(next, zlib.constants.Z_DEFAULT_STRATEGY, () => resolve()));
  };
  try {
    for (const entry of files) {
      if (entry.type === 'file' && entry.storePath !== undefined && deflate) {
        await setLevel((await compressible(store, entry.storePath, entry.size)) ? 1 : 0);
      }
      await put(tarHeader(entry));
      if (entry.type !== 'file' || entry.storePath === undefined) continue;
      const opened = await store.read(entry.storePath);
      if (!opened || opened.size !== entry.size) {
        (opened?.stream as { destroy?: () => void } | undefined)?.destroy?.();
        throw new Error(`'${entry.path}' changed while the archive was being written`);
      }
      let sent = 0;
      for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
        sent += chunk.length;
        await put(chunk);
      }
      if (sent !== entry.size) throw new Error(`'${entry.path}' changed while the archive was being written`);
      const pad = tarPadding(entry.size);
      if (pad.length > 0) await put(pad);
    }
    await put(TAR_TRAILER);
    target.end();
    if (piping) {
      await piping;
      out.end(gzipTrailer(crc, isize));
    }
    await finished(out);
  } catch (err) {
    target.destroy(err as Error);
    throw err;
  }
}
