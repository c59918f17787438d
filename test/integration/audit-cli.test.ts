/**
 * `flowreg audit` and `flowreg audit verify` as an operator runs them (spawned from dist/), over a
 * backend store and a separate registry store on every backend: the table, JSON lines for a SIEM
 * (every event, paged), filters, and a verify that names the broken link and exits 1.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAs } from '../../src/domain/request-context.js';
import type { Change } from '../../src/store/change.js';
import { openDatabase } from '../../src/store/sql/database.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/flowreg.js');

function flowreg(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, ...(cwd ? { cwd } : {}) });
}

const RUNS = 120;

describe.each(backends())('flowreg audit (%s)', (backend) => {
  let t: TestApp;
  let stores: string[];
  beforeAll(async () => {
    t = await createTestApp(backend, { separateRegistryStore: true });
    stores = ['--backend-store-uri', t.stores.backend.uri, '--registry-store-uri', (t.stores.registry as { uri: string }).uri];
    const runs: Change[] = Array.from({ length: RUNS }, (_, i) => ({ action: 'run.tag.set', resourceType: 'run', name: `run-${i}`, after: { key: 'k', value: String(i) } }));
    await runAs({ user: 'erin', requestId: 'req00001', address: '10.0.0.1', userAgent: 'cli-test' }, () => t.services.deps.audit.record(runs));
    await new Promise((r) => setTimeout(r, 5));
    await runAs({ user: 'frank', requestId: 'req00002', address: '10.0.0.2', userAgent: 'cli-test' }, () =>
      t.services.deps.audit.record([
        { action: 'registered_model.create', resourceType: 'registered_model', name: 'cli-model', after: { name: 'cli-model', description: '', tags: [] } },
        { action: 'model_version.alias.set', resourceType: 'model_version', name: 'cli-model', version: '1', before: null, after: { alias: 'champion', version: '1' } },
      ]),
    );
    // On PostgreSQL events are sealed into the chain in the background; have it done now.
    await t.services.auditTrails.tracking.seal();
    await t.services.auditTrails.registry.seal();
  });
  afterAll(() => t?.close());

  it('prints the newest events as a table (100 by default)', () => {
    const r = flowreg(['audit', ...stores]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SEQ\s+USER\s+ACTION\s+RESOURCE\s+REQUEST\s+CHANGE$/);
    expect(lines).toHaveLength(1 + 100);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\s+2\s+frank\s+model_version\.alias\.set\s+model_version cli-model v1\s+req00002 \{"alias":"champion","version":"1"\}$/);
    expect(lines[3]).toContain('run run-119');
  });

  it('prints every event as JSON lines, paging through both databases', () => {
    const r = flowreg(['audit', ...stores, '--format', 'jsonl']);
    expect(r.status).toBe(0);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events).toHaveLength(RUNS + 2);
    expect(events[0]).toEqual({
      id: 2,
      seq: 2,
      time: expect.any(Number),
      user: 'frank',
      action: 'model_version.alias.set',
      resource_type: 'model_version',
      name: 'cli-model',
      version: '1',
      before: null,
      after: { alias: 'champion', version: '1' },
      request_id: 'req00002',
      client_address: '10.0.0.2',
      user_agent: 'cli-test',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(events.slice(2).map((e) => e.name)).toEqual(Array.from({ length: RUNS }, (_, i) => `run-${RUNS - 1 - i}`));
  });

  it.each([
    [['--resource-type', 'registered_model'], ['registered_model.create']],
    [['--user', 'frank'], ['model_version.alias.set', 'registered_model.create']],
    [['--name', 'cli-model', '--version', '1'], ['model_version.alias.set']],
    [['--action', 'run.tag.set', '--max-results', '3'], ['run.tag.set', 'run.tag.set', 'run.tag.set']],
    [['--since', '2100-01-01'], []],
    [['--until', '1000'], []],
  ])('filters with %j', (flags, actions) => {
    const r = flowreg(['audit', ...stores, '--format', 'jsonl', ...flags]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).action)).toEqual(actions);
  });

  it('verifies each database and names the first broken link', async () => {
    const ok = flowreg(['audit', 'verify', ...stores]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^backend store: ok: 120 events verified \(head [0-9a-f]{64}\)\nregistry store: ok: 2 events verified \(head [0-9a-f]{64}\)\n$/);

    const registry = await openDatabase(t.stores.registry as NonNullable<TestApp['stores']['registry']>);
    try {
      await sql`UPDATE audit_events SET after_json = '{"alias":"champion","version":"2"}' WHERE seq = 2`.execute(registry.db);
    } finally {
      await registry.close();
    }
    const broken = flowreg(['audit', 'verify', ...stores]);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^backend store: ok: 120 events verified/);
    expect(broken.stdout).toContain('registry store: broken at event 2: event 2 does not match its hash: its content was changed (1 events verified before it)\n');
  });
});

describe('flowreg audit usage', () => {
  it('is listed by flowreg --help and has its own help', () => {
    expect(flowreg(['--help']).stdout).toMatch(/^\s+audit\s+list the audit trail, or verify its hash chain/m);
    const help = flowreg(['audit', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('flowreg audit verify');
    expect(help.stdout).toContain('--format table|jsonl');
  });

  it.each([
    [['audit', '--format', 'xml'], "--format: 'xml' is not table or jsonl"],
    [['audit', '--max-results', '0'], "--max-results: '0' is not a positive integer"],
    [['audit', '--resource-type', 'galaxy'], "--resource-type: 'galaxy' is not one of"],
    [['audit', '--since', 'soon'], "--since: 'soon' is neither epoch milliseconds nor an ISO date/time"],
    [['audit', '--backend-store-uri', 'sqlite:///no/such/dir/mlflow.db'], '--backend-store-uri: no database at'],
    [['audit', '--backend-store-uri', 'mysql://u@h/db'], '--backend-store-uri: unsupported backend store'],
    [['audit', 'verify', 'again'], "unexpected argument 'again'"],
  ])('%j exits 2 naming the mistake', (args, message) => {
    const r = flowreg(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`flowreg audit: ${message}`);
  });
});
