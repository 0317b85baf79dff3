import Handlebars from 'handlebars';
import type { incidentLinksView, incidentPage, incidentRef, incidentRow, remediationView } from './model.js';

/**
 * The default templates an incident page is made of (`templates/site/layout.hbs`,
 * `incident.hbs`, `remediation-row.hbs`, `incident-links.hbs` and their partials), and the
 * incidents' rows of the pages over many (`incident-row.hbs`), as plain
 * string builders: the same bytes as Handlebars fills them (`test/native-templates.test.ts`
 * renders the example, generated and fixture knowledge bases both ways), without its
 * per-value lookups and helper calls, which were a tenth of a worker thread's time on a cold
 * site build. The `.hbs` files stay the templates: `Renderer` uses a builder only when the
 * knowledge base overrides none of the files it stands for, and Handlebars otherwise.
 */

/** A value as `{{value}}` prints it: escaped, unless it is HTML already (a `SafeString`). */
const e: (value: unknown) => string = Handlebars.Utils.escapeExpression as (value: unknown) => string;

/** Whether `{{#if value}}` takes its first branch: not falsy (0 included) and not an empty list. */
const t = (value: unknown) => Boolean(value) && !(Array.isArray(value) && value.length === 0);

/** The `join` helper (`renderer.ts`) of a list, escaped. */
const join = (list: unknown, separator: string) => e(Array.isArray(list) ? list.join(separator) : '');

/** What the templates are given (the page models of `model.ts`, with what `incident-page.ts` and `renderer.ts` add). */
type Base = { base: string };
type Owner = { href: string; name: string };
type Ref = ReturnType<typeof incidentRef>;
type IncidentData = ReturnType<typeof incidentPage<unknown>> & Base & { phaseBar: unknown; remediationRowsHtml: unknown; links: unknown };
type RowData = ReturnType<typeof remediationView> & Base & { showIncident: boolean; incident?: Ref };
type LinksData = ReturnType<typeof incidentLinksView> & Base;
type IncidentRowData = ReturnType<typeof incidentRow> & Base;
type LayoutData = Base & {
  pageTitle: string;
  siteTitle: string;
  nav: { href: string; label: string; current: boolean }[];
  scripts: string[];
  footer: string;
  body: unknown;
};

/** `owner-link.hbs`. */
const ownerLink = (o: Owner, base: string) => (t(o.href) ? `<a href="${e(base)}${e(o.href)}">${e(o.name)}</a>` : e(o.name));

/** `incident-refs.hbs`. */
function incidentRefs(items: readonly Ref[], empty: string, base: string): string {
  if (!t(items.length)) return `<p class="none">${e(empty)}</p>\n`;
  let out = '<ul class="incident-refs">\n';
  for (const r of items) {
    out += t(r.known)
      ? `<li><a href="${e(base)}${e(r.href)}">${e(r.title)}</a> <span class="meta"><span class="badge ${e(r.severityClass)}">${e(r.severity)}</span> <time datetime="${e(r.started)}">${e(r.started)}</time> <span class="incident-id">${e(r.id)}</span></span></li>\n`
      : `<li><span class="incident-id">${e(r.id)}</span> <span class="meta">(not in the knowledge base or not valid)</span></li>\n`;
  }
  return `${out}</ul>\n`;
}

/** `incident-row.hbs`: a row of the index and of the services' and categories' pages. */
function incidentRowHtml(d: IncidentRowData): string {
  return (
    `<tr data-id="${e(d.id)}" data-started="${e(d.startedKey)}" data-title="${e(d.title)}" data-severity="${e(d.severity)}" data-severity-rank="${e(d.severityRank)}" data-services="${e(d.servicesKey)}" data-category="${e(d.category)}" data-provider="${e(d.provider)}" data-status="${e(d.status)}" data-year="${e(d.year)}" data-duration="${e(d.durationKey)}">\n` +
    `<td data-label="Started"><time datetime="${e(d.started)}">${e(d.started)}</time></td>\n` +
    `<td data-label="Incident"><a href="${e(d.base)}${e(d.href)}">${e(d.title)}</a> <span class="incident-id">${e(d.id)}</span></td>\n` +
    `<td data-label="Severity"><span class="badge ${e(d.severityClass)}">${e(d.severity)}</span></td>\n` +
    `<td data-label="Services">${join(d.serviceLabels, ', ')}${t(d.moreServices) ? ` and ${e(d.moreServices)} more` : ''}</td>\n` +
    `<td data-label="Category">${e(d.category)}</td>\n` +
    `<td data-label="Provider">${t(d.providerName) ? e(d.providerName) : '<span class="none">none</span>'}</td>\n` +
    `<td data-label="Status">${e(d.status)}</td>\n` +
    `<td data-label="Duration">${e(d.duration)}</td>\n</tr>\n`
  );
}

