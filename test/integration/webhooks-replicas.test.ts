/**
 * The webhook outbox across real server processes (dist/) over one database, on every backend:
 * a replica killed with SIGKILL while a delivery is in flight loses nothing (another replica takes
 * the delivery over when the lease runs out and sends it with the same delivery id), and two
 * replicas sharing the outbox deliver each event exactly once under normal operation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/app.js';
import { freshDatabase } from '../helpers/databases.js';
import { spawnServer, type SpawnedServer } from '../helpers/spawn.js';
import { eventually, Receiver } from '../helpers/webhook-receiver.js';
import { call, distMissing } from './faults-support.js';

const API = '/api/2.0/mlflow';
const missing = distMissing();
const ENV = {
  MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http',
  MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
  MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: 'ZmxvdXJlZy13ZWJob29rLXRlc3Qta2V5LTMyYnl0ZXM=',
  // A 2 s attempt timeout makes the lease 12 s: the takeover after a kill comes that much later.
  MLFLOW_WEBHOOK_REQUEST_TIMEOUT: '2',
  MLFLOW_WEBHOOK_CACHE_TTL: '0',
};

const json = (body: object): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

if (missing) {
  describe('webhook replicas', () => {
    it.skip(missing, () => undefined);
  });
} else {
  describe.each(backends())('webhook replicas (%s)', (backend) => {
    const servers: SpawnedServer[] = [];
    const receiver = new Receiver();
    let dir: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    afterAll(async () => {
      for (const s of servers) await s.stop('SIGKILL');
      await receiver.stop();
      await drop?.();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('takes over a killed replica’s delivery, then delivers every event exactly once across two replicas', { timeout: 90_000 }, async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-hooks-'));
      const db = await freshDatabase(backend, dir);
      drop = db.drop;
      await receiver.start();
      const args = ['--backend-store-uri', db.uri, '--artifacts-destination', path.join(dir, 'mlartifacts')];
      const spawn = async () => {
        const s = await spawnServer(args, { cwd: dir!, env: ENV });
        servers.push(s);
        return s;
      };

      // ---- kill -9 during a delivery ----
      const doomed = await spawn();
      const slow = await call(`${doomed.url}${API}/webhooks`, json({ name: 'slow', url: receiver.url('/slow'), events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }], secret: 'x' }));
      expect(slow.status).toBe(200);
      const slowId = slow.json.webhook.webhook_id as string;
      receiver.script('/slow', [{ status: 200, hold: true }]);
      expect((await call(`${doomed.url}${API}/registered-models/create`, json({ name: 'before-kill' }))).status).toBe(200);
      const first = await eventually('the delivery to reach the receiver', () => receiver.at('/slow')[0]);
      await doomed.stop('SIGKILL');

      const a = await spawn();
      const b = await spawn();
      // The new replicas take the delivery over once the dead one's lease runs out; same delivery id.
      const again = await eventually('the delivery again after the kill', () => receiver.at('/slow')[1], 40_000);
      expect(again.headers['x-mlflow-delivery-id']).toBe(first.headers['x-mlflow-delivery-id']);
      const log = await eventually('the log to show it delivered', async () => {
        const res = await call(`${a.url}/api/flowreg/v1/webhooks/${slowId}/deliveries`);
        const [d] = res.json.deliveries;
        return d?.status === 'DELIVERED' ? res.json.deliveries : undefined;
      });
      expect(log).toHaveLength(1);
      expect(log[0].attempts).toBeGreaterThanOrEqual(1);
      await call(`${a.url}${API}/webhooks/${slowId}`, { method: 'DELETE' });

      // ---- two replicas, one receiver: each event exactly once ----
      const hook = await call(`${a.url}${API}/webhooks`, json({ name: 'fanout', url: receiver.url('/fanout'), events: [{ entity: 'REGISTERED_MODEL', action: 'CREATED' }] }));
      const hookId = hook.json.webhook.webhook_id as string;
      const names = Array.from({ length: 30 }, (_, i) => `model-${i}`);
      await Promise.all(names.map((name, i) => call(`${(i % 2 ? a : b).url}${API}/registered-models/create`, json({ name }))));
      const delivered = await eventually('30 deliveries in the log', async () => {
        const res = await call(`${b.url}/api/flowreg/v1/webhooks/${hookId}/deliveries?max_results=100`);
        const list = res.json.deliveries as any[];
        return list.length === 30 && list.every((d) => d.status === 'DELIVERED') ? list : undefined;
      }, 30_000);
      const received = receiver.at('/fanout');
      expect(received).toHaveLength(30);
      const ids = received.map((r) => r.headers['x-mlflow-delivery-id']);
      expect(new Set(ids).size).toBe(30);
      expect(new Set(ids)).toEqual(new Set(delivered.map((d) => d.delivery_id)));
      expect(received.map((r) => JSON.parse(r.body).data.name).sort()).toEqual([...names].sort());
      expect(delivered.every((d) => d.attempts === 1)).toBe(true);
    });
  });
}
