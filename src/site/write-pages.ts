import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { IncidentSource } from '../db/incident-source.js';
import type { Incident } from '../model/incident.js';
import { writeFileAtomic } from '../output/write-file.js';
import type { Config } from '../schema/config.js';
import type { Changes } from './changes.js';
import { BUILDING_FILE, manifestText, NextPages, type PreviousManifest } from './manifest.js';
import { freshFolders, writePage, type Page, type PagePieces, type WrittenPage } from './page.js';
import type { PageTask, TaskPool } from './parallel.js';
import { replaceFile } from './pieces.js';
import type { PagePlan, ShardPlan } from './plan.js';
import type { KeptSite } from './search-terms.js';
import type { Layout } from './state.js';
import { loadRenderKit } from './render-kit.js';
import { readSiteIncidents } from './summaries.js';

/**
 * Phases 3 and 4 of a site build (see `build.ts`): render the pages whose digest changed or
 * whose file is missing, and write those whose bytes changed, then the manifest.
 */

/** Pages rendered per round on big builds. */
const CHUNK = 1000;

/** A search shard's script as it is being indexed (see `build.ts`): from scratch, or after an edit in a worker of its own. */
export interface ShardScripts {
  /** Shards started before anything else on a build from scratch, by number (each taken out when its page is planned). */
  early: Map<number, { ids: string[]; script: Promise<Uint8Array> }>;
  /** The stale shards' scripts, in order, when indexed in a background worker. */
  background: Promise<string[]> | undefined;
  /** The database's file, and where the shards' analyses are kept, for the others (indexed in the pool). */
  db: string;
  kept: KeptSite;
}

/**
 * Phase 3: the planned pages that are stale (digest changed, file missing), in the order they
 * are rendered: assets and incident pages, pages over many incidents, search shards. The
 * remediations the fresh pieces of pages over many incidents need are read here.
 */
export async function stalePages(
  db: Database.Database,
  plan: PagePlan,
  shards: Pick<ShardPlan, 'stale' | 'paths'>,
  previous: PreviousManifest,
  missing: ReadonlySet<string>,
  scripts: ShardScripts,
): Promise<Page[]> {
  const isStale = (p: { path: string; digest: string }) => previous.pages[p.path] !== p.digest || missing.has(p.path);
  const stale = plan.pages.filter(isStale);
  const staleMany = plan.manyPages.filter(isStale);
  // planning the pages over many incidents makes their pieces (Handlebars' safe strings)
  if (stale.length + staleMany.length > 0) await loadRenderKit();
  // the remediations that fresh pieces of pages over many incidents need (action items)
  const wanted = [...new Set(staleMany.flatMap((p) => p.plan()))].filter((id) => !plan.remediationsOf.has(id));
  for (const i of readSiteIncidents(db, wanted)) plan.remediationsOf.set(i.id, i.remediations);
  // the remediations are let go once the last of those pages is rendered (10,000 incidents' are ~8 MB of JSON)
  let manyLeft = staleMany.length;
  for (const p of staleMany)
    stale.push({
      path: p.path,
      digest: p.digest,
      render: () => {
        const out = p.render();
        if (--manyLeft === 0) plan.remediationsOf.clear();
        return out;
      },
    });
  const { background } = scripts;
  const backgroundResults = background?.then((s) => new Map(staleShards.map((shard, n) => [shard.path, s[n]!])));
  backgroundResults?.catch(() => undefined);
  const { stale: staleShards, paths: shardPaths } = shards;
  for (const s of staleShards) {
    // indexed already (`early`) when the members are the same
    const n = shardPaths.indexOf(s.path);
    const started = scripts.early.get(n);
    scripts.early.delete(n);
    let script = started && started.ids.join('\n') === s.ids.join('\n') ? started.script : undefined;
    // the script is let go once written: 128 of them are ~18 MB at 10,000 incidents
    const take = async () => {
      const early = script!;
      script = undefined;
      return { content: await early };
    };
    stale.push({
      path: s.path,
      digest: s.digest,
      tasks:
        background || script
          ? undefined
          : () => [{ kind: 'shard', db: scripts.db, site: scripts.kept, path: s.path, ids: s.ids, digests: s.digests }],
      ...(script ? { ready: take } : {}),
      render: async (_full, results) => (script ? take() : { content: background ? (await backgroundResults!).get(s.path)! : results[0]! }),
    });
  }
  return stale;
}

