// The web UI's first render on the benchmark's data set (10,000 models × 5 tags, model `m` with
// 100,000 versions; --quick: 500 and 2,000): time from navigation to the first row of the models
// list, and of model `m`'s versions table, in Debian's Chromium (scripts/chromium.sh) driven by
// playwright-core, each in a new browser context (nothing cached), against `flowreg server` on
// SQLite. Reported as the median and maximum of 5 loads; never compared to a threshold.
// Usage: node scripts/bench/ui-render.mjs [--quick] [--loads N]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIG_MODEL } from './dataset.mjs';
import { seedDatabase } from './seed.mjs';
import { freePort } from './servers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const loads = Number(args[args.indexOf('--loads') + 1]) || 5;
const spec = { models: quick ? 500 : 10_000, bigVersions: quick ? 2_000 : 100_000, t0: Date.UTC(2025, 0, 1) };
const browserPath = process.env.FLOWREG_TEST_CHROMIUM || '/usr/bin/chromium';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowreg-ui-bench-'));
const uri = `sqlite:///${path.join(dir, 'flowreg.db')}`;
const port = await freePort();
const server = spawn(process.execPath, [path.join(repo, 'bin/flowreg.js'), 'server', '--port', String(port), '--backend-store-uri', uri], {
  cwd: dir,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {}
    if (i > 300) throw new Error('flowreg did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const seeded = await seedDatabase('flowreg', uri, spec);
  console.error(`seeded ${spec.models} models, ${BIG_MODEL} with ${spec.bigVersions} versions in ${seeded.seconds.toFixed(1)} s`);
  const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const measure = async (url, selector) => {
    const times = [];
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const t = performance.now();
      await page.goto(url);
      await page.waitForSelector(selector, { timeout: 60_000 });
      // The first load warms the server's caches and is not counted.
      if (i > 0) times.push(performance.now() - t);
      await context.close();
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(times.length / 2)], maxMs: times[times.length - 1] };
  };
  const list = await measure(`${base}/#/models`, 'table tbody tr');
  const model = await measure(`${base}/#/models/${BIG_MODEL}`, 'section[aria-label="versions"] tbody tr');
  await browser.close();
  const line = (label, r) => `${label}: median ${r.medianMs.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms (${loads} loads)`;
  console.log(line(`models list, first row (${spec.models.toLocaleString('en-US')} models)`, list));
  console.log(line(`model ${BIG_MODEL}, first version row (${spec.bigVersions.toLocaleString('en-US')} versions)`, model));
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
}
