import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKnowledgeBase } from '../src/bench/generate.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { DONE_FILE } from '../src/site/done.js';
import { DST, fixtureFiles, LATE, LB, POP } from './fixtures/db-kb.js';
import { removeKb, tempKb } from './helpers/kb.js';

// `postmortem build` (the bundles users run: `npm run build` first) loads the site's rendering
// code (`src/site/rendering.ts`: markdown-it, Handlebars, the charts; its sources) only when a page is rendered.

const RENDERING = ['node_modules/markdown-it/', 'node_modules/handlebars/', 'src/charts/'];

/** The sources of a file of dist/: a bundle's, from its source map; a file tsc wrote (worker threads load them), its own. */
function sourcesOf(file: string): string[] {
  if (!existsSync(`${file}.map`))
    return [
      relative(PACKAGE_ROOT, file)
        .replace(/^dist\//, 'src/')
        .replace(/\.js$/, '.ts'),
    ];
  return (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;
}

/**
 * The source files whose code ran in the CommonJS bundle a command runs from (dist/*.cjs): esbuild
 * wraps each module that is loaded on demand in a function named by its path, and V8's coverage
 * (\`NODE_V8_COVERAGE\`) counts the calls of every function.
 */
function sourcesRunIn(coverageDir: string): string[] {
  const scripts = readdirSync(coverageDir).flatMap(
    (file) =>
      (JSON.parse(readFileSync(join(coverageDir, file), 'utf8')) as { result: { url: string; functions: CoveredFunction[] }[] }).result,
  );
  return scripts
    .filter((script) => /\/dist\/[a-z-]+\.cjs$/.test(script.url))
    .flatMap((script) => script.functions)
    .filter((f) => f.ranges[0]!.count > 0 && /^(src|node_modules)\//.test(f.functionName))
    .map((f) => f.functionName);
}
interface CoveredFunction {
  functionName: string;
  ranges: { count: number }[];
}

/**
 * The source files the command loaded: those bundled into every ES-module file of dist/ it loaded
 * (Node's \`NODE_DEBUG=esm\` names them; their source maps list what they hold: the worker
 * threads, and the CLI without its CommonJS bundle), and those whose code ran in the CommonJS bundle.
 */
function sourcesLoaded(args: string[]): { status: number | null; sources: string[] } {
  const coverage = mkdtempSync(join(tmpdir(), 'pmkb-coverage-'));
  try {
    const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist/cli.js'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, NODE_DEBUG: 'esm', NODE_V8_COVERAGE: coverage },
    });
    const files = new Set([...run.stderr.matchAll(/Storing (file:\S+\/dist\/\S+\.js) /g)].map((m) => fileURLToPath(m[1]!)));
    const sources = [...[...files].flatMap(sourcesOf), ...sourcesRunIn(coverage)];
    return { status: run.status, sources };
  } finally {
    rmSync(coverage, { recursive: true, force: true });
  }
}

const renderingIn = (sources: string[]) => RENDERING.filter((r) => sources.some((s) => s.includes(r)));

const root = tempKb(fixtureFiles([DST, LB, POP, LATE]));
afterAll(() => removeKb(root));

describe('a build with nothing to render', () => {
  it('loads no rendering code; the build that renders pages does', () => {
    const args = ['build', '--root', root, '--out', join(root, 'out')];
    const first = sourcesLoaded(args);
    expect(first.status).toBe(0);
    expect(renderingIn(first.sources)).toEqual(RENDERING);
    // nothing changed: the record of the finished build (src/site/done.ts) answers, the site build is not loaded
    const again = sourcesLoaded(args);
    expect(again.status).toBe(0);
    expect(again.sources).toContainEqual(expect.stringContaining('src/site/done.ts'));
    expect(again.sources).not.toContainEqual(expect.stringContaining('src/site/build.ts'));
    // without that record, the site build works out that no page is stale, without the rendering code
    rmSync(join(root, 'out', 'site', DONE_FILE));
    const plain = sourcesLoaded(args);
    expect(plain.status).toBe(0);
    expect(plain.sources).toContainEqual(expect.stringContaining('src/site/build.ts'));
    expect(renderingIn(plain.sources)).toEqual([]);
  });
});

describe('a build after one edited incident', () => {
  // (the site's Markdown code, and the letters' customer view the Atom feed is made from)
  const MARKDOWN = ['node_modules/markdown-it/', 'src/render/markdown.ts'];
  const LETTERS = ['src/letter/model.ts', 'src/export/render.ts'];
  const among = (names: string[], sources: string[]) => names.filter((n) => sources.some((s) => s.includes(n)));

  it('renders its page without the Markdown or letter code when only its title changed, with the Markdown code when its text did', () => {
    const kb = mkdtempSync(join(tmpdir(), 'pmkb-lazy-edit-'));
    try {
      // under 64 incidents: no worker thread, every page is rendered in the process observed
      generateKnowledgeBase(kb, 60, 7);
      const args = ['build', '--root', kb, '--out', join(kb, 'out')];
      expect(sourcesLoaded(args).status).toBe(0);
      // the oldest incident: not among the Atom feed's newest 50 final ones
      const file = join(kb, 'incidents', '2000', '2000-01-01-incident-0.md');
      const page = join(kb, 'out', 'site', 'incidents', '2000-01-01-incident-0.html');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace(/^title: (.*)$/m, 'title: $1 (edited)'));
      const title = sourcesLoaded(args);
      expect(title.status).toBe(0);
      expect(readFileSync(page, 'utf8')).toContain('(edited)');
      // the rendering code, for the page (its phase bar, its sections copied), without markdown-it
      expect(among(RENDERING, title.sources)).toEqual(['node_modules/handlebars/', 'src/charts/']);
      expect(among([...MARKDOWN, ...LETTERS], title.sources)).toEqual([]);
      writeFileSync(file, readFileSync(file, 'utf8').replace('## Summary\n\n', '## Summary\n\nA *new* sentence. '));
      const body = sourcesLoaded(args);
      expect(body.status).toBe(0);
      expect(readFileSync(page, 'utf8')).toContain('A <em>new</em> sentence.');
      expect(among([...MARKDOWN, ...LETTERS], body.sources)).toEqual(MARKDOWN);
    } finally {
      rmSync(kb, { recursive: true, force: true });
    }
  });
});

describe('remark, for timelines that are more than a plain list', () => {
  it('comes from the bundle: a first build of the example reads no module from node_modules', () => {
    const out = mkdtempSync(join(tmpdir(), 'pmkb-remark-'));
    try {
      const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist/cli.js'), 'site', '--root', PACKAGE_ROOT, '--out', out], {
        encoding: 'utf8',
        env: { ...process.env, NODE_DEBUG: 'esm' },
      });
      expect(run.status).toBe(0);
      // Node's loader names every ES module it reads; remark from node_modules was ~150 of them
      expect(run.stderr.split('\n').filter((line) => line.includes('/node_modules/'))).toEqual([]);
      expect(run.stdout).toMatch(/^Site: 38 incidents; (\d+) of \1 files rendered/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
