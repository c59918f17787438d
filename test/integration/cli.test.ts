/**
 * The `flowreg` command as a user runs it: bad input is one line on stderr and exit code 2;
 * SIGTERM drains and exits 0.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnServer } from '../helpers/spawn.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/flowreg.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('flowreg command', () => {
  it.each([
    [['server', '--port', 'abc']],
    [['server', '--backend-store-uri', 'mysql://u@h/db']],
    [['server', '--nope']],
    [['frobnicate']],
  ])('%j exits 2 with a clear message and no stack trace', (args) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^flowreg: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its version and help', () => {
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run(['server', '--help']).stdout).toContain('--backend-store-uri');
  });

  it('serves on the embedded default in the working directory and exits 0 on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-cli-'));
    try {
      const server = await spawnServer([], { cwd: dir });
      const res = await fetch(`${server.url}/api/2.0/mlflow/registered-models/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'cli-model' }),
      });
      expect(res.status).toBe(200);
      expect(await server.stop('SIGTERM')).toBe(0);
      expect(fs.existsSync(path.join(dir, 'mlflow.db'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
