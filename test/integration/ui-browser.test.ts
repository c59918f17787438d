/**
 * The web UI in a real browser: Debian's Chromium (scripts/chromium.sh), driven by playwright-core,
 * against spawned `flowreg server` processes built by `npm run build`. Each journey of the UI runs
 * with authentication off and on: the models list (search, sort, paging), a model (description
 * rendered safely and edited, tags, aliases, versions paged), a version (fields, run, artifacts,
 * MLmodel), promotion (alias, stage, the server's refusal shown), the MLflow client's links, and
 * with authentication on the sign-in, the admin page, what a reader may not do, and sign-out.
 *
 * The browser shows what the server answers, whatever its database, so these run on SQLite only;
 * the API under them is tested on every backend elsewhere. Screenshots go to
 * test-artifacts/ui/ on every run, and to docs/ with FLOWREG_UPDATE_SCREENSHOTS=1.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from '../helpers/spawn.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.FLOWREG_TEST_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, 'test-artifacts', 'ui');
const ADMIN_PASSWORD = 'ui-admin-password-1';
const MODEL = 'fraud-detector';

const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.9
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.1
mlflow_version: 3.17.2
model_uuid: 0f2c1f0e1a2b4c5d
signature:
  inputs: '[{"type": "double", "name": "amount", "required": true}, {"type": "string", "name": "country", "required": true}]'
  outputs: '[{"type": "long", "name": "is_fraud", "required": true}]'
  params: null
utc_time_created: '2026-12-01 10:00:00.000000'
`;

const HOSTILE_DESCRIPTION = [
  '# Fraud detector',
  '',
  'Scores **card payments**; see [the runbook](https://example.com/runbook).',
  '',
  '- trained on `2026-11` data',
  '- <img src=x onerror="window.__pwned=1">',
  '',
  '[click me](javascript:window.__pwned=2)',
].join('\n');

async function call(server: SpawnedServer, method: string, rpc: string, body: unknown, auth?: string): Promise<any> {
  const get = method === 'GET';
  const url = `${server.url}/api/2.0/mlflow/${rpc}${get ? `?${new URLSearchParams(body as Record<string, string>)}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) },
    ...(get ? {} : { body: JSON.stringify(body) }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${rpc}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** 30 models (two pages of 25), one with 25 versions (two pages of 20), a run with params, metrics and an MLmodel. */
async function seed(server: SpawnedServer, auth?: string): Promise<{ experimentId: string; runId: string }> {
  const { experiment_id: experimentId } = await call(server, 'POST', 'experiments/create', { name: 'fraud' }, auth);
  const { run } = await call(server, 'POST', 'runs/create', { experiment_id: experimentId, run_name: 'gbm-2026-12', start_time: 1764583200000 }, auth);
  const runId: string = run.info.run_id;
  await call(
    server,
    'POST',
    'runs/log-batch',
    { run_id: runId, params: [{ key: 'max_depth', value: '6' }], metrics: [{ key: 'auc', value: 0.973, timestamp: 1764583200000, step: 0 }] },
    auth,
  );
  for (const [file, text] of [
    ['model/MLmodel', MLMODEL],
    ['model/model.pkl', 'not really a pickle'],
    ['model/conda.yaml', 'name: fraud\n'],
  ] as const) {
    const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${file}`, {
      method: 'PUT',
      headers: auth ? { Authorization: auth } : {},
      body: text,
    });
    expect(res.status).toBe(200);
  }
  await call(server, 'POST', 'registered-models/create', { name: MODEL, description: HOSTILE_DESCRIPTION, tags: [{ key: 'team', value: 'risk' }] }, auth);
  for (let v = 1; v <= 25; v++) {
    await call(server, 'POST', 'model-versions/create', { name: MODEL, source: `runs:/${runId}/model`, run_id: runId }, auth);
  }
  await call(server, 'POST', 'registered-models/alias', { name: MODEL, alias: 'challenger', version: '24' }, auth);
  for (let i = 1; i <= 30; i++) {
    await call(server, 'POST', 'registered-models/create', { name: `model-${String(i).padStart(2, '0')}`, tags: [{ key: 'team', value: i % 2 ? 'ads' : 'search' }] }, auth);
  }
  return { experimentId, runId };
}

/** The screenshots the README and docs show; the rest stay test artifacts. */
const DOCS = new Set(['ui-models', 'ui-model', 'ui-version', 'ui-promote', 'ui-model-phone', 'ui-governance', 'ui-admin', 'ui-model-reader', 'ui-webhooks']);

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  if (process.env.FLOWREG_UPDATE_SCREENSHOTS === '1' && DOCS.has(name)) await page.screenshot({ path: path.join(REPO, 'docs', `${name}.png`), fullPage: true });
}

let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, 'dist', 'ui', 'index.html'))) throw new Error('the web UI is not built: run `npm run build`');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: run scripts/chromium.sh (npm test does)`);
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});
afterAll(async () => browser?.close());

