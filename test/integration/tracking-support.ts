/**
 * Helpers for the tracking integration tests: JSON RPC calls the way MLflow clients make them
 * (POST/PATCH/DELETE with a JSON body, GET with a query string) and shortcuts for experiments,
 * runs and logged models.
 */
import { expect } from 'vitest';
import type { Response } from 'supertest';
import { API, type TestApp } from '../helpers/app.js';
import { ok, q, uniqueName } from './support.js';

export type Params = Record<string, string | number | readonly string[]>;

export class Tracking {
  constructor(
    readonly t: TestApp,
    readonly base: string = API,
  ) {}

  post(path: string, body: unknown): Promise<Response> {
    return this.t.request.post(`${this.base}/${path}`).set('Content-Type', 'application/json').send(JSON.stringify(body)) as unknown as Promise<Response>;
  }

  patch(path: string, body: unknown): Promise<Response> {
    return this.t.request.patch(`${this.base}/${path}`).set('Content-Type', 'application/json').send(JSON.stringify(body)) as unknown as Promise<Response>;
  }

  del(path: string, body?: unknown): Promise<Response> {
    const req = this.t.request.delete(`${this.base}/${path}`);
    return (body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body))) as unknown as Promise<Response>;
  }

  get(path: string, params: Params = {}): Promise<Response> {
    const qs = q(params);
    return this.t.request.get(`${this.base}/${path}${qs ? `?${qs}` : ''}`) as unknown as Promise<Response>;
  }

  async createExperiment(name = uniqueName('exp'), extra: Record<string, unknown> = {}): Promise<string> {
    const res = ok(await this.post('experiments/create', { name, ...extra }));
    expect(typeof res.body.experiment_id).toBe('string');
    return res.body.experiment_id as string;
  }

  async getExperiment(id: string) {
    return ok(await this.get('experiments/get', { experiment_id: id })).body.experiment;
  }

  async createRun(experimentId = '0', extra: Record<string, unknown> = {}) {
    return ok(await this.post('runs/create', { experiment_id: experimentId, start_time: Date.now(), ...extra })).body.run;
  }

  async getRun(runId: string) {
    return ok(await this.get('runs/get', { run_id: runId, run_uuid: runId })).body.run;
  }

  async createLoggedModel(experimentId = '0', extra: Record<string, unknown> = {}) {
    return ok(await this.post('logged-models', { experiment_id: experimentId, ...extra })).body.model;
  }

  async getLoggedModel(modelId: string) {
    return ok(await this.get(`logged-models/${modelId}`)).body.model;
  }
}

/** `{key: value}` of a `[{key, value}]` list. */
export function asMap(list: readonly { key: string; value: unknown }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((e) => [e.key, e.value]));
}
