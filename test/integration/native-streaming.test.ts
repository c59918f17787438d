/**
 * The native publish over real sockets: the version is PENDING_REGISTRATION while bytes arrive,
 * an upload cut off midway leaves no version and no file, and a 200 MB publish and its download
 * (file and archive) run in bounded memory.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { readTar } from '../../src/native/tar.js';
import { listen, watchRss, type Listening } from './artifacts-helpers.js';
import { sleep, uniqueName } from './support.js';
import { destination, expectNothingLeft, liveVersions, snapshot, versionsUrl, walk, walkDirs } from './native-support.js';

const MiB = 1024 * 1024;

let t: TestApp;
let server: Listening;
beforeAll(async () => {
  t = await createTestApp();
  server = await listen(t.app);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

async function waitFor(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

function get(path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'GET', path }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function json(path: string): Promise<{ status: number; body: any }> {
  const res = await get(path);
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return { status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) };
}

const BOUNDARY = 'streamingboundary';

function head(meta: unknown, fileName: string): Buffer {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(meta)}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
}
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

describe('an upload cut off midway', () => {
  it('is PENDING_REGISTRATION while bytes arrive, then leaves no version, no file and no run', async () => {
    const name = uniqueName('abort');
    const before = await snapshot(t);
    const declared = 64 * MiB;
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: versionsUrl(name),
      headers: {
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Content-Length': head({}, 'model/big.bin').length + declared + TAIL.length,
      },
    });
    req.on('error', () => undefined);
    req.write(head({ description: 'never finished' }, 'model/big.bin'));
    req.write(Buffer.alloc(8 * MiB, 7));
    // The file is being written: a temp file in the destination, the version pending.
    await waitFor(() => walk(destination(t)).some((f) => f.includes('.artifact.uploading.')));
    const versions = await liveVersions(t, name);
    expect(versions).toEqual([expect.objectContaining({ version: '1', status: 'PENDING_REGISTRATION' })]);
    const pending = await json(`${versionsUrl(name)}/1/files/big.bin`);
    expect(pending.status).toBe(409);
    expect(pending.body).toEqual({
      error_code: 'RESOURCE_CONFLICT',
      message: `Model version ${name}/1 is PENDING_REGISTRATION: its files are not available yet.`,
    });
    expect((await json(`${versionsUrl(name)}/latest`)).body.model_version.status).toBe('PENDING_REGISTRATION');

    req.destroy();
    await waitFor(async () => (await liveVersions(t, name)).length === 0);
    // The abandoned publish cleans up in the background after the socket closes: wait for the
    // run's directories to go as well as the files, then check that nothing at all is left.
    await waitFor(
      () =>
        walk(destination(t)).length === before.files.length &&
        walkDirs(destination(t)).filter((d) => !before.dirs.includes(d) && !/^\d+$/.test(d)).length === 0,
    );
    await expectNothingLeft(t, name, before);
    expect(t.logs.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(t.logs.some((l) => l.includes(`publish of ${name}/1 abandoned: the client closed the connection`))).toBe(true);
  });
});

describe('a 200 MB publish', () => {
  it('streams up, down and as an archive in bounded memory', { timeout: 180_000 }, async () => {
    const name = uniqueName('big');
    const size = 200 * MiB;
    const chunk = Buffer.alloc(MiB);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + (i >> 10)) & 0xff;
    const sent = createHash('sha256');

    const rss = watchRss();
    let growth: number;
    try {
      let produced = 0;
      let stage = 0;
      const body = new Readable({
        read() {
          if (stage === 0) {
            stage = 1;
            return void this.push(head({ params: { size: String(size) } }, 'model/weights.bin'));
          }
          if (produced < size) {
            produced += chunk.length;
            sent.update(chunk);
            return void this.push(chunk);
          }
          if (stage === 1) {
            stage = 2;
            return void this.push(TAIL);
          }
          this.push(null);
        },
      });
      const up = await new Promise<http.IncomingMessage>((resolve, reject) => {
        // Chunked: the server learns the size only by counting.
        const req = http.request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path: versionsUrl(name),
            headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Transfer-Encoding': 'chunked' },
          },
          resolve,
        );
        req.on('error', reject);
        body.pipe(req);
      });
      const answer: Buffer[] = [];
      for await (const c of up as AsyncIterable<Buffer>) answer.push(c);
      expect(up.statusCode, Buffer.concat(answer).toString()).toBe(200);
      expect(JSON.parse(Buffer.concat(answer).toString()).model_version.status).toBe('READY');
      const digest = sent.digest('hex');

      const down = await get(`${versionsUrl(name)}/1/files/weights.bin`);
      expect(down.statusCode).toBe(200);
      expect(down.headers['content-length']).toBe(String(size));
      const received = createHash('sha256');
      for await (const part of down as AsyncIterable<Buffer>) received.update(part);
      expect(received.digest('hex')).toBe(digest);

      const archive = await get(`${versionsUrl(name)}/1/archive`);
      expect(archive.statusCode).toBe(200);
      const inTar = createHash('sha256');
      const names: string[] = [];
      let count = 0;
      await readTar(archive.pipe(zlib.createGunzip()) as AsyncIterable<Buffer>, {
        entry: (e) => void names.push(e.path),
        data: (c) => {
          count += c.length;
          inTar.update(c);
        },
        end: () => undefined,
      });
      expect(names).toEqual(['weights.bin']);
      expect(count).toBe(size);
      expect(inTar.digest('hex')).toBe(digest);
    } finally {
      growth = rss.stop();
    }
    // A correctness bound, not a timing: buffering a body anywhere would blow through it.
    expect(growth).toBeLessThan(100 * MiB);
  });
});
