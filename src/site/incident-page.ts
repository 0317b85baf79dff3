import { join } from 'node:path';
import { compactDuration } from '../format/time.js';
import type { Incident } from '../model/incident.js';
import { incidentLinksView, incidentPage, incidentPageMarkdownList, type SiteData } from './model.js';
import type { Page, Rendered } from './page.js';
import type { PageTask } from './parallel.js';
import { assemble, matches, Pieces, previousPage, splice, type PreviousPage } from './pieces.js';
import { baseOf, type Renderer } from './renderer.js';
import type { Layout, Layouts } from './layouts.js';
import { hash } from './state.js';
import { loadMarkdownKit, markdownKit, renderKit } from './render-kit.js';

/**
 * Incident pages. A page's pieces are its sections' HTML (keyed by their Markdown) and its
 * links section (keyed by what it shows of other incidents); the rest of its inputs — the
 * incident's file, which remediations are overdue, the templates — is the layout's head.
 *
 * On big builds a worker thread renders and writes a whole page (`IncidentPageJob`, see
 * `parallel.ts`): the job is plain data, and the worker loads the incident from the parse
 * cache itself. Either thread renders a page with `renderIncidentPage`.
 */

/** The key of a section's HTML among a page's pieces: the Markdown it is rendered from. */
const markdownKey = (markdown: string) => hash(markdown).slice(0, 16);
// (an incident page's other key, its links section's, starts with L: no digest does)

function phaseBarSvg(i: Incident) {
  const phases = renderKit().phasesOf(i);
  return phases.length
    ? renderKit().sanitizedHtml(
        renderKit().phaseBar({ phases }, { title: 'Phases of the incident, to scale', id: `phases-${i.id}`, format: compactDuration }),
      )
    : '';
}

/** What a page is rendered from besides the incident: plain data (it crosses to worker threads). */
export interface IncidentPageJob {
  id: string;
  /** The page's path in the site. */
  path: string;
  /** The incident's file and content digest (to load it from the parse cache). */
  file: string;
  digest: string;
  /** Key of the page's inputs but its links (the layout's head). */
  rest: string;
  /** Key of the links section's inputs. */
  links: string;
  /** The previous file's layout, when sections can be copied from it. */
  layout?: Layout;
}

/**
 * An incident page: the incident's page model in `incident.hbs`, its sections' HTML and links
 * section put in as pieces — copied from `previous` when it has them, else rendered (`html`).
 */
export function renderIncidentPage(
  data: SiteData,
  renderer: Renderer,
  job: Pick<IncidentPageJob, 'path' | 'rest' | 'links'>,
  incident: Incident,
  previous: PreviousPage | undefined,
  html: (markdown: string) => string,
): Rendered {
  const base = baseOf(job.path);
  const pieces = new Pieces();
  const model = incidentPage(data, incident, (m) => pieces.one(markdownKey(m), () => html(m)));
  const skeleton = renderer.page(
    job.path,
    'incident.hbs',
    {
      ...model,
      phaseBar: phaseBarSvg(incident),
      remediationRowsHtml: renderKit().sanitizedHtml(
        model.remediations.map((v) => renderer.piece('remediation-row.hbs', { ...v, showIncident: false, base })).join(''),
      ),
      links: pieces.one(job.links, () => linksHtml(data, renderer, incident.id, base)),
    },
    { title: incident.title, nav: 'none' },
  );
  const page = assemble(skeleton, pieces, previous, () => true);
  return {
    content: page,
    pieces: { head: job.rest, keys: page.keys, spans: page.spans, rendered: page.rendered, copied: page.copied },
    ...(previous ? { previous: previous.bytes } : {}),
  };
}

const linksHtml = (data: SiteData, renderer: Renderer, id: string, base: string) =>
  renderer.piece('incident-links.hbs', { ...incidentLinksView(data, id), base });

