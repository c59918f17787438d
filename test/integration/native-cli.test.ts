/**
 * `flowreg push` and `flowreg pull` against a listening app, the tar writer and reader against
 * the system's `tar`, and the safety of unpacking.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Progress } from '../../src/cli/progress.js';
import { extractTar, UnsafeArchiveError } from '../../src/cli/client/extract.js';
import { readTar, TAR_TRAILER, tarHeader, tarPadding, tarSize, type TarEntry } from '../../src/native/tar.js';
import { API, createTestApp, type TestApp } from '../helpers/app.js';
import { listen, type Listening } from './artifacts-helpers.js';
import { uniqueName } from './support.js';
import { bytes, walk } from './native-support.js';

let t: TestApp;
let server: Listening;
let uri: string;
let tmp: string;

beforeAll(async () => {
  t = await createTestApp();
  server = await listen(t.app);
  uri = `http://127.0.0.1:${server.port}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'native-cli-'));
});
afterAll(async () => {
  await server?.close();
  await t?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the CLI in-process; returns the exit code and what it printed. */
async function run(...args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args, { PATH: process.env.PATH });
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

/** A model directory like mlflow.sklearn.save_model writes, plus a nested and a large file. */
function modelDir(): { dir: string; files: Record<string, Buffer> } {
  const dir = fs.mkdtempSync(path.join(tmp, 'model-'));
  const files: Record<string, Buffer> = {
    MLmodel: Buffer.from('flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n'),
    'model.pkl': bytes(5 * 1024 * 1024 + 3, 9),
    'requirements.txt': Buffer.from('scikit-learn==1.5.0\n'),
    'model/sub/config.json': Buffer.from('{"nested": true}'),
  };
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return { dir, files };
}

describe('flowreg push and pull', () => {
  const name = uniqueName('cli');
  let files: Record<string, Buffer>;

  beforeAll(async () => {
    const model = modelDir();
    files = model.files;
    const res = await run(
      'push', model.dir, '--name', name, '--tracking-uri', uri,
      '--tag', 'team=search', '-t', 'k=v=w', '--alias', 'champion', '--description', 'from the cli',
      '--param', 'alpha=0.5', '--metric', 'acc=0.9',
    ); // prettier-ignore
    expect(res.stderr).toMatch(new RegExp(`Published ${name} version 1: 4 files, 5\\.0 MiB in [\\d.]+ s \\([\\d.]+ MiB/s\\); aliases: champion`));
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`models:/${name}/1\n`);
  });

  it('publishes the directory as an MLflow model version, model/ subdirectory included', async () => {
    const mv = (await t.request.get(`${API}/model-versions/get`).query({ name, version: '1' })).body.model_version;
    expect(mv).toMatchObject({ status: 'READY', description: 'from the cli', aliases: ['champion'] });
    expect(mv.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'search' }, { key: 'k', value: 'v=w' }]));
    const list = await t.request.get(`/api/flowreg/v1/models/${name}/versions/1/files`);
    expect(list.body.files.map((f: { path: string }) => f.path)).toEqual(['MLmodel', 'model/sub/config.json', 'model.pkl', 'requirements.txt']);
    const run = await t.request.get(`${API}/runs/get`).query({ run_id: mv.run_id });
    expect(run.body.run.data.params).toEqual([{ key: 'alpha', value: '0.5' }]);
    expect(run.body.run.data.metrics[0]).toMatchObject({ key: 'acc', value: 0.9 });
  });

  it.each([`models:/${name}@champion`, `models:/${name}/1`, `models:/${name}/latest`])('pulls %s byte for byte', async (modelUri) => {
    const out = path.join(tmp, `out-${Math.random().toString(36).slice(2)}`);
    const res = await run('pull', modelUri, '-d', out, '--tracking-uri', uri);
    expect(res.stderr).toMatch(new RegExp(`Pulled ${name}/1 into .*: 4 files, 5\\.0 MiB`));
    expect(res.code).toBe(0);
    expect(walk(out).sort()).toEqual(Object.keys(files).sort());
    for (const [rel, content] of Object.entries(files)) expect(fs.readFileSync(path.join(out, rel)).equals(content)).toBe(true);
  });

  it('reads the server from MLFLOW_TRACKING_URI', async () => {
    const out = path.join(tmp, 'from-env');
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const code = await main(['pull', `models:/${name}/1`, '-d', out], { MLFLOW_TRACKING_URI: uri });
    vi.restoreAllMocks();
    expect(code, stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'MLmodel'))).toBe(true);
  });

  it('reports server errors in one line with exit code 1', async () => {
    const model = modelDir();
    const bad = await run('push', model.dir, '--name', 'a:b', '--tracking-uri', uri);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("flowreg push: INVALID_PARAMETER_VALUE: Invalid model name 'a:b'. Names cannot contain '/' or ':'.\n");
    const alias = await run('pull', `models:/${name}@nobody`, '-d', path.join(tmp, 'x'), '--tracking-uri', uri);
    expect(alias.code).toBe(1);
    expect(alias.stderr).toBe('flowreg pull: INVALID_PARAMETER_VALUE: Registered model alias nobody not found.\n');
    const missing = await run('push', path.join(tmp, 'does-not-exist'), '--name', 'm', '--tracking-uri', uri);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does-not-exist is not a directory/);
  });

  it('refuses bad command lines with exit code 2', async () => {
    expect((await run('push', tmp, '--tracking-uri', uri)).stderr).toMatch(/--name is required/);
    expect((await run('push', '--name', 'm')).code).toBe(2);
    expect((await run('push', tmp, '--name', 'm', '--metric', 'acc=high')).stderr).toMatch(/'high' is not a number/);
    expect((await run('pull', 'models:/m/Production')).stderr).toMatch(/stages are not supported/);
    expect((await run('pull', 'runs:/abc/model')).code).toBe(2);
    const noServer = await run('pull', 'models:/m/1');
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/pass --tracking-uri/);
    const help = await run('push', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: flowreg push <dir> --name NAME/);
  });
});

