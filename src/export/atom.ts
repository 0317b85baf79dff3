import { Temporal } from '../model/time.js';
import { zoneFormatOf } from '../site/zone-format.js';
import { slugify } from '../source/sections.js';
import type { PublicExport, PublicIncident } from './view.js';

/**
 * The Atom feed (RFC 4287) of public incident summaries: one entry per incident, from the
 * public view only. Ids are stable (`urn:postmortem-kb:<organisation>:incident:<id>`);
 * `published` is when impact began and `updated` the latest time the record gives (its end,
 * else its latest public timeline entry), so a feed reader shows an incident again when it
 * ends. Nothing comes from the wall clock.
 */
export interface AtomOptions {
  zone: string;
  /** The feed's title; default "<organisation> incidents". */
  title?: string;
  /** Link of each entry (the site's incident page), when there is one. */
  link?: (id: string) => string;
  /** The feed's own address, relative to where it is served (the site's `feed.xml`). */
  self?: string;
}

/** Text as XML character data or an attribute value. */
export function xmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** XML character data as text again (what a feed reader does before it shows `type="html"` content). */
export function xmlUnescape(xml: string): string {
  return xml
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

const html = xmlText;
const EPOCH = '1970-01-01T00:00:00Z';

/** The latest instant the record gives for an incident: when an entry was last updated. */
export function entryUpdated(incident: PublicIncident): string {
  const times = [incident.started, incident.mitigated, incident.resolved, ...incident.timeline.map((e) => e.at)].filter(
    (t): t is string => t !== null,
  );
  return latest(times);
}

/** The latest of these times (the first of equal ones), each parsed once: parsing both sides of every comparison was a tenth of the site's feed. */
function latest(times: readonly string[]): string {
  const instants = times.map((t) => Temporal.Instant.from(t));
  let best = 0;
  for (let k = 1; k < instants.length; k++) if (Temporal.Instant.compare(instants[best]!, instants[k]!) < 0) best = k;
  return times[best]!;
}

function when(at: string, zone: string, approximate = false): string {
  // (the shared format from the zone's cached offsets, not a Temporal zoned time each: see `zoneFormat`)
  const text = zoneFormatOf(zone).shortDateTime(Temporal.Instant.from(at));
  return approximate ? `around ${text}` : text;
}

/** The entry's HTML: impact, Customer summary, public windows and timeline. */
function entryHtml(incident: PublicIncident, zone: string): string {
  const parts = [`<p>${html(incident.impact.summary)}</p>`];
  parts.push(
    `<p>Services: ${html(incident.services.map((s) => s.name).join(', '))}${incident.locations.length ? `. Locations: ${html(incident.locations.join(', '))}` : ''}.</p>`,
  );
  parts.push(
    `<p>Began ${html(when(incident.started, zone))}${incident.resolved ? `; resolved ${html(when(incident.resolved, zone))}` : '; not yet resolved'}.</p>`,
  );
  if (incident.customer_summary) parts.push(incident.customer_summary.html);
  if (incident.windows.length) {
    const items = incident.windows.map(
      (w) =>
        `<li>${html(when(w.from, zone))} to ${w.to ? html(when(w.to, zone)) : 'now'}: ${html(w.level)} of ${html(w.services.join(', '))}${w.summary ? `. ${html(w.summary)}` : ''}</li>`,
    );
    parts.push(`<h2>Impact</h2>\n<ul>\n${items.join('\n')}\n</ul>`);
  }
  if (incident.timeline.length) {
    const items = incident.timeline.map(
      (e) => `<li>${html(e.precision === 'day' ? e.at.slice(0, 10) : when(e.at, zone, e.approximate))}: ${html(e.event)}</li>`,
    );
    parts.push(`<h2>Timeline</h2>\n<ul>\n${items.join('\n')}\n</ul>`);
  }
  return parts.join('\n');
}

function entry(incident: PublicIncident, feedId: string, options: AtomOptions): string {
  const lines = [
    '  <entry>',
    `    <id>${xmlText(`${feedId}:incident:${incident.id}`)}</id>`,
    `    <title>${xmlText(incident.title)}</title>`,
    `    <published>${incident.started}</published>`,
    `    <updated>${entryUpdated(incident)}</updated>`,
  ];
  if (options.link) lines.push(`    <link rel="alternate" type="text/html" href="${xmlText(options.link(incident.id))}"/>`);
  for (const s of incident.services) lines.push(`    <category term="${xmlText(s.id)}" label="${xmlText(s.name)}"/>`);
  lines.push(`    <summary>${xmlText(incident.impact.summary)}</summary>`);
  lines.push(`    <content type="html">${xmlText(entryHtml(incident, options.zone))}</content>`);
  lines.push('  </entry>');
  return lines.join('\n');
}

/** The feed as XML text (UTF-8), entries in the export's order (newest first). */
export function renderAtom(data: PublicExport, options: AtomOptions): string {
  const feedId = `urn:postmortem-kb:${slugify(data.organization) || 'organization'}`;
  const updated = latest([EPOCH, ...data.incidents.map(entryUpdated)]);
  const head = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xmlText(`${feedId}:incidents`)}</id>`,
    `  <title>${xmlText(options.title ?? `${data.organization} incidents`)}</title>`,
    `  <updated>${updated}</updated>`,
    `  <author><name>${xmlText(data.organization)}</name></author>`,
    '  <generator>postmortem-kb</generator>',
  ];
  if (options.self) head.push(`  <link rel="self" type="application/atom+xml" href="${xmlText(options.self)}"/>`);
  return [...head, ...data.incidents.map((i) => entry(i, feedId, options)), '</feed>', ''].join('\n');
}
