import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_STEPS, type BuildStep } from '../src/build/steps.js';
import { runBuild } from '../src/commands/build.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { BAD, DST, fixtureFiles, LATE, LB, POP } from './fixtures/db-kb.js';

// The real steps (letters, packets, site) have their own tests; here one recording step stands in for them.
const realSteps = [...BUILD_STEPS];
const seen: { ids: string[]; changed: string[] }[] = [];
const recorder: BuildStep = {
  name: 'recorder',
  async run(_ctx, kb) {
    seen.push({ ids: kb.incidents().map((i) => i.id), changed: [...kb.changed.added, ...kb.changed.changed] });
    return { written: ['x.html'], unchanged: 2, notes: ['a note'], problems: [] };
  },
};
beforeAll(() => {
  BUILD_STEPS.splice(0, BUILD_STEPS.length, recorder);
});
afterAll(() => {
  BUILD_STEPS.splice(0, BUILD_STEPS.length, ...realSteps);
});

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
  seen.length = 0;
});

describe('postmortem build', () => {
  it('reports problems like check, writes the database from the valid incidents, runs every step, and exits 1', async () => {
    const root = tempKb(fixtureFiles());
    roots.push(root);
    const ctx = captureContext(root, { now: '2007-07-01' });
    const result = await runBuild(ctx);
    expect(result.exitCode).toBe(1);
    const lines = ctx.out_().trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith(`incidents/${BAD.id}.md:`)).length).toBeGreaterThan(0);
    expect(lines.slice(-5)).toEqual([
      expect.stringMatching(/^Database .*postmortems\.db: 4 incidents \(4 added, 0 changed, 0 removed; 5 files parsed\)\.$/),
      "History: not in a git repository: remediation status and completion dates come from the records' fields alone.",
      'recorder: a note',
      'recorder: 1 file written, 2 unchanged.',
      expect.stringMatching(/^\d+ errors?, \d+ warnings?; files with errors were left out\.$/),
    ]);
    expect(seen).toEqual([{ ids: [DST.id, LB.id, POP.id, LATE.id], changed: [DST.id, LB.id, POP.id, LATE.id] }]);

    const again = captureContext(root, { now: '2007-07-01' });
    await runBuild(again);
    expect(again.out_()).toMatch(/Database .*postmortems\.db is up to date \(4 incidents\)\./);
    expect(seen[1]).toEqual({ ids: [DST.id, LB.id, POP.id, LATE.id], changed: [] });
  });

  it('exits 0 when there are no errors', async () => {
    const root = tempKb(fixtureFiles([DST, LB, POP, LATE]));
    roots.push(root);
    const ctx = captureContext(root, { now: '2007-07-01' });
    expect((await runBuild(ctx)).exitCode).toBe(0);
    expect(ctx.out_().trimEnd().split('\n').pop()).toBe('0 errors, 1 warning.'); // R1 of the load-balancer incident is overdue
  });
});
