/**
 * `POST /api/flowreg/v1/models/{name}/versions`: the HTTP side of a publish (the use case is
 * native/publish.ts).
 *
 * Body: a `metadata` part (JSON, native/metadata.ts; a plain field or a file part named
 * `metadata`) FIRST, then one file part per file, `filename=` its relative path. Each file is
 * streamed from the socket into the artifact store (busboy, 1 MiB buffers; nothing is spooled) and
 * the body is counted against the limit. Every client mistake is a 400 INVALID_PARAMETER_VALUE
 * (413 is not an MLflow error status) and leaves no version and no file behind.
 */
import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { checkFileName } from '../../native/file-names.js';
import { formatBytes, MAX_PUBLISH_FILES } from '../../native/api.js';
import { MAX_METADATA_BYTES, parseMetadata, type PublishMetadata } from '../../native/metadata.js';
import type { Publication, Publisher } from '../../native/publish.js';
import type { Clock } from '../../domain/clock.js';
import type { Logger } from '../../logger.js';
import type { RecordChanges } from '../../store/audit-trails.js';
import { invalidParameter, type MlflowError } from '../../protocol/errors.js';
import { modelVersionJson } from '../../protocol/messages/registry.js';
import { sendJson } from '../json.js';
import { MultipartParts } from './multipart.js';

export interface PublishRouteDeps {
  readonly publisher: Publisher;
  /** Largest publish request body in bytes. */
  readonly maxPublishBytes: number;
  readonly logger: Logger;
  readonly now: Clock;
  /** Journals the publish (the audit trail) once it is complete. */
  readonly record: RecordChanges;
  /**
   * Refuses a publish that would set a protected alias, before anything is written. The guard
   * inside the alias write (store/sql/governance-sql-guard.ts) would refuse it too, but only after
   * the version exists, and the publish then answers without the alias; this says so up front.
   */
  readonly checkAliases?: (model: string, aliases: readonly string[]) => Promise<void>;
}

function tooLarge(limit: number): MlflowError {
  return invalidParameter(`The request body is larger than the limit of ${formatBytes(limit)} (${limit} bytes) for one publish.`);
}

function metadataTooLarge(): MlflowError {
  return invalidParameter(`The metadata part is larger than ${formatBytes(MAX_METADATA_BYTES)}.`);
}

/** `curl -F metadata=@meta.json`: the metadata arrives as a file part. */
async function readMetadataFile(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_METADATA_BYTES) throw metadataTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function publish(
  deps: PublishRouteDeps,
  req: Request,
  res: Response,
  name: string,
  succeeded?: () => Promise<void>,
): Promise<void> {
  const { maxPublishBytes: maxBytes, logger: log } = deps;
  if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    throw invalidParameter(
      "Publish with Content-Type multipart/form-data: a 'metadata' JSON part first, then one part per file " +
        '(filename= its relative path).',
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const parts = new MultipartParts(req, {
    maxBytes,
    maxFiles: MAX_PUBLISH_FILES,
    maxFieldBytes: MAX_METADATA_BYTES,
    tooLarge: () => tooLarge(maxBytes),
  });
  let metadata: PublishMetadata | undefined;
  let publication: Publication | undefined;
  let failure: unknown = 'the publish did not finish';
  const takeMetadata = (text: string) => {
    if (metadata !== undefined) throw invalidParameter("The request has more than one 'metadata' part.");
    metadata = parseMetadata(text, deps.now());
  };
  try {
    for await (const part of parts) {
      if (part.kind === 'field') {
        if (part.name !== 'metadata') {
          throw invalidParameter(`Unexpected form field '${part.name}': send a 'metadata' part and file parts (with filename=) only.`);
        }
        if (part.truncated) throw metadataTooLarge();
        takeMetadata(part.value);
      } else if (part.name === 'metadata') {
        takeMetadata(await readMetadataFile(part.stream));
      } else {
        if (metadata === undefined) {
          throw invalidParameter(
            `The 'metadata' part must come before the file parts (file '${part.filename ?? ''}' came first); ` +
              "send -F metadata='{…}' ahead of the files.",
          );
        }
        const fileName = checkFileName(part.filename);
        if (!publication) await deps.checkAliases?.(name, metadata.aliases);
        publication ??= await deps.publisher.begin(name, metadata);
        await publication.write(publication.relativeName(fileName), part.stream);
      }
    }
    if (metadata === undefined) throw invalidParameter("The request has no 'metadata' part.");
    if (!publication) throw invalidParameter('The request has no file parts: publish at least one file.');
    const mv = await publication.complete();
    log('info', `published ${mv.name}/${mv.version} (${publication.fileCount} files, ${parts.received} bytes)`);
    // The version's own rows journal themselves (model_version.create…); this event says that
    // they came with files, through the native API, and how many.
    await deps.record([
      {
        action: 'model_version.publish',
        resourceType: 'model_version',
        name: mv.name,
        version: String(mv.version),
        after: { source: mv.source, run_id: mv.runId, files: publication.fileCount, bytes: parts.received },
      },
    ]);
    await succeeded?.();
    sendJson(res, 200, { model_version: modelVersionJson(mv) });
  } catch (err) {
    // The body's own failure (a limit, the client gone) explains whatever the writer then hit.
    failure = parts.failure ?? err;
    throw failure;
  } finally {
    // A no-op after complete(); otherwise the files, the version and a run made for it go.
    await publication?.abandon(failure instanceof Error ? failure.message : String(failure));
  }
}
