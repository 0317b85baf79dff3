import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacket } from '../src/commands/packet.js';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import { queryActions } from '../src/db/queries/actions.js';
import { queryStats } from '../src/db/queries/stats.js';
import { ownerName } from '../src/format/names.js';
import { compactDuration } from '../src/format/time.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { buildPacket, type PacketBuild } from '../src/packet/build.js';
import { packetBuildStep } from '../src/packet/build-step.js';
import { previousPeriod, trailingMonths } from '../src/packet/period.js';
import { requestFromDocument } from '../src/packet/spec.js';
import { readNotes } from '../src/packet/notes.js';
import { knowledgeBaseAsOf } from '../src/history/as-of.js';
import { CHROMIUM_INSTALL_HINT } from '../src/render/pdf.js';
import type { PacketDocumentSpec } from '../src/schema/config.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { visibleText } from './helpers/visible-text.js';
import { packetFixture } from './packet-fixtures.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function tempOut(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pmkb-packet-'));
  temps.push(dir);
  return dir;
}

/** The HTML of one chapter (`<section class="chapter" id="...">`). */
function chapter(html: string, id: string): string {
  const start = html.indexOf(`<section class="chapter`, html.indexOf(`id="${id}"`) - 60);
  const next = html.indexOf('<section class="chapter', start + 10);
  return html.slice(start, next === -1 ? undefined : next);
}