export interface WriteInput {
  root: string;
  siteDir: string;
  manifestPath: string;
  config: Config;
  source: IncidentSource;
  changes: Changes;
  /** Pages whose files are deleted: they leave the manifest. */
  gone: ReadonlySet<string>;
  load(ids: readonly string[]): Incident[];
  /** The pool (started now unless the build started it): worker threads when there is much to render. */
  pool(expectedTasks: number): TaskPool;
  /** Adds the time since the last lap to a phase's. */
  lap(phase: 'load' | 'render' | 'write' | 'wait'): void;
}

export interface Written {
  /** Files written (relative to `<out>/site`). */
  written: string[];
  /** Pages rendered (relative to `<out>/site`), written or not. */
  rendered: string[];
  /** Every page of the site and its digest, as the manifest now says. */
  next: NextPages;
  /** The manifest's text. */
  manifest: string;
  /** Where the pieces lie in the pages written with pieces. */
  layouts: Map<string, Layout>;
  pieces: { rendered: number; copied: number };
}

/**
 * Phase 4: renders the stale pages and writes those whose bytes changed, then the manifest.
 * After a failure, pages not reached keep their old digests (their files are the old ones),
 * so the next build renders exactly what is still out of date.
 */
export async function writePages(w: WriteInput, stale: readonly Page[]): Promise<Written> {
  const { siteDir, changes: c } = w;
  const next = new NextPages(c.previous.pages, w.gone);
  const out: Written = { written: [], rendered: [], next, manifest: '', layouts: new Map(), pieces: { rendered: 0, copied: 0 } };
  /** Pages whose file is written, by their place among the pages rendered (see `settle`). */
  const finished: (Finished | undefined)[] = [];
  if (stale.length > 0) {
    await loadRenderKit();
    // while pages are written, a record of which: if this build stops, the next renders them again
    writeFileAtomic(join(siteDir, BUILDING_FILE), JSON.stringify([...new Set([...c.building, ...stale.map((p) => p.path)])].sort()), {
      durable: false,
    });
  }
  try {
    await renderAll(w, stale, finished, out.rendered);
  } finally {
    settle(finished, out);
    out.manifest = manifestText(c.previous, next);
    if (out.manifest !== c.previous.text) replaceFile(w.manifestPath, Buffer.from(out.manifest, 'utf8'));
  }
  return out;
}

interface Finished {
  page: Page;
  changed: boolean;
  pieces: PagePieces | undefined;
  stat: { ino: number; size: number; mtimeMs: number } | undefined;
}

/** What the written pages mean for the manifest, the layouts and the counts, in page order whatever order the writes ended in. */
function settle(finished: readonly (Finished | undefined)[], out: Written): void {
  for (const f of finished) {
    if (!f) continue;
    if (f.changed) out.written.push(f.page.path);
    if (f.pieces && f.stat) {
      out.layouts.set(f.page.path, {
        ino: f.stat.ino,
        size: f.stat.size,
        mtimeMs: f.stat.mtimeMs,
        head: f.pieces.head,
        keys: f.pieces.keys,
        spans: f.pieces.spans,
      });
      out.pieces.rendered += f.pieces.rendered;
      out.pieces.copied += f.pieces.copied;
    }
    out.next.put(f.page.path, f.page.digest);
  }
}

/**
 * With worker threads, the incident pages rendered whole are theirs (queued first: they are
 * most of the work), and they write them; this thread renders and writes the rest meanwhile, and
 * records the workers' pages as they come (after a failure elsewhere, those are not rendered again).
 */