/** `incident-links.hbs`. */
function incidentLinks(d: LinksData): string {
  return (
    '<section id="links" aria-labelledby="links-title">\n<h2 id="links-title">Related and similar incidents</h2>\n' +
    `<h3>Related (listed by this incident)</h3>\n${incidentRefs(d.related, 'None listed.', d.base)}` +
    `<h3>Related (incidents that list this one)</h3>\n${incidentRefs(d.relatedBy, 'No incident lists this one.', d.base)}` +
    `<h3>Similar (${e(d.similarBy)})</h3>\n${incidentRefs(d.similar, 'No similar incidents found.', d.base)}</section>\n`
  );
}

/** `remediation-row.hbs`. */
function remediationRow(d: RowData): string {
  const b = d.base;
  const i = d.incident;
  const incident =
    t(d.showIncident) && i
      ? `<td data-label="Incident">${t(i.known) ? `<a href="${e(b)}${e(i.href)}">${e(i.title)}</a>` : e(i.id)}</td>`
      : '';
  return (
    `<tr class="status-${e(d.status)}${t(d.overdue) ? ' overdue' : ''}">\n${incident}\n` +
    `<td data-label="Id">${e(d.id)}</td>\n<td data-label="Action">${e(d.action)}</td>\n<td data-label="Type">${e(d.type)}</td>\n` +
    `${t(d.showIncident) ? '' : `<td data-label="Owner">${ownerLink(d.owner, b)}</td>`}\n` +
    `<td data-label="Due">${t(d.due) ? `<time datetime="${e(d.due)}">${e(d.due)}</time>` : '<span class="none">none</span>'}${t(d.overdue) ? ' <strong class="overdue-flag">Overdue</strong>' : ''}</td>\n` +
    `<td data-label="Status">${e(d.status)}</td>\n` +
    `<td data-label="Ticket">${t(d.ticket) ? e(d.ticket) : '<span class="none">none</span>'}</td>\n` +
    `<td data-label="Shared">${t(d.public) ? 'yes' : 'no'}</td>\n</tr>\n`
  );
}

/** `remediation-table.hbs`. */
function remediationTable(d: { itemsHtml: unknown; showIncident: boolean; caption: string }): string {
  return (
    `<div class="table-scroll">\n<table class="remediations">\n${t(d.caption) ? `<caption>${e(d.caption)}</caption>` : ''}\n` +
    `<thead><tr>${t(d.showIncident) ? '<th scope="col">Incident</th>' : ''}<th scope="col">Id</th><th scope="col">Action</th><th scope="col">Type</th>${t(d.showIncident) ? '' : '<th scope="col">Owner</th>'}<th scope="col">Due</th><th scope="col">Status</th><th scope="col">Ticket</th><th scope="col">Shared</th></tr></thead>\n` +
    `<tbody>\n${e(d.itemsHtml)}</tbody>\n</table>\n</div>\n`
  );
}

const li = (cond: unknown, href: string, label: string) => `${t(cond) ? `<li><a href="#${href}">${label}</a></li>` : ''}\n`;

function toc(d: IncidentData): string {
  let out =
    '<nav class="toc" aria-label="On this page">\n<h2 class="toc-title">On this page</h2>\n<ul>\n<li><a href="#facts">Facts</a></li>\n';
  out += li(d.summaryHtml, 'summary', 'Summary');
  out +=
    '<li><a href="#impact">Impact</a></li>\n<li><a href="#root-cause">Root cause</a></li>\n<li><a href="#timeline">Timeline</a></li>\n';
  out += li(t(d.remediations.length) || t(d.remediationsHtml), 'remediations', 'Remediations');
  out += li(d.customerSummary, 'customer-summary', 'Customer summary');
  for (const s of d.sections) out += `<li><a href="#${e(s.anchor)}">${e(s.title)}</a></li>\n`;
  out += li(d.recordLinks.length, 'record-links', 'Links');
  out += li(d.extra.length, 'extra', 'Other facts');
  return `${out}<li><a href="#links">Related and similar incidents</a></li>\n</ul>\n</nav>\n`;
}