describe('packet for the example knowledge base (2007-06-provider-review)', () => {
  let kb: BuiltKnowledgeBase;
  let packet: PacketBuild;
  let spec: PacketDocumentSpec;
  let out: string;
  let text: string;

  beforeAll(async () => {
    out = tempOut();
    const ctx = captureContext(EXAMPLE, { out });
    kb = await updateKnowledgeBase(ctx);
    spec = kb.config.documents.find((d): d is PacketDocumentSpec => d.type === 'packet' && d.name === '2007-06-provider-review')!;
    expect(spec).toBeDefined();
    packet = await buildPacket(ctx, kb, { ...requestFromDocument(spec), formats: ['html'] });
    text = visibleText(packet.html);
  });

  it('contains every incident of the provider in the range, the ones it names, and none other', () => {
    const all = loadKnowledgeBase({ root: EXAMPLE }).incidents;
    const zone = kb.config.timezone;
    expect(spec.include).toEqual(['2007-06-13-mail-routing-database']);
    const expected = all
      .filter((i) => {
        const day = i.started.toZonedDateTimeISO(zone).toPlainDate().toString();
        return (i.provider === spec.provider && day >= spec.since! && day <= spec.until!) || spec.include!.includes(i.id);
      })
      .sort((a, b) => a.started.epochMilliseconds - b.started.epochMilliseconds)
      .map((i) => i.id);
    expect(expected).toContain('2007-06-04-dulles-load-balancer-overload');
    expect(expected).toContain('2007-06-13-mail-routing-database');
    expect(packet.incidents.map((i) => i.id)).toEqual(expected);
    for (const incident of all) {
      const shown = packet.html.includes(`<article class="incident" id="incident-${incident.id}">`);
      expect(shown, incident.id).toBe(expected.includes(incident.id));
    }
    const table = visibleText(chapter(packet.html, 'incidents'));
    for (const incident of all.filter((i) => expected.includes(i.id))) expect(table).toContain(incident.title);
  });

  it('shows the incidents by severity that `stats --by severity` reports for the period and the one before', () => {
    const db = kb.openDb();
    try {
      const range = { since: spec.since!, until: spec.until! };
      const rows = queryStats(db, { by: 'severity', ...range });
      const prev = previousPeriod(packet.spec.period);
      const before = queryStats(db, { by: 'severity', since: prev.since.toString(), until: prev.until.toString() });
      const caused = queryStats(db, { by: 'severity', ...range, provider: spec.provider!, attributedTo: spec.provider! });
      const summary = visibleText(chapter(packet.html, 'summary'));
      let total = 0;
      for (const severity of kb.config.severities) {
        const row = rows.find((r) => r.group === severity);
        const inPacket = packet.incidents.filter((i) => i.severity === severity).length;
        const previous = before.find((r) => r.group === severity)?.incidents ?? 0;
        total += row?.incidents ?? 0;
        const theirs = caused.find((r) => r.group === severity)?.incidents ?? 0;
        expect(summary).toContain(
          `${severity} ${row?.incidents ?? 0} ${theirs} ${inPacket} ${previous} ${compactDuration(row?.impact_minutes ?? 0)} ${compactDuration(row?.resolve_median ?? null)}`,
        );
      }
      expect(summary).toContain(
        `Total ${total} ${caused.reduce((s, r) => s + r.incidents, 0)} ${packet.incidents.length} ${before.reduce((s, r) => s + r.incidents, 0)}`,
      );
      const provider = queryStats(db, { by: 'provider', ...range }).find((r) => r.group === spec.provider)!;
      expect(summary).toContain(`${provider.incidents} incidents involved ${kb.config.provider_names.get(spec.provider!)}`);
    } finally {
      db.close();
    }
  });

  it('shows the availability per service that `stats --by service` reports, against the previous period', () => {
    const db = kb.openDb();
    try {
      const now = queryStats(db, { by: 'service', since: spec.since!, until: spec.until! });
      const prev = previousPeriod(packet.spec.period);
      const before = queryStats(db, { by: 'service', since: prev.since.toString(), until: prev.until.toString() });
      const theirs = queryStats(db, { by: 'service', since: spec.since!, until: spec.until!, attributedTo: spec.provider! });
      expect(now.length).toBeGreaterThan(0);
      const summary = visibleText(chapter(packet.html, 'summary'));
      for (const row of now) {
        const b = before.find((r) => r.group === row.group);
        const previous = b ? `${b.availability_percent!.toFixed(3)}% ${b.incidents}` : '100.000% 0';
        const caused = (theirs.find((r) => r.group === row.group)?.availability_percent ?? 100).toFixed(3);
        expect(summary).toContain(
          `${kb.config.service_names.get(row.group) ?? row.group} ${row.availability_percent!.toFixed(3)}% ${caused}% ${row.incidents} ${previous}`,
        );
      }
    } finally {
      db.close();
    }
  });

  it('does not count the degraded DST display bug as downtime, and says once how availability was counted', () => {
    const summary = visibleText(chapter(packet.html, 'summary'));
    // webmail, 2007-01-01 to 2007-06-14 (165 days, 237,540 minutes): counted before windows, the
    // DST bug's 2,250 minutes of wrong display times made it 98.762%; now they are degraded minutes.
    expect(summary).toContain('Webmail 99.714% 99.805% 8');
    expect(summary).not.toContain('Webmail 98.762%');
    const method =
      'Availability per service is 1 − counted minutes ÷ minutes in the period, from the impact windows of each service: outage minutes in full, partial-outage minutes × 0.3';
    expect(summary.split(method).length - 1).toBe(1);
    expect(summary).toContain('degraded and delayed minutes are shown but not counted.');
  });

  it('charts the trailing 12 months with the counts of `stats --by month`', () => {
    const db = kb.openDb();
    try {
      const { since, months } = trailingMonths(packet.spec.period.until);
      expect(months).toHaveLength(12);
      expect(since.toString()).toBe('2006-07-01');
      const rows = queryStats(db, { by: 'month', since: since.toString(), until: spec.until! });
      const expected = months.map((m) => rows.find((r) => r.group === m.toString())?.incidents ?? 0);
      const trends = chapter(packet.html, 'trends');
      // the first chart (incidents per month by severity); a later one splits the provider's by who caused them
      const monthly = trends.split('<figure')[1]!;
      const totals = [...monthly.matchAll(/<g class="bar" data-category="[^"]*" data-total="(\d+)"/g)].map((m) => Number(m[1]));
      expect(totals).toEqual(expected);
      const quarters = queryStats(db, { by: 'quarter', since: since.toString(), until: spec.until! });
      const points = [...trends.matchAll(/<g class="point" data-label="([^"]*)"/g)].map((m) => m[1]);
      expect(points).toEqual(quarters.filter((q) => q.resolve_median !== null).map((q) => q.group.replace(/^(\d{4})-(Q\d)$/, '$2 $1')));
      const categories = queryStats(db, { by: 'category', since: since.toString(), until: spec.until! });
      for (const c of categories) expect(trends).toContain(`data-label="${c.group}" data-value="${c.incidents}"`);
    } finally {
      db.close();
    }
  });

  it('lists the open remediations by owner exactly as `actions --as-of <meeting>` reports them', () => {
    expect(packet.spec.asOf.toString()).toBe('2007-06-14');
    const view = knowledgeBaseAsOf(kb, EXAMPLE, packet.spec.asOf);
    const db = view.db;
    try {
      const ids = new Set(packet.incidents.map((i) => i.id));
      const open = queryActions(db, { status: 'open', today: '2007-06-14' }).filter((r) => ids.has(r.incident_id));
      const overdue = queryActions(db, { status: 'overdue', today: '2007-06-14' }).filter((r) => ids.has(r.incident_id));
      expect(open.length).toBeGreaterThan(0);
      const section = visibleText(chapter(packet.html, 'actions'));
      expect(section).toContain(`${open.length} in total, ${overdue.length} overdue`);
      // on the meeting day, not on the knowledge base's as_of (January 2008) (18 with the provider's own two)
      expect(section).toContain('as of June 14, 2007: 18 in total, 2 overdue');
      // people by their names, a provider's remediations by the provider's name, never `provider:<id>`
      const name = (owner: string) => ownerName(kb.config, owner);
      expect(open.some((r) => r.owner === 'provider:rackspace')).toBe(true);
      expect(name('provider:rackspace')).toBe('Rackspace');
      expect(section).not.toContain('provider:');
      const owners = [...new Set(open.map((r) => name(r.owner)))];
      for (const owner of owners) {
        const mine = open.filter((r) => name(r.owner) === owner);
        const late = mine.filter((r) => r.days_overdue !== null).length;
        expect(section).toContain(`${owner} ${mine.length} ${late}`);
      }
      for (const row of overdue) {
        expect(section).toContain(`${row.action} ${row.due} OVERDUE ${row.days_overdue} day`);
      }
    } finally {
      db.close();
    }
  });

  it('has a cover with the organisation, provider, meeting and period, an agenda, and the notes sections', () => {
    expect(text).toContain('Webmail.us, Inc. Provider review: Rackspace');
    expect(text).toContain('Meeting Thursday, June 14, 2007');
    expect(text).toContain('Period reviewed January 1, 2007 – June 14, 2007');
    // no build stamp on the cover: it is in the colophon (and the PDF metadata)
    expect(visibleText(packet.html.slice(0, packet.html.indexOf('</header>')))).not.toMatch(/commit [0-9a-f]{7}|Build/);
    expect(text).toMatch(
      /Built from the postmortem knowledge base \((commit [0-9a-f]{7,} of \d{4}-\d{2}-\d{2}|not in git)\)\. Incidents and remediations as they stood at the end of June 14, 2007\./,
    );
    expect(text).toContain('Remediation status as of June 14, 2007');
    // the decisions recorded on 18 June are not in the packet for the 14 June meeting
    expect(text).not.toContain('Decisions and follow-ups');
    expect(text).not.toContain('Pre-approved change list signed');
    expect(text).toContain('What we need from Rackspace');
    expect(text).toContain('1 Agenda');
    expect(text).toContain('Questions for Rackspace');
    expect(text).toContain('Internal — confidential');
    // the per-incident "Questions for the provider" section of the 4 June incident
    expect(visibleText(packet.html.slice(packet.html.indexOf('id="incident-2007-06-04-dulles-load-balancer-overload"')))).toContain(
      'Questions for the provider',
    );
  });

  it('is valid HTML (html-validate, recommended rules)', async () => {
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'long-title': 'off' } });
    const report = await validator.validateString(packet.html);
    const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`));
    expect(messages).toEqual([]);
  });

  it('is the same byte for byte when built again, and is then left alone', async () => {
    const ctx = captureContext(EXAMPLE, { out });
    const again = await buildPacket(ctx, kb, { ...requestFromDocument(spec), formats: ['html'] });
    expect(again.html).toBe(packet.html);
    expect(again.written).toEqual([]);
    expect(again.unchanged).toBe(1);
    expect(readFileSync(join(out, 'packets', '2007-06-provider-review.html'), 'utf8')).toBe(packet.html);
  });
});

describe('the example September 2007 packet', () => {
  it('opens with "Since our last review" against the June packet, and is valid HTML', async () => {
    const ctx = captureContext(EXAMPLE, { out: tempOut() });
    const kb = await updateKnowledgeBase(ctx);
    const spec = kb.config.documents.find((d): d is PacketDocumentSpec => d.type === 'packet' && d.name === '2007-09-provider-review')!;
    expect(spec.previous).toBe('2007-06-provider-review');
    const packet = await buildPacket(ctx, kb, { ...requestFromDocument(spec), formats: ['html'] });
    const text = visibleText(packet.html);
    expect(packet.view.toc[0]!.heading).toBe('1 Since our last review');
    expect(text).toContain(
      'Since our last review (2007-06-provider-review, evaluated as of June 14, 2007), up to September 20, 2007: 1 new incident,',
    );
    expect(text).toContain('What we asked for last time Ask What we asked Outcome Notes 1 Pre-approved emergency changes Met');
    // the June decisions, left out of the June packet, are reported here
    expect(text).toContain('Decisions and follow-ups (recorded June 18, 2007) Recorded after the meeting (Bill, 18 June)');
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'long-title': 'off' } });
    const report = await validator.validateString(packet.html);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`))).toEqual([]);
  });
});

