// Bulk seeding of the data set (dataset.mjs) straight into each server's own schema, in one
// transaction per server, SQLite or PostgreSQL. The rows are those each server writes itself for
// the same API calls (checked against rows created through the API): for `mlflow server` its
// alembic schema (registered_models, model_versions, registered_model_tags, model_version_tags,
// registered_model_aliases keyed by name), for flowreg src/store/sql/migrations.ts (keyed by a
// model id, with the version counter `last_version`).
import Database from 'better-sqlite3';
import pg from 'pg';
import { aliasRows, modelVersionRows, registeredModelRows } from './dataset.mjs';

export function sqlitePath(uri) {
  const m = uri.match(/^sqlite:\/\/\/(.+)$/);
  if (!m) throw new Error(`not a sqlite URI: ${uri}`);
  return m[1];
}

export function nodeSqliteVersion() {
  const db = new Database(':memory:');
  try {
    return db.prepare('select sqlite_version() as v').get().v;
  } finally {
    db.close();
  }
}

/** A tiny common interface over better-sqlite3 and pg: exec, all, insert (batched), close. */
async function open(uri) {
  if (uri.startsWith('sqlite:')) {
    const db = new Database(sqlitePath(uri));
    db.pragma('busy_timeout = 30000');
    return {
      async exec(sql) {
        db.exec(sql);
      },
      async all(sql) {
        return db.prepare(sql).all();
      },
      async insert(table, columns, rows) {
        const stmt = db.prepare(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        let n = 0;
        for (const row of rows) {
          stmt.run(row);
          n++;
        }
        return n;
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: uri.replace(/^postgresql\+\w+:/, 'postgresql:') });
  await client.connect();
  return {
    async exec(sql) {
      await client.query(sql);
    },
    async all(sql) {
      return (await client.query(sql)).rows;
    },
    async insert(table, columns, rows) {
      const per = 1000; // rows per INSERT (at most 14 columns: far below 65,535 parameters)
      let batch = [];
      let n = 0;
      const flush = async () => {
        if (!batch.length) return;
        const values = [];
        const tuples = batch.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(', ')})`);
        await client.query(`INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`, values);
        n += batch.length;
        batch = [];
      };
      for (const row of rows) {
        batch.push(row);
        if (batch.length >= per) await flush();
      }
      await flush();
      return n;
    },
    async close() {
      await client.end();
    },
  };
}

function* map(iter, fn) {
  for (const x of iter) yield* fn(x);
}

async function seedMlflow(db, { models, bigVersions, t0 }) {
  const counts = {};
  counts.registered_models = await db.insert(
    'registered_models',
    ['name', 'creation_time', 'last_updated_time', 'description'],
    map(registeredModelRows(models, t0), (m) => [[m.name, m.created, m.updated, '']]),
  );
  counts.registered_model_tags = await db.insert(
    'registered_model_tags',
    ['key', 'value', 'name'],
    map(registeredModelRows(models, t0), (m) => m.tags.map(([k, v]) => [k, v, m.name])),
  );
  counts.model_versions = await db.insert(
    'model_versions',
    ['name', 'version', 'creation_time', 'last_updated_time', 'description', 'user_id', 'current_stage', 'source', 'run_id', 'status', 'status_message', 'run_link', 'storage_location'],
    map(modelVersionRows(models, bigVersions, t0), (v) => [[v.name, v.version, v.created, v.created, '', null, 'None', v.source, '', 'READY', null, '', v.source]]),
  );
  counts.model_version_tags = await db.insert(
    'model_version_tags',
    ['key', 'value', 'name', 'version'],
    map(modelVersionRows(models, bigVersions, t0), (v) => v.tags.map(([k, val]) => [k, val, v.name, v.version])),
  );
  counts.registered_model_aliases = await db.insert(
    'registered_model_aliases',
    ['alias', 'version', 'name'],
    map(aliasRows(models), (a) => [[a.alias, a.version, a.name]]),
  );
  return counts;
}

async function seedFlowreg(db, { models, bigVersions, t0 }) {
  const counts = {};
  const lastVersion = new Map();
  for (const v of modelVersionRows(models, bigVersions, t0)) lastVersion.set(v.name, Math.max(lastVersion.get(v.name) ?? 0, v.version));
  counts.registered_models = await db.insert(
    'registered_models',
    ['name', 'creation_time', 'last_updated_time', 'description', 'last_version'],
    map(registeredModelRows(models, t0), (m) => [[m.name, m.created, m.updated, null, lastVersion.get(m.name) ?? 0]]),
  );
  const ids = new Map((await db.all('SELECT id, name FROM registered_models')).map((r) => [r.name, Number(r.id)]));
  counts.registered_model_tags = await db.insert(
    'registered_model_tags',
    ['model_id', 'key', 'value'],
    map(registeredModelRows(models, t0), (m) => m.tags.map(([k, v]) => [ids.get(m.name), k, v])),
  );
  counts.model_versions = await db.insert(
    'model_versions',
    ['model_id', 'version', 'creation_time', 'last_updated_time', 'description', 'user_id', 'current_stage', 'source', 'run_id', 'run_link', 'status', 'status_message', 'storage_location', 'logged_model_id'],
    map(modelVersionRows(models, bigVersions, t0), (v) => [[ids.get(v.name), v.version, v.created, v.created, '', null, 'None', v.source, '', '', 'READY', null, null, null]]),
  );
  counts.model_version_tags = await db.insert(
    'model_version_tags',
    ['model_id', 'version', 'key', 'value'],
    map(modelVersionRows(models, bigVersions, t0), (v) => v.tags.map(([k, val]) => [ids.get(v.name), v.version, k, val])),
  );
  counts.registered_model_aliases = await db.insert(
    'registered_model_aliases',
    ['model_id', 'alias', 'version'],
    map(aliasRows(models), (a) => [[ids.get(a.name), a.alias, a.version]]),
  );
  return counts;
}

/** Seeds one server's database in one transaction; returns the row counts and the time taken. */
export async function seedDatabase(server, uri, spec) {
  const db = await open(uri);
  const t = performance.now();
  try {
    await db.exec(uri.startsWith('sqlite:') ? 'BEGIN IMMEDIATE' : 'BEGIN');
    const counts = server === 'flowreg' ? await seedFlowreg(db, spec) : await seedMlflow(db, spec);
    await db.exec('COMMIT');
    // Planner statistics for the bulk-loaded tables, as after any bulk load (autovacuum would
    // gather them too, but at a time of its choosing).
    if (!uri.startsWith('sqlite:')) await db.exec('ANALYZE');
    return { counts, seconds: (performance.now() - t) / 1000 };
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await db.close();
  }
}

/** Creates (or re-creates) an empty database on the PostgreSQL server of `adminUrl`. */
export async function createPgDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
    const version = (await client.query('SHOW server_version')).rows[0].server_version;
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return { url: url.toString(), version };
  } finally {
    await client.end();
  }
}

export async function dropPgDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Ends every session on database `name` (an abandoned query would otherwise run on). */
export async function terminatePgSessions(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  } finally {
    await client.end();
  }
}
