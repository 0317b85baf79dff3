import { parentPort } from 'node:worker_threads';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { IncidentReader } from '../db/incident-source.js';
import { Temporal } from '../model/time.js';
import { Facts } from './facts.js';
import { renderIncidentPageJob } from './incident-page.js';
import { siteData, type SiteData } from './model.js';
import { writePageSync, type WrittenPage } from './page.js';
import { runTask, type PageTask, type SiteTask, type SiteWorkerData } from './parallel.js';
import { Renderer } from './renderer.js';
import type { IncidentLinks } from './similar.js';

/**
 * Worker side of the site's task pool (`parallel.ts`): runs the batches of tasks it is sent
 * and posts the results back, in order — a string for Markdown and shards, what was written
 * for an incident page. A failure is posted as its message (the build reports it). Before
 * any incident page, the pool sends the site (`SiteWorkerData`).
 */
let site: SiteWorkerData | undefined;
/** The links of the pages in the batch at hand (an incident page shows only its own). */
const links = new Map<string, IncidentLinks>();
let pages: { data: SiteData; renderer: Renderer; folders: Set<string>; reader: IncidentReader } | undefined;

function pageContext(s: SiteWorkerData) {
  if (!pages) {
    const data = siteData({
      config: s.config, today: Temporal.PlainDate.from(s.today), facts: Facts.revive(s.facts), serviceNames: s.serviceNames,
      links: (id) => links.get(id)!,
    });
    pages = { data, renderer: new Renderer(s.root, data), folders: new Set(), reader: new IncidentReader(s.source) };
  }
  return pages;
}

function writePages(tasks: PageTask[]): WrittenPage[] {
  const s = site;
  if (!s) throw new Error('incident pages need the site (sent before them)');
  const { data, renderer, folders, reader } = pageContext(s);
  const incidents = reader.load(tasks.map((t) => [t.job.file, t.job.digest] as const));
  return tasks.map((t, n) => {
    links.set(t.job.id, t.linksOf);
    const rendered = renderIncidentPageJob(data, renderer, s.siteDir, t.job, incidents[n]!);
    links.delete(t.job.id);
    const file = join(s.siteDir, t.job.path);
    const changed = writePageSync(file, rendered, folders);
    if (!rendered.pieces) return { changed };
    const { ino, size, mtimeMs } = statSync(file);
    return { changed, pieces: rendered.pieces, stat: { ino, size, mtimeMs } };
  });
}

parentPort!.on('message', (message: SiteTask[] | { site: SiteWorkerData }) => {
  if (!Array.isArray(message)) {
    site = message.site;
    pages?.reader.close();
    pages = undefined;
    return;
  }
  const tasks = message;
  try {
    const pageTasks = tasks.filter((t): t is PageTask => t.kind === 'page');
    const written = pageTasks.length ? writePages(pageTasks) : [];
    let n = 0;
    parentPort!.postMessage({ results: tasks.map((t) => (t.kind === 'page' ? written[n++] : runTask(t))) });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