describe('packet selection and content (small knowledge base)', () => {
  let root: string;
  beforeAll(() => {
    root = tempKb(packetFixture());
  });
  afterAll(() => removeKb(root));

  it('selects by provider and by the display-zone date the incident started', async () => {
    const ctx = captureContext(root);
    const result = await runPacket(ctx, { name: 'q2-review', formats: ['html'] });
    expect(result.exitCode).toBe(0);
    expect(result.packet.incidents.map((i) => i.id)).toEqual(['b-in-period', 'c-in-period', 'e-edge-after']);
    expect(ctx.out_()).toContain(`wrote ${join(root, 'out')}/packets/q2-review.html`);
    expect(ctx.out_()).toContain('Packet "q2-review": 3 incidents involving hostco, 2007-04-01 to 2007-06-30.');
    const html = readFileSync(join(root, 'out', 'packets', 'q2-review.html'), 'utf8');
    for (const id of ['a-edge-before', 'd-other-provider', 'f-after', 'g-last-year']) expect(html).not.toContain(`id="incident-${id}"`);
  });

  it('escapes incident text, sanitises Markdown sections, and flags overdue remediations with owner names', async () => {
    const ctx = captureContext(root);
    const { packet } = await runPacket(ctx, { name: 'q2-review', formats: ['html'] });
    const html = packet.html;
    expect(html.indexOf('<meta http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<meta charset'));
    expect(html).toContain('Disk &lt;failure&gt; &amp; &quot;slow&quot; webmail');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('javascript:');
    const text = visibleText(html);
    expect(text).toContain('Questions for the provider Why was the shelf');
    expect(text).toContain('R1 Replace the disk shelf. prevent Bob Builder 2007-05-01 OVERDUE 62 days open');
    expect(text).toContain('R2 Add disk alerts. detect Ann Author 2007-09-01 in progress');
    expect(text).toContain('R3 Write the runbook. process Ann Author — done');
    expect(text).toContain('Built from the postmortem knowledge base (not in git).');
    expect(text).toContain('Example Mail & Co.');
    // the notes' own agenda opens the packet; its other sections close it
    expect(text).toContain('1 Agenda 09:00 Incidents In this packet');
    expect(text).toMatch(/7\.1 Growth plans We will double in size\. 7\.2 Questions for HostCo/);
  });

  it('takes explicit incidents, a period from the options, and a default name', async () => {
    const ctx = captureContext(root);
    const { packet } = await runPacket(ctx, { incidents: ['g-last-year', 'd-other-provider'], formats: ['html'] });
    expect(packet.incidents.map((i) => i.id)).toEqual(['g-last-year', 'd-other-provider']);
    expect(packet.spec.name).toBe('2007-05-10-all-review');
    expect(packet.spec.period.since.toString()).toBe('2006-12-10');
    const byDates = await runPacket(ctx, { provider: 'hostco', since: '2007-06-30', until: '2007-07-01', formats: ['html'] });
    expect(byDates.packet.incidents.map((i) => i.id)).toEqual(['c-in-period', 'e-edge-after', 'f-after']);
    expect(byDates.packet.spec.name).toBe('2007-07-01-hostco-review');
  });

  it('explains bad requests without a stack trace', async () => {
    const ctx = captureContext(root);
    await expect(runPacket(ctx, { provider: 'nobody', formats: ['html'] })).rejects.toThrow('Unknown provider "nobody"');
    await expect(runPacket(ctx, { since: '2007-07-01', until: '2007-06-01', formats: ['html'] })).rejects.toThrow(
      'The period starts (2007-07-01) after it ends (2007-06-01)',
    );
    await expect(runPacket(ctx, { since: '2007-02-30', formats: ['html'] })).rejects.toThrow('Since date "2007-02-30" is not a date');
    await expect(runPacket(ctx, { incidents: ['nope'], formats: ['html'] })).rejects.toThrow('Unknown or invalid incident: nope');
    await expect(runPacket(ctx, { notes: 'missing.md', formats: ['html'] })).rejects.toThrow('Notes file missing.md not found');
    await expect(runPacket(ctx, { formats: ['docx'] })).rejects.toThrow('Unknown packet format "docx"');
  });
});

