/**
 * Folders depend one way. The rule is data: each folder of src/ lists the folders it may import
 * from (besides itself). A new import against the grain fails here, naming the file and the import,
 * so the layering in docs/architecture.md cannot rot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/** Bottom to top. `root` is the composition root: the .ts files directly in src/. */
const LEAVES = ['logger', 'version', 'domain', 'config'] as const;
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  logger: [],
  version: [],
  domain: [],
  config: ['logger'],
  store: ['domain', 'config', 'logger'],
  protocol: ['store', 'domain'],
  search: ['protocol', 'store', 'domain'],
  artifacts: ['protocol', 'config', 'domain', 'logger'],
  auth: ['protocol', 'store', 'domain', 'config', 'logger'],
  registry: ['search', 'artifacts', 'protocol', 'store', 'domain', 'logger'],
  tracking: ['search', 'artifacts', 'protocol', 'store', 'domain', 'logger'],
  // Governance's rules (protections, approvals, history): beside registry/, not above it. The
  // registry does not call governance; protection is enforced by a journal sink in store/sql/.
  governance: ['protocol', 'store', 'domain', 'config', 'logger'],
  native: ['registry', 'tracking', 'search', 'artifacts', 'protocol', 'store', 'domain', 'config', 'logger'],
  http: ['auth', 'governance', 'native', 'registry', 'tracking', 'search', 'artifacts', 'protocol', 'store', ...LEAVES],
  root: ['http', 'auth', 'governance', 'native', 'registry', 'tracking', 'search', 'artifacts', 'protocol', 'store', ...LEAVES],
  cli: ['root', 'http', 'auth', 'governance', 'native', 'registry', 'tracking', 'search', 'artifacts', 'protocol', 'store', ...LEAVES],
};

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `src/http/handlers/runs.ts` → `http`; `src/app.ts` → `root`; `src/logger.ts` → `logger`. */
function folderOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel.length > 1) return rel[0] as string;
  const base = (rel[0] as string).replace(/\.ts$/, '');
  return base in MAY_IMPORT ? base : 'root';
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function edges(): { file: string; spec: string; from: string; to: string }[] {
  const out: { file: string; spec: string; from: string; to: string }[] = [];
  for (const file of walk(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      out.push({ file: path.relative(SRC, file), spec, from: folderOf(file), to: folderOf(target) });
    }
  }
  return out;
}

describe('folder layering', () => {
  const all = edges();

  it('finds the imports it checks', () => {
    // Guards the checker itself: a broken pattern would find nothing and pass vacuously.
    expect(all.length).toBeGreaterThan(200);
    expect(all.some((e) => e.from === 'http' && e.to === 'protocol')).toBe(true);
  });

  it('knows every folder of src/', () => {
    const folders = new Set(walk(SRC).map(folderOf));
    expect([...folders].filter((f) => !(f in MAY_IMPORT))).toEqual([]);
  });

  it('has every import point down the layers', () => {
    const against = all
      .filter((e) => e.from !== e.to && !(MAY_IMPORT[e.from] ?? []).includes(e.to))
      .map((e) => `${e.file} imports ${e.spec} (${e.from} → ${e.to})`);
    expect(against).toEqual([]);
  });

  it('keeps the rule itself acyclic', () => {
    const seen = new Map<string, 'open' | 'done'>();
    const cycle: string[] = [];
    const visit = (n: string, trail: string[]): void => {
      if (seen.get(n) === 'done') return;
      if (seen.get(n) === 'open') {
        cycle.push([...trail, n].join(' → '));
        return;
      }
      seen.set(n, 'open');
      for (const m of MAY_IMPORT[n] ?? []) visit(m, [...trail, n]);
      seen.set(n, 'done');
    };
    for (const n of Object.keys(MAY_IMPORT)) visit(n, []);
    expect(cycle).toEqual([]);
  });
});
