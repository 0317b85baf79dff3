import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { CONFIG, fixtureFiles, LB, type IncidentSpec } from './fixtures/db-kb.js';

// The child runs the compiled build (`npm run build` first, as `npm test` does).
const DIST = fileURLToPath(new URL('../dist/db/knowledge-base.js', import.meta.url));

function manyIncidents(n: number): IncidentSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, '0');
    return {
      ...LB,
      id: `2007-06-${day}-lb-${i}`,
      related: undefined,
      body: `Incident number ${i}. ${'The load balancer failed over again. '.repeat(40)}`,
    };
  });
}

const root = tempKb(fixtureFiles(manyIncidents(600)));
afterAll(() => removeKb(root));

describe('a killed build', () => {
  it('leaves the previous database intact and readable', async () => {
    const ctx = captureContext(root, { now: '2007-07-01' });
    const kb = await updateKnowledgeBase(ctx);
    const db = new Database(kb.dbPath, { readonly: true });
    const before = db.prepare("SELECT value FROM meta WHERE key = 'config_digest'").pluck().get();
    expect(db.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(600);
    db.close();

    // A config change makes the next build rewrite every row; kill it while it writes the temp file.
    writeFileSync(join(root, 'postmortem.config.yaml'), CONFIG.replace('America/New_York', 'UTC'));
    const script = `import { updateKnowledgeBase } from ${JSON.stringify(DIST)};
      await updateKnowledgeBase({ root: ${JSON.stringify(root)}, out: ${JSON.stringify(ctx.out)}, now: '2007-07-01', stdout: process.stdout, stderr: process.stderr, color: false });
      process.stdout.write('finished');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let killedWhileWriting = false;
    for (let i = 0; i < 20_000 && child.exitCode === null; i++) {
      const temp = readdirSync(ctx.out).find((f) => f.startsWith('.postmortems.db.') && f.endsWith('.tmp'));
      if (temp && statSync(join(ctx.out, temp), { throwIfNoEntry: false })?.size) {
        child.kill('SIGKILL');
        killedWhileWriting = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await exited;
    expect(output).not.toContain('finished');
    expect(killedWhileWriting).toBe(true);

    const after = new Database(kb.dbPath, { readonly: true });
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(after.prepare("SELECT value FROM meta WHERE key = 'config_digest'").pluck().get()).toBe(before);
    expect(after.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(600);
    after.close();

    // The next build finishes the job and removes the dead build's temp file.
    const next = await updateKnowledgeBase(ctx);
    expect(next.changed.changed).toHaveLength(600);
    expect(readdirSync(ctx.out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('gives the same result with worker threads as without', async () => {
    const script = `import { processFiles } from ${JSON.stringify(DIST.replace('knowledge-base.js', 'parse.js'))};
      import { listIncidentFiles } from ${JSON.stringify(DIST.replace('db/knowledge-base.js', 'kb/files.js'))};
      import { loadConfig } from ${JSON.stringify(DIST.replace('db/knowledge-base.js', 'kb/config.js'))};
      const root = ${JSON.stringify(root)};
      const job = { root, files: listIncidentFiles(root), config: loadConfig(root).config, today: '2007-07-01' };
      const collect = async (workers) => { const out = []; await processFiles(job, (s, i) => { if (i !== out.length) throw new Error('out of order'); out.push(s); }, undefined, workers); return JSON.stringify(out); };
      const a = await collect(1);
      const b = await collect(2);
      process.stdout.write(JSON.stringify({ same: a === b, files: job.files.length }));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(JSON.parse(output)).toEqual({ same: true, files: 600 });
  }, 120_000);

  it('has the worker threads store their parses in the cache, as this thread would, and close it', async () => {
    const dist = (path: string) => JSON.stringify(DIST.replace('db/knowledge-base.js', path));
    const cachePath = join(root, 'stored', 'parses.cache');
    const script = `import { processFiles } from ${dist('db/parse.js')};
      import { ParseCache } from ${dist('db/cache.js')};
      import { listIncidentFiles } from ${dist('kb/files.js')};
      import { loadConfig } from ${dist('kb/config.js')};
      import { existsSync, mkdirSync } from 'node:fs';
      const root = ${JSON.stringify(root)};
      mkdirSync(${JSON.stringify(join(root, 'stored'))}, { recursive: true });
      const job = { root, files: listIncidentFiles(root), config: loadConfig(root).config, today: '2007-07-01' };
      const collect = async (workers, cache) => { const out = []; await processFiles({ ...job, cache }, (s) => out.push(s), undefined, workers); return out; };
      const alone = await collect(1, ${JSON.stringify(cachePath)});
      const cache = new ParseCache(${JSON.stringify(cachePath)}, 'test');
      const threaded = await collect(2, ${JSON.stringify(cachePath)});
      const stored = threaded.map((p) => cache.get(p.digest, p.file));
      const log = existsSync(${JSON.stringify(`${cachePath}-wal`)});
      cache.close();
      process.stdout.write(JSON.stringify({
        files: job.files.length,
        sentJson: threaded.filter((p) => p.json !== undefined).length,
        keptJson: alone.filter((p) => p.json !== undefined).length,
        sameRest: JSON.stringify(alone.map(({ json, ...rest }) => rest)) === JSON.stringify(threaded),
        sameParses: JSON.stringify(alone.map((p) => JSON.parse(p.json))) === JSON.stringify(stored),
        logWhileOpen: log,
        logAfterClose: existsSync(${JSON.stringify(`${cachePath}-wal`)}),
      }));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    await new Promise((resolve) => child.on('exit', resolve));
    expect(JSON.parse(output)).toEqual({
      files: 600,
      sentJson: 0,
      keptJson: 600,
      sameRest: true,
      sameParses: true,
      logWhileOpen: true,
      // the threads closed their connections: the last one, this thread's, copied the log back
      logAfterClose: false,
    });
  }, 120_000);

  it('writes the same bytes every time, with worker threads or without', async () => {
    const build = (out: string) =>
      new Promise<number | null>((resolve) => {
        const script = `import { updateKnowledgeBase } from ${JSON.stringify(DIST)};
        await updateKnowledgeBase({ root: ${JSON.stringify(root)}, out: ${JSON.stringify(out)}, now: '2007-07-01', stdout: process.stdout, stderr: process.stderr, color: false });`;
        spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' }).on('exit', resolve);
      });
    const outs = ['same-a', 'same-b'].map((name) => join(root, name));
    expect(await Promise.all(outs.map(build))).toEqual([0, 0]);
    // In this process the build runs from the TypeScript sources: no worker threads.
    await updateKnowledgeBase(captureContext(root, { now: '2007-07-01' }), { dbPath: join(root, 'same-c', 'postmortems.db') });
    const [a, b, c] = ['same-a', 'same-b', 'same-c'].map((name) => readFileSync(join(root, name, 'postmortems.db')));
    expect(a!.equals(b!)).toBe(true);
    expect(a!.equals(c!)).toBe(true);
  }, 120_000);
});
