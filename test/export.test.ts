import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderExport } from '../src/export/render.js';
import { exportLeak } from '../src/export/tripwire.js';
import { publicExportSchema } from '../src/export/view.js';
import { Temporal } from '../src/model/time.js';
import { scenario } from './export-fixtures.js';
import { customerPartArb, internalPartArb } from './letter-fixtures.js';

describe('export formats', () => {
  const sample = () => {
    const [customers, internals] = fc.sample(
      fc.tuple(fc.tuple(customerPartArb('2007-03-10-a'), customerPartArb('2007-03-11-b')), fc.tuple(internalPartArb, internalPartArb)),
      { numRuns: 1, seed: 7 },
    )[0]!;
    return scenario(
      customers,
      internals,
      { a: 'qzaaaaaaaaaax', b: 'qzbbbbbbbbbbx', c: 'qzccccccccccx', d: 'qzddddddddddx' },
      'Mail for 5% of mailboxes was delayed <b>& queued</b>.',
    );
  };

  it('atom: well-formed XML (fast-xml-parser) with the Atom elements a reader needs, ids stable, times RFC 3339', () => {
    const { config, incidents } = sample();
    const xml = renderExport('atom', incidents, config, { self: 'feed.xml', link: (id) => `incidents/${id}.html` });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'category', 'link'].includes(name) }).parse(xml);
    const feed = doc.feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe('urn:postmortem-kb:example-mail-inc:incidents');
    expect(feed.author.name).toBe('Example Mail, Inc.');
    expect(feed.entry.map((e: { id: string }) => e.id)).toEqual(
      incidents.map((i) => `urn:postmortem-kb:example-mail-inc:incident:${i.id}`).reverse(),
    );
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;
    for (const entry of feed.entry) {
      expect(entry.updated).toMatch(rfc3339);
      expect(entry.published).toMatch(rfc3339);
      expect(Temporal.Instant.compare(Temporal.Instant.from(entry.updated), Temporal.Instant.from(entry.published))).toBeGreaterThanOrEqual(
        0,
      );
      expect(entry.content['@_type']).toBe('html');
      expect(entry.content['#text']).toContain('Mail for 5% of mailboxes was delayed &amp; queued.');
      expect(entry.link[0]['@_href']).toBe(`incidents/${entry.id.split(':').pop()}.html`);
    }
    expect(feed.updated).toBe(
      feed.entry
        .map((e: { updated: string }) => e.updated)
        .sort((a: string, b: string) => Temporal.Instant.compare(Temporal.Instant.from(b), Temporal.Instant.from(a)))[0],
    );
  });

  it('json: matches its published schema; statuspage: exactly the incidents-API fields', () => {
    const { config, incidents } = sample();
    const json = JSON.parse(renderExport('json', incidents, config));
    expect(publicExportSchema.parse(json)).toEqual(json);
    expect(json.incidents[0].windows).toEqual([
      expect.objectContaining({ level: 'partial-outage', summary: 'Mail for 5% of mailboxes was delayed & queued.' }),
    ]);
    const page = JSON.parse(renderExport('statuspage', incidents, config));
    for (const incident of page.incidents) {
      expect(Object.keys(incident).sort()).toEqual(
        ['components', 'created_at', 'id', 'impact', 'incident_updates', 'name', 'resolved_at', 'shortlink', 'started_at', 'status'].sort(),
      );
      expect(incident.impact).toBe('major');
      expect(incident.status).toBe('resolved');
      for (const u of incident.incident_updates)
        expect(Object.keys(u).sort()).toEqual(['body', 'created_at', 'display_at', 'id', 'status']);
      const times = incident.incident_updates.map((u: { display_at: string }) => Temporal.Instant.from(u.display_at).epochMilliseconds);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(incident.incident_updates.at(-1)).toMatchObject({ id: `${incident.id}-impact`, status: 'investigating' });
    }
  });

  it('exportLeak reads the Atom content as a feed reader shows it', () => {
    const { config, incidents } = sample();
    const leaky = {
      ...incidents[0]!,
      customer_summary: `<i>x</i> [status](https://s.example/?q=${encodeURIComponent(incidents[0]!.root_cause.summary.split('. ')[0]!)})`,
    };
    const xml = renderExport('atom', [incidents[0]!], config).replace(
      '</content>',
      `${`&lt;a href="https://s.example/?q=${encodeURIComponent(incidents[0]!.root_cause.summary.split('. ')[0]!)}"&gt;x&lt;/a&gt;`}</content>`,
    );
    expect(exportLeak('atom', xml, [leaky], config)?.needle.field).toBe('root_cause.summary');
  });
});
