// Starting and stopping the two servers, and reading their memory and CPU from /proc. A server is
// its process and every descendant (`mlflow server` runs uvicorn's workers and a job runner as
// child processes): memory figures are sums over that tree.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export const SERVER_NAMES = ['flowreg', 'mlflow'];

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function readProc(pid, file) {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** The pid and all its live descendants. */
export function treePids(root) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(entry, 'stat');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    if (!readProc(pid, 'stat')) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function statusKb(text, key) {
  const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

/** Summed VmRSS and VmHWM (bytes) over the tree; with `pss`, the summed PSS too (slower). */
export function treeMemory(root, { pss = false } = {}) {
  let rss = 0;
  let hwm = 0;
  let pssSum = 0;
  const pids = treePids(root);
  for (const pid of pids) {
    const status = readProc(pid, 'status');
    if (!status) continue;
    rss += statusKb(status, 'VmRSS');
    hwm += statusKb(status, 'VmHWM');
    if (pss) pssSum += statusKb(readProc(pid, 'smaps_rollup') ?? '', 'Pss');
  }
  return { processes: pids.length, rss: rss * 1024, hwm: hwm * 1024, ...(pss ? { pss: pssSum * 1024 } : {}) };
}

/** Resets each process's VmHWM to its current RSS (Linux `clear_refs` 5). False when not allowed. */
export function resetPeaks(root) {
  let ok = true;
  for (const pid of treePids(root)) {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** Summed VmRSS (bytes) of the given pids. */
function rssOf(pids) {
  let kb = 0;
  for (const pid of pids) kb += statusKb(readProc(pid, 'status') ?? '', 'VmRSS');
  return kb * 1024;
}

/**
 * Watches the tree's memory while something runs. Resets the per-process peaks first (so that the
 * sum of VmHWM at the end covers the whole interval, between samples too) and samples the summed
 * RSS every `intervalMs` (the process list is refreshed every 20 samples). `stop()` returns the
 * RSS before and after, the sampled peak of the sum, and `peak`: the larger of that and the sum
 * of the per-process peaks.
 */
export function watchMemory(root, intervalMs = 100) {
  const before = treeMemory(root);
  const peaksReset = resetPeaks(root);
  let pids = treePids(root);
  let sampledPeak = before.rss;
  let n = 0;
  const timer = setInterval(() => {
    if (++n % 20 === 0) pids = treePids(root);
    sampledPeak = Math.max(sampledPeak, rssOf(pids));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const after = treeMemory(root);
      sampledPeak = Math.max(sampledPeak, after.rss);
      const peak = peaksReset ? Math.max(after.hwm, sampledPeak) : sampledPeak;
      return { before: before.rss, after: after.rss, sampledPeak, peak };
    },
  };
}

/** CPU seconds (user + system) used so far by the live processes of the tree. */
export function treeCpuSeconds(root) {
  const hz = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of treePids(root)) {
    const stat = readProc(pid, 'stat');
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / hz;
}

function healthOnce(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts one server and waits for the first 200 from /health. `startMs` is the time from spawn()
 * to that response (polled every 25 ms). `extraArgs` / `extraEnv` are added to its command line
 * and environment (authentication on: `--app-name basic-auth` and its settings).
 */
export async function startServer({ name, env, backendUri, artifactsDir, port, logDir, timeoutMs = 240_000, extraArgs = [], extraEnv = {} }) {
  const common = ['server', '--backend-store-uri', backendUri, '--artifacts-destination', artifactsDir, '--host', '127.0.0.1', '--port', String(port), ...extraArgs];
  const args = name === 'flowreg' ? [env.flowregBin, ...common] : common;
  const command = name === 'flowreg' ? process.execPath : path.join(env.venv, 'bin', 'mlflow');
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.openSync(path.join(logDir, `${name}-${port}.log`), 'a');
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd: env.workDir,
    env: { ...process.env, ...env.serverEnv, ...extraEnv },
    stdio: ['ignore', log, log],
    detached: true, // its own process group, so that stop() reaches uvicorn's workers too
  });
  fs.closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  for (;;) {
    if (exited) throw new Error(`${name} exited during start-up (${JSON.stringify(exited)}); see ${logDir}`);
    if (await healthOnce(port)) break;
    if (performance.now() - t0 > timeoutMs) {
      await stopServer({ name, child, pid: child.pid });
      throw new Error(`${name} did not answer /health within ${timeoutMs / 1000}s`);
    }
    await sleep(25);
  }
  const startMs = performance.now() - t0;
  const server = { name, child, pid: child.pid, port, base: `http://127.0.0.1:${port}`, startMs, backendUri, artifactsDir };
  live.add(server);
  return server;
}

/** Servers started and not yet stopped (for an interrupted run). */
const live = new Set();

export async function stopAllServers() {
  await Promise.all([...live].map((server) => stopServer(server, 5_000)));
}

/** SIGTERM to the server's process group, then SIGKILL after `graceMs`; waits for the whole tree. */
export async function stopServer(server, graceMs = 30_000) {
  live.delete(server);
  const pids = new Set(treePids(server.pid));
  const signalAll = (sig) => {
    try {
      process.kill(-server.pid, sig);
    } catch {
      /* group gone */
    }
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  signalAll('SIGTERM');
  const t0 = Date.now();
  for (;;) {
    for (const pid of [...pids]) if (!readProc(pid, 'stat') || /\) Z /.test(readProc(pid, 'stat') ?? '')) pids.delete(pid);
    if (pids.size === 0) return;
    if (Date.now() - t0 > graceMs) {
      signalAll('SIGKILL');
      await sleep(500);
      return;
    }
    await sleep(100);
  }
}

/**
 * Waits until the server's processes together use less than `percent` of one core over a window
 * of `windowMs` (`mlflow server` keeps starting its job runner's consumers for a while after its
 * first 200 from /health). Returns the time waited; gives up after `maxMs`.
 */
export async function waitQuiet(root, { percent = 5, windowMs = 2_000, maxMs = 120_000 } = {}) {
  const t0 = performance.now();
  for (;;) {
    const c0 = treeCpuSeconds(root);
    await sleep(windowMs);
    const used = ((treeCpuSeconds(root) - c0) / (windowMs / 1000)) * 100;
    if (used < percent || performance.now() - t0 > maxMs) return { waitedMs: performance.now() - t0, lastPercent: used };
  }
}
