import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActions } from '../src/commands/actions.js';
import { runCredits } from '../src/commands/credits.js';
import { runStats } from '../src/commands/stats.js';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { compactDuration } from '../src/format/time.js';
import { buildPacket, type PacketBuild } from '../src/packet/build.js';
import { requestFromDocument } from '../src/packet/spec.js';
import type { PacketDocumentSpec } from '../src/schema/config.js';
import { captureContext } from './helpers/kb.js';

/**
 * The June 2007 packet's brief says what `stats`, `actions` and `credits` say for Rackspace,
 * the packet's period and the meeting day (`--as-of 2007-06-14`).
 */
const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..');
const MEETING = '2007-06-14';
const RANGE = { since: '2007-01-01', until: MEETING };
let out: string;
let packet: PacketBuild;
let brief: string;
/** A service as the packet shows it: its display name from the example config (`service_names`). */
let named: (id: string) => string;

/** The text a reader sees of the brief. */
function briefText(html: string): string {
  const start = html.indexOf('<section class="brief"');
  return html
    .slice(start, html.indexOf('</section>', start))
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const ctx = () => captureContext(EXAMPLE, { out });
const stats = async (options: Omit<Parameters<typeof runStats>[1], 'format' | 'asOf'>) =>
  (await runStats(ctx(), { ...options, ...RANGE, format: 'json', asOf: MEETING })).rows;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'pmkb-brief-'));
  const kb = await updateKnowledgeBase(captureContext(EXAMPLE, { out }));
  const spec = kb.config.documents.find((d): d is PacketDocumentSpec => d.type === 'packet' && d.name === '2007-06-provider-review')!;
  packet = await buildPacket(captureContext(EXAMPLE, { out }), kb, { ...requestFromDocument(spec), formats: ['html'] });
  brief = briefText(packet.html);
  named = (id) => kb.config.service_names.get(id) ?? id;
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the brief of the June 2007 packet', () => {
  it('comes right after the cover, before the contents', () => {
    const html = packet.html;
    expect(html.indexOf('<section class="brief"')).toBeGreaterThan(html.indexOf('</header>'));
    expect(html.indexOf('<section class="brief"')).toBeLessThan(html.indexOf('<nav class="toc"'));
  });

  it('counts the incidents that involved Rackspace and those it caused as `stats --provider` / `--attributed-to` do', async () => {
    const involved = await stats({ by: 'severity', provider: 'rackspace' });
    const caused = await stats({ by: 'severity', attributedTo: 'rackspace' });
    const sum = (rows: typeof involved) => rows.reduce((s, r) => s + r.incidents, 0);
    expect([sum(involved), sum(caused)]).toEqual([6, 5]);
    expect(brief).toContain(
      `${sum(involved)} incidents involved Rackspace ${sum(caused)} caused by them · all ${sum(involved)} by severity: ${involved.map((r) => `${r.group} ${r.incidents}`).join(', ')}`,
    );
  });

  it('gives the customer impact Rackspace caused by level as `stats --by level --attributed-to` does', async () => {
    const levels = await stats({ by: 'level', attributedTo: 'rackspace' });
    expect(levels.map((r) => [r.group, r.incidents, r.impact_minutes])).toEqual([
      ['outage', 5, 511],
      ['partial-outage', 1, 16],
    ]);
    expect(brief).toContain(
      `${levels.map((l) => `${compactDuration(l.impact_minutes)} ${l.group.replace('-', ' ')} (${l.incidents} incident${l.incidents === 1 ? '' : 's'})`).join(', ')}`,
    );
    // the mail-routing database failure was ours: none of its minutes are here
    expect(packet.incidents.map((i) => i.id)).toContain('2007-06-13-mail-routing-database');
  });

  it('gives the availability of the contract services from their windows alone, as `stats --by service --attributed-to` does', async () => {
    const rows = await stats({ by: 'service', attributedTo: 'rackspace', service: ['pop', 'imap', 'webmail', 'smtp-inbound'] });
    const worst = [...rows].sort((a, b) => a.availability_percent! - b.availability_percent! || (a.group < b.group ? -1 : 1))[0]!;
    expect(brief).toContain(
      `${worst.availability_percent!.toFixed(3)}% availability of ${named(worst.group)}, their worst service, against 99.9% contracted`,
    );
    for (const r of rows.filter((x) => x !== worst)) expect(brief).toContain(`${named(r.group)} ${r.availability_percent!.toFixed(3)}%`);
    expect(brief).toContain('availability of IMAP mail access, their worst service'); // by display name, not "imap"
  });

  it('counts the remediations Rackspace owns on the meeting day as `actions --owner provider:rackspace --status all --as-of` does', async () => {
    const { rows } = await runActions(ctx(), { owner: 'provider:rackspace', status: 'all', format: 'json', asOf: MEETING });
    const done = rows.filter((r) => r.status === 'done').length;
    const open = rows.filter((r) => r.status === 'open' || r.status === 'in-progress').length;
    const overdue = rows.filter((r) => r.days_overdue !== null).length;
    expect([done, open, overdue]).toEqual([1, 2, 1]);
    expect(brief).toContain(`${done} done · ${open} open · ${overdue} overdue remediations Rackspace owns, on June 14, 2007`);
  });

  it('gives the credits still claimable on the meeting day, as `credits` computes them', async () => {
    const { rows } = await runCredits(ctx(), { provider: 'rackspace', ...RANGE, format: 'json', asOf: MEETING });
    const claimable = rows.filter((r) => r.claim_by >= MEETING).reduce((s, r) => s + r.credit_amount, 0);
    const owed = rows.reduce((s, r) => s + r.credit_amount, 0);
    expect([claimable, owed]).toEqual([2400, 6600]);
    expect(brief).toContain('$2,400.00 in service credits we can still claim $6,600.00 owed for 11 service-months below a contract tier');
  });

  it('lists the top asks, the decisions needed and the agenda with its sections', () => {
    // the numbers are the list's own (<li value="1">), not text
    expect(brief).toContain(
      'What we ask of Rackspace Pre-approved emergency changes Direct paging Vendor bulletins 5 more in section 8.4.',
    );
    expect(brief).toContain('Decisions needed Whether we claim the May and June service credits now');
    expect(brief).toContain('Credits owed to us section 7');
    expect(brief).toContain('What we need from Rackspace section 8.4');
  });
});

