/**
 * A `multipart/form-data` publish body built on the fly: the metadata part, then each file read
 * from disk in 1 MiB chunks. Its exact length is known up front (Content-Length, so the server can
 * refuse an oversized publish before a byte of it is sent), and nothing is held in memory but the
 * chunk in flight.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';

export interface LocalFile {
  /** The name sent as `filename=`: a relative, `/`-separated path. */
  readonly name: string;
  /** Where it is on disk. */
  readonly path: string;
  readonly size: number;
}

export interface MultipartBody {
  readonly contentType: string;
  readonly length: number;
  readonly stream: Readable;
}

/** A quoted-string for a header parameter: `"` and `\` escaped, as curl does. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function multipartBody(metadata: unknown, files: readonly LocalFile[], onBytes?: (n: number) => void): MultipartBody {
  const boundary = `----flowreg${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n` +
      `${JSON.stringify(metadata)}\r\n`,
  );
  const fileHeads = files.map((f) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(f.name)}\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
  );
  const crlf = Buffer.from('\r\n');
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const length =
    head.length + tail.length + files.reduce((sum, f, i) => sum + (fileHeads[i] as Buffer).length + f.size + crlf.length, 0);

  async function* generate(): AsyncGenerator<Buffer> {
    yield head;
    for (let i = 0; i < files.length; i++) {
      const file = files[i] as LocalFile;
      yield fileHeads[i] as Buffer;
      let sent = 0;
      for await (const chunk of fs.createReadStream(file.path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
        sent += chunk.length;
        if (sent > file.size) break;
        onBytes?.(chunk.length);
        yield chunk;
      }
      if (sent !== file.size) throw new Error(`${file.path} changed size while it was being sent (${file.size} → ${sent} bytes)`);
      yield crlf;
    }
    yield tail;
  }

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    stream: Readable.from(generate(), { objectMode: false }),
  };
}
