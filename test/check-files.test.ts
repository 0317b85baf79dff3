import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/commands/check.js';
import { cachePathFor, DB_FILE } from '../src/db/cache-key.js';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { checkFiles } from '../src/kb/check-files.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * `check <file>` after a build reads only the files named and takes every other file's
 * per-file result from the build's cache: the problems must be those of reading the whole
 * knowledge base, whatever changed since the build.
 */
let root: string;
const cachePath = () => cachePathFor(join(root, 'out', DB_FILE));
const example = (year: string) => readdirSync(join(PACKAGE_ROOT, 'incidents', year)).map((f) => `incidents/${year}/${f}`);

beforeAll(async () => {
  const files: Record<string, string> = { 'postmortem.config.yaml': readFileSync(join(PACKAGE_ROOT, 'postmortem.config.yaml'), 'utf8') };
  for (const year of readdirSync(join(PACKAGE_ROOT, 'incidents')))
    for (const f of example(year)) files[f] = readFileSync(join(PACKAGE_ROOT, f), 'utf8');
  // the notes files the config's documents name
  for (const dir of ['reviews', 'letters'])
    for (const f of readdirSync(join(PACKAGE_ROOT, dir))) files[`${dir}/${f}`] = readFileSync(join(PACKAGE_ROOT, dir, f), 'utf8');
  root = tempKb(files);
  await updateKnowledgeBase(captureContext(root));
}, 120_000);
afterAll(() => removeKb(root));

/** Both ways, for the same files: the same problems; returns which files the cached way read. */
function same(paths: string[], now?: string): string[] {
  const fast = checkFiles({ root, paths, cwd: root, ...(now ? { now } : {}) }, cachePath());
  const plain = loadKnowledgeBase({ root, paths, cwd: root, ...(now ? { now } : {}) });
  expect(fast).toBeDefined();
  expect(fast!.problems).toEqual(plain.problems);
  expect(fast!.incidents).toBe(plain.incidents.length);
  expect(fast!.checked).toEqual(plain.checked);
  return fast!.read;
}

describe('check of named files from the build cache', () => {
  const some = [...example('2006').slice(0, 2), ...example('2007').slice(0, 1)];

  it('reads only the files named when nothing changed since the build, with the same problems', () => {
    for (const file of some) expect(same([file])).toEqual([file]);
    expect(same(some)).toEqual([...some].sort());
  });

  it("reads every file again for another evaluation date (the kept results are for the build's date)", () => {
    const read = same([some[0]!], '2031-01-01');
    expect(read.length).toBeGreaterThan(30);
  });

  it('reads a file new since the build, and finds what the kept files do to it (a duplicate id)', () => {
    const target = some[0]!;
    const copy = target.replace('incidents/2006/', 'incidents/2007/');
    try {
      writeFileSync(join(root, copy), readFileSync(join(root, target)));
      // the copy is named: the original is a stand-in from the cache, and its id makes the copy a duplicate
      expect(same([copy])).toEqual([copy]);
      expect(checkFiles({ root, paths: [copy], cwd: root }, cachePath())!.problems.map((p) => p.ruleId)).toEqual(['duplicate-id']);
      // the original is named: the copy is not in the cache, so it is read
      expect(same([target])).toEqual([target, copy]);
    } finally {
      rmSync(join(root, copy));
    }
  });

  it('reports the file named as it is now (a related incident that does not exist)', () => {
    const target = some[0]!;
    const before = readFileSync(join(root, target), 'utf8');
    try {
      writeFileSync(join(root, target), before.replace(/^id: (.*)$/m, 'id: $1\nrelated: [1999-01-01-nowhere]'));
      expect(same([target])).toEqual([target]);
      expect(checkFiles({ root, paths: [target], cwd: root }, cachePath())!.problems.map((p) => p.ruleId)).toContain('related-exists');
    } finally {
      writeFileSync(join(root, target), before);
    }
  });

  it('is not used without a cache; `check` then reads the whole knowledge base, with the same output', () => {
    expect(checkFiles({ root, paths: [some[0]!], cwd: root }, join(root, 'nowhere', '.cache'))).toBeUndefined();
    const withCache = captureContext(root);
    const withoutCache = captureContext(root, { out: join(root, 'empty-out') });
    const a = runCheck(withCache, { paths: [join(root, some[0]!)] });
    const b = runCheck(withoutCache, { paths: [join(root, some[0]!)] });
    expect(withCache.out_()).toBe(withoutCache.out_());
    expect(a).toEqual(b);
    rmSync(join(root, 'empty-out'), { recursive: true, force: true });
  });
});