/** The page of a job, in a worker thread: its previous file looked at, its Markdown rendered there. */
export function renderIncidentPageJob(
  data: SiteData,
  renderer: Renderer,
  siteDir: string,
  job: IncidentPageJob,
  incident: Incident,
): Rendered {
  return renderIncidentPage(data, renderer, job, incident, previousPage(join(siteDir, job.path), job.layout), (m) =>
    markdownKit().markdownToHtml(m, 'internal'),
  );
}

/** About how many tasks an incident page rendered whole is (its sections' Markdown). */
export const INCIDENT_PAGE_WEIGHT = 8;

export interface IncidentPageContext {
  id: string;
  path: string;
  /** The incident's file and content digest. */
  file: string;
  digest: string;
  siteDir: string;
  renderer(): Renderer;
  load(ids: readonly string[]): Incident[];
  /** The previous build's layouts (pieces of incident pages do not depend on the templates). */
  layout: Layouts | undefined;
  /** Key of the page's inputs but its links: the incident's file, which remediations are overdue, the templates. */
  rest: string;
  /** Key of the links section's inputs (what the page shows of related and similar incidents). */
  links: string;
}

/**
 * An incident page as the build plans it. When only the links changed — a related or similar
 * incident's title, say — the page is the previous one with the links section replaced: the
 * incident is not even loaded. Otherwise the page is rendered whole, by a worker thread on big
 * builds (`remote`), else here, with its Markdown rendered beforehand (`tasks`).
 */
export function incidentPageOf(data: SiteData, c: IncidentPageContext): Page {
  const file = join(c.siteDir, c.path);
  const layout = c.layout?.get(c.path);
  let spliceable: boolean | undefined;
  const canSplice = () => (spliceable ??= layout?.head === c.rest && matches(file, layout));
  let previous: PreviousPage | undefined;
  let markdown: string[] = [];
  const copied = (m: string) => previous?.has(markdownKey(m)) ?? false;
  const render = (incident: Incident, html: ReadonlyMap<string, string>): Rendered => {
    const out = renderIncidentPage(
      data,
      c.renderer(),
      c,
      incident,
      previous,
      (m) => html.get(m) ?? markdownKit().markdownToHtml(m, 'internal'),
    );
    previous = undefined;
    return out;
  };

  return {
    path: c.path,
    digest: hash(c.rest, c.links),
    needs: () => (canSplice() ? [] : [c.id]),
    // unless most sections are copied from the previous page
    weight: layout ? 1 : INCIDENT_PAGE_WEIGHT,
    remote: () =>
      canSplice()
        ? undefined
        : ({
            kind: 'page',
            job: { id: c.id, path: c.path, file: c.file, digest: c.digest, rest: c.rest, links: c.links, ...(layout ? { layout } : {}) },
            linksOf: data.links(c.id),
          } satisfies PageTask),
    tasks: (full) => {
      if (canSplice()) return [];
      // sections' HTML is copied from the previous page when their Markdown is the same
      previous = previousPage(file, layout);
      markdown = incidentPageMarkdownList(full(c.id));
      return markdown.filter((m) => !copied(m)).map((m) => ({ kind: 'markdown', markdown: m }));
    },
    render: (full, results) => {
      if (canSplice()) {
        const before = previousPage(file, layout);
        if (before) {
          const page = splice(before, (key) =>
            key.startsWith('L') ? { key: c.links, html: linksHtml(data, c.renderer(), c.id, baseOf(c.path)) } : undefined,
          );
          return {
            content: page,
            pieces: { head: c.rest, keys: page.keys, spans: page.spans, rendered: page.rendered, copied: page.copied },
            previous: before.bytes,
          };
        }
        // the file changed since it was looked at: the whole page, then
        return loadMarkdownKit().then(() => render(c.load([c.id])[0]!, new Map()));
      }
      const fresh = markdown.filter((m) => !copied(m));
      return render(full(c.id), new Map(fresh.map((m, n) => [m, results[n]!])));
    },
  };
}
