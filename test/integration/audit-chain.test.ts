/**
 * The audit trail's hash chain, on every backend: it verifies after writes; a row edited, deleted
 * or cut off by hand in the database is caught at the right event; and two server processes
 * appending at once over one database extend one chain (nothing lost, no fork). The chain is also
 * checked with `flowreg audit verify`, as an operator would.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLocation } from '../../src/config/store-uri.js';
import { chainHash, SqlAuditTrail } from '../../src/store/sql/audit-sql.js';
import { openDatabase, type SqlDatabase } from '../../src/store/sql/database.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { freshDatabase } from '../helpers/databases.js';
import { spawnServer, type SpawnedServer } from '../helpers/spawn.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/flowreg.js');
const ART = '/api/2.0/mlflow-artifacts/artifacts';

/** Six artifact uploads: six events. */
async function sixWrites(t: TestApp): Promise<void> {
  for (let i = 1; i <= 6; i++) {
    const res = await t.request.put(`${ART}/0/chain/artifacts/f${i}.txt`).send(`content ${i}`);
    expect(res.status, res.text).toBe(200);
  }
}

describe.each(backends())('audit chain tampering (%s)', (backend) => {
  let t: TestApp;
  let db: SqlDatabase;
  beforeAll(async () => {
    t = await createTestApp(backend);
    db = await openDatabase(t.stores.backend);
  });
  afterAll(async () => {
    await db?.close();
    await t?.close();
  });

  const trail = () => new SqlAuditTrail(db.db, db.dialect);
  /** Each case starts from a clean chain of six events: the trail is emptied by hand and rebuilt. */
  const reset = async () => {
    await db.db.deleteFrom('audit_events').execute();
    await db.db.updateTable('audit_chain_head').set({ seq: 0, hash: '0'.repeat(64) }).execute();
    await sixWrites(t);
    await trail().seal();
    expect(await trail().verify()).toMatchObject({ ok: true, checked: 6, pending: 0 });
  };

  it('verifies an untouched chain and names its head', async () => {
    await reset();
    const check = await trail().verify();
    const newest = (await trail().list({ limit: 1 })).events[0];
    expect(check).toEqual({ ok: true, checked: 6, head: newest?.hash, pending: 0 });
  });

  it('catches a row edited by hand at that row', async () => {
    await reset();
    await sql`UPDATE audit_events SET after_json = '{"size":1}' WHERE seq = 3`.execute(db.db);
    expect(await trail().verify()).toEqual({ ok: false, checked: 2, brokenAt: 3, reason: 'event 3 does not match its hash: its content was changed' });
  });

  it('catches an edited row whose own hash was recomputed, at the next event', async () => {
    await reset();
    // Someone rewrites event 4 and recomputes its hash, but not the events after it.
    const row = await db.db.selectFrom('audit_events').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
    const forged = { ...row, seq: Number(row.seq), time: Number(row.time), user_name: 'nobody' };
    const hash = chainHash(row.prev_hash as string, forged);
    await db.db.updateTable('audit_events').set({ user_name: 'nobody', hash }).where('seq', '=', 4).execute();
    expect(await trail().verify()).toEqual({ ok: false, checked: 4, brokenAt: 5, reason: 'event 5 does not follow the hash of event 4' });
  });

  it('catches a deleted row', async () => {
    await reset();
    await db.db.deleteFrom('audit_events').where('seq', '=', 2).execute();
    expect(await trail().verify()).toEqual({ ok: false, checked: 1, brokenAt: 2, reason: 'event 2 is missing' });
  });

  it('catches a truncated tail', async () => {
    await reset();
    await db.db.deleteFrom('audit_events').where('seq', '>', 4).execute();
    expect(await trail().verify()).toEqual({
      ok: false,
      checked: 4,
      brokenAt: 5,
      reason: 'the chain head names event 6, but the trail ends at event 4: events were removed',
    });
  });

  it('catches a row put back out of order', async () => {
    await reset();
    await sql`UPDATE audit_events SET prev_hash = ${'0'.repeat(64)} WHERE seq = 5`.execute(db.db);
    expect(await trail().verify()).toMatchObject({ ok: false, checked: 4, brokenAt: 5, reason: 'event 5 does not follow the hash of event 4' });
  });
});

const WRITES_PER_SERVER = 200;
const CLIENTS_PER_SERVER = 8;

describe.each(backends())('two replicas appending at once (%s)', (backend) => {
  const servers: SpawnedServer[] = [];
  let dir: string;
  let uri: string;
  let drop: () => Promise<void>;
  let location: StoreLocation;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-audit-replicas-'));
    ({ uri, drop, location } = await freshDatabase(backend, dir));
    const args = ['--backend-store-uri', uri, '--artifacts-destination', path.join(dir, 'artifacts')];
    // One first, so the schema exists before the second opens the database.
    servers.push(await spawnServer(args, { cwd: dir }));
    servers.push(await spawnServer(args, { cwd: dir }));
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await drop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`2 × ${WRITES_PER_SERVER} writes: one chain that verifies, every write in it once`, async () => {
    const statuses: number[] = [];
    const client = async (server: SpawnedServer, s: number, c: number) => {
      for (let i = c; i < WRITES_PER_SERVER; i += CLIENTS_PER_SERVER) {
        const res = await fetch(`${server.url}${ART}/0/replica-${s}/artifacts/f${i}.txt`, { method: 'PUT', body: `server ${s} write ${i}` });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    };
    try {
      await Promise.all(servers.flatMap((server, s) => Array.from({ length: CLIENTS_PER_SERVER }, (_, c) => client(server, s, c))));
    } catch (err) {
      // A server that went away says why in its output.
      throw new Error(`${String(err)}\n${servers.map((s, i) => `server ${i} (exit ${s.process.exitCode}): ${s.output()}`).join('\n')}`);
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(2 * WRITES_PER_SERVER);

    const db = await openDatabase(location);
    try {
      const trail = new SqlAuditTrail(db.db, db.dialect);
      await trail.seal();
      expect(await trail.verify()).toMatchObject({ ok: true, checked: 2 * WRITES_PER_SERVER });
      const rows = await db.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'resource_name']).orderBy('seq').execute();
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 2 * WRITES_PER_SERVER }, (_, i) => i + 1));
      // No fork: no two events chain from the same predecessor.
      expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length);
      const expected = [0, 1].flatMap((s) => Array.from({ length: WRITES_PER_SERVER }, (_, i) => `0/replica-${s}/artifacts/f${i}.txt`));
      expect(rows.map((r) => r.resource_name).sort()).toEqual(expected.sort());
    } finally {
      await db.close();
    }

    const cli = spawnSync(process.execPath, [BIN, 'audit', 'verify', '--backend-store-uri', uri], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(new RegExp(`^ok: ${2 * WRITES_PER_SERVER} events verified \\(head [0-9a-f]{64}\\)\\n$`));
    expect(cli.status).toBe(0);
  });
});