function facts(d: IncidentData): string {
  const b = d.base;
  let out = '<section id="facts" aria-labelledby="facts-title">\n<h2 id="facts-title">Facts</h2>\n';
  if (t(d.phaseBar)) {
    out += `<figure class="figure-chart phase-bar">\n${e(d.phaseBar)}\n<figcaption>Phases of the incident, drawn to scale from the moment customer impact began.</figcaption>\n</figure>\n`;
  }
  out += '<dl class="facts">\n';
  out += `<dt>Services</dt><dd>${d.services.map((s) => `<a href="${e(b)}${e(s.href)}">${e(s.name)}</a>`).join(', ')}</dd>\n`;
  out += `<dt>Root-cause category</dt><dd><a href="${e(b)}${e(d.category.href)}">${e(d.category.name)}</a></dd>\n`;
  out += `<dt>Provider</dt><dd>${t(d.provider) ? e(d.provider) : 'none'}</dd>\n`;
  out += `${t(d.locations.length) ? `<dt>Locations</dt><dd>${join(d.locations, '; ')}</dd>` : ''}\n`;
  for (const x of d.times) out += `<dt>${e(x.label)}</dt><dd><time datetime="${e(x.iso)}">${e(x.display)}</time></dd>\n`;
  for (const x of d.durations) out += `<dt>${e(x.label)}</dt><dd>${e(x.value)}</dd>\n`;
  const o = d.owners;
  out += `${o.commander ? `<dt>Incident commander</dt><dd>${ownerLink(o.commander, b)}</dd>` : ''}\n`;
  out += `<dt>Authors</dt><dd>${o.authors.map((a) => ownerLink(a, b)).join(', ')}</dd>\n`;
  out += `${t(o.reviewers.length) ? `<dt>Reviewers</dt><dd>${o.reviewers.map((r) => ownerLink(r, b)).join(', ')}</dd>` : ''}\n`;
  out += `${t(d.tags.length) ? `<dt>Tags</dt><dd>${join(d.tags, ', ')}</dd>` : ''}\n`;
  return `${out}<dt>Record</dt><dd><code>${e(d.file)}</code></dd>\n</dl>\n</section>\n`;
}

function impact(d: IncidentData): string {
  const i = d.impact;
  let out = '';
  if (t(d.summaryHtml)) {
    out += `<section id="summary" aria-labelledby="summary-title">\n<h2 id="summary-title">Summary</h2>\n<div class="prose">${e(d.summaryHtml)}</div>\n</section>\n`;
  }
  out += `<section id="impact" aria-labelledby="impact-title">\n<h2 id="impact-title">Impact</h2>\n<p>${e(i.summary)}</p>\n`;
  if (t(i.symptoms.length)) out += `<p><strong>Symptoms:</strong> ${join(i.symptoms, '; ')}</p>\n`;
  out += `<p><strong>Level:</strong> ${e(i.level)}</p>\n`;
  out += `${t(i.affected) ? `<p><strong>Affected:</strong> ${e(i.affected)}</p>` : ''}\n`;
  if (t(i.windows.length)) {
    out += `<div class="table-scroll">\n<table class="windows">\n<caption>Impact windows of ${e(d.id)}</caption>\n<thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Level</th><th scope="col">Services</th><th scope="col">Scope</th><th scope="col">Summary</th><th scope="col">Shared</th></tr></thead>\n<tbody>\n`;
    for (const w of i.windows) {
      out += `<tr><td data-label="From">${e(w.from)}</td><td data-label="To">${e(w.to)}</td><td data-label="Level">${e(w.level)}</td><td data-label="Services">${e(w.services)}</td><td data-label="Scope">${e(w.scope)}</td><td data-label="Summary">${e(w.summary)}</td><td data-label="Shared">${t(w.public) ? 'yes' : 'no'}</td></tr>\n`;
    }
    out += '</tbody>\n</table>\n</div>\n';
  }
  out += `${t(d.credits.length) ? `<p><strong>Credits:</strong> ${d.credits.map((c) => e(c.summary)).join('; ')}</p>` : ''}\n`;
  out += `${t(i.percentResolved) ? `<p><strong>Resolved at mitigation:</strong> ${e(i.percentResolved)} of customers</p>` : ''}\n`;
  out += `${t(d.impactHtml) ? `<div class="prose">${e(d.impactHtml)}</div>` : ''}\n`;
  return `${out}</section>\n`;
}

