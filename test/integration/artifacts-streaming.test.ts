/**
 * Streaming behaviour over real sockets: an upload cut off halfway leaves nothing behind (and
 * does not clobber the previous version), a download closed early is quiet, and a 200 MB upload
 * and download run in bounded memory.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS, drainHashed, listen, patternBody, watchRss, type Listening } from './artifacts-helpers.js';
import { sleep } from './support.js';

let t: TestApp;
let server: Listening;
let dest: string;

beforeAll(async () => {
  t = await createTestApp();
  server = await listen(t.app);
  dest = path.join(t.dir, 'mlartifacts');
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const MiB = 1024 * 1024;

/** All files under dir, relative, temp files included. */
function walk(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** PUTs half of a declared body, waits until the server is writing it, then cuts the socket. */
async function abortedUpload(rel: string, declared: number): Promise<void> {
  const req = http.request({
    host: '127.0.0.1',
    port: server.port,
    method: 'PUT',
    path: `${ARTIFACTS}/${rel}`,
    headers: { 'Content-Length': declared, 'Content-Type': 'application/octet-stream' },
  });
  req.on('error', () => undefined);
  req.write(Buffer.alloc(declared / 2, 1));
  const dir = path.dirname(path.join(dest, rel));
  await waitFor(() => walk(dir).some((f) => f.startsWith('.artifact.uploading.')));
  req.destroy();
}

function request(method: string, rel: string, body?: Readable): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path: `${ARTIFACTS}/${rel}` }, resolve);
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

describe('an upload cut off halfway', () => {
  it('leaves no file and no temp file', async () => {
    await abortedUpload('cut/off/file.bin', 8 * MiB);
    await waitFor(() => !walk(path.join(dest, 'cut')).some((f) => f.includes('.artifact.uploading.')));
    expect(walk(path.join(dest, 'cut'))).toEqual([]);
    const res = await t.request.get(`${ARTIFACTS}/cut/off/file.bin`);
    expect(res.status).toBe(404);
    expect(t.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('keeps the previous version intact', async () => {
    await t.request.put(`${ARTIFACTS}/cut/keep.txt`).send('version 1').expect(200);
    await abortedUpload('cut/keep.txt', 4 * MiB);
    await waitFor(() => !walk(path.join(dest, 'cut')).some((f) => f.includes('.artifact.uploading.')));
    expect(walk(path.join(dest, 'cut'))).toEqual(['keep.txt']);
    expect((await t.request.get(`${ARTIFACTS}/cut/keep.txt`)).text).toBe('version 1');
  });
});

describe('a download closed early', () => {
  it('is not reported as an error, and the server carries on', async () => {
    fs.mkdirSync(path.join(dest, 'early'), { recursive: true });
    fs.writeFileSync(path.join(dest, 'early/big.bin'), Buffer.alloc(32 * MiB));
    const res = await request('GET', 'early/big.bin');
    expect(res.statusCode).toBe(200);
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    res.destroy();
    await sleep(100);
    // A client that closes right after the last byte.
    fs.writeFileSync(path.join(dest, 'early/small.txt'), 'tiny');
    for (let i = 0; i < 20; i++) {
      const small = await request('GET', 'early/small.txt');
      small.once('data', () => small.destroy());
      await new Promise((resolve) => small.once('close', resolve));
    }
    await sleep(100);
    expect(t.logs.filter((l) => l.startsWith('error'))).toEqual([]);
    expect((await t.request.get(`${ARTIFACTS}/early/small.txt`)).text).toBe('tiny');
  });
});

describe('a 200 MB artifact', () => {
  it('streams up and down in bounded memory', { timeout: 120_000 }, async () => {
    const size = 200 * MiB;
    const rss = watchRss();
    let growth: number;
    try {
      const sent = patternBody(size);
      const up = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'PUT',
            path: `${ARTIFACTS}/big/model.bin`,
            headers: { 'Content-Length': size, 'Content-Type': 'application/octet-stream' },
          },
          resolve,
        );
        req.on('error', reject);
        sent.body.pipe(req);
      });
      up.resume();
      expect(up.statusCode).toBe(200);
      expect(fs.statSync(path.join(dest, 'big/model.bin')).size).toBe(size);

      const down = await request('GET', 'big/model.bin');
      expect(down.statusCode).toBe(200);
      expect(down.headers['content-length']).toBe(String(size));
      const received = await drainHashed(down);
      expect(received.count).toBe(size);
      expect(received.sha256).toBe(sent.sha256());
    } finally {
      growth = rss.stop();
    }
    // A correctness bound, not a timing: buffering the body anywhere would blow through it.
    expect(growth).toBeLessThan(100 * MiB);
  });
});
