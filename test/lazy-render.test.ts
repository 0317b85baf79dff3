import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';
import { DONE_FILE } from '../src/site/done.js';
import { DST, fixtureFiles, LATE, LB, POP } from './fixtures/db-kb.js';
import { removeKb, tempKb } from './helpers/kb.js';

// `postmortem build` (the bundle users run: `npm run build` first) loads the site's rendering
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

/** The source files bundled into every file of dist/ the command loaded (Node's `NODE_DEBUG=esm` names them; their source maps list what they hold). */
function sourcesLoaded(args: string[]): { status: number | null; sources: string[] } {
  const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist/cli.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_DEBUG: 'esm' },
  });
  const files = new Set([...run.stderr.matchAll(/Storing (file:\S+\/dist\/\S+\.js) /g)].map((m) => fileURLToPath(m[1]!)));
  const sources = [...files].flatMap(sourcesOf);
  return { status: run.status, sources };
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