const factorList = (list: readonly { category: string; summary: string }[]) =>
  `<ul class="factors">\n${list.map((f) => `<li><span class="factor-category">${e(f.category)}</span>: ${e(f.summary)}</li>\n`).join('')}</ul>\n`;

function rootCause(d: IncidentData): string {
  let out = `<section id="root-cause" aria-labelledby="root-cause-title">\n<h2 id="root-cause-title">Root cause</h2>\n<p>${e(d.rootCause)}</p>\n`;
  if (t(d.otherCauses.length)) out += `<h3>Other causes</h3>\n${factorList(d.otherCauses)}`;
  out += `${t(d.trigger) ? `<p><strong>Trigger:</strong> ${e(d.trigger)}</p>` : ''}\n`;
  const x = d.detection;
  out += `${x ? `<p><strong>Detection:</strong> ${e(x.method)}${t(x.summary) ? ` — ${e(x.summary)}` : ''}</p>` : ''}\n`;
  if (t(d.contributingFactors.length)) out += `<h3>Contributing factors</h3>\n${factorList(d.contributingFactors)}`;
  out += `${t(d.rootCauseHtml) ? `<h3>Analysis</h3>\n<div class="prose">${e(d.rootCauseHtml)}</div>` : ''}\n`;
  return `${out}</section>\n`;
}

function timeline(d: IncidentData): string {
  let out = `<section id="timeline" aria-labelledby="timeline-title">\n<h2 id="timeline-title">Timeline</h2>\n<p class="hint">Front-matter entries and the body's Timeline section, merged in time order. “Shared” entries may appear in customer letters.</p>\n<div class="table-scroll">\n<table class="timeline">\n<caption>Timeline of ${e(d.id)}</caption>\n<thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Event</th><th scope="col">Shared</th></tr></thead>\n<tbody>\n`;
  for (const x of d.timeline) {
    out += `<tr class="kind-${e(x.kind)}">\n<td data-label="Time"><time datetime="${e(x.iso)}">${e(x.display)}</time></td>\n<td data-label="Kind">${e(x.kind)}</td>\n<td data-label="Event">${e(x.event)}</td>\n<td data-label="Shared">${t(x.public) ? 'yes' : 'no'}</td>\n</tr>\n`;
  }
  return `${out}</tbody>\n</table>\n</div>\n</section>\n`;
}

const REMEDIATIONS_HEAD =
  '<section id="remediations" aria-labelledby="remediations-title">\n<h2 id="remediations-title">Remediations</h2>\n';

function rest(d: IncidentData): string {
  let out = '';
  if (t(d.remediations.length)) {
    out += `${REMEDIATIONS_HEAD}${remediationTable({ itemsHtml: d.remediationRowsHtml, showIncident: false, caption: 'Remediations and their owners' })}`;
    out += `${t(d.remediationsHtml) ? `<div class="prose">${e(d.remediationsHtml)}</div>` : ''}\n</section>\n`;
  } else if (t(d.remediationsHtml)) {
    out += `${REMEDIATIONS_HEAD}<div class="prose">${e(d.remediationsHtml)}</div>\n</section>\n`;
  }
  if (t(d.customerSummary)) {
    out += `<section id="customer-summary" aria-labelledby="customer-summary-title">\n<h2 id="customer-summary-title">Customer summary</h2>\n<p class="hint">From the <code>customer.summary</code> field.</p>\n<div class="prose">${e(d.customerSummary)}</div>\n</section>\n`;
  }
  for (const s of d.sections) {
    out += `<section id="${e(s.anchor)}" aria-labelledby="${e(s.anchor)}-title">\n<h2 id="${e(s.anchor)}-title">${e(s.title)}</h2>\n<div class="prose">${e(s.html)}</div>\n</section>\n`;
  }
  if (t(d.recordLinks.length)) {
    out += `<section id="record-links" aria-labelledby="record-links-title">\n<h2 id="record-links-title">Links</h2>\n<ul>\n${d.recordLinks.map((l) => `<li><a href="${e(l.url)}">${e(l.title)}</a> (${e(l.audience)})</li>\n`).join('')}</ul>\n</section>\n`;
  }
  if (t(d.extra.length)) {
    out += `<section id="extra" aria-labelledby="extra-title">\n<h2 id="extra-title">Other facts</h2>\n<p class="hint">From the record's <code>extra:</code> mapping.</p>\n<dl class="facts">\n${d.extra.map((x) => `<dt>${e(x.key)}</dt><dd>${e(x.value)}</dd>\n`).join('')}</dl>\n</section>\n`;
  }
  return out;
}

