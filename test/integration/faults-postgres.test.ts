/**
 * PostgreSQL going away under a running server: for ~10 s every request that needs the database
 * gets a JSON 503 TEMPORARILY_UNAVAILABLE (the MLflow client retries those), the process stays up
 * and serves /health, and once PostgreSQL is back the same process serves normally again.
 *
 * Uses a throwaway PostgreSQL instance of its own (initdb + pg_ctl in a temp directory, on a free
 * port, as the `postgres` OS user when run as root), never the shared cluster other tests use.
 * Skips, visibly, without PostgreSQL's binaries or without dist/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, type SpawnedServer } from '../helpers/spawn.js';
import { call, distMissing, postJson, run, sleep, waitFor } from './faults-support.js';

const API = '/api/2.0/mlflow';

/** The newest PostgreSQL server binaries on this machine (Debian's layout, or on the PATH). */
function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => fs.existsSync(path.join(root, v, 'bin/pg_ctl')) && fs.existsSync(path.join(root, v, 'bin/initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && fs.existsSync(path.join(dir, 'pg_ctl')) && fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

const isRoot = process.getuid?.() === 0;

/** Why this test cannot run here, if it cannot. */
function prerequisiteMissing(): string | undefined {
  const dist = distMissing();
  if (dist) return dist;
  if (!findPgBin()) return 'no PostgreSQL server binaries (initdb, pg_ctl): PostgreSQL fault test skipped';
  if (isRoot) {
    try {
      run('id', ['postgres']);
      run('runuser', ['--help']);
    } catch {
      return 'running as root without a `postgres` OS user or runuser: PostgreSQL fault test skipped';
    }
  }
  return undefined;
}

const missing = prerequisiteMissing();

/** A private PostgreSQL cluster in a temp directory. */
class ThrowawayPostgres {
  readonly data: string;
  readonly log: string;
  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {
    this.data = path.join(dir, 'data');
    this.log = path.join(dir, 'postgres.log');
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private pg(tool: string, args: readonly string[]): string {
    const exe = path.join(this.bin, tool);
    return isRoot ? run('runuser', ['-u', 'postgres', '--', exe, ...args]) : run(exe, args);
  }

  static async create(): Promise<ThrowawayPostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-pgfault-'));
    if (isRoot) run('chown', ['postgres', dir]);
    const pg = new ThrowawayPostgres(dir, await freePort(), findPgBin() as string);
    pg.pg('initdb', ['-D', pg.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    return pg;
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    this.pg('pg_ctl', ['-D', this.data, '-l', this.log, '-o', options, '-w', '-t', '30', 'start']);
  }

  stop(): void {
    this.pg('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

if (missing) {
  console.warn(`[faults] ${missing}`);
  describe('fault: PostgreSQL outage', () => {
    it.skip(missing, () => undefined);
  });
} else {
  describe('fault: PostgreSQL outage', () => {
    let pg: ThrowawayPostgres | undefined;
    let server: SpawnedServer | undefined;
    let cwd: string | undefined;
    afterAll(async () => {
      await server?.stop('SIGKILL');
      pg?.destroy();
      if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
    });

    it('answers JSON 503 TEMPORARILY_UNAVAILABLE while PostgreSQL is down and recovers without a restart', { timeout: 60_000 }, async () => {
      pg = await ThrowawayPostgres.create();
      pg.start();
      cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-pgfault-cwd-'));
      server = await spawnServer(['--backend-store-uri', pg.url, '--artifacts-destination', path.join(cwd, 'mlartifacts')], { cwd });
      const base = `${server.url}${API}`;
      const pid = server.process.pid;

      const created = await postJson(`${base}/registered-models/create`, { name: 'before-outage' });
      expect(created.status, created.text).toBe(200);

      pg.stop();
      const outageStarted = Date.now();
      const seen: Array<{ status: number; code: unknown; ms: number }> = [];
      let i = 0;
      while (Date.now() - outageStarted < 10_000) {
        const started = Date.now();
        const res =
          i++ % 2 === 0
            ? await call(`${base}/registered-models/get?name=before-outage`)
            : await postJson(`${base}/registered-models/create`, { name: `during-outage-${i}` });
        seen.push({ status: res.status, code: res.json?.error_code, ms: Date.now() - started });
        expect(res.contentType).toMatch(/^application\/json/);
        expect(res.json?.message).toEqual(expect.any(String));
        expect((await call(`${server.url}/health`)).status).toBe(200);
        await sleep(250);
      }
      expect(seen.length).toBeGreaterThan(3);
      for (const s of seen) expect({ status: s.status, code: s.code }).toEqual({ status: 503, code: 'TEMPORARILY_UNAVAILABLE' });
      // The pool's connect timeout bounds each answer.
      expect(Math.max(...seen.map((s) => s.ms))).toBeLessThan(6_000);

      pg.start();
      const restarted = Date.now();
      const back = await waitFor(
        'the server to reach PostgreSQL again',
        async () => {
          const res = await call(`${base}/registered-models/get?name=before-outage`);
          return res.status === 200 ? res : undefined;
        },
        20_000,
        200,
      );
      console.log(
        `[faults] PostgreSQL down ${((restarted - outageStarted) / 1000).toFixed(1)} s: ${seen.length} requests, all 503 ` +
          `(slowest ${Math.max(...seen.map((s) => s.ms))} ms); serving again ${Date.now() - restarted} ms after restart`,
      );
      expect(back.json.registered_model.name).toBe('before-outage');
      expect((await postJson(`${base}/registered-models/create`, { name: 'after-outage' })).status).toBe(200);
      // Nothing written during the outage.
      expect((await call(`${base}/registered-models/get?name=during-outage-2`)).status).toBe(404);
      expect(server.process.exitCode).toBeNull();
      expect(server.process.pid).toBe(pid);
    });
  });
}
