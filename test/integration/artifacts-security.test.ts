/**
 * Nothing outside the artifact destination is ever read, written, listed or deleted: the path
 * gate on every route (single, double, triple URL-encoding), raw dot segments on the wire, and
 * symlinks inside the destination that point outside it.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from './support.js';
import { ARTIFACTS, ATTACKS, binary, encode, listen } from './artifacts-helpers.js';

let t: TestApp;
let dest: string;
let outside: string;
const SECRET = 'top secret';

beforeAll(async () => {
  t = await createTestApp();
  dest = path.join(t.dir, 'mlartifacts');
  // <tmp>/outside/secret.txt sits next to <tmp>/mlartifacts: `../outside/secret.txt` from the root.
  outside = path.join(t.dir, 'outside');
  fs.mkdirSync(outside, { recursive: true });
  fs.mkdirSync(dest, { recursive: true });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  fs.writeFileSync(path.join(outside, 'secret.txt'), SECRET);
});

function expectOutsideUntouched(): void {
  expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe(SECRET);
  expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
}

const INVALID = ['INVALID_PARAMETER_VALUE', 'Invalid path'] as const;

describe.each([1, 2, 3])('the path gate, attack strings URL-encoded %d×', (times) => {
  it.each(ATTACKS)('GET %j → 400', async (attack) => {
    expectError(await t.request.get(`${ARTIFACTS}/${encode(attack, times)}`), 400, ...INVALID);
  });
  it.each(ATTACKS)('PUT %j → 400', async (attack) => {
    expectError(await t.request.put(`${ARTIFACTS}/${encode(attack, times)}`).send('pwned'), 400, ...INVALID);
    expectOutsideUntouched();
  });
  it.each(ATTACKS)('DELETE %j → 400', async (attack) => {
    expectError(await t.request.delete(`${ARTIFACTS}/${encode(attack, times)}`), 400, ...INVALID);
  });
  it.each(ATTACKS)('list ?path=%j → 400', async (attack) => {
    // The query string adds one round of encoding itself.
    expectError(await t.request.get(ARTIFACTS).query({ path: encode(attack, times - 1) }), 400, ...INVALID);
  });
});

describe('a file planted outside the destination', () => {
  const traversals = ['..%2Foutside%2Fsecret.txt', '%2E%2E/outside/secret.txt', '%252E%252E%252Foutside%252Fsecret.txt', 'a/..%2F..%2Foutside/secret.txt'];

  it.each(traversals)('cannot be read via %s', async (p) => {
    const res = await binary(t.request.get(`${ARTIFACTS}/${p}`));
    expectError(res, 400, ...INVALID);
  });

  it.each(traversals)('cannot be overwritten via %s', async (p) => {
    expectError(await t.request.put(`${ARTIFACTS}/${p}`).send('pwned'), 400, ...INVALID);
    expectOutsideUntouched();
  });

  it.each(traversals)('cannot be deleted via %s', async (p) => {
    expectError(await t.request.delete(`${ARTIFACTS}/${p}`), 400, ...INVALID);
    expectOutsideUntouched();
  });

  it('cannot be listed', async () => {
    expectError(await t.request.get(`${ARTIFACTS}?path=..%2Foutside`), 400, ...INVALID);
    expectError(await t.request.get(`${ARTIFACTS}?path=%252E%252E`), 400, ...INVALID);
  });

  it('cannot be reached with dot segments sent verbatim on the wire', async () => {
    const server = await listen(t.app);
    try {
      for (const [method, p] of [
        ['GET', '/../outside/secret.txt'],
        ['GET', '/a/../../outside/secret.txt'],
        ['PUT', '/../outside/secret.txt'],
        ['DELETE', '/../outside/secret.txt'],
        ['GET', '/..\\outside\\secret.txt'],
      ] as const) {
        const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request({ port: server.port, host: '127.0.0.1', method, path: `${ARTIFACTS}${p}` }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          });
          req.on('error', reject);
          req.end(method === 'PUT' ? 'pwned' : undefined);
        });
        expect({ method, p, status, body: JSON.parse(body) }).toEqual({
          method,
          p,
          status: 400,
          body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' },
        });
      }
    } finally {
      await server.close();
    }
    expectOutsideUntouched();
  });
});

describe('symlinks inside the destination', () => {
  const OUTSIDE_MESSAGE = 'Invalid path: resolved path is outside the artifact directory';

  beforeAll(() => {
    fs.mkdirSync(path.join(dest, 'in'), { recursive: true });
    fs.writeFileSync(path.join(dest, 'in/ok.txt'), 'inside');
    fs.symlinkSync(outside, path.join(dest, 'dirlink'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dest, 'filelink.txt'));
    fs.symlinkSync(path.join(t.dir, 'nowhere'), path.join(dest, 'dangling'));
    fs.symlinkSync(path.join(dest, 'in'), path.join(dest, 'innerlink'));
  });

  it('are not followed outside for reads', async () => {
    expectError(await t.request.get(`${ARTIFACTS}/dirlink/secret.txt`), 400, 'INVALID_PARAMETER_VALUE', OUTSIDE_MESSAGE);
    expectError(await t.request.get(`${ARTIFACTS}/filelink.txt`), 400, 'INVALID_PARAMETER_VALUE', OUTSIDE_MESSAGE);
    expectError(await t.request.get(`${ARTIFACTS}/dangling`), 400, 'INVALID_PARAMETER_VALUE', OUTSIDE_MESSAGE);
    expect((await t.request.head(`${ARTIFACTS}/dirlink/secret.txt`)).status).toBe(400);
  });

  it('are not followed outside for writes', async () => {
    expectError(await t.request.put(`${ARTIFACTS}/dirlink/new.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE', OUTSIDE_MESSAGE);
    expectError(await t.request.put(`${ARTIFACTS}/dirlink/secret.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await t.request.put(`${ARTIFACTS}/dirlink/sub/deep.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await t.request.put(`${ARTIFACTS}/filelink.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await t.request.put(`${ARTIFACTS}/dangling/x.txt`).send('pwned'), 400, 'INVALID_PARAMETER_VALUE');
    expectOutsideUntouched();
    expect(fs.existsSync(path.join(t.dir, 'nowhere'))).toBe(false);
  });

  it('are not followed outside for deletes', async () => {
    expectError(await t.request.delete(`${ARTIFACTS}/dirlink/secret.txt`), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await t.request.delete(`${ARTIFACTS}/dirlink`), 400, 'INVALID_PARAMETER_VALUE');
    expectError(await t.request.delete(`${ARTIFACTS}/filelink.txt`), 400, 'INVALID_PARAMETER_VALUE');
    expectOutsideUntouched();
  });

  it('are not followed outside for listings, and are hidden from the parent listing', async () => {
    expectError(await t.request.get(ARTIFACTS).query({ path: 'dirlink' }), 400, 'INVALID_PARAMETER_VALUE', OUTSIDE_MESSAGE);
    const names = ((await t.request.get(ARTIFACTS)).body.files as { path: string }[]).map((f) => f.path);
    expect(names).toContain('in');
    expect(names).toContain('innerlink');
    expect(names).not.toContain('dirlink');
    expect(names).not.toContain('filelink.txt');
    expect(names).not.toContain('dangling');
  });

  it('that stay inside work', async () => {
    const res = await binary(t.request.get(`${ARTIFACTS}/innerlink/ok.txt`));
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('inside');
    expect((await t.request.get(ARTIFACTS).query({ path: 'innerlink' })).body).toEqual({
      files: [{ path: 'ok.txt', is_dir: false, file_size: 6 }],
    });
  });

  it('when the destination itself is reached through a symlink, still work inside it', async () => {
    const other = await createTestApp();
    try {
      // <tmp2>/mlartifacts → <tmp2>/real: the root's real path is what containment compares with.
      const real = path.join(other.dir, 'real');
      fs.mkdirSync(real);
      fs.symlinkSync(real, path.join(other.dir, 'mlartifacts'));
      await other.request.put(`${ARTIFACTS}/a/b.txt`).send('via link').expect(200);
      expect(fs.readFileSync(path.join(real, 'a/b.txt'), 'utf8')).toBe('via link');
      expect((await binary(other.request.get(`${ARTIFACTS}/a/b.txt`))).body.toString()).toBe('via link');
    } finally {
      await other.close();
    }
  });
});
