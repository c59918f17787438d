/**
 * Artifact downloads never act as the registry's own page, on every backend: every download is an
 * attachment (as MLflow's handlers.py: _send_artifact), sandboxed by CSP and nosniff, and every
 * name yields a valid header, through the artifact proxy and the native API alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOAD_CSP } from '../../src/http/file-download.js';
import { backends, createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS } from './artifacts-helpers.js';
import { filePart, metadataPart, publish, NATIVE } from './native-support.js';
import { ok, uniqueName } from './support.js';

const ACTIVE = [
  ['page.html', 'text/html', '<script>alert(document.domain)</script>'],
  ['page.htm', 'text/html', '<script>alert(1)</script>'],
  ['image.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
  ['feed.xml', 'text/plain', '<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>'],
  ['app.js', 'text/plain', 'alert(1)'],
  ['style.css', 'text/css', 'body{}'],
  ['noext', 'application/octet-stream', '<html><script>alert(1)</script></html>'],
] as const;

describe.each(backends())('artifact downloads (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectInert = (res: { headers: Record<string, string> }, name: string) => {
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(res.headers['content-disposition']).toContain(name.replace(/["\\]/g, ''));
    expect(res.headers['content-security-policy']).toBe(DOWNLOAD_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  };

  it.each(ACTIVE)('the proxy serves %s as an inert attachment (%s)', async (name, type, content) => {
    const path = `${uniqueName('dl')}/${name}`;
    ok(await t.request.put(`${ARTIFACTS}/${path}`).send(Buffer.from(content)));
    const res = await t.request.get(`${ARTIFACTS}/${path}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expectInert(res, name);
  });

  it.each(ACTIVE)('the native API serves %s as an inert attachment', async (name, _type, content) => {
    const model = uniqueName('dl');
    ok(await publish(t, model, [metadataPart({}), filePart(name, content)]));
    const res = await t.request.get(`${NATIVE}/models/${model}/versions/1/files/${name}`);
    expect(res.status).toBe(200);
    expectInert(res, name);
  });

  it('a range request is sandboxed too', async () => {
    const path = `${uniqueName('dl')}/page.html`;
    ok(await t.request.put(`${ARTIFACTS}/${path}`).send(Buffer.from('<script>alert(1)</script>')));
    const res = await t.request.get(`${ARTIFACTS}/${path}`).set('Range', 'bytes=0-7');
    expect(res.status).toBe(206);
    expectInert(res, 'page.html');
  });
});