/** The rows of the executive summary's table whose caption starts with `caption`, as cell texts. */
function summaryTable(html: string, caption: string): string[][] {
  const start = html.indexOf(caption);
  const table = html.slice(start, html.indexOf('</table>', start));
  return [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()),
  );
}

describe('the executive summary', () => {
  it('counts the incidents Rackspace caused per severity as `stats --by severity --attributed-to` and the brief do', async () => {
    const caused = await stats({ by: 'severity', attributedTo: 'rackspace' });
    const rows = summaryTable(packet.html, 'Incidents by severity');
    const column = rows[0]!.indexOf('Caused by Rackspace');
    expect(column).toBe(2);
    for (const severity of ['SEV1', 'SEV2', 'SEV3', 'SEV4']) {
      const row = rows.find((r) => r[0] === severity)!;
      expect(row[column], severity).toBe(String(caused.find((r) => r.group === severity)?.incidents ?? 0));
    }
    expect(rows.find((r) => r[0] === 'Total')![column]).toBe(String(caused.reduce((s, r) => s + r.incidents, 0)));
    expect(rows.find((r) => r[0] === 'SEV3')![column]).toBe('0'); // the SEV3s were not theirs
    // one definition: the brief's "caused by them" is the column's total
    expect(brief).toContain(`${rows.find((r) => r[0] === 'Total')![column]} caused by them`);
    expect(rows.slice(1, 5).map((r) => r[column])).toEqual(['2', '2', '0', '1']);
  });

  it('names the one definition of "Caused by Rackspace" in the "How these are counted" box, and both columns link to it', () => {
    const box = packet.html.slice(
      packet.html.indexOf('<aside class="definitions'),
      packet.html.indexOf('</aside>', packet.html.indexOf('<aside class="definitions')),
    );
    expect(box.replace(/<[^>]+>/g, '')).toContain(
      'Caused by RackspaceOnly the impact windows attributed to Rackspace count against Rackspace (attribution: provider); windows we caused, shared ones, a third party’s and unattributed ones do not.',
    );
    expect(packet.html.match(/<a class="def-ref" href="#def-caused">Caused by Rackspace<\/a>/g)).toHaveLength(2);
  });

  it("gives each service's availability counting only Rackspace's windows next to all causes, as `stats --by service --attributed-to` does", async () => {
    const all = await stats({ by: 'service' });
    const theirs = await stats({ by: 'service', attributedTo: 'rackspace' });
    const rows = summaryTable(packet.html, 'per service, this period against');
    expect(rows[0]!.slice(0, 3)).toEqual(['Service', 'This period', 'Caused by Rackspace']);
    const percent = (r: { availability_percent?: number | null } | undefined) => `${(r?.availability_percent ?? 100).toFixed(3)}%`;
    for (const row of rows.slice(1)) {
      expect(row[1], row[0]).toBe(percent(all.find((r) => named(r.group) === row[0])));
      expect(row[2], row[0]).toBe(percent(theirs.find((r) => named(r.group) === row[0])));
    }
    // the mail-routing database failure was ours: all causes count it, Rackspace's column does not
    const routing = rows.find((r) => r[0] === 'Mailbox routing')!; // mail-routing, by its display name
    expect(routing.slice(1, 3)).toEqual(['99.980%', '100.000%']);
  });
});

