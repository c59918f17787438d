/**
 * Shared by the fault tests (test/integration/faults-*.test.ts): they spawn real `flowreg server`
 * processes from dist/ (built by `npm run build`, which `npm test` runs first) and break things
 * under them. Each prerequisite that is missing makes its test skip with a visible reason.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST_MAIN = path.join(REPO, 'dist/cli/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Why spawned servers cannot run, or undefined when dist/ is there. */
export function distMissing(): string | undefined {
  if (!fs.existsSync(DIST_MAIN)) return 'dist/ is not built (run `npm run build`): fault tests skipped';
  if (newestMtime(path.join(REPO, 'src')) > fs.statSync(DIST_MAIN).mtimeMs) {
    console.warn('[faults] dist/ is older than src/: the spawned servers run the last build (`npm run build` refreshes it)');
  }
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value, or throws after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms: number, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

export interface JsonResponse {
  readonly status: number;
  readonly contentType: string;
  readonly json: any;
  readonly text: string;
}

export async function call(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', json, text };
}

export function postJson(url: string, body: unknown): Promise<JsonResponse> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(cmd: string, args: readonly string[], options: { cwd?: string } = {}): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...options });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${res.status ?? res.signal}): ${res.stdout}${res.stderr}${res.error ?? ''}`);
  }
  return res.stdout;
}