/** `incident.hbs`. */
function incident(d: IncidentData): string {
  const p = d.provenance;
  const provenance = p
    ? `<p class="provenance">Imported from ${e(p.kind)} (${t(p.url) ? `<a href="${e(p.url)}">${e(p.id)}</a>` : e(p.id)})${t(p.unreviewed) ? '; <strong>not reviewed yet</strong>' : ''}.</p>`
    : '';
  return (
    '<article class="incident">\n<header class="incident-header">\n' +
    `<p class="eyebrow"><span class="incident-id">${e(d.id)}</span> · <span class="badge ${e(d.severityClass)}">${e(d.severity)}</span> · <span class="status status-${e(d.status)}">${e(d.status)}</span></p>\n` +
    `<h1>${e(d.title)}</h1>\n${provenance}\n</header>\n` +
    `${toc(d)}${facts(d)}${impact(d)}${rootCause(d)}${timeline(d)}${rest(d)}${e(d.links)}</article>\n`
  );
}

/** `layout.hbs`. */
function layout(d: LayoutData): string {
  const b = e(d.base);
  const scripts = d.scripts.map((s) => `<script src="${b}${e(s)}" defer></script>\n`).join('');
  const nav = d.nav
    .map((n) => `<li><a href="${b}${e(n.href)}"${t(n.current) ? ' aria-current="page"' : ''}>${e(n.label)}</a></li>\n`)
    .join('');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'">\n` +
    '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="generator" content="postmortem-kb">\n' +
    `<title>${e(d.pageTitle)} · ${e(d.siteTitle)}</title>\n<link rel="stylesheet" href="${b}assets/site.css">\n` +
    `<link rel="alternate" type="application/atom+xml" href="${b}feed.xml" title="Public incident summaries">\n${scripts}</head>\n<body>\n` +
    '<a class="skip-link" href="#main">Skip to main content</a>\n<header class="site-header">\n' +
    `<p class="site-title"><a href="${b}index.html">${e(d.siteTitle)}</a></p>\n<nav aria-label="Site">\n<ul>\n${nav}</ul>\n</nav>\n</header>\n` +
    `<main id="main">\n${e(d.body)}\n</main>\n<footer class="site-footer">\n<p>${e(d.footer)}</p>\n</footer>\n</body>\n</html>\n`
  );
}

/** Each builder, by the template it stands for, with every template file (partials too) it stands for. */
export const NATIVE_TEMPLATES: ReadonlyMap<string, { files: readonly string[]; fill(data: object): string }> = new Map([
  ['layout.hbs', { files: ['layout.hbs'], fill: (d) => layout(d as LayoutData) }],
  ['incident.hbs', { files: ['incident.hbs', 'owner-link.hbs', 'remediation-table.hbs'], fill: (d) => incident(d as IncidentData) }],
  ['remediation-row.hbs', { files: ['remediation-row.hbs', 'owner-link.hbs'], fill: (d) => remediationRow(d as RowData) }],
  ['incident-links.hbs', { files: ['incident-links.hbs', 'incident-refs.hbs'], fill: (d) => incidentLinks(d as LinksData) }],
  ['incident-row.hbs', { files: ['incident-row.hbs'], fill: (d) => incidentRowHtml(d as IncidentRowData) }],
]);
