import { statSync } from 'node:fs';
import { join } from 'node:path';
import { IncidentReader } from '../db/incident-source.js';
import { Temporal } from '../model/time.js';
import { Facts } from './facts.js';
import { renderIncidentPageJob } from './incident-page.js';
import { siteData, type SiteData } from './model.js';
import { holding, tryHolding, writePageHere, type Rendered, type WrittenPage } from './page.js';
import { runTask, type PageTask, type SiteWorkerData, type TaskBatch } from './parallel.js';
import { Renderer } from './renderer.js';
import type { IncidentLinks } from './similar.js';

/**
 * Thread side of the site's tasks (`parallel.ts`), run by a thread of the tool's pool
 * (`threads/worker.ts`): a batch of tasks answered in order — a string for Markdown and shards,
 * for an incident page what the build's thread records of it, once it is written here (one
 * thread at a time, see `writePage`). Before any incident page, the pool sends the site
 * (`SiteWorkerData`).
 */
let site: SiteWorkerData | undefined;
/** The links of the pages in the batch at hand (an incident page shows only its own). */
const links = new Map<string, IncidentLinks>();
let pages: { data: SiteData; renderer: Renderer; reader: IncidentReader; folders: Set<string>; fresh: ReadonlySet<string> } | undefined;

function pageContext(s: SiteWorkerData) {
  if (!pages) {
    const data = siteData({
      config: s.config,
      today: Temporal.PlainDate.from(s.today),
      facts: Facts.revive(s.facts),
      serviceNames: s.serviceNames,
      links: (id) => links.get(id)!,
    });
    const fresh = new Set(s.fresh);
    pages = { data, renderer: new Renderer(s.root, data), reader: new IncidentReader(s.source), folders: new Set(fresh), fresh };
  }
  return pages;
}

function renderPages(tasks: PageTask[]): WrittenPage[] {
  const s = site;
  if (!s) throw new Error('incident pages need the site (sent before them)');
  const { data, renderer, reader, folders, fresh } = pageContext(s);
  const incidents = reader.load(tasks.map((t) => [t.job.file, t.job.digest] as const));
  const written: WrittenPage[] = [];
  /** Pages rendered and not yet written, by their place in the batch. */
  const unwritten: { n: number; file: string; rendered: Rendered }[] = [];
  const write = ({ n, file, rendered }: (typeof unwritten)[number]) => {
    written[n] = { changed: writePageHere(file, rendered, folders, fresh) };
    if (!rendered.pieces) return;
    const { ino, size, mtimeMs } = statSync(file);
    written[n] = { ...written[n]!, pieces: rendered.pieces, stat: { ino, size, mtimeMs } };
  };
  tasks.forEach((t, n) => {
    links.set(t.job.id, t.linksOf);
    const rendered = renderIncidentPageJob(data, renderer, s.siteDir, t.job, incidents[n]!);
    links.delete(t.job.id);
    unwritten.push({ n, file: join(s.siteDir, t.job.path), rendered });
    // written now unless another thread is writing: then after the next page, or at the batch's end
    while (unwritten.length > 0 && tryHolding(s.lock, () => write(unwritten[0]!))) unwritten.shift();
  });
  for (const page of unwritten) holding(s.lock, () => write(page));
  return written;
}

/** The site a build renders pages of (sent before its pages; a later build sends its own). */
export const siteHandler = {
  handle(body: SiteWorkerData) {
    site = body;
    pages?.reader.close();
    pages = undefined;
    return { result: true };
  },
};

export const tasksHandler = {
  handle({ tasks }: TaskBatch) {
    const pageTasks = tasks.filter((t): t is PageTask => t.kind === 'page');
    const written = pageTasks.length ? renderPages(pageTasks) : [];
    let n = 0;
    return { result: tasks.map((t) => (t.kind === 'page' ? written[n++] : runTask(t))) };
  },
};
