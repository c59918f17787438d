/**
 * A multipart/form-data request body as an async iterator of parts, in the order they arrive:
 *
 *   for await (const part of parts) { … part.stream … }
 *
 * busboy parses; each file part's stream must be read (or resumed) before the next part can come
 * (busboy waits on the stream's buffer, 1 MiB). The whole body is counted against `maxBytes`. The
 * first failure (malformed body, a limit, the client going away) ends the iteration with that
 * error, and also destroys the file stream being read, so that whoever is writing it stops.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { invalidParameter, type MlflowError } from '../../protocol/errors.js';
import { destroyStream } from '../file-download.js';

const CHUNK = 1024 * 1024;

export type Part =
  | { readonly kind: 'field'; readonly name: string; readonly value: string; readonly truncated: boolean }
  | { readonly kind: 'file'; readonly name: string; readonly filename: string | undefined; readonly stream: Readable };

export interface MultipartLimits {
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly maxFieldBytes: number;
  /** The error for a body larger than `maxBytes`. */
  readonly tooLarge: () => MlflowError;
}

/** The client went away mid-upload: nobody to answer. */
export class ClientGone extends Error {
  override name = 'ClientGone';
  override message = 'the client closed the connection during the upload';
}

export class MultipartParts implements AsyncIterable<Part> {
  /** The failure that ended the body, if one did. */
  failure: unknown;
  /** Bytes of the body received so far. */
  received = 0;
  private readonly parser: busboy.Busboy;
  private readonly queue: Part[] = [];
  private current: Readable | undefined;
  private finished = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly req: IncomingMessage,
    limits: MultipartLimits,
  ) {
    try {
      this.parser = busboy({
        headers: req.headers,
        preservePath: true,
        // File names are UTF-8, as curl and browsers send them.
        defParamCharset: 'utf8',
        highWaterMark: CHUNK,
        fileHwm: CHUNK,
        limits: { fieldSize: limits.maxFieldBytes, fields: 16, files: limits.maxFiles, parts: limits.maxFiles + 16 },
      });
    } catch (err) {
      throw invalidParameter(`Malformed multipart body: ${(err as Error).message}.`);
    }
    const parser = this.parser;
    parser.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
      this.push({ kind: 'field', name, value, truncated: info.valueTruncated });
    });
    parser.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => {
      // Errors of a part stream surface through whoever reads it (or not at all once the body
      // failed); never as an unhandled 'error' event.
      stream.on('error', () => undefined);
      if (this.failure !== undefined) stream.resume();
      else this.push({ kind: 'file', name, filename: info.filename, stream });
    });
    for (const [event, what] of [
      ['filesLimit', `more than ${limits.maxFiles} files`],
      ['fieldsLimit', 'too many form fields'],
      ['partsLimit', 'too many parts'],
    ] as const) {
      parser.on(event, () => this.fail(invalidParameter(`The publish request has ${what}.`)));
    }
    parser.on('error', (err: Error) => this.fail(invalidParameter(`Malformed multipart body: ${err.message}.`)));
    parser.on('finish', () => {
      this.finished = true;
      this.notify();
    });
    req.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received > limits.maxBytes) this.fail(limits.tooLarge());
    });
    req.on('close', () => {
      if (!req.complete) this.fail(new ClientGone());
    });
    req.pipe(parser);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Part> {
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure;
        const part = this.queue.shift();
        if (part) {
          this.current = part.kind === 'file' ? part.stream : undefined;
          yield part;
          continue;
        }
        if (this.finished) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.current = undefined;
      this.close();
    }
  }

  /** Stops reading: parts not taken are discarded (the dispatcher drains what is left of the body). */
  close(): void {
    this.closed = true;
    this.req.unpipe(this.parser);
    for (const part of this.queue.splice(0)) if (part.kind === 'file') part.stream.resume();
  }

  private push(part: Part): void {
    this.queue.push(part);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The first failure wins: stop reading, stop the file being read, end the iteration. */
  private fail(err: unknown): void {
    if (this.failure !== undefined || this.closed) return;
    this.failure = err;
    this.req.unpipe(this.parser);
    this.req.pause();
    if (this.current) destroyStream(this.current, err instanceof Error ? err : new Error(String(err)));
    this.parser.destroy();
    this.notify();
  }
}