async function renderAll(w: WriteInput, stale: readonly Page[], finished: (Finished | undefined)[], rendered: string[]): Promise<void> {
  const { siteDir, changes: c } = w;
  const pool = w.pool(stale.reduce((n, page) => n + (page.tasks ? (page.weight ?? 1) : 0), 0));
  // which pages go to the threads; each task is made again when sent (`sendRemote`), not kept: 10,000 held at once were ~40 MB
  const remote = new Set(pool.threads > 0 ? stale.filter((page) => page.remote?.() !== undefined) : []);
  if (pool.threads > 0)
    pool.site({
      root: w.root,
      siteDir,
      config: w.config,
      today: c.todayText,
      facts: c.facts.c,
      serviceNames: c.serviceNames,
      source: w.source,
      fresh: freshFolders(
        siteDir,
        [...remote].map((page) => page.path),
      ),
    });
  /** Folders this build made (or found) for its pages. */
  const folders = new Set<string>();
  const order = new Map(stale.map((page, n) => [page, n]));
  /** A page's file written (here, or by a worker thread, which gives the file's `stat` when the page has pieces). */
  const record = (page: Page, changed: boolean, pieces: PagePieces | undefined, stat?: WrittenPage['stat']) => {
    stat ??= pieces ? statSync(join(siteDir, page.path)) : undefined;
    // only what the layout keeps: a page's `pieces` can be its assembled parts too (the index's: megabytes)
    const kept = pieces && { head: pieces.head, keys: pieces.keys, spans: pieces.spans, rendered: pieces.rendered, copied: pieces.copied };
    finished[order.get(page)!] = { page, changed, pieces: kept, stat: stat && { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs } };
  };
  const remoteDone = sendRemote([...remote], (page, task) => pool.page(task).then((r) => record(page, r.changed, r.pieces, r.stat)));
  remoteDone.catch(() => undefined); // awaited below; a failure is reported then
  // pages made elsewhere already (search shards indexed since the build started): written as
  // each comes, between this thread's pages, instead of held until their turn in the order
  const ready = stale.filter((page) => page.ready && !remote.has(page));
  const readyDone = Promise.all(
    ready.map((page) =>
      page.ready!().then(async (out) => record(page, await writePage(join(siteDir, page.path), out, folders), out.pieces)),
    ),
  );
  readyDone.catch(() => undefined); // awaited below; a failure is reported then
  // The rest in chunks, so a big build never holds every page in memory. A chunk's incidents
  // are loaded, and its pages' costly parts (Markdown, search shards) handed to the pool, while
  // this thread renders the chunk before it.
  const local = stale.filter((page) => !remote.has(page) && !page.ready);
  const chunks: Page[][] = [];
  for (let from = 0; from < local.length; from += CHUNK) chunks.push(local.slice(from, from + CHUNK));
  const prepare = (chunk: Page[]) => {
    const needed = [...new Set(chunk.flatMap((page) => page.needs?.() ?? []))];
    const loaded = new Map(needed.length ? w.load(needed).map((i) => [i.id, i]) : []);
    const full = (id: string) => {
      const incident = loaded.get(id);
      if (!incident) throw new Error(`incident ${id} is in the database but could not be loaded; run the build again`);
      return incident;
    };
    const results = new Map<Page, Promise<string[]>>();
    for (const page of chunk) {
      const tasks = page.tasks?.(full);
      if (!tasks?.length) continue;
      const done = pool.run(tasks);
      done.catch(() => undefined); // awaited when the page is rendered; a failure is reported then
      results.set(page, done);
    }
    return { full, results };
  };
  for (const page of stale) rendered.push(page.path);
  /** Pages written in libuv's threads (spliced: see `writePage`) while this thread goes on. */
  const writing: Promise<void>[] = [];
  try {
    let upcoming = chunks.length ? prepare(chunks[0]!) : undefined;
    for (let k = 0; k < chunks.length; k++) {
      const { full, results } = upcoming!;
      upcoming = k + 1 < chunks.length ? prepare(chunks[k + 1]!) : undefined;
      w.lap('load');
      for (const page of chunks[k]!) {
        const out = await page.render(full, results.has(page) ? await results.get(page)! : []);
        w.lap('render');
        const changed = writePage(join(siteDir, page.path), out, folders);
        if (typeof changed === 'boolean') record(page, changed, out.pieces);
        else {
          const done = changed.then((c) => record(page, c, out.pieces));
          done.catch(() => undefined); // awaited below; a failure is reported then
          writing.push(done);
        }
        w.lap('write');
        // the workers' pages are recorded (and more sent) between this thread's
        if (remote.size > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    // none is left writing when the build ends (a failure is reported below, or the first one's is)
    await Promise.allSettled(writing);
  }
  await Promise.all(writing);
  await remoteDone;
  await readyDone;
  w.lap('wait');
}

/**
 * Incident pages handed to the worker threads at a time. Each page waiting in the pool holds its
 * task (the job, what it shows of its neighbours), a promise and what writes it: ~4 KB, which for
 * 10,000 pages handed over at once was ~40 MB of this thread's heap until the last was rendered.
 */
export const REMOTE_WINDOW = 256;

/**
 * `send` for every page (in order), with at most `REMOTE_WINDOW` of them not yet written; settles
 * when all are written, or at the first failure (no page is sent after it).
 */
export function sendRemote(pages: readonly Page[], send: (page: Page, task: PageTask) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let pending = 0;
    let failed = false;
    const more = () => {
      while (!failed && next < pages.length && pending < REMOTE_WINDOW) {
        const page = pages[next++]!;
        pending++;
        send(page, page.remote!()!).then(
          () => {
            pending--;
            if (next === pages.length && pending === 0) resolve();
            else more();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    if (pages.length === 0) resolve();
    else more();
  });
}
