import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacket } from '../src/commands/packet.js';
import { barChart, pointChart } from '../src/charts/index.js';
import { providerName, titleCase } from '../src/format/names.js';
import { inlineCode } from '../src/packet/helpers.js';
import { appendixOrder, nextToMove } from '../src/packet/layout.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { visibleText } from './helpers/visible-text.js';
import { incidentFile, NOTES, packetFixture, PACKET_CONFIG } from './packet-fixtures.js';
import type { Incident } from '../src/model/incident.js';
import type { TocEntry } from '../src/packet/view.js';

/** An incident body whose sections are in an unusual order, with a code span in front-matter text and an outside image. */
const BODY_IN_ORDER = `
## Remediations

Replacing the shelf waits on the vendor.

## Questions for the provider

Why was the shelf not replaced?

## Timeline

The timeline is in the front matter.

## Root cause

The shelf firmware is old. ![shelf diagram](https://images.example/shelf.png)

## Impact

Slow for an hour.

## Lessons learned

Check firmware.
`;

describe('packet layout (small knowledge base)', () => {
  let root: string;
  let html: string;
  let text: string;
  beforeAll(async () => {
    const files = packetFixture({
      'postmortem.config.yaml': PACKET_CONFIG.replace(
        'providers: [hostco, other-net]',
        'providers: [hostco, other-net]\nprovider_names: {hostco: HostCo Managed Hosting}',
      ),
      // no Agenda section in these notes
      'reviews/q2.md': NOTES.replace('## Agenda\n\n- 09:00 Incidents\n\n', ''),
      'incidents/c-in-period.md': incidentFile({
        id: 'c-in-period',
        title: 'Second hostco incident',
        provider: 'hostco',
        started: '2007-06-30T23:00:00-04:00',
        resolved: '2007-07-01T00:30:00-04:00',
        extraBody: BODY_IN_ORDER,
      }).replace('summary: A disk failed.', 'summary: The `shelf-fw` update job never ran.'),
    });
    root = tempKb(files);
    const ctx = captureContext(root);
    const explicit = await runPacket(ctx, { name: 'q2-review', formats: ['html'] });
    html = explicit.packet.html;
    text = visibleText(html);
  });
  afterAll(() => removeKb(root));

  it('shows providers by display name, and an id without one title-cased', async () => {
    expect(text).toContain('Provider HostCo Managed Hosting');
    expect(text).toContain('Provider involved HostCo Managed Hosting');
    expect(html).not.toMatch(/>hostco</);
    const ctx = captureContext(root);
    const other = await runPacket(ctx, { incidents: ['d-other-provider'], formats: ['html'] });
    expect(visibleText(other.packet.html)).toContain('Provider involved Other Net');
    expect(titleCase('keystone-dns')).toBe('Keystone Dns');
    expect(providerName({ provider_names: new Map([['keystone-dns', 'Keystone DNS']]) }, 'keystone-dns')).toBe('Keystone DNS');
  });

  it('prints the body sections once each, in source order, with the structured parts at their sections', () => {
    const start = text.indexOf('3.2 Second hostco incident SEV2 2007-06-30 ·');
    const order = [
      'Summary Something broke.',
      'Remediations Replacing the shelf waits',
      'No remediations recorded.',
      'Questions for the provider',
      'Timeline Time Since start',
      'Root cause (hardware) The shelf-fw',
      'Impact Webmail was slow. Slow for an hour.',
      'Lessons learned Check firmware.',
    ];
    const at = order.map((h) => text.indexOf(h, start));
    expect(
      at.every((n) => n > start),
      JSON.stringify(at),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text.split('Questions for the provider Why was the shelf not replaced?').length - 1).toBe(1);
    // the timeline's prose is the table, not repeated
    expect(text).not.toContain('The timeline is in the front matter.');
  });

  it('renders code spans of front-matter text as code, with no literal backticks', () => {
    expect(html).toContain('The <code>shelf-fw</code> update job never ran.');
    expect(text).not.toContain('`shelf-fw`');
    expect(inlineCode('run `a<b` now & `c`')).toBe('run <code>a&lt;b</code> now &amp; <code>c</code>');
    expect(inlineCode('one ` alone')).toBe('one &#x60; alone');
  });

  it('says which image was left out instead of printing a broken image', () => {
    expect(html).not.toMatch(/<img(?![^>]*src="data:)/);
    expect(text).toContain('[image not included: shelf diagram]');
  });

  it('has no Agenda chapter without an agenda, and counts in words', () => {
    expect(text).not.toMatch(/\d Agenda/);
    expect(text).toContain('1 Executive summary');
    expect(text).toContain('1 other catalogue service had no incident in either period (100%).');
  });

  it('says "no incidents" for an empty previous period, not "0 incidents and less than a minute"', async () => {
    const ctx = captureContext(root);
    const { packet } = await runPacket(ctx, { provider: 'hostco', since: '2007-06-15', until: '2007-06-30', formats: ['html'] });
    if (packet.audience !== 'internal') throw new Error(`expected the internal packet, got the ${packet.audience} version`);
    const summary = packet.view.summary.paragraphs.join(' ');
    expect(summary).toContain('against no incidents in the 16 days before (May 30, 2007 – June 14, 2007)');
    expect(summary).toContain('previous period: no incidents)');
    expect(summary).not.toMatch(/\b0 incidents\b|less than a minute/);
  });

  it('links every defined figure to one "How these are counted" box that names the evaluation date', () => {
    expect(html.split('<aside class="definitions').length - 1).toBe(1);
    for (const id of ['availability', 'impact', 'resolve', 'overdue']) {
      expect(html, id).toContain(`<dt id="def-${id}">`);
      expect(html, id).toContain(`href="#def-${id}"`);
    }
    expect(text).toContain(
      'How these are counted Every number in this packet is the knowledge base as it stood at the end of July 2, 2007',
    );
    expect(text).toContain('Overdue A remediation that is open or in progress with a due date before July 2, 2007');
    // said once: the availability method is not repeated under the table any more
    expect(text.split('Availability per service is 1 − counted minutes').length - 1).toBe(1);
  });
});

describe('what moves to the appendices', () => {
  const incident = (id: string, severity: string, providers: string[]) => ({ id, severity, providers }) as unknown as Incident;
  const incidents = [
    incident('a', 'SEV1', ['hostco']),
    incident('b', 'SEV2', ['hostco']),
    incident('c', 'SEV2', []),
    incident('d', 'SEV1', []),
  ];

  it('moves timelines first, then whole reviews, least severe first and, within a severity, those of other providers', () => {
    expect(appendixOrder(incidents, { severities: ['SEV1', 'SEV2'] }, 'hostco')).toEqual([
      'timeline:c',
      'timeline:b',
      'timeline:d',
      'timeline:a',
      'incident:c',
      'incident:b',
      'incident:d',
      'incident:a',
    ]);
  });

  it('moves parts until the pages they free cover the excess, and never a timeline whose review already moved', () => {
    const toc: TocEntry[] = ['summary', 'incident-a', 'incident-b', 'trends'].map((anchor, i) => ({
      anchor,
      number: String(i),
      title: anchor,
      heading: anchor,
      level: 1,
    }));
    const measured = {
      pdf: new Uint8Array(),
      body: 24,
      pages: new Map([
        ['summary', 3],
        ['incident-a', 5],
        ['incident-b', 9],
        ['trends', 15],
      ]),
    };
    const order = ['timeline:b', 'timeline:a', 'incident:b', 'incident:a'];
    // 4 pages over: timelines of 50 and 25 rows free about 3, so b's review (6 pages) moves too
    expect(nextToMove(order, { moved: [], bodyPages: 20 }, measured, toc, (id) => (id === 'b' ? 50 : 25))).toEqual([
      'timeline:b',
      'timeline:a',
      'incident:b',
    ]);
    expect(nextToMove(order, { moved: ['incident:b'], bodyPages: 20 }, measured, toc, () => 0)).toEqual(['timeline:a', 'incident:a']);
    expect(nextToMove(order, { moved: order, bodyPages: 20 }, measured, toc, () => 0)).toEqual([]);
  });
});

describe('charts with one value that dwarfs the rest', () => {
  it('draws the outlier of a point chart off scale, marked and labelled with its value', () => {
    const svg = pointChart(
      [
        { label: 'Q1', value: 120 },
        { label: 'Q2', value: 3400 },
        { label: 'Q3', value: 95 },
      ],
      { title: 'T', valueAxisLabel: 'Minutes' },
    );
    expect(svg.match(/class="point outlier"/g)).toHaveLength(1);
    expect(svg).toContain('data-value="3400"');
    expect(svg).toContain('>3400 (off scale)<');
    expect(svg).toContain('class="axis-break"');
    // the axis stops near the next largest value, so 120 is not flattened
    expect(svg).not.toMatch(/>3500</);
    const even = pointChart(
      [
        { label: 'Q1', value: 120 },
        { label: 'Q2', value: 340 },
      ],
      { title: 'T', valueAxisLabel: 'Minutes' },
    );
    expect(even).not.toContain('outlier');
    expect(even).not.toContain('axis-break');
  });

  it('breaks the outlier bar of a bar chart', () => {
    const svg = barChart(
      [
        { label: 'a', value: 500 },
        { label: 'b', value: 4 },
        { label: 'c', value: 3 },
      ],
      { title: 'T', valueAxisLabel: 'Incidents' },
    );
    expect(svg.match(/class="bar outlier"/g)).toHaveLength(1);
    expect(svg).toContain('>500 (off scale)<');
    expect(
      barChart(
        [
          { label: 'a', value: 30 },
          { label: 'b', value: 4 },
        ],
        { title: 'T', valueAxisLabel: 'Incidents' },
      ),
    ).not.toContain('outlier');
  });
});
