/**
 * flowreg's web UI, served by the same process: `GET /` answers the page and
 * `GET /static-files/<file>` its assets (MLflow's UI keeps its assets under the same path), both
 * under `--static-prefix`. API routes keep priority: these are two routes of the one route table.
 *
 * The files are the build's output (`npm run build` → dist/ui/, see ui/build.mjs), read once at
 * start-up into memory with a gzip copy each; only those names are served, so no request path
 * ever reaches the file system. The page gets a `<base href>` of the static prefix, which every
 * URL of the UI is relative to, and a Content-Security-Policy that allows only this origin's
 * scripts and styles (the UI has no inline script and never injects HTML).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import type { StreamRouteDef } from './router.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  readonly type: string;
  readonly raw: Buffer;
  readonly gzip: Buffer;
}

/** The build's output: dist/ui beside dist/http when running from dist/, the repository's dist/ui when running the sources (tests). */
export function defaultUiDir(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return [join(here, '..', 'ui'), join(here, '..', '..', 'dist', 'ui')].find((d) => existsSync(join(d, 'index.html')));
}

function asset(name: string, raw: Buffer): Asset {
  const ext = name.slice(name.lastIndexOf('.'));
  return { type: TYPES[ext] ?? 'application/octet-stream', raw, gzip: gzipSync(raw, { level: 9 }) };
}

function send(req: Request, res: Response, a: Asset, cache: string): void {
  req.resume();
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gz ? a.gzip : a.raw;
  res.statusCode = 200;
  res.setHeader('Content-Type', a.type);
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', cache);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Content-Security-Policy', UI_CSP);
  res.setHeader('Referrer-Policy', 'same-origin');
  if (gz) res.setHeader('Content-Encoding', 'gzip');
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notBuilt(req: Request, res: Response): void {
  req.resume();
  const text = 'The web UI is not built. Run `npm run build`.\n';
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** The UI's routes; `dir` is the build's output (undefined: the page says how to build it). */
export function uiRoutes(dir: string | undefined, staticPrefix: string): StreamRouteDef[] {
  const assets = new Map<string, Asset>();
  let page: Asset | undefined;
  if (dir) {
    for (const name of readdirSync(dir)) {
      if (name === 'index.html') continue;
      assets.set(name, asset(name, readFileSync(join(dir, name))));
    }
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const base = `${staticPrefix}/`.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    page = asset('index.html', Buffer.from(html.replace('<head>', `<head><base href="${base}">`)));
  }
  return [
    {
      kind: 'stream',
      method: ['GET', 'HEAD'],
      paths: ['/'],
      handler: async ({ req, res }) => (page ? send(req, res, page, 'no-cache') : notBuilt(req, res)),
    },
    {
      kind: 'stream',
      method: ['GET', 'HEAD'],
      paths: ['/static-files/{file+}'],
      handler: async ({ req, res, pathParams }) => {
        const found = assets.get(pathParams.file ?? '');
        if (!found) return notBuilt(req, res);
        // Names carry the content's hash (ui/build.mjs): cache them for good.
        send(req, res, found, /\.[0-9a-f]{8}\./.test(pathParams.file ?? '') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    },
  ];
}
