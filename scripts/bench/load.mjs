// The orchestrator's side of the load generator (client.mjs, a separate process) and of the
// transfer references: the loopback sink/source (sink.mjs, a separate process) and `cp`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs one task in a fresh load-generator process and returns its JSON result. */
export function runClient(task, timeoutMs = 30 * 60_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'client.mjs'), JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()));
      else reject(new Error(`load generator (${task.mode} ${task.kind ?? ''}) failed: ${signal ?? `exit ${code}`} ${err.trim()}`));
    });
  });
}

/** Starts the loopback reference server; `stop()` ends it. */
export function startSink(file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'sink.mjs'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', (c) => {
      const port = Number(String(c).trim());
      resolve({
        pid: child.pid,
        base: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** The disk reference: `cp` of the file on the same file system (then removed). */
export function diskCopy(src, dst) {
  const t0 = performance.now();
  const res = spawnSync('cp', [src, dst], { stdio: 'inherit' });
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 0) throw new Error(`cp ${src} ${dst} failed`);
  const bytes = fs.statSync(dst).size;
  fs.rmSync(dst, { force: true });
  return { bytes, seconds, mbps: bytes / 1e6 / seconds };
}

/** A file of `bytes` pseudo-random bytes (not compressible), written once per run. */
export function makeFile(file, bytes) {
  if (fs.existsSync(file) && fs.statSync(file).size === bytes) return;
  const chunk = Buffer.alloc(1 << 20);
  let state = 0x12345678;
  for (let i = 0; i < chunk.length; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    chunk.writeUInt32LE(state >>> 0, i);
  }
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const n = Math.min(chunk.length, bytes - written);
      // Vary each MiB so that the file is not one repeated block.
      chunk.writeUInt32LE(written >>> 0, 0);
      fs.writeSync(fd, chunk, 0, n);
      written += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
