import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { fixtureFiles } from './fixtures/db-kb.js';

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

describe('the incidents a build gives by id', () => {
  it('are those of all its incidents with those ids, in file order, after a rebuild and after a replay', async () => {
    const root = tempKb(fixtureFiles());
    roots.push(root);
    // a file sorted first whose incident's id sorts last: file order is not id order
    writeFileSync(join(root, 'incidents', '0000-first.md'), '---\nid: zz-last\ntitle: First file\n---\n');
    const ctx = captureContext(root, { now: '2007-07-01' });
    for (const build of ['rebuilt', 'replayed']) {
      const kb = await updateKnowledgeBase(ctx);
      expect(kb.rebuilt).toBe(build === 'rebuilt');
      const all = kb.incidents();
      expect(all.length).toBeGreaterThan(3);
      const ids = all.map((i) => i.id);
      const wanted = [ids[ids.length - 1]!, ids[0]!, ids[2]!, 'no-such-id', ids[0]!];
      const expected = all.filter((i) => wanted.includes(i.id)).map((i) => i.id);
      expect(kb.incidents(wanted).map((i) => i.id)).toEqual(expected);
      expect(kb.incidents([]).map((i) => i.id)).toEqual([]);
      expect(kb.incidents(['no-such-id'])).toEqual([]);
    }
  });
});