describe('notes file', () => {
  it('takes the title, introduction and sections, and ignores front-matter', () => {
    const root = tempKb({
      'n.md':
        '---\nauthor: bill\n---\nPrep notes\n==========\n\nFor <b>us</b> only.\n\n## Agenda\n\n- 9:00 Start\n\n## Asks\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Asks\n\nMore.\n',
    });
    try {
      const notes = readNotes(join(root, 'n.md'), 'n.md');
      expect(notes.title).toBe('Prep notes');
      expect(notes.introHtml).toBe('<p>For us only.</p>');
      expect(notes.agendaHtml).toBe('<ul>\n<li>9:00 Start</li>\n</ul>');
      expect(notes.sections.map((x) => [x.title, x.anchor])).toEqual([
        ['Asks', 'notes-asks'],
        ['Asks', 'notes-asks-2'],
      ]);
      expect(notes.sections[0]!.html).toContain('<table>');
      expect(JSON.stringify(notes)).not.toContain('author');
    } finally {
      removeKb(root);
    }
  });
});

describe('packet without Chromium', () => {
  it('writes the HTML and says how to install Chromium', async () => {
    const root = tempKb(packetFixture());
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = join(root, 'no-such-chromium');
    try {
      const ctx = captureContext(root);
      const { packet } = await runPacket(ctx, { name: 'q2-review', formats: ['pdf'] });
      expect(packet.written).toEqual(['packets/q2-review.html']);
      expect(ctx.err_()).toContain(
        `note: PDF of packet q2-review skipped: Chromium not found at ${join(root, 'no-such-chromium')}. ${CHROMIUM_INSTALL_HINT}`,
      );
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
      removeKb(root);
    }
  });
});

