import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { expectEmptyOk, expectError, HINT, ok, uniqueName } from './support.js';
import { Tracking, asMap } from './tracking-support.js';

describe.each(backends())('runs (%s)', (backend) => {
  let t: TestApp;
  let c: Tracking;

  beforeAll(async () => {
    t = await createTestApp(backend);
    c = new Tracking(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A fresh run in a fresh experiment. */
  async function newRun(extra: Record<string, unknown> = {}): Promise<string> {
    const run = await c.createRun(await c.createExperiment(), extra);
    return run.info.run_id as string;
  }

  describe('create', () => {
    it('returns the run with run_id and run_uuid, a generated name and the mlflow.runName tag', async () => {
      const res = ok(await c.post('runs/create', { experiment_id: '0', user_id: 'alice', start_time: 456, tags: [{ key: 'my', value: 'tag' }] }));
      const run = res.body.run;
      const id = run.info.run_id;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(run).toEqual({
        info: {
          run_id: id,
          run_uuid: id,
          experiment_id: '0',
          run_name: expect.stringMatching(/^[a-z]+-[a-z]+-\d{1,3}$/),
          user_id: 'alice',
          status: 'RUNNING',
          start_time: 456,
          artifact_uri: `mlflow-artifacts:/0/${id}/artifacts`,
          lifecycle_stage: 'active',
        },
        data: {
          tags: [
            { key: 'mlflow.runName', value: run.info.run_name },
            { key: 'my', value: 'tag' },
          ],
        },
        inputs: {},
        outputs: {},
      });
      expect(await c.getRun(id)).toEqual(run);
    });

    it('takes the name from run_name or from the mlflow.runName tag, and refuses both disagreeing', async () => {
      const exp = await c.createExperiment();
      const named = await c.createRun(exp, { run_name: 'my name' });
      expect(named.info.run_name).toBe('my name');
      expect(asMap(named.data.tags)['mlflow.runName']).toBe('my name');
      const tagged = await c.createRun(exp, { tags: [{ key: 'mlflow.runName', value: 'from tag' }] });
      expect(tagged.info.run_name).toBe('from tag');
      const same = await c.createRun(exp, { run_name: 'x', tags: [{ key: 'mlflow.runName', value: 'x' }] });
      expect(same.data.tags).toEqual([{ key: 'mlflow.runName', value: 'x' }]);
      expectError(
        await c.post('runs/create', { experiment_id: exp, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='a', mlflow.runName='b').",
      );
    });

    it('uses experiment 0 when none is given, and derives the artifact URI from the experiment', async () => {
      const run = ok(await c.post('runs/create', {})).body.run;
      expect(run.info.experiment_id).toBe('0');
      expect(run.info.start_time).toEqual(expect.any(Number));
      const exp = await c.createExperiment(uniqueName('s3'), { artifact_location: 's3://bucket/x' });
      const s3 = await c.createRun(exp);
      expect(s3.info.artifact_uri).toBe(`s3://bucket/x/${s3.info.run_id}/artifacts`);
    });

    it('needs an existing experiment with an integer id', async () => {
      expectError(await c.post('runs/create', { experiment_id: '31337' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'No Experiment with id=31337 exists');
      expectError(await c.post('runs/create', { experiment_id: 'abc' }), 400, 'INVALID_PARAMETER_VALUE', /Invalid experiment ID 'abc'/);
      expectError(await c.post('runs/create', { experiment_id: '0', start_time: 'soon' }), 400, 'INVALID_PARAMETER_VALUE', /parameter 'start_time'/);
    });
  });

  describe('get', () => {
    it('accepts run_uuid alone, and a JSON body without a query string', async () => {
      const id = await newRun();
      expect(ok(await c.get('runs/get', { run_uuid: id })).body.run.info.run_id).toBe(id);
      const res = ok(await t.request.get('/api/2.0/mlflow/runs/get').set('Content-Type', 'application/json').send(JSON.stringify({ run_id: id })));
      expect(res.body.run.info.run_uuid).toBe(id);
    });

    it('answers 404 for an unknown run and 400 without an id', async () => {
      expectError(await c.get('runs/get', { run_id: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Run with id=nope not found');
      expectError(await c.get('runs/get', { other: 'x' }), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'run_id'.${HINT}`);
    });
  });

  describe('update', () => {
    it('sets status, end_time and run_name and answers {run_info}', async () => {
      const id = await newRun();
      const res = ok(await c.post('runs/update', { run_id: id, run_uuid: id, status: 'FINISHED', end_time: 1234, run_name: 'renamed' }));
      expect(Object.keys(res.body)).toEqual(['run_info']);
      expect(res.body.run_info).toMatchObject({ run_id: id, run_uuid: id, status: 'FINISHED', end_time: 1234, run_name: 'renamed' });
      const run = await c.getRun(id);
      expect(run.info).toMatchObject({ status: 'FINISHED', end_time: 1234, run_name: 'renamed' });
      expect(asMap(run.data.tags)['mlflow.runName']).toBe('renamed');
    });

    it('accepts the status as a number and leaves the name alone when run_name is absent', async () => {
      const id = await newRun({ run_name: 'keep' });
      const info = ok(await c.post('runs/update', { run_id: id, status: 4 })).body.run_info;
      expect(info).toMatchObject({ status: 'FAILED', run_name: 'keep' });
      expect(info.end_time).toBeUndefined();
    });

    it('refuses unknown statuses, unknown runs and deleted runs', async () => {
      const id = await newRun();
      expectError(await c.post('runs/update', { run_id: id, status: 'BOGUS' }), 400, 'INVALID_PARAMETER_VALUE', /parameter 'status'/);
      expectError(await c.post('runs/update', { run_id: 'nope', status: 'FINISHED' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      await c.post('runs/delete', { run_id: id });
      expectError(
        await c.post('runs/update', { run_id: id, status: 'FINISHED' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `The run ${id} must be in the 'active' state. Current state is deleted.`,
      );
    });
  });

  describe('delete and restore', () => {
    it('toggles the lifecycle stage', async () => {
      const id = await newRun();
      expectEmptyOk(await c.post('runs/delete', { run_id: id }));
      expect((await c.getRun(id)).info.lifecycle_stage).toBe('deleted');
      expectEmptyOk(await c.post('runs/restore', { run_id: id }));
      expect((await c.getRun(id)).info.lifecycle_stage).toBe('active');
      expectError(await c.post('runs/delete', { run_id: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Run with id=nope not found');
      expectError(await c.post('runs/restore', {}), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'run_id'.${HINT}`);
    });
  });

  describe('metrics', () => {
    it('keeps NaN and ±Infinity, sent and returned as strings', async () => {
      const id = await newRun();
      for (const [key, value] of [
        ['nan', 'NaN'],
        ['inf', 'Infinity'],
        ['ninf', '-Infinity'],
        ['plain', 123.456],
      ] as const) {
        expectEmptyOk(await c.post('runs/log-metric', { run_id: id, run_uuid: id, key, value, timestamp: 789, step: 2 }));
      }
      const metrics = (await c.getRun(id)).data.metrics;
      expect(metrics).toEqual([
        { key: 'inf', value: 'Infinity', timestamp: 789, step: 2 },
        { key: 'nan', value: 'NaN', timestamp: 789, step: 2 },
        { key: 'ninf', value: '-Infinity', timestamp: 789, step: 2 },
        { key: 'plain', value: 123.456, timestamp: 789, step: 2 },
      ]);
      const history = ok(await c.get('metrics/get-history', { run_id: id, run_uuid: id, metric_key: 'nan', max_results: 25000 })).body;
      expect(history).toEqual({ metrics: [{ key: 'nan', value: 'NaN', timestamp: 789, step: 2 }] });
    });

    it('defaults step to 0 and keeps the latest value by step, then timestamp, then value', async () => {
      const id = await newRun();
      const log = (value: number, timestamp: number, step?: number) =>
        c.post('runs/log-metric', { run_id: id, key: 'm', value, timestamp, ...(step === undefined ? {} : { step }) });
      await log(1, 100);
      expect((await c.getRun(id)).data.metrics).toEqual([{ key: 'm', value: 1, timestamp: 100, step: 0 }]);
      await log(5, 50, 3);
      await log(2, 999, 1);
      await log(4, 50, 3);
      await log(0.5, 60, 3);
      expect((await c.getRun(id)).data.metrics).toEqual([{ key: 'm', value: 0.5, timestamp: 60, step: 3 }]);
      // The same point twice is one point.
      await log(0.5, 60, 3);
      const history = ok(await c.get('metrics/get-history', { run_id: id, metric_key: 'm' })).body.metrics;
      expect(history.map((m: { value: number }) => m.value)).toEqual([4, 5, 0.5, 1, 2]);
    });

    it('pages the history with offset tokens', async () => {
      const id = await newRun();
      const metrics = Array.from({ length: 5 }, (_, i) => ({ key: 'loss', value: i / 10, timestamp: 1000 + i, step: i }));
      await c.post('runs/log-batch', { run_id: id, metrics });
      const values: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const body = ok(await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 2, ...(token ? { page_token: token } : {}) })).body;
        values.push(...body.metrics.map((m: { value: number }) => m.value));
        token = body.next_page_token;
        pages++;
      } while (token);
      expect(values).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
      expect(pages).toBe(3);
      expect(ok(await c.get('metrics/get-history', { run_id: id, metric_key: 'unknown' })).body).toEqual({});
      expectError(
        await c.get('metrics/get-history', { run_id: id, metric_key: 'loss', max_results: 0 }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer.",
      );
      expectError(await c.get('metrics/get-history', { run_id: id }), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'metric_key'.${HINT}`);
    });

    it("rejects what MLflow's test_log_metric_validation rejects, with its messages", async () => {
      const id = await newRun();
      const cases: [Record<string, unknown>, string][] = [
        [{ run_id: 31, key: 'metric', value: 41, timestamp: 59, step: 26 }, "Invalid value 31 for parameter 'run_id' supplied"],
        [{ run_id: id, key: 31, value: 41, timestamp: 59, step: 26 }, "Invalid value 31 for parameter 'key' supplied"],
        [{ run_id: id, key: 'foo', value: 31, timestamp: 59, step: 'foo' }, 'Invalid value \\"foo\\" for parameter \'step\' supplied'],
        [{ run_id: id, key: 'foo', value: 31, timestamp: 'foo', step: 41 }, 'Invalid value \\"foo\\" for parameter \'timestamp\' supplied'],
        [{ run_id: null, key: 'foo', value: 31, timestamp: 59, step: 41 }, "Missing value for required parameter 'run_id'"],
        [{ run_id: id, value: 31, timestamp: 59, step: 41 }, "Missing value for required parameter 'key'"],
        [{ run_id: id, key: null, value: 31, timestamp: 59, step: 41 }, "Missing value for required parameter 'key'"],
        [{ run_id: id, key: 'x', value: 1.5 }, "Missing value for required parameter 'timestamp'"],
        [{ run_id: id, key: 'x', timestamp: 1 }, "Missing value for required parameter 'value'"],
        [{ run_id: id, key: 'x', value: 'abc', timestamp: 1 }, 'Invalid value \\"abc\\" for parameter \'value\' supplied'],
        [
          { run_id: id, key: 'ok', value: 1, timestamp: -1 },
          "Invalid value -1 for parameter 'timestamp' supplied: metric 'ok' (value=1.0). Timestamp must be a nonnegative long (64-bit integer) ",
        ],
        [{ run_id: id, key: 'a!', value: 1, timestamp: 1 }, `Invalid value \\"a!\\" for parameter 'name' supplied: Names may only contain`],
        [{ run_id: id, key: 'k'.repeat(251), value: 1, timestamp: 1 }, "'Metric name' exceeds the maximum length of 250 characters"],
      ];
      for (const [payload, message] of cases) {
        const res = await c.post('runs/log-metric', payload);
        expect(res.status).toBe(400);
        expect(res.text).toContain(message);
      }
    });

    it('answers 404 for an unknown run', async () => {
      expectError(await c.post('runs/log-metric', { run_id: 'nope', key: 'k', value: 1, timestamp: 1 }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('params and tags', () => {
    it('logs params; the same value again is fine, a different one is refused', async () => {
      const id = await newRun();
      expectEmptyOk(await c.post('runs/log-parameter', { run_id: id, key: 'p', value: '1' }));
      expectEmptyOk(await c.post('runs/log-parameter', { run_id: id, key: 'p', value: '1' }));
      expectEmptyOk(await c.post('runs/log-parameter', { run_id: id, key: 'empty', value: '' }));
      expectError(
        await c.post('runs/log-parameter', { run_id: id, key: 'p', value: '2' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Changing param values is not allowed. Param with key='p' was already logged with value='1' for run ID='${id}'. Attempted logging new value '2'.`,
      );
      expect(asMap((await c.getRun(id)).data.params)).toEqual({ p: '1', empty: '' });
    });

    it('validates params as MLflow does (types, names, key length) and cuts long values to 6000', async () => {
      const id = await newRun();
      for (const [payload, message] of [
        [{ run_id: 31, key: 'param', value: 41 }, "Invalid value 31 for parameter 'run_id' supplied"],
        [{ run_id: id, key: 31, value: 41 }, "Invalid value 31 for parameter 'key' supplied"],
        [{ run_id: id, key: 'k'.repeat(251), value: 'v' }, "'Param key' exceeds the maximum length of 250 characters"],
        [{ run_id: id, key: '../p', value: 'v' }, `Invalid value \\"../p\\" for parameter 'key' supplied: Names may be treated as files`],
      ] as const) {
        const res = await c.post('runs/log-parameter', payload);
        expect(res.status).toBe(400);
        expect(res.text).toContain(message);
      }
      await c.post('runs/log-parameter', { run_id: id, key: 'long', value: 'x'.repeat(6001) });
      expect(asMap((await c.getRun(id)).data.params).long).toBe('x'.repeat(6000));
    });

    it('sets, overwrites and deletes tags; accepts run_uuid alone; cuts long values to 8000', async () => {
      const id = await newRun();
      expectEmptyOk(await c.post('runs/set-tag', { run_uuid: id, key: 'taggity', value: 'do-dah' }));
      await c.post('runs/set-tag', { run_id: id, key: 'taggity', value: 'again' });
      await c.post('runs/set-tag', { run_id: id, key: 'empty' });
      await c.post('runs/set-tag', { run_id: id, key: 'long', value: 'y'.repeat(8001) });
      const tags = asMap((await c.getRun(id)).data.tags);
      expect(tags).toMatchObject({ taggity: 'again', empty: '', long: 'y'.repeat(8000) });
      expectEmptyOk(await c.post('runs/delete-tag', { run_id: id, key: 'taggity' }));
      expect(asMap((await c.getRun(id)).data.tags).taggity).toBeUndefined();
      expectError(
        await c.post('runs/delete-tag', { run_id: id, key: 'fakeTag' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `No tag with name: fakeTag in run with id ${id}`,
      );
      expectError(await c.post('runs/delete-tag', { run_id: 'fake_run_id', key: 'taggity' }), 404, 'RESOURCE_DOES_NOT_EXIST', /Run .+ not found/);
      await c.post('runs/delete', { run_id: id });
      expectError(
        await c.post('runs/delete-tag', { run_id: id, key: 'empty' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `The run ${id} must be in the 'active' state. Current state is deleted.`,
      );
    });

    it("rejects what MLflow's test_set_tag_validation rejects", async () => {
      const id = await newRun();
      for (const [payload, message] of [
        [{ run_id: 31, key: 'tag', value: 41 }, "Invalid value 31 for parameter 'run_id' supplied"],
        [{ run_id: id, key: 'param', value: 41 }, "Invalid value 41 for parameter 'value' supplied"],
        [{ run_id: id, value: 'value' }, "Missing value for required parameter 'key'"],
        [{ run_id: id, key: 'k'.repeat(251), value: 'v' }, "'key' exceeds the maximum length of 250 characters"],
      ] as const) {
        const res = await c.post('runs/set-tag', payload);
        expect(res.status).toBe(400);
        expect(res.text).toContain(message);
      }
    });

    it('renames the run when the mlflow.runName tag is set', async () => {
      const id = await newRun();
      await c.post('runs/set-tag', { run_id: id, key: 'mlflow.runName', value: 'via tag' });
      expect((await c.getRun(id)).info.run_name).toBe('via tag');
    });
  });

  describe('log-batch', () => {
    it('logs metrics, params and tags together', async () => {
      const id = await newRun();
      expectEmptyOk(
        await c.post('runs/log-batch', {
          run_id: id,
          metrics: [{ key: 'metric', value: 123.456, timestamp: 789, step: 3 }],
          params: [{ key: 'param', value: 'value' }, { key: 'empty' }],
          tags: [{ key: 'taggity', value: 'do-dah' }],
        }),
      );
      const run = await c.getRun(id);
      expect(run.data.metrics).toEqual([{ key: 'metric', value: 123.456, timestamp: 789, step: 3 }]);
      expect(asMap(run.data.params)).toEqual({ param: 'value', empty: '' });
      expect(asMap(run.data.tags).taggity).toBe('do-dah');
      expect(ok(await c.get('metrics/get-history', { run_id: id, metric_key: 'metric' })).body.metrics).toEqual([
        { key: 'metric', value: 123.456, timestamp: 789, step: 3 },
      ]);
    });

    it("rejects what MLflow's test_log_batch_validation rejects", async () => {
      const id = await newRun();
      for (const field of ['metrics', 'params', 'tags']) {
        const res = await c.post('runs/log-batch', { run_id: id, [field]: 'foo' });
        expect(res.status).toBe(400);
        expect(res.text).toContain(`Invalid value \\"foo\\" for parameter '${field}' supplied`);
      }
      expectError(
        await c.post('runs/log-batch', { run_id: id, metrics: [{ key: 'mae', value: 2.5 }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Missing value for required parameter 'metrics[0].timestamp'.${HINT}`,
      );
      expectEmptyOk(await c.post('runs/log-batch', { run_id: id, metrics: [{ key: 'mae', value: 2.5, timestamp: 123456789 }] }));
    });

    it.each([
      [
        { metrics: Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, value: 1, timestamp: 1 })) },
        'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.',
      ],
      [
        { params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) },
        'A batch logging request can contain at most 100 params. Got 101 params. Please split up params across multiple requests and try again.',
      ],
      [
        { tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '1' })) },
        'A batch logging request can contain at most 100 tags. Got 101 tags. Please split up tags across multiple requests and try again.',
      ],
      [
        {
          metrics: Array.from({ length: 950 }, (_, i) => ({ key: `m${i}`, value: 1, timestamp: 1 })),
          params: Array.from({ length: 51 }, (_, i) => ({ key: `p${i}`, value: '1' })),
        },
        'A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags. Please split up metrics, params, and tags across multiple requests and try again.',
      ],
      [
        { params: [{ key: 'q', value: '1' }, { key: 'q', value: '2' }] },
        "Duplicate parameter keys have been submitted: ['q']. Please ensure the request contains only one param value per param key.",
      ],
      [{ params: [{ key: 'a!', value: '1' }] }, /^Invalid value "a!" for parameter 'params\[0\]\.key' supplied: Names may only contain/],
      [{ params: [{ value: '1' }] }, `Missing value for required parameter 'params[0].key'.${HINT}`],
      [{ tags: [{ key: 'k'.repeat(251), value: 'v' }] }, "'tags[0].key' exceeds the maximum length of 250 characters"],
      [{ metrics: [{ key: 'a/../b', value: 1, timestamp: 1 }] }, /^Invalid value "a\/\.\.\/b" for parameter 'metrics\[0\]\.name' supplied: .*resolve to 'b'$/],
    ])('rejects an oversized or invalid batch (%#)', async (batch, message) => {
      const id = await newRun();
      expectError(await c.post('runs/log-batch', { run_id: id, ...batch }), 400, 'INVALID_PARAMETER_VALUE', message);
      expect((await c.getRun(id)).data.metrics).toBeUndefined();
    });

    it('refuses to change a param and then writes nothing of the batch', async () => {
      const id = await newRun();
      await c.post('runs/log-batch', { run_id: id, params: [{ key: 'p', value: '1' }] });
      expectError(
        await c.post('runs/log-batch', { run_id: id, params: [{ key: 'p', value: '3' }], tags: [{ key: 'new', value: 'x' }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Changing param values is not allowed. Params were already logged='[{'key': 'p', 'old_value': '1', 'new_value': '3'}]' for run ID='${id}'.`,
      );
      expect(asMap((await c.getRun(id)).data.tags).new).toBeUndefined();
    });

    it('checks the run id format, existence and lifecycle', async () => {
      expectError(await c.post('runs/log-batch', { run_id: 'bad id!', params: [{ key: 'q', value: '1' }] }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid value "bad id!" for parameter \'run_id\' supplied.');
      expectError(await c.post('runs/log-batch', { run_id: 'abc123', params: [{ key: 'q', value: '1' }] }), 404, 'RESOURCE_DOES_NOT_EXIST');
      const id = await newRun();
      await c.post('runs/delete', { run_id: id });
      expectError(await c.post('runs/log-batch', { run_id: id, tags: [{ key: 'k', value: 'v' }] }), 400, 'INVALID_PARAMETER_VALUE', /must be in the 'active' state/);
    });
  });

  describe('search', () => {
    let exp: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      exp = await c.createExperiment();
      for (const [name, start, status, lr, acc, team] of [
        ['alpha', 1000, 'FINISHED', '0.1', 0.9, 'red'],
        ['beta', 2000, 'RUNNING', '0.2', 0.7, 'blue'],
        ['gamma', 3000, 'FAILED', '0.3', 0.8, undefined],
      ] as const) {
        const run = await c.createRun(exp, { run_name: name, start_time: start });
        const id = run.info.run_id as string;
        ids[name] = id;
        await c.post('runs/log-batch', {
          run_id: id,
          metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }],
          params: [{ key: 'lr', value: lr }],
          tags: team ? [{ key: 'team', value: team }] : [],
        });
        if (status !== 'RUNNING') await c.post('runs/update', { run_id: id, status, end_time: start + 10 });
      }
    });

    const names = async (body: Record<string, unknown>) =>
      ((ok(await c.post('runs/search', { experiment_ids: [exp], ...body })).body.runs ?? []) as { info: { run_name: string } }[]).map(
        (r) => r.info.run_name,
      );

    it('orders by start_time DESC by default and returns whole runs', async () => {
      expect(await names({})).toEqual(['gamma', 'beta', 'alpha']);
      const run = ok(await c.post('runs/search', { experiment_ids: [exp], max_results: 1 })).body.runs[0];
      expect(run.info.run_uuid).toBe(ids.gamma);
      expect(run.data.metrics).toEqual([{ key: 'acc', value: 0.8, timestamp: 1, step: 0 }]);
      expect(run).toHaveProperty('inputs');
      expect(run).toHaveProperty('outputs');
    });

    it.each([
      ["attributes.status = 'RUNNING'", ['beta']],
      ["attributes.status != 'RUNNING'", ['gamma', 'alpha']],
      ["attributes.run_name = 'alpha'", ['alpha']],
      ["run_name LIKE '%a'", ['gamma', 'beta', 'alpha']],
      ["attributes.`Run name` ILIKE 'ALP%'", ['alpha']],
      ["tags.team = 'red'", ['alpha']],
      ["tags.team != 'red'", ['beta']],
      ['tags.team IS NULL', ['gamma']],
      ["tags.`mlflow.runName` = 'beta'", ['beta']],
      ["params.lr = '0.2'", ['beta']],
      ["params.lr LIKE '0.%' AND metrics.acc > 0.75", ['gamma', 'alpha']],
      ['metrics.acc >= 0.8', ['gamma', 'alpha']],
      ['metrics.acc < 0.8', ['beta']],
      ['metrics.missing > 0', []],
      ['attributes.start_time > 1500', ['gamma', 'beta']],
      ['attributes.end_time <= 1010', ['alpha']],
    ])('filters %s', async (filter, expected) => {
      expect(await names({ filter })).toEqual(expected);
    });

    it('filters run_id IN', async () => {
      expect(await names({ filter: `attributes.run_id IN ('${ids.alpha}', '${ids.beta}')` })).toEqual(['beta', 'alpha']);
    });

    it.each([
      [['metrics.acc DESC'], ['alpha', 'gamma', 'beta']],
      [['metrics.acc'], ['beta', 'gamma', 'alpha']],
      [['params.lr DESC'], ['gamma', 'beta', 'alpha']],
      [['tags.team ASC'], ['beta', 'alpha', 'gamma']],
      [['attributes.run_name'], ['alpha', 'beta', 'gamma']],
      [['start_time ASC'], ['alpha', 'beta', 'gamma']],
    ])('orders by %j', async (orderBy, expected) => {
      expect(await names({ order_by: orderBy })).toEqual(expected);
    });

    it('pages with tokens, tie-broken by run_id (test_search_pagination)', async () => {
      const pexp = await c.createExperiment();
      const runIds: string[] = [];
      for (let i = 0; i < 10; i++) runIds.push((await c.createRun(pexp, { start_time: 1 })).info.run_id);
      runIds.sort();
      const page = async (token?: string) =>
        ok(await c.post('runs/search', { experiment_ids: [pexp], max_results: 4, ...(token ? { page_token: token } : {}) })).body;
      const p1 = await page();
      expect(p1.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual(runIds.slice(0, 4));
      const p2 = await page(p1.next_page_token);
      expect(p2.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual(runIds.slice(4, 8));
      const p3 = await page(p2.next_page_token);
      expect(p3.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual(runIds.slice(8));
      expect(p3.next_page_token).toBeUndefined();
    });

    it('selects deleted runs with run_view_type and searches several experiments', async () => {
      const other = await c.createExperiment();
      const gone = (await c.createRun(other, { run_name: 'gone' })).info.run_id;
      await c.createRun(other, { run_name: 'here', start_time: 1 });
      await c.post('runs/delete', { run_id: gone });
      const list = async (body: Record<string, unknown>) =>
        ((ok(await c.post('runs/search', body)).body.runs ?? []) as { info: { run_name: string } }[]).map((r) => r.info.run_name);
      expect(await list({ experiment_ids: [other] })).toEqual(['here']);
      expect(await list({ experiment_ids: [other], run_view_type: 'DELETED_ONLY' })).toEqual(['gone']);
      expect((await list({ experiment_ids: [other], run_view_type: 'ALL' })).sort()).toEqual(['gone', 'here']);
      expect((await list({ experiment_ids: [exp, other] })).length).toBe(4);
      expect(ok(await c.post('runs/search', { experiment_ids: [] })).body).toEqual({});
    });

    it.each([
      [{ max_results: 123456789 }, `Invalid value 123456789 for parameter 'max_results' supplied:  Hint: Value was of type 'int'.${HINT}`],
      [{ max_results: 0 }, "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"],
      [{ filter: "foo.p = '1'" }, "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"],
      [{ filter: "attributes.bogus = '1'" }, /^Invalid attribute key 'bogus' specified. Valid keys are/],
      [{ filter: "metrics.x = 'a'" }, "Expected numeric value type for metric. Found 'a'"],
      [{ filter: 'params.x = 1' }, "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1"],
      [{ filter: "params.x > '1'" }, /^Invalid comparator '>' not one of/],
      [{ filter: "run_name = 'x' OR status = 'y'" }, "Invalid clause(s) in filter string: 'OR'"],
      [{ filter: "datasets.name = 'x'" }, /dataset/],
      [{ order_by: ['bogus.x'] }, /^Invalid entity type 'bogus'/],
      [{ order_by: ['attributes.foo'] }, /^Invalid attribute key 'foo' specified/],
      [{ order_by: ['metrics.a', 'metrics.a DESC'] }, /^`order_by` contains duplicate fields/],
      [{ experiment_ids: ['x'] }, "Invalid experiment ID 'x'. Experiment ID must be a valid integer."],
    ])('rejects %j with 400', async (body, message) => {
      expectError(await c.post('runs/search', { experiment_ids: [exp], ...body }), 400, 'INVALID_PARAMETER_VALUE', message);
    });
  });

  describe('inputs, outputs and the 2.x log-model', () => {
    it('records dataset and model inputs once, returned in run.inputs', async () => {
      const id = await newRun();
      const dataset = { name: 'ds', digest: 'abc123', source_type: 'local', source: '{"uri": "/tmp/x"}', schema: '{}' };
      const body = {
        run_id: id,
        datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
        models: [{ model_id: 'm-0123' }],
      };
      expectEmptyOk(await c.post('runs/log-inputs', body));
      expectEmptyOk(await c.post('runs/log-inputs', body));
      expect((await c.getRun(id)).inputs).toEqual({
        dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
        model_inputs: [{ model_id: 'm-0123' }],
      });
      expectError(
        await c.post('runs/log-inputs', { run_id: id, datasets: [{ dataset: { digest: 'd', source_type: 's', source: 'x' } }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        'Dataset name cannot be None',
      );
      expectError(
        await c.post('runs/log-inputs', { run_id: id, datasets: [{ dataset: { ...dataset, digest: 'd'.repeat(37) } }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        "'digest' exceeds the maximum length of 36 characters",
      );
    });

    it('records model outputs at POST /runs/outputs, returned in run.outputs.model_outputs', async () => {
      const id = await newRun();
      expectEmptyOk(await c.post('runs/outputs', { run_id: id, models: [{ model_id: 'm-a', step: 0 }, { model_id: 'm-b', step: 3 }] }));
      expect((await c.getRun(id)).outputs).toEqual({ model_outputs: [{ model_id: 'm-a', step: 0 }, { model_id: 'm-b', step: 3 }] });
      expectError(await c.post('runs/outputs', { run_id: id }), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'models'.${HINT}`);
      expectError(await c.post('runs/outputs', { run_id: 'nope', models: [] }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('appends 2.x log-model calls to the mlflow.log-model.history tag', async () => {
      const id = await newRun();
      const model = (p: string) => ({ artifact_path: p, flavors: { python_function: {} }, utc_time_created: '2025-01-01 00:00:00.000000', run_id: id });
      expectEmptyOk(await c.post('runs/log-model', { run_id: id, model_json: JSON.stringify(model('model/0')) }));
      expectEmptyOk(await c.post('runs/log-model', { run_id: id, model_json: JSON.stringify(model('model/1')) }));
      const history = JSON.parse(asMap((await c.getRun(id)).data.tags)['mlflow.log-model.history'] as string);
      expect(history).toEqual([model('model/0'), model('model/1')]);
      expectError(await c.post('runs/log-model', { run_id: id, model_json: 'nope{' }), 400, 'INVALID_PARAMETER_VALUE', /^Malformed model info/);
      expectError(
        await c.post('runs/log-model', { run_id: id, model_json: JSON.stringify({ artifact_path: 'x', flavors: {} }) }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Model json is missing mandatory fields: {'utc_time_created', 'run_id'}",
      );
    });
  });

  describe('artifacts/list', () => {
    it('answers root_uri, lists proxied artifacts relative to the run root, and rejects traversal', async () => {
      const run = await c.createRun('0');
      const id = run.info.run_id;
      expect(ok(await c.get('artifacts/list', { run_id: id })).body).toEqual({ root_uri: `mlflow-artifacts:/0/${id}/artifacts` });
      for (const file of ['model/MLmodel', 'model/model.pkl', 'notes.txt']) {
        const put = await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/${id}/artifacts/${file}`).send('hello');
        expect(put.status).toBe(200);
      }
      expect(ok(await c.get('artifacts/list', { run_id: id })).body).toEqual({
        root_uri: `mlflow-artifacts:/0/${id}/artifacts`,
        files: [
          { path: 'model', is_dir: true },
          { path: 'notes.txt', is_dir: false, file_size: 5 },
        ],
      });
      expect(ok(await c.get('artifacts/list', { run_id: id, path: 'model' })).body.files).toEqual([
        { path: 'model/MLmodel', is_dir: false, file_size: 5 },
        { path: 'model/model.pkl', is_dir: false, file_size: 5 },
      ]);
      expect(ok(await c.get('artifacts/list', { run_id: id, path: 'missing' })).body).toEqual({ root_uri: `mlflow-artifacts:/0/${id}/artifacts` });
      for (const bad of ['../path', '%2e%2e/x', '/etc', 'a/../../b']) {
        expect((await c.get('artifacts/list', { run_id: id, path: bad })).body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      }
      expectError(await c.get('artifacts/list', { run_id: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  it('replays the 2.x log_model + register sequence (§8.9)', async () => {
    const name = uniqueName('m2x');
    const run = ok(await c.post('runs/create', { experiment_id: '0', user_id: 'u', start_time: Date.now(), tags: [{ key: 'mlflow.user', value: 'u' }] })).body.run;
    const id = run.info.run_id;
    const got = await c.getRun(id);
    expect(got.info.artifact_uri).toBe(`mlflow-artifacts:/0/${id}/artifacts`);
    for (const file of ['MLmodel', 'model.pkl', 'conda.yaml']) {
      expect((await t.request.put(`/api/2.0/mlflow-artifacts/artifacts/0/${id}/artifacts/model/${file}`).send('x')).status).toBe(200);
    }
    const modelJson = JSON.stringify({ artifact_path: 'model', flavors: { sklearn: {} }, utc_time_created: '2025-01-01 00:00:00', run_id: id });
    expectEmptyOk(await c.post('runs/log-model', { run_id: id, model_json: modelJson }));
    ok(await c.post('registered-models/create', { name }));
    await c.getRun(id);
    const mv = ok(await c.post('model-versions/create', { name, source: `mlflow-artifacts:/0/${id}/artifacts/model`, run_id: id })).body.model_version;
    expect(mv).toMatchObject({ name, version: '1', status: 'READY', run_id: id, source: `mlflow-artifacts:/0/${id}/artifacts/model` });
    const uri = ok(await c.get('model-versions/get-download-uri', { name, version: '1' })).body.artifact_uri;
    expect(uri).toBe(`mlflow-artifacts:/0/${id}/artifacts/model`);
    const finished = ok(await c.post('runs/update', { run_id: id, run_uuid: id, status: 'FINISHED', end_time: Date.now() })).body.run_info;
    expect(finished.status).toBe('FINISHED');
    const listed = ok(await c.get('artifacts/list', { run_id: id, path: 'model' })).body.files.map((f: { path: string }) => f.path);
    expect(listed).toContain('model/MLmodel');
  });
});