describe('the trends chapter', () => {
  it("splits the provider's incidents per month into those it caused and the rest, as `stats --by month` does", async () => {
    const trailing = {
      since: '2006-07-01',
      until: MEETING,
      format: 'json' as const,
      asOf: MEETING,
      by: 'month' as const,
      provider: 'rackspace',
    };
    const involved = (await runStats(ctx(), trailing)).rows;
    const caused = (await runStats(ctx(), { ...trailing, attributedTo: 'rackspace' })).rows;
    const html = packet.html;
    const start = html.indexOf('Incidents involving Rackspace per month, by who caused them');
    const chart = html.slice(start, html.indexOf('</svg>', start));
    const bars = [...chart.matchAll(/<g class="bar" data-category="([^"]*)" data-total="(\d+)"/g)].map((m) => Number(m[2]));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(involved.reduce((a, r) => a + r.incidents, 0));
    const causedTitles = [...chart.matchAll(/— Caused by Rackspace: (\d+)</g)].map((m) => Number(m[1]));
    expect(causedTitles).toEqual(caused.map((r) => r.incidents));
    expect(chart).toContain('— Ours, shared or other: 1<'); // February's shared spam backlog
  });
});

/** The SVG of the trends chart whose id is `id`. */
function chartSvg(html: string, id: string): string {
  const start = html.lastIndexOf('<svg', html.indexOf(`id="${id}-title"`));
  return html.slice(start, html.indexOf('</svg>', start));
}

