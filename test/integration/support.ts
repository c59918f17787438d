/**
 * Shared helpers for the registry integration tests: unique names, thin wrappers around the JSON
 * RPCs, and an assertion for MLflow's error shape.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Response } from 'supertest';
import { API, type TestApp } from '../helpers/app.js';

export { API };

/** The sentence MLflow appends to request-schema errors (mlflow/server/handlers.py: _validate_param_against_schema). */
export const HINT = ' See the API docs for more information about request parameters.';

let counter = 0;

/** A model name no other test in this process uses. */
export function uniqueName(prefix = 'm'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A 32-character lowercase hex run id, different on every call. */
export function runId(): string {
  return randomBytes(16).toString('hex');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Asserts an MLflow error response: status, JSON content type, `{error_code, message}`. */
export function expectError(res: Response, status: number, code: string, message?: string | RegExp): void {
  expect({ status: res.status, code: res.body?.error_code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(typeof res.body.message).toBe('string');
  if (typeof message === 'string') expect(res.body.message).toBe(message);
  else if (message) expect(res.body.message).toMatch(message);
}

/** Asserts an empty success: 200, JSON content type, body exactly `{}`. */
export function expectEmptyOk(res: Response): void {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.text).toBe('{}');
}

export function q(params: Record<string, string | number | readonly string[]>): string {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const item of v) usp.append(k, item);
    else usp.append(k, String(v));
  }
  return usp.toString();
}

export function ok(res: Response): Response {
  if (res.status !== 200) {
    throw new Error(`expected 200, got ${res.status}: ${res.text.slice(0, 500)}`);
  }
  return res;
}

/**
 * JSON RPC calls as the MLflow client makes them, through the test app's supertest agent. The
 * agent serves one request at a time (overlapping requests on it reset each other's connections),
 * so concurrency tests use a fresh `supertest(app)` per request instead.
 */
export class Registry {
  constructor(
    readonly t: TestApp,
    readonly base: string = API,
  ) {}

  post(path: string, body: unknown) {
    return this.t.request.post(`${this.base}/${path}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
  }

  patch(path: string, body: unknown) {
    return this.t.request.patch(`${this.base}/${path}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
  }

  del(path: string, body: unknown) {
    return this.t.request.delete(`${this.base}/${path}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
  }

  get(path: string, params: Record<string, string | number | readonly string[]> = {}) {
    const qs = q(params);
    return this.t.request.get(`${this.base}/${path}${qs ? `?${qs}` : ''}`);
  }

  async createModel(name: string, extra: Record<string, unknown> = {}) {
    return ok(await this.post('registered-models/create', { name, ...extra })).body.registered_model;
  }

  async getModel(name: string) {
    return this.get('registered-models/get', { name });
  }

  async createVersion(name: string, source = 's3://bucket/path/model', extra: Record<string, unknown> = {}) {
    return ok(await this.post('model-versions/create', { name, source, ...extra })).body.model_version;
  }

  async getVersion(name: string, version: string | number) {
    return this.get('model-versions/get', { name, version: String(version) });
  }

  async searchModels(params: Record<string, string | number | readonly string[]>) {
    return this.get('registered-models/search', params);
  }

  async searchVersions(params: Record<string, string | number | readonly string[]>) {
    return this.get('model-versions/search', params);
  }

  /** Every registered-model name matching the filter, following page tokens. */
  async allModelNames(filter: string, pageSize: number, orderBy: readonly string[] = []): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const params: Record<string, string | number | readonly string[]> = { filter, max_results: pageSize };
      if (orderBy.length > 0) params.order_by = orderBy;
      if (token) params.page_token = token;
      const res = ok(await this.searchModels(params));
      pages += 1;
      const page = (res.body.registered_models ?? []) as { name: string }[];
      names.push(...page.map((m) => m.name));
      token = res.body.next_page_token;
      if (token !== undefined) {
        expect(typeof token).toBe('string');
        expect(token).not.toBe('');
        expect(page).toHaveLength(pageSize);
      } else {
        expect(Object.keys(res.body)).not.toContain('next_page_token');
      }
      if (pages > 1000) throw new Error('paging did not terminate');
    } while (token);
    return { names, pages };
  }
}
