import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { folderRuns } from '../src/site/folders.js';
import { keyPlaces, keysOf, keysText } from '../src/site/layout-keys.js';
import { reusableBesides } from '../src/site/plan.js';
import { propertyRuns } from './helpers/runs.js';
import { DELTA_LAYOUTS, type Layout, Layouts } from '../src/site/layouts.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

const layout = (n: number): Layout => ({
  ino: n,
  size: 100 + n,
  mtimeMs: 1000 + n,
  head: `h${n}`,
  keys: [`k${n}`, `k${n}/links`],
  spans: Uint32Array.of(0, 10 + n, 20 + n, 5),
});
const pages = (count: number, at = (n: number) => layout(n)) =>
  new Map(Array.from({ length: count }, (_, n): [string, Layout] => [`incidents/p${n}.html`, at(n)]));

describe("the layouts' parts and the delta's layouts", () => {
  it('keeps incident pages in the delta up to its bound, pages over many incidents in parts; past the bound and with the whole state, the delta goes into the parts', () => {
    const siteDir = mkdtempSync(join(tmpdir(), 'pmkb-layouts-'));
    dirs.push(siteDir);
    const kept = (saved: ReturnType<Layouts['save']>) =>
      Layouts.kept({ siteDir, format: 'f', key: 'k' }, new Map(saved.parts), saved.delta);
    const none = () => Layouts.kept({ siteDir, format: 'f', key: 'k' }, new Map());
    // a few incident pages: in the delta, no part written
    const few = none().with(pages(20), []).save(siteDir, 'f', 'k', false);
    expect(few.parts).toEqual([]);
    expect(few.delta.length).toBe(20);
    expect(kept(few).get('incidents/p3.html')).toEqual(layout(3));
    // a page over many incidents: its part
    const index = none()
      .with(new Map([['index.html', layout(1)]]), [])
      .save(siteDir, 'f', 'k', false);
    expect(index.delta).toEqual([]);
    expect(index.parts.length).toBe(1);
    expect(kept(index).get('index.html')).toEqual(layout(1));
    // past the bound (every incident page rendered again, after a template change): their parts
    const many = kept(few)
      .with(pages(DELTA_LAYOUTS + 1), [])
      .save(siteDir, 'f', 'k', false);
    expect(many.delta).toEqual([]);
    for (const n of [0, 3, DELTA_LAYOUTS]) expect(kept(many).get(`incidents/p${n}.html`)).toEqual(layout(n));
    // one changed and one gone: in the delta, over the parts
    const one = kept(many)
      .with(new Map([['incidents/p3.html', layout(7)]]), ['incidents/p4.html', 'incidents/never.html'])
      .save(siteDir, 'f', 'k', false);
    expect(one.parts).toEqual(many.parts);
    expect(one.delta.map(([path]) => path)).toEqual(['incidents/p3.html', 'incidents/p4.html']);
    expect(kept(one).get('incidents/p3.html')).toEqual(layout(7));
    expect(kept(one).has('incidents/p4.html')).toBe(false);
    expect(kept(one).get('incidents/p5.html')).toEqual(layout(5));
    // the whole state: the delta's layouts in their parts
    const whole = kept(one).with(new Map(), []).save(siteDir, 'f', 'k', true);
    expect(whole.delta).toEqual([]);
    expect(kept(whole).get('incidents/p3.html')).toEqual(layout(7));
    expect(kept(whole).has('incidents/p4.html')).toBe(false);
    // a delta's layout of another shape is not used: the part's is
    const odd = Layouts.kept({ siteDir, format: 'f', key: 'k' }, new Map(whole.parts), [
      ['incidents/p5.html', { ...layout(9), count: 2, keysText: 'k9', spans: new Uint32Array(1) }],
      ['incidents/p6.html', { ...layout(9), count: 3, keysText: 'k9\u0001k9/links', spans: new Uint32Array(6) }],
    ]);
    expect(odd.get('incidents/p5.html')).toEqual(layout(5));
    // (keys fewer than the spans say: not used, the page rendered whole)
    expect(odd.get('incidents/p6.html')).toBeUndefined();
    // a build with no state (from scratch) writes the whole state: its layouts straight into their parts
    const scratch = Layouts.empty().with(pages(3), []).save(siteDir, 'f', 'k', true);
    expect(scratch.delta).toEqual([]);
    expect(kept(scratch).get('incidents/p2.html')).toEqual(layout(2));
  });
});

describe("the folders of the site's pages", () => {
  it('finds each run of paths in one folder, at the top too, sorted or not', () => {
    expect(folderRuns([])).toEqual([]);
    const sorted = ['a/x.html', 'a/y.html', 'a/z/w.html', 'b.html', 'c.html', 'incidents/1.html', 'incidents/2.html', 'incidentsx/3.html'];
    expect(folderRuns(sorted)).toEqual([
      { dir: 'a', from: 0, to: 2 },
      { dir: 'a/z', from: 2, to: 3 },
      { dir: '', from: 3, to: 5 },
      { dir: 'incidents', from: 5, to: 7 },
      { dir: 'incidentsx', from: 7, to: 8 },
    ]);
    // a folder whose name starts another's, and a folder in several runs
    expect(folderRuns(['ab/1', 'a/2', 'ab/3', 'x', 'ab/4', 'ab/5'])).toEqual([
      { dir: 'ab', from: 0, to: 1 },
      { dir: 'a', from: 1, to: 2 },
      { dir: 'ab', from: 2, to: 3 },
      { dir: '', from: 3, to: 4 },
      { dir: 'ab', from: 4, to: 6 },
    ]);
  });
});

describe("the keys of a page's layout, as kept", () => {
  const id = fc.constantFrom('a', 'b', 'ab', 'a-b', 'ba', 'a.b', 'A');
  const key = fc.tuple(id, fc.constantFrom('', '/1', '/2/x', '/', 'x', '-1')).map(([i, rest]) => i + rest);

  it('finds the places of the keys of a few fresh ids in their text as asking each key does', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 30 }), fc.uniqueArray(id, { minLength: 1, maxLength: 3 }), (keys, fresh) => {
        const known = keysOf(keys.join('\u0001'));
        expect(known).toEqual(keys.length === 1 && keys[0] === '' ? [] : keys);
        const reusable = reusableBesides(fresh);
        expect(keyPlaces(known, fresh)).toEqual(known.flatMap((k, n) => (reusable(k) ? [] : [n])));
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('knows the text only of keys split from one: others are joined, and their places asked key by key', () => {
    const keys = ['a', 'a/1', 'b'];
    expect(keyPlaces(keys, ['a'])).toBeUndefined();
    expect(keysText(keys)).toBe('a\u0001a/1\u0001b');
    const known = keysOf('a\u0001a/1\u0001b');
    expect(keyPlaces(known, ['a'])).toEqual([0, 1]);
    expect(keyPlaces(known, [''])).toBeUndefined();
    expect(keysText(known)).toBe('a\u0001a/1\u0001b');
  });
});