describe('the trends chapter splits every chart by who caused the incidents', () => {
  const trailing = { since: '2006-07-01', until: MEETING, format: 'json' as const, asOf: MEETING };

  it('marks beside each month of "Incidents per month, by severity" the incidents Rackspace caused, as `stats --by month --attributed-to` counts them', async () => {
    const all = (await runStats(ctx(), { ...trailing, by: 'month' })).rows;
    const caused = (await runStats(ctx(), { ...trailing, by: 'month', attributedTo: 'rackspace' })).rows;
    const chart = chartSvg(packet.html, 'trend-monthly');
    expect(chart).toContain('>Incidents per month, by severity</text>');
    expect(chart).toContain('class="part-swatch"'); // the legend names the mark
    expect(chart).toMatch(/<text[^>]*>caused by Rackspace<\/text>/);
    const totals = [...chart.matchAll(/data-total="(\d+)"/g)].map((m) => Number(m[1]));
    expect(totals.reduce((a, b) => a + b, 0)).toBe(all.reduce((a, r) => a + r.incidents, 0));
    const marks = [...chart.matchAll(/<rect class="part"[^>]*><title>([^<]*) — caused by Rackspace: (\d+)<\/title>/g)].map((m) =>
      Number(m[2]),
    );
    expect(marks).toEqual(caused.map((r) => r.incidents));
    expect(marks.reduce((a, b) => a + b, 0)).toBeLessThan(totals.reduce((a, b) => a + b, 0));
  });

  it('draws a dashed second line on "Median time to resolve, per quarter" for the incidents Rackspace caused, as `stats --by quarter --attributed-to` gives it', async () => {
    const all = (await runStats(ctx(), { ...trailing, by: 'quarter' })).rows;
    const caused = (await runStats(ctx(), { ...trailing, by: 'quarter', attributedTo: 'rackspace' })).rows;
    const chart = chartSvg(packet.html, 'trend-resolve');
    expect(chart).toMatch(/<path class="line second"[^>]*stroke-dasharray/);
    expect(chart).toMatch(/<text[^>]*>All causes<\/text>.*<text[^>]*>Caused by Rackspace<\/text>/s);
    const titles = (kind: string) => [...chart.matchAll(new RegExp(`<${kind} [^>]*><title>([^<]*)</title>`, 'g'))].map((m) => m[1]);
    expect(titles('circle')).toEqual(
      all.filter((r) => r.resolve_median !== null).map((r) => expect.stringContaining(compactDuration(r.resolve_median!))),
    );
    expect(titles('rect')).toEqual(
      caused
        .filter((r) => r.resolve_median !== null)
        .map((r) => expect.stringMatching(new RegExp(`, Caused by Rackspace: ${compactDuration(r.resolve_median!)}$`))),
    );
    expect(caused.length).toBeGreaterThan(0);
  });
});

describe("the trends chapter's category and service charts", () => {
  it('draw the share Rackspace caused in every bar, as `stats --by category|service --attributed-to` counts it', async () => {
    const trailing = { since: '2006-07-01', until: MEETING, format: 'json' as const, asOf: MEETING };
    for (const by of ['category', 'service'] as const) {
      const all = (await runStats(ctx(), { ...trailing, by })).rows;
      const caused = (await runStats(ctx(), { ...trailing, by, attributedTo: 'rackspace' })).rows;
      const chart = packet.html.slice(packet.html.indexOf(`id="trend-${by === 'category' ? 'categories' : 'services'}`));
      for (const row of all.slice(0, 10)) {
        const theirs = caused.find((r) => r.group === row.group)?.incidents ?? 0;
        const label = by === 'service' ? named(row.group) : row.group;
        expect(chart, `${by} ${row.group}`).toContain(`<title>${label}: ${row.incidents}, ${theirs} caused by Rackspace</title>`);
      }
      expect(
        caused.reduce((s, r) => s + r.incidents, 0),
        by,
      ).toBeGreaterThan(0);
    }
  });
});

describe('the "Credits owed to us" chapter', () => {
  it('prints one row per month and service with the method', () => {
    const html = packet.html;
    const start = html.indexOf('<section class="chapter credits"');
    const text = html
      .slice(start, html.indexOf('</section>', start))
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(text).toContain('7 Credits owed to us');
    expect(text).toContain('June 2007* Webmail 93.8 0 0 93.8 99.7828% 99.9% below 99.9% → 10% $600.00 July 30, 2007');
    expect(text).toContain('January 2007 POP mail access 170 0 0 170 99.6191% 99.9% below 99.9% → 10% $600.00 March 2, 2007 (passed)');
    // the shared spam-filter backlog: in gross, never billable
    expect(text).toContain('February 2007 Incoming mail (SMTP) 3,390 0 3,390 0 100.0000% 99.9% — —');
    expect(text).toContain('How these are counted: Per calendar month and contract service');
  });
});
