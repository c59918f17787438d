// Builds the web UI into dist/ui/: one JavaScript bundle (Preact and the pages) and one style
// sheet, each named by its content's hash, and index.html naming them. esbuild bundles and
// minifies; the type check is `tsc -p ui/tsconfig.json`, run by `npm run build` before this.
// Prints the bundle's gzip size (the budget: 300 KB).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'ui');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'app.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const js = Buffer.from(result.outputFiles[0].contents);
const css = readFileSync(join(here, 'src', 'style.css'));
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 8);
const jsName = `app.${hash(js)}.js`;
const cssName = `app.${hash(css)}.css`;
writeFileSync(join(out, jsName), js);
writeFileSync(join(out, cssName), css);
const html = readFileSync(join(here, 'index.html'), 'utf8').replace('__JS__', jsName).replace('__CSS__', cssName);
writeFileSync(join(out, 'index.html'), html);
const gz = (b) => gzipSync(b, { level: 9 }).length;
const total = gz(js) + gz(css) + gz(Buffer.from(html));
console.error(`[flowreg] web UI: ${jsName} ${js.length} B (gzip ${gz(js)} B), ${cssName} gzip ${gz(css)} B; total gzip ${total} B`);