describe('packet build step', () => {
  it('renders declared packets, and reports a missing notes file at its line in the config without removing earlier output', async () => {
    const root = tempKb(packetFixture());
    try {
      const ctx = captureContext(root);
      const config = readFileSync(join(root, 'postmortem.config.yaml'), 'utf8');
      writeFileSync(
        join(root, 'postmortem.config.yaml'),
        config.replace('    notes: reviews/q2.md\n', '    notes: reviews/q2.md\n    formats: [html]\n'),
      );
      const kb = await updateKnowledgeBase(ctx);
      const first = await packetBuildStep.run(ctx, kb);
      expect(first.problems).toEqual([]);
      expect(first.written).toEqual(['packets/q2-review.html']);
      const before = readFileSync(join(root, 'out', 'packets', 'q2-review.html'), 'utf8');

      rmSync(join(root, 'reviews', 'q2.md'));
      const second = await packetBuildStep.run(ctx, kb);
      expect(second.written).toEqual([]);
      expect(second.problems).toHaveLength(1);
      const p = second.problems[0]!;
      expect(p.file).toBe('postmortem.config.yaml');
      expect(p.ruleId).toBe('packet');
      expect(p.line).toBe(config.split('\n').findIndex((l) => l.includes('notes: reviews/q2.md')) + 1);
      expect(p.message).toContain('packet "q2-review": Notes file reviews/q2.md not found');
      expect(readFileSync(join(root, 'out', 'packets', 'q2-review.html'), 'utf8')).toBe(before);
    } finally {
      removeKb(root);
    }
  });
});
