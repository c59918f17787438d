/**
 * Names sort byte-wise on every backend, as on SQLite (MLflow's reference store): `A,B,a,b`, even
 * in a PostgreSQL database whose own collation is linguistic (where a plain column sorts
 * `a,A,b,B`). Registry names gained that collation in migration 0004_registry_name_collation;
 * tracking names had it from the start. An existing database is upgraded, and the indexes keep
 * serving name lookups and `LIKE 'prefix%'`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openServices, type Services } from '../../src/compose.js';
import { openDatabase } from '../../src/store/sql/database.js';
import { API } from '../helpers/app.js';
import { backends, freshDatabase, type FreshDatabase } from '../helpers/databases.js';

const NAMES = ['b', 'B', 'a', 'A'];
const BYTE_ORDER = ['A', 'B', 'a', 'b'];

describe.each(backends())('name order on %s (database with a linguistic collation)', (backend) => {
  let dir: string;
  let fresh: FreshDatabase;
  let services: Services;
  let request: supertest.Agent;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-collation-'));
    fresh = await freshDatabase(backend, dir, { linguisticCollation: true });
    services = await openServices({
      backendStore: fresh.location,
      defaultArtifactRoot: 'mlflow-artifacts:/',
      artifactsDestination: path.join(dir, 'mlartifacts'),
      serveArtifacts: true,
      artifactsOnly: false,
      logger: () => undefined,
      poolSize: 2,
    });
    request = supertest.agent(createApp(services.deps));
    for (const name of NAMES) {
      expect((await request.post(`${API}/registered-models/create`).send({ name })).status).toBe(200);
      expect((await request.post(`${API}/experiments/create`).send({ name })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await services?.close();
    await fresh?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const searchModels = async () =>
    (await request.get(`${API}/registered-models/search`).query({ order_by: 'name ASC' })).body.registered_models.map(
      (m: { name: string }) => m.name,
    );

  it('registered-models/search order_by=name is A,B,a,b', async () => {
    expect(await searchModels()).toEqual(BYTE_ORDER);
    const below = await request.get(`${API}/registered-models/search`).query({ filter: "name LIKE 'A%'" });
    expect(below.body.registered_models.map((m: { name: string }) => m.name)).toEqual(['A']);
  });

  it('experiments/search order_by=name is A,B,a,b', async () => {
    const res = await request.post(`${API}/experiments/search`).send({ filter: "name != 'Default'", order_by: ['name ASC'], max_results: 10 });
    expect(res.body.experiments.map((e: { name: string }) => e.name)).toEqual(BYTE_ORDER);
  });

  it('tag keys and aliases come back in byte order', async () => {
    for (const key of NAMES) {
      await request.post(`${API}/registered-models/set-tag`).send({ name: 'a', key, value: 'v' }).expect(200);
    }
    await request.post(`${API}/model-versions/create`).send({ name: 'a', source: 's3://b/1' }).expect(200);
    for (const alias of NAMES) {
      await request.post(`${API}/registered-models/alias`).send({ name: 'a', alias, version: '1' }).expect(200);
    }
    const model = (await request.get(`${API}/registered-models/get`).query({ name: 'a' })).body.registered_model;
    expect(model.tags.map((t: { key: string }) => t.key)).toEqual(BYTE_ORDER);
    expect(model.aliases.map((a: { alias: string }) => a.alias)).toEqual(BYTE_ORDER);
  });

  it.runIf(backend === 'postgres')('upgrades an existing database, and the name indexes still serve lookups and prefixes', async () => {
    // A database made before 0004: registry names in the database's own (linguistic) collation.
    const old = await freshDatabase(backend, dir, { linguisticCollation: true });
    const names = async (d: Kysely<any>) =>
      (await sql<{ name: string }>`SELECT name FROM registered_models ORDER BY name`.execute(d)).rows.map((r) => r.name);
    try {
      const before = await openDatabase(old.location, { migrateUpTo: '0003_version_tag_key_index' });
      try {
        for (const name of NAMES) {
          await sql`INSERT INTO registered_models (name, creation_time, last_updated_time, last_version)
                    VALUES (${name}, 0, 0, 0)`.execute(before.db);
        }
        expect(await names(before.db)).toEqual(['a', 'A', 'b', 'B']);
      } finally {
        await before.close();
      }
      const reopened = await openDatabase(old.location);
      try {
        expect(await names(reopened.db)).toEqual(BYTE_ORDER);
        // Enough rows that the planner prefers an index, then the plans of a lookup and a prefix.
        await sql`INSERT INTO registered_models (name, creation_time, last_updated_time, last_version)
                  SELECT 'm' || g, 0, 0, 0 FROM generate_series(1, 5000) g`.execute(reopened.db);
        await sql`ANALYZE registered_models`.execute(reopened.db);
        const plan = async (where: string) =>
          (await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM registered_models WHERE ${where}`).execute(reopened.db)).rows
            .map((r) => r['QUERY PLAN'])
            .join('\n');
        expect(await plan(`name = 'm42'`)).toMatch(/Index (Only )?Scan using registered_models_name_key/);
        expect(await plan(`name LIKE 'm42%' ESCAPE ''`)).toMatch(/Index (Only )?Scan using registered_models_name_key|Bitmap Index Scan on registered_models_name_key/);
      } finally {
        await reopened.close();
      }
    } finally {
      await old.drop();
    }
  });
});