/** A page that fails the test on any script error (an injected handler would be one). */
async function newPage(width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  // A missing element fails its step quickly, with the step named, rather than the whole test timing out.
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/** Nobody reads a model they were not granted: the list must show a reader only theirs. */
function authIni(dir: string): string {
  const file = path.join(dir, 'basic_auth.ini');
  fs.writeFileSync(file, '[mlflow]\ndefault_permission = NO_PERMISSIONS\n');
  return file;
}

function journeys(mode: 'off' | 'on') {
  let server: SpawnedServer;
  let dir: string;
  let data: { experimentId: string; runId: string };
  let page: Page;
  const prefix = mode === 'on' ? '/mlflow' : '';
  const home = () => `${server.url}${prefix}/`;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `flowreg-ui-${mode}-`));
    const args = mode === 'on' ? ['--app-name', 'basic-auth', '--static-prefix', prefix, '--protected-aliases', 'prod'] : [];
    server = await spawnServer(args, {
      cwd: dir,
      // Webhooks to the test's own receiver on 127.0.0.1 (settings of the webhooks API, when the server has it).
      env: {
        MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https',
        MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
        ...(mode === 'on' ? { MLFLOW_AUTH_CONFIG_PATH: authIni(dir), MLFLOW_AUTH_ADMIN_USERNAME: 'admin', MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD } : {}),
      },
      healthPath: `${prefix}/health`,
    });
    const auth = mode === 'on' ? `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` : undefined;
    const target = prefix ? ({ ...server, url: `${server.url}${prefix}` } as SpawnedServer) : server;
    data = await seed(target, auth);
    page = await newPage();
  });
  afterAll(async () => {
    await page?.context().close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  if (mode === 'on') {
    it('asks for a sign-in, shows a wrong password, and signs in', async () => {
      await page.goto(home());
      await expect.poll(() => page.getByRole('form', { name: 'sign in' }).isVisible()).toBe(true);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong user name or password');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByLabel('signed in as').textContent()).toBe('admin');
      const cookie = (await page.context().cookies()).find((c) => c.name === 'flowreg_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/mlflow' });
    });
  }

  it('lists models with search, sort and server-side paging', async () => {
    await page.goto(home());
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    expect(await rows.first().locator('td').first().textContent()).toBe(MODEL);
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => rows.count()).toBe(6);
    await expect.poll(() => page.getByText('Page 2').isVisible()).toBe(true);
    // MLflow's filter grammar as typed.
    await page.getByLabel('Filter').fill("tags.team = 'ads' AND name LIKE 'model-0%'");
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(5);
    await page.getByLabel('Filter').fill("name = 'fraud-detector'");
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.textContent()).toContain('Version 25');
    expect(await row.textContent()).toContain('@challenger → v24');
    expect(await row.textContent()).toContain('team=risk');
    // A bad filter: the server's message.
    await page.getByLabel('Filter').fill("nonsense = 'x'");
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('INVALID_PARAMETER_VALUE');
    await page.getByLabel('Filter').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Sort').selectOption('name DESC');
    await expect.poll(() => rows.first().locator('td').first().textContent()).toBe('model-30');
    await page.getByLabel('Sort').selectOption('name ASC');
    await expect.poll(() => rows.count()).toBe(25);
    await shot(page, mode === 'off' ? 'ui-models' : 'ui-models-auth');
  });

  it('opens a model from its link: safe Markdown, description edit, tags, versions paged', async () => {
    await page.goto(`${home()}#/models/${MODEL}`);
    await expect.poll(() => page.getByRole('heading', { name: MODEL, level: 1 }).isVisible()).toBe(true);
    const description = page.getByRole('region', { name: 'description' });
    await expect.poll(() => description.locator('h3').textContent()).toBe('Fraud detector');
    expect(await description.locator('strong').textContent()).toBe('card payments');
    expect(await description.locator('a[href="https://example.com/runbook"]').count()).toBe(1);
    // The raw HTML is text, the javascript: link is not a link, and nothing ran.
    expect(await description.locator('img').count()).toBe(0);
    expect(await description.textContent()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await description.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();

    const versions = page.getByRole('region', { name: 'versions' });
    await expect.poll(() => versions.locator('tbody tr').count()).toBe(20);
    expect(await versions.locator('tbody tr').first().locator('td').first().textContent()).toBe('Version 25');
    await versions.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => versions.locator('tbody tr').count()).toBe(5);

    const tags = page.getByRole('region', { name: 'model tags' });
    await tags.getByLabel('tag key').fill('owner');
    await tags.getByLabel('tag value').fill('ana');
    await tags.getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => tags.textContent()).toContain('ana');
    await tags.getByRole('listitem').filter({ hasText: 'owner' }).getByRole('button', { name: 'Edit' }).click();
    await tags.getByLabel('value of owner').fill('bo');
    await tags.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => tags.getByRole('listitem').filter({ hasText: 'owner' }).textContent()).toContain('bo');
    await tags.getByRole('listitem').filter({ hasText: 'team' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => tags.textContent()).not.toContain('risk');

    await description.getByRole('button', { name: 'Edit description' }).click();
    await description.getByLabel('description (Markdown)').fill('Scores **card payments** in real time.');
    await description.getByRole('button', { name: 'Save description' }).click();
    await expect.poll(() => description.locator('strong').textContent()).toBe('card payments');
    const saved = await call({ url: `${server.url}${prefix}` } as SpawnedServer, 'GET', 'registered-models/get', { name: MODEL }, mode === 'on' ? `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` : undefined);
    expect(saved.registered_model.description).toBe('Scores **card payments** in real time.');
    expect(saved.registered_model.tags).toEqual([{ key: 'owner', value: 'bo' }]);
    await page.reload();
    await expect.poll(() => versions.locator('tbody tr').count()).toBe(20);
    await shot(page, mode === 'off' ? 'ui-model' : 'ui-model-auth');
  });

  it('promotes: sets and moves an alias, transitions a stage, and shows the server refusing', async () => {
    await page.goto(`${home()}#/models/${MODEL}`);
    const promote = page.getByRole('region', { name: 'promote' });
    await expect.poll(() => promote.isVisible()).toBe(true);
    await promote.getByLabel('alias', { exact: true }).fill('champion');
    await promote.getByLabel('version for the alias').fill('3');
    await promote.getByRole('button', { name: 'Set alias' }).click();
    const aliases = page.getByRole('region', { name: 'aliases' });
    await expect.poll(() => aliases.textContent()).toContain('@champion → Version 3');
    // Move it.
    await promote.getByLabel('alias', { exact: true }).fill('champion');
    await promote.getByLabel('version for the alias').fill('4');
    await promote.getByRole('button', { name: 'Set alias' }).click();
    await expect.poll(() => aliases.textContent()).toContain('@champion → Version 4');
    // Refused: a version that does not exist; the server's own message is shown.
    await promote.getByLabel('alias', { exact: true }).fill('champion');
    await promote.getByLabel('version for the alias').fill('99');
    await promote.getByRole('button', { name: 'Set alias' }).click();
    await expect.poll(() => promote.getByRole('alert').textContent()).toMatch(/RESOURCE_DOES_NOT_EXIST: .*99/);
    expect(await aliases.textContent()).toContain('@champion → Version 4');
    await promote.getByLabel('version to transition').fill('4');
    await promote.getByLabel('stage', { exact: true }).selectOption('Production');
    await promote.getByRole('button', { name: 'Transition stage' }).click();
    const versions = page.getByRole('region', { name: 'versions' });
    await expect.poll(() => versions.locator('tbody tr').count()).toBe(20);
    await versions.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => versions.locator('tbody tr').filter({ hasText: 'Version 4' }).textContent()).toContain('Production');
    await aliases.getByRole('listitem').filter({ hasText: 'challenger' }).getByRole('button', { name: 'Remove alias' }).click();
    await expect.poll(() => aliases.textContent()).not.toContain('challenger');
    await promote.scrollIntoViewIfNeeded();
    await shot(page, mode === 'off' ? 'ui-promote' : 'ui-promote-auth');
  });

  it('opens a version from its link: fields, run lineage, artifacts with download, MLmodel', async () => {
    await page.goto(`${home()}#/models/${MODEL}/versions/4`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`${MODEL} · Version 4`);
    await page.reload();
    const fields = page.getByLabel('version fields');
    expect(await fields.textContent()).toContain('Production');
    expect(await fields.textContent()).toContain('@champion');
    expect(await fields.textContent()).toContain(`runs:/${data.runId}/model`);
    const run = page.getByRole('region', { name: 'run' });
    await expect.poll(() => run.textContent()).toContain('gbm-2026-12');
    expect(await run.textContent()).toContain('max_depth6');
    expect(await run.textContent()).toContain('auc0.973');
    const files = page.getByRole('region', { name: 'artifacts' });
    await expect.poll(() => files.getByText('MLmodel', { exact: false }).count()).toBeGreaterThan(0);
    const mlmodel = page.getByRole('region', { name: 'MLmodel' });
    await expect.poll(() => mlmodel.textContent()).toContain('python_function');
    expect(await mlmodel.textContent()).toContain('sklearn_version: 1.5.1');
    const inputs = mlmodel.getByRole('table', { name: 'Inputs' });
    expect(await inputs.locator('tbody tr').count()).toBe(2);
    expect(await inputs.locator('tbody tr').first().textContent()).toBe('amountdoubleyes');
    expect(await mlmodel.getByRole('table', { name: 'Outputs' }).locator('tbody tr').first().textContent()).toBe('is_fraudlongyes');
    // The download link serves the file's bytes.
    const href = await files.getByRole('listitem').filter({ hasText: 'conda.yaml' }).getByRole('link', { name: 'Download' }).getAttribute('href');
    const body = await page.evaluate(async (u) => (await fetch(u as string)).text(), href);
    expect(body).toBe('name: fraud\n');
    // The version's tags.
    const tags = page.getByRole('region', { name: 'version tags' });
    await tags.getByLabel('tag key').fill('validated');
    await tags.getByLabel('tag value').fill('yes');
    await tags.getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => tags.textContent()).toContain('validated');
    // Its audit trail, newest first: the tag just set, the stage, the alias moves.
    await page.reload();
    const audit = page.getByRole('region', { name: 'audit trail' });
    await expect.poll(() => audit.locator('li').first().textContent()).toContain('model_version.tag.set');
    expect(await audit.textContent()).toContain('model_version.stage.transition');
    expect(await audit.textContent()).toContain('model_version.alias.set');
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, mode === 'off' ? 'ui-version' : 'ui-version-auth');
  });

  it('opens the run link the MLflow client prints', async () => {
    await page.goto(`${home()}#/experiments/${data.experimentId}/runs/${data.runId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('gbm-2026-12');
    expect(await page.locator('dl.fields').first().textContent()).toContain(data.runId);
    await expect.poll(() => page.getByRole('region', { name: 'artifacts' }).textContent()).toContain('model/');
  });

  it('governance: alias history, rollback, and (auth on) a protected alias through request and four-eyes approval', async () => {
    await page.goto(`${home()}#/models/${MODEL}`);
    const gov = page.getByRole('region', { name: 'governance' });
    const history = gov.getByRole('list', { name: 'history of champion' });
    await expect.poll(() => history.locator('li').count()).toBe(2);
    expect(await history.locator('li').first().textContent()).toContain('v3 → v4');
    await gov.getByRole('listitem').filter({ hasText: '@champion' }).first().getByRole('button', { name: 'Roll back' }).click();
    const aliases = page.getByRole('region', { name: 'aliases' });
    await expect.poll(() => aliases.textContent()).toContain('@champion → Version 3');
    await expect.poll(() => history.locator('li').first().textContent()).toContain('rollback');
    if (mode === 'off') return;

    // `prod` is protected server-wide: MLflow's own call is refused with the server's words.
    const promote = page.getByRole('region', { name: 'promote' });
    await promote.getByLabel('alias', { exact: true }).fill('prod');
    await promote.getByLabel('version for the alias').fill('5');
    await promote.getByRole('button', { name: 'Set alias' }).click();
    await expect.poll(() => promote.getByRole('alert').textContent()).toContain("Alias 'prod' of model 'fraud-detector' is protected");
    const request = gov.getByRole('form', { name: 'request a protected alias change' });
    await request.getByLabel('alias to request').fill('prod');
    await request.getByLabel('version to request').fill('5');
    await request.getByLabel('comment for the request').fill('AUC 0.97');
    await request.getByRole('button', { name: 'Request alias change' }).click();
    const requests = gov.getByRole('region', { name: 'approval requests' });
    await expect.poll(() => requests.textContent()).toContain('@prod → Version 5 by admin');
    // Four eyes: the requester's Approve is disabled, with the reason.
    const approve = requests.getByRole('button', { name: 'Approve' });
    expect(await approve.isDisabled()).toBe(true);
    expect(await approve.getAttribute('title')).toContain('four eyes');
    await shot(page, 'ui-governance');

    // Another user with MANAGE approves, in their own browser session.
    const admin = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const api = `${server.url}${prefix}/api`;
    const post = (url: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { Authorization: admin, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(`${api}/2.0/mlflow/users/create`, { username: 'vic', password: 'vic-password-12' })).status).toBe(200);
    expect(
      (await post(`${api}/3.0/mlflow/users/permissions/grant`, { username: 'vic', resource_type: 'registered_model', resource_id: MODEL, permission: 'MANAGE' })).status,
    ).toBe(200);
    const other = await newPage();
    try {
      await other.goto(home());
      await other.getByLabel('User name').fill('vic');
      await other.getByLabel('Password').fill('vic-password-12');
      await other.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => other.getByLabel('signed in as').textContent()).toBe('vic');
      await other.goto(`${home()}#/models/${MODEL}`);
      const theirs = other.getByRole('region', { name: 'approval requests' });
      await theirs.getByRole('button', { name: 'Approve' }).click();
      await expect.poll(() => other.getByRole('region', { name: 'aliases' }).textContent()).toContain('@prod → Version 5');
      const prodHistory = other.getByRole('list', { name: 'history of prod' });
      await expect.poll(() => prodHistory.textContent()).toContain('approved by vic');
    } finally {
      await other.context().close();
    }
  });

  it('webhooks: created in the UI, then a change is delivered and shown in the delivery log', async (ctx) => {
    // The webhooks API comes with its own change; until the server has it, there is nothing to show.
    const auth = mode === 'on' ? { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } : undefined;
    if ((await fetch(`${server.url}${prefix}/api/2.0/mlflow/webhooks`, { headers: auth })).status === 404) ctx.skip();
    const received: string[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const port = (receiver.address() as { port: number }).port;
      await page.goto(`${home()}#/models`);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByLabel('webhook name').fill('deploy');
      await page.getByLabel('webhook URL').fill(`http://127.0.0.1:${port}/hook`);
      await page.getByLabel('events').fill('model_version.created');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await expect.poll(() => page.locator('main').textContent()).toContain('model_version.created');
      await call({ url: `${server.url}${prefix}` } as SpawnedServer, 'POST', 'model-versions/create', { name: 'model-01', source: 's3://bucket/model-01/1' }, auth?.Authorization);
      await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThan(0);
      const log = page.getByRole('button', { name: 'Delivery log' });
      await expect
        .poll(async () => {
          await log.click();
          if ((await log.getAttribute('aria-expanded')) !== 'true') await log.click();
          return page.getByRole('table', { name: 'deliveries' }).textContent();
        })
        .toContain('DELIVERED');
      await shot(page, mode === 'off' ? 'ui-webhooks' : 'ui-webhooks-auth');
    } finally {
      receiver.close();
    }
  });

  it('is keyboard reachable and readable at phone width', async () => {
    await page.goto(`${home()}#/models`);
    await page.reload();
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(25);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    // Tab until the first model link, then follow it with Enter.
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement?.textContent')) === MODEL) break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain(`#/models/${MODEL}`);
    const phone = await newPage(390, 844);
    try {
      if (mode === 'on') await phone.context().addCookies(await page.context().cookies());
      await phone.goto(`${home()}#/models/${MODEL}`);
      await expect.poll(() => phone.getByRole('heading', { name: MODEL, level: 1 }).isVisible()).toBe(true);
      await expect.poll(() => phone.getByRole('region', { name: 'versions' }).locator('tbody tr').count()).toBe(20);
      // Nothing wider than the screen but the tables, which scroll in their own box.
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await shot(phone, mode === 'off' ? 'ui-model-phone' : 'ui-model-phone-auth');
    } finally {
      await phone.context().close();
    }
  });

  if (mode === 'on') {
    it('admin: creates a user and grants them READ on one model; the reader sees only it, with changes disabled', async () => {
      await page.goto(`${home()}#/admin`);
      const users = page.getByRole('region', { name: 'users' });
      await users.getByLabel('new user name').fill('rita');
      await users.getByLabel('new user password').fill('rita-password-1');
      await users.getByRole('button', { name: 'Create user' }).click();
      await expect.poll(() => users.locator('tbody').textContent()).toContain('rita');
      await users.getByRole('button', { name: 'rita' }).click();
      const grants = page.getByRole('region', { name: 'grants' });
      await grants.getByLabel('resource', { exact: true }).fill(MODEL);
      await grants.getByLabel('permission').selectOption('READ');
      await grants.getByRole('button', { name: 'Grant', exact: true }).click();
      await grants.getByLabel('resource to check').fill(MODEL);
      await grants.getByRole('button', { name: 'Check' }).click();
      await expect.poll(() => grants.getByRole('status').textContent()).toContain('READ');
      const tokens = page.getByRole('region', { name: 'tokens' });
      await tokens.getByLabel('token name').fill('ci');
      await tokens.getByRole('button', { name: 'Create token' }).click();
      await expect.poll(() => tokens.getByRole('status').textContent()).toContain('flowreg_');
      const roles = page.getByRole('region', { name: 'roles' });
      await roles.getByLabel('role name').fill('readers');
      await roles.getByRole('button', { name: 'Create role' }).click();
      await expect.poll(() => roles.textContent()).toContain('readers');
      await shot(page, 'ui-admin');

      // Sign out, then in as rita.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(() => page.getByRole('form', { name: 'sign in' }).isVisible()).toBe(true);
      expect((await page.context().cookies()).find((c) => c.name === 'flowreg_session')).toBeUndefined();
      await page.getByLabel('User name').fill('rita');
      await page.getByLabel('Password').fill('rita-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByLabel('signed in as').textContent()).toBe('rita');
      expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
      await page.goto(`${home()}#/models`);
      // default_permission is NO_PERMISSIONS here: rita sees the one model she may read, and may change nothing.
      await expect.poll(() => page.locator('table tbody tr').count()).toBe(1);
      expect(await page.locator('table tbody tr td').first().textContent()).toBe(MODEL);
      await page.goto(`${home()}#/models/model-01`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('PERMISSION_DENIED');
      await page.goto(`${home()}#/models/${MODEL}`);
      const edit = page.getByRole('button', { name: 'Edit description' });
      await expect.poll(() => edit.isDisabled()).toBe(true);
      expect(await edit.getAttribute('title')).toContain('your permission on this model is READ');
      expect(await page.getByRole('region', { name: 'promote' }).getByRole('button', { name: 'Set alias' }).isDisabled()).toBe(true);
      expect(await page.getByRole('region', { name: 'promote' }).textContent()).toContain('Not allowed: your permission on this model is READ');
      await shot(page, 'ui-model-reader');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect.poll(() => page.getByRole('form', { name: 'sign in' }).isVisible()).toBe(true);
    });
  }

  it('ran no script it was not given', () => {
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });
}

describe('web UI in a browser, authentication off', () => journeys('off'));
describe('web UI in a browser, authentication on, under --static-prefix', () => journeys('on'));