describe('progress bar', () => {
  it('draws on a terminal and stays silent otherwise', () => {
    let drawn = '';
    const tty = { isTTY: true, columns: 100, write: (s: string) => (drawn += s) };
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
    const p = new Progress('push m', 1000, tty);
    p.add(100);
    expect(drawn).toBe('');
    clock.mockReturnValue(now + 1000);
    p.add(400);
    expect(drawn).toMatch(/^\rpush m \[#{20}-{20}\]  50% 500 B\/1000 B 0\.0 MiB\/s ETA 1s\u001b\[K$/);
    const narrow = { isTTY: true, columns: 40, write: (s: string) => (drawn = s) };
    const n = new Progress('push m', 1000, narrow);
    clock.mockReturnValue(now + 2000);
    n.add(500);
    expect(drawn.length).toBeLessThanOrEqual(40 + 4);
    expect(drawn).toMatch(/^\rpush m  50% /);
    p.finish();
    let quiet = '';
    const q = new Progress('push m', 1000, { isTTY: false, write: (s: string) => (quiet += s) });
    q.add(1000);
    q.finish();
    expect(quiet).toBe('');
  });
});

describe('tar', () => {
  function archive(entries: Array<TarEntry & { content?: Buffer }>): Buffer {
    const parts: Buffer[] = [];
    for (const e of entries) {
      parts.push(tarHeader(e));
      if (e.type === 'file') parts.push(e.content ?? Buffer.alloc(e.size), tarPadding(e.size));
    }
    parts.push(TAR_TRAILER);
    return Buffer.concat(parts);
  }

  async function read(buf: Buffer, chunk = 777) {
    const got: Array<{ path: string; typeflag: string; data: Buffer }> = [];
    let current: Buffer[] = [];
    async function* pieces() {
      for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
    }
    await readTar(pieces(), {
      entry: (e) => {
        current = [];
        got.push({ path: e.path, typeflag: e.typeflag, data: Buffer.alloc(0) });
      },
      data: (c) => void current.push(Buffer.from(c)),
      end: () => {
        (got[got.length - 1] as { data: Buffer }).data = Buffer.concat(current);
      },
    });
    return got;
  }

  const entries = [
    { path: 'dir', type: 'dir' as const, size: 0, mtime: 1_700_000_000 },
    { path: 'dir/a.txt', type: 'file' as const, size: 5, mtime: 1_700_000_000, content: Buffer.from('hello') },
    { path: `${'x'.repeat(140)}/${'y'.repeat(99)}`, type: 'file' as const, size: 3, mtime: 1, content: Buffer.from('abc') },
    { path: `${'z'.repeat(200)}/${'w'.repeat(200)}.bin`, type: 'file' as const, size: 513, mtime: 1, content: bytes(513) },
    { path: 'ünï/cödé.txt', type: 'file' as const, size: 0, mtime: 1 },
  ];

  it('round-trips through its own reader, in any chunking, with the size it announced', async () => {
    const buf = archive(entries);
    expect(buf.length).toBe(tarSize(entries));
    for (const chunk of [1, 511, 512, 777, buf.length]) {
      const got = await read(buf, chunk);
      expect(got.map((g) => g.path)).toEqual(['dir/', ...entries.slice(1).map((e) => e.path)]);
      expect(got[1]?.data.toString()).toBe('hello');
      expect(got[3]?.data.equals(bytes(513))).toBe(true);
    }
  });

  it('is read by the system tar, and reads what the system tar writes', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'tar-'));
    fs.writeFileSync(path.join(dir, 'ours.tar'), archive(entries));
    fs.mkdirSync(path.join(dir, 'x'));
    execFileSync('tar', ['-xf', path.join(dir, 'ours.tar'), '-C', path.join(dir, 'x')]);
    for (const e of entries.filter((f) => f.type === 'file')) {
      expect(fs.readFileSync(path.join(dir, 'x', e.path)).equals(e.content ?? Buffer.alloc(0))).toBe(true);
    }
    execFileSync('tar', ['-czf', path.join(dir, 'theirs.tgz'), '-C', path.join(dir, 'x'), '.']);
    const out = path.join(dir, 'y');
    const gunzip = (await import('node:zlib')).createGunzip();
    fs.createReadStream(path.join(dir, 'theirs.tgz')).pipe(gunzip);
    await extractTar(gunzip as AsyncIterable<Buffer>, out);
    expect(walk(out).sort()).toEqual(walk(path.join(dir, 'x')).sort());
  });

  it('announces sizes over 8 GiB with a pax header', async () => {
    const header = tarHeader({ path: 'huge.bin', type: 'file', size: 9 * 1024 ** 3, mtime: 0 });
    expect(header.length).toBe(3 * 512);
    expect(header.subarray(512, 1024).toString()).toContain(` size=${9 * 1024 ** 3}\n`);
  });

  describe('unpacking refuses entries that would escape the destination', () => {
    const raw = (name: string, typeflag: string, content = Buffer.alloc(0)): Buffer => {
      const h = tarHeader({ path: 'placeholder', type: 'file', size: content.length, mtime: 0 });
      h.fill(0, 0, 100);
      h.write(name, 0, 100, 'utf8');
      h.write(typeflag, 156, 1, 'ascii');
      h.write('        ', 148, 8, 'ascii');
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
      return Buffer.concat([h, content, tarPadding(content.length)]);
    };

    it.each([
      ['../evil.txt', '0', /contains '\.\.'/],
      ['a/../../evil.txt', '0', /contains '\.\.'/],
      ['/etc/evil.txt', '0', /absolute path/],
      ['link', '2', /only files and directories are extracted \(type '2'\)/],
      ['hard', '1', /type '1'/],
      ['fifo', '6', /type '6'/],
      ['a\\b', '0', /contains '\\'/],
    ])('%s (type %s)', async (name, type, message) => {
      const dest = fs.mkdtempSync(path.join(tmp, 'unsafe-'));
      const buf = Buffer.concat([raw(name, type, Buffer.from('x')), TAR_TRAILER]);
      await expect(extractTar(Readable.from([buf]), path.join(dest, 'out'))).rejects.toThrow(UnsafeArchiveError);
      await expect(extractTar(Readable.from([buf]), path.join(dest, 'out'))).rejects.toThrow(message);
      expect(fs.existsSync(path.join(dest, 'evil.txt'))).toBe(false);
      expect(walk(path.join(dest, 'out'))).toEqual([]);
    });

    it('a symlink already in the destination is not written through', async () => {
      const dest = fs.mkdtempSync(path.join(tmp, 'link-'));
      const outside = fs.mkdtempSync(path.join(tmp, 'outside-'));
      fs.mkdirSync(path.join(dest, 'out'));
      fs.symlinkSync(outside, path.join(dest, 'out', 'sub'));
      const buf = archive([{ path: 'sub/file.txt', type: 'file', size: 1, mtime: 0, content: Buffer.from('x') }]);
      await expect(extractTar(Readable.from([buf]), path.join(dest, 'out'))).rejects.toThrow(/symbolic link/);
      expect(fs.readdirSync(outside)).toEqual([]);
    });

    it('a truncated archive is an error', async () => {
      const buf = archive([{ path: 'a.bin', type: 'file', size: 2000, mtime: 0, content: bytes(2000) }]);
      await expect(extractTar(Readable.from([buf.subarray(0, 1500)]), path.join(tmp, 'trunc'))).rejects.toThrow(/Truncated tar archive/);
    });
  });
});
