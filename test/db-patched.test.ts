import { describe, expect, it } from 'vitest';
import { Patched } from '../src/db/kept-basis.js';

describe('a map read through changes (the kept database seen through its basis)', () => {
  const base = new Map([
    ['a.md', 1],
    ['b.md', 2],
    ['c.md', 3],
    ['d.md', 4],
  ]);

  it('visits with forEach exactly what entries() gives, in that order, with itself as the map', () => {
    const changes = new Map<string, number | undefined>([
      ['b.md', 20], // replaced
      ['c.md', undefined], // removed
      ['e.md', 5], // added
      ['f.md', undefined], // removed, never there
    ]);
    const patched = new Patched(base, changes);
    const seen: [string, number][] = [];
    patched.forEach((value, key, map) => {
      expect(map).toBe(patched);
      seen.push([key, value]);
    });
    expect(seen).toEqual([...patched.entries()]);
    expect(seen).toEqual([
      ['a.md', 1],
      ['d.md', 4],
      ['b.md', 20],
      ['e.md', 5],
    ]);
    expect(seen.length).toBe(patched.size);
  });

  it('visits the base alone when nothing changed, and nothing when everything was removed', () => {
    const same: [string, number][] = [];
    new Patched(base, new Map()).forEach((value, key) => same.push([key, value]));
    expect(same).toEqual([...base]);
    let visits = 0;
    new Patched(base, new Map([...base.keys()].map((k) => [k, undefined]))).forEach(() => visits++);
    expect(visits).toBe(0);
  });
});
