/**
 * Helpers for the native API tests: multipart bodies built by hand (so that malformed and
 * out-of-order ones can be sent too), the publish call, and "nothing left behind" checks.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { API } from '../helpers/app.js';

export const NATIVE = '/api/flowreg/v1';

export interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly content: Buffer | string;
  readonly type?: string;
}

export function multipart(parts: readonly Part[], boundary = `b${randomBytes(8).toString('hex')}`): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      `form-data; name="${p.name}"` + (p.filename === undefined ? '' : `; filename="${p.filename.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
    const type = p.type ?? (p.filename === undefined ? undefined : 'application/octet-stream');
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`));
    chunks.push(typeof p.content === 'string' ? Buffer.from(p.content) : p.content);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function metadataPart(meta: unknown = {}): Part {
  return { name: 'metadata', content: typeof meta === 'string' ? meta : JSON.stringify(meta) };
}

export function filePart(filename: string, content: Buffer | string): Part {
  return { name: 'file', filename, content };
}

export function versionsUrl(name: string): string {
  return `${NATIVE}/models/${encodeURIComponent(name)}/versions`;
}

export async function publish(t: TestApp, name: string, parts: readonly Part[]) {
  const { body, contentType } = multipart(parts);
  return t.request.post(versionsUrl(name)).set('Content-Type', contentType).send(body);
}

/** Every file under dir, relative (temp files included). */
export function walk(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`],
  );
}

export function destination(t: TestApp): string {
  return path.join(t.dir, 'mlartifacts');
}

/** Deterministic bytes, different for each seed. */
export function bytes(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

/** Versions of `name` that exist (any status), through the MLflow API. */
export async function liveVersions(t: TestApp, name: string): Promise<Array<{ version: string; status: string }>> {
  const res = await t.request.get(`${API}/model-versions/search`).query({ filter: `name='${name}'` });
  expect(res.status).toBe(200);
  return (res.body.model_versions ?? []) as Array<{ version: string; status: string }>;
}

/** Active runs of experiment 0. */
export async function activeRuns(t: TestApp): Promise<Array<{ info: { run_id: string; status: string } }>> {
  const res = await t.request.post(`${API}/runs/search`).send({ experiment_ids: ['0'] });
  expect(res.status).toBe(200);
  return (res.body.runs ?? []) as Array<{ info: { run_id: string; status: string } }>;
}

/** Every directory under dir, relative. */
export function walkDirs(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => [`${prefix}${d.name}`, ...walkDirs(path.join(dir, d.name), `${prefix}${d.name}/`)]);
}

export interface Snapshot {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
  readonly runs: number;
}

/** Files and directories in the destination and active runs, to compare against after a failed publish. */
export async function snapshot(t: TestApp): Promise<Snapshot> {
  return { files: walk(destination(t)).sort(), dirs: walkDirs(destination(t)).sort(), runs: (await activeRuns(t)).length };
}

/**
 * Nothing of a publish is left: no version of `name`, no new file (nor temp file) in the
 * destination, no new active run.
 */
export async function expectNothingLeft(t: TestApp, name: string, before: Snapshot): Promise<void> {
  expect(await liveVersions(t, name)).toEqual([]);
  expect(walk(destination(t)).sort()).toEqual(before.files);
  // At most an experiment's directory (`0`) may be new; nothing of the run or the version is.
  expect(walkDirs(destination(t)).filter((d) => !before.dirs.includes(d) && !/^\d+$/.test(d))).toEqual([]);
  expect((await activeRuns(t)).length).toBe(before.runs);
}
