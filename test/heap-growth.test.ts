import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';

const cacheHome = mkdtempSync(join(tmpdir(), 'pmkb-heap-growth-'));
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

/**
 * In a fresh process (a young generation not grown yet), running the built modules (\`npm run build\`): the size of
 * this thread's young generation (MB) when the limit is taken, after much kept allocation with a
 * worker thread of the pool started meanwhile (which puts V8's growth back), and after the same
 * once the limit is released.
 */
function youngGenerations(): { taken: number; held: number; released: number } {
  const dist = (file: string) => pathToFileURL(join(PACKAGE_ROOT, 'dist', file)).href;
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { limitHeapGrowth } from '${dist('heap-growth.js')}';
    import { closeWorkerThreads, workerThreads } from '${dist('threads/pool.js')}';
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    const kept = [];
    const allocate = (count) => { for (let n = 0; n < count; n++) kept.push({ n, text: 'x' + n }); };
    allocate(1e5); // grown some, as by the time a build starts
    const release = limitHeapGrowth();
    const taken = young();
    await workerThreads(1)[0].call({ kind: 'code-cache' });
    allocate(1e6);
    const held = young();
    release();
    allocate(1e6);
    console.log(JSON.stringify({ taken, held, released: young() }));
    await closeWorkerThreads();`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome },
  });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { taken: number; held: number; released: number };
}

describe('the heaps of a build from scratch (heap-growth.ts)', () => {
  it("keeps this thread's young generation from growing while the limit is held, worker threads started or not; it grows once released", () => {
    const { taken, held, released } = youngGenerations();
    // not grown; V8 may still shrink it (it did once, 16 → 8 MB, under the load of the whole suite:
    // a young generation shrinks when the allocation rate per millisecond of wall time is low)
    expect(held).toBeLessThanOrEqual(taken);
    expect(released).toBeGreaterThan(held);
  });
});
