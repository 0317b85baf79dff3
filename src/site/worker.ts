import { IncidentReader } from '../db/incident-source.js';
import { Temporal } from '../model/time.js';
import { Facts } from './facts.js';
import { renderIncidentPageJob } from './incident-page.js';
import { siteData, type SiteData } from './model.js';
import { remotePage, type RemotePage } from './page.js';
import { runTask, type PageTask, type SiteWorkerData, type TaskBatch } from './parallel.js';
import { Renderer } from './renderer.js';
import type { IncidentLinks } from './similar.js';

/**
 * Thread side of the site's tasks (`parallel.ts`), run by a thread of the tool's pool
 * (`threads/worker.ts`): a batch of tasks answered in order — a string for Markdown and shards,
 * an incident page's bytes (the build's thread writes every file, see `writePage`). Before any
 * incident page, the pool sends the site (`SiteWorkerData`).
 */
let site: SiteWorkerData | undefined;
/** The links of the pages in the batch at hand (an incident page shows only its own). */
const links = new Map<string, IncidentLinks>();
let pages: { data: SiteData; renderer: Renderer; reader: IncidentReader } | undefined;

function pageContext(s: SiteWorkerData) {
  if (!pages) {
    const data = siteData({
      config: s.config,
      today: Temporal.PlainDate.from(s.today),
      facts: Facts.revive(s.facts),
      serviceNames: s.serviceNames,
      links: (id) => links.get(id)!,
    });
    pages = { data, renderer: new Renderer(s.root, data), reader: new IncidentReader(s.source) };
  }
  return pages;
}

/** Buffers of pages the build's thread has written, to fill again (see `parallel.ts`). */
const spare: ArrayBuffer[] = [];
/** A buffer for a page's `size` bytes: a spare one when big enough, else a new one (with room for the next pages). */
function pageBuffer(size: number): Uint8Array {
  const at = spare.findIndex((b) => b.byteLength >= size);
  const buffer = at >= 0 ? spare.splice(at, 1)[0]! : new ArrayBuffer(Math.ceil((size * 1.25) / 4096) * 4096);
  return new Uint8Array(buffer, 0, size);
}

function renderPages(tasks: PageTask[]): RemotePage[] {
  const s = site;
  if (!s) throw new Error('incident pages need the site (sent before them)');
  const { data, renderer, reader } = pageContext(s);
  const incidents = reader.load(tasks.map((t) => [t.job.file, t.job.digest] as const));
  return tasks.map((t, n) => {
    links.set(t.job.id, t.linksOf);
    const rendered = renderIncidentPageJob(data, renderer, s.siteDir, t.job, incidents[n]!);
    links.delete(t.job.id);
    return remotePage(rendered, pageBuffer);
  });
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
  handle({ tasks, spare: buffers }: TaskBatch) {
    spare.push(...buffers);
    spare.length = Math.min(spare.length, 64);
    const pageTasks = tasks.filter((t): t is PageTask => t.kind === 'page');
    const rendered = pageTasks.length ? renderPages(pageTasks) : [];
    let n = 0;
    const result = tasks.map((t) => (t.kind === 'page' ? rendered[n++] : runTask(t)));
    // the pages' bytes move to the other thread, not copied
    return { result, transfer: rendered.flatMap((r) => (r.bytes ? [r.bytes.buffer as ArrayBuffer] : [])) };
  },
};
