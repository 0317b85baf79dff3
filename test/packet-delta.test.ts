import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPacket, runPacketDelta } from '../src/commands/packet.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { commitHistory, git } from './helpers/git-history.js';
import { incidentFile, type FixtureIncident } from './packet-fixtures.js';

/**
 * Two reviews of a provider, in a knowledge base whose git history was recorded in 2007: the
 * July review (asks, and decisions dated after the meeting) and the October review that names
 * it as `previous:`.
 */
const CONFIG = `organization: Example Mail & Co.
timezone: America/New_York
services: [pop, webmail]
providers: [hostco]
# Half weight for an outage minute: the chapter's availability must use the config's weights.
availability_weights: {outage: 0.5}
owners:
  - id: ann
    name: Ann Author
  - id: bob
    name: Bob Builder
documents:
  - type: packet
    name: q2-review
    provider: hostco
    since: 2007-04-01
    until: 2007-06-30
    meeting: 2007-07-02
    notes: reviews/q2.md
  - type: packet
    name: q3-review
    provider: hostco
    since: 2007-07-01
    until: 2007-09-30
    meeting: 2007-10-01
    previous: q2-review
    notes: reviews/q3.md
`;

const Q2_NOTES = `# Q2 review with HostCo

## What we need from HostCo {asks}

1. **Spare disks:** two on site by August.
2. **Paging:** controller alarms page us.
3. **Reports:** a monthly report.

## Decisions {date=2007-07-05}

- HostCo agreed to the spare disks.
`;

const Q3_NOTES = `# Q3 review with HostCo

## Promises from July {promises}

- [x] 1. Two spare disks on site since 3 August.
- [ ] 2. Still not paging.
`;

const rem = (id: string, status: string, due: string) =>
  `  - {id: ${id}, action: Action ${id}., type: prevent, owner: bob, due: ${due}, status: ${status}}\n`;
const disk = (remediations: string[], more: Partial<FixtureIncident> = {}) =>
  incidentFile({
    id: '2007-05-10-disk',
    title: 'Disk shelf failure',
    provider: 'hostco',
    started: '2007-05-10T10:00:00-04:00',
    resolved: '2007-05-10T12:00:00-04:00',
    remediations: `remediations:\n${remediations.join('')}`,
    ...more,
  });
const B = incidentFile({
  id: '2007-08-18-power',
  title: 'Power loss in row 4',
  provider: 'hostco',
  started: '2007-08-18T09:00:00-04:00',
  resolved: '2007-08-18T10:00:00-04:00',
});

/** The stats rows' availability, to the precision they carry. */
const roundedTo = (percent: number) => expect.closeTo(percent, 3);

let root: string;
beforeAll(() => {
  root = tempKb({});
  commitHistory(root, [
    {
      date: '2007-06-20T10:00:00-04:00',
      files: {
        'postmortem.config.yaml': CONFIG,
        'reviews/q2.md': Q2_NOTES,
        'incidents/2007-05-10-disk.md': disk([
          rem('R1', 'open', '2007-06-30'),
          rem('R2', 'done', '2007-06-15'),
          rem('R3', 'open', '2007-08-01'),
          rem('R4', 'open', '2007-09-01'),
        ]),
      },
    },
    {
      date: '2007-07-10T10:00:00-04:00',
      files: {
        'incidents/2007-05-10-disk.md': disk(
          [
            rem('R1', 'done', '2007-06-30'),
            rem('R2', 'done', '2007-06-15'),
            rem('R3', 'open', '2007-09-15'),
            rem('R4', 'open', '2007-09-01'),
          ],
          { severity: 'SEV1' },
        ),
      },
    },
    {
      date: '2007-08-20T10:00:00-04:00',
      files: {
        'incidents/2007-08-18-power.md': B,
        'incidents/2007-05-10-disk.md': disk(
          [
            rem('R1', 'done', '2007-06-30'),
            rem('R2', 'in-progress', '2007-06-15'),
            rem('R3', 'open', '2007-09-15'),
            rem('R4', 'open', '2007-09-01'),
          ],
          { severity: 'SEV1' },
        ),
      },
    },
    { date: '2007-09-25T10:00:00-04:00', files: { 'reviews/q3.md': Q3_NOTES } },
  ]);
});
afterAll(() => removeKb(root));

describe('Since our last review', () => {
  it('compares the knowledge base on the two review days (packet --delta --format json)', async () => {
    const ctx = captureContext(root);
    const { delta } = await runPacketDelta(ctx, { name: 'q3-review', formats: ['json'] });
    expect(JSON.parse(ctx.out_())).toEqual(delta);
    expect(ctx.err_()).toMatch(/^note: packet q3-review: as of 2007-10-01: incident text of commit [0-9a-f]{7} \(2007-09-25\)\n$/);
    expect([delta.previous.date, delta.current.date]).toEqual(['2007-07-02', '2007-10-01']);
    expect(delta.new_incidents.map((i) => i.id)).toEqual(['2007-08-18-power']);
    expect(delta.changed_incidents).toEqual([
      { id: '2007-05-10-disk', title: 'Disk shelf failure', changes: [{ field: 'severity', before: 'SEV2', after: 'SEV1' }] },
    ]);
    const r = delta.remediations;
    expect(r.done.map((d) => [d.remediation_id, d.completed, d.completed_from])).toEqual([['R1', '2007-07-10', 'git']]);
    expect(r.slipped.map((d) => [d.remediation_id, d.due_before, d.due_after, d.days])).toEqual([['R3', '2007-08-01', '2007-09-15', 45]]);
    expect(r.reopened.map((d) => [d.remediation_id, d.status_before, d.status_after])).toEqual([['R2', 'done', 'in-progress']]);
    expect(r.newly_overdue.map((d) => [d.remediation_id, d.due, d.days_overdue])).toEqual([
      ['R2', '2007-06-15', 108],
      ['R3', '2007-09-15', 16],
      ['R4', '2007-09-01', 30],
    ]);
    expect(delta.promises).toEqual([
      { number: 1, ask: 'Spare disks', status: 'met', note: 'Two spare disks on site since 3 August.' },
      { number: 2, ask: 'Paging', status: 'not met', note: 'Still not paging.' },
      { number: 3, ask: 'Reports', status: 'not reviewed', note: null },
    ]);
    expect(delta.recorded.map((s) => [s.title, s.date])).toEqual([['Decisions', '2007-07-05']]);
    expect(delta.services).toEqual([
      {
        service: 'webmail',
        // Q2 (91 days, 131,040 minutes): 120 outage minutes at weight 0.5; Q3 (92 days): 60 minutes.
        before: { incidents: 1, availability_percent: roundedTo(100 * (1 - 60 / 131_040)), resolve_median: 120 },
        after: { incidents: 1, availability_percent: roundedTo(100 * (1 - 30 / 132_480)), resolve_median: 60 },
      },
    ]);
  });

  it('opens the later packet with the chapter; the earlier one leaves out what was recorded after its meeting', async () => {
    const ctx = captureContext(root);
    const { packet } = await runPacket(ctx, { name: 'q3-review', formats: ['html'] });
    // these notes have no Agenda section, so there is no Agenda chapter
    expect(packet.view.toc.slice(0, 2).map((t) => t.heading)).toEqual(['1 Since our last review', '2 Executive summary']);
    const text = packet.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain(
      'Since our last review (q2-review, evaluated as of July 2, 2007), up to October 1, 2007: 1 new incident, 1 remediation done, 1 slipped, 1 reopened, 3 newly overdue; 1 of the 3 asks we made then met.',
    );
    expect(text).toContain('Disk shelf failure (R1) Action R1. Bob Builder July 10, 2007 (from git)');
    expect(text).toContain('Disk shelf failure (R3) Action R3. Bob Builder August 1, 2007 September 15, 2007 45 days');
    expect(text).toContain('Decisions (recorded July 5, 2007) HostCo agreed to the spare disks.');
    const q2 = await runPacket(captureContext(root), { name: 'q2-review', formats: ['html'] });
    expect(q2.packet.html).not.toContain('HostCo agreed to the spare disks'); // the Decisions section dated after its meeting
    expect(q2.packet.html).not.toContain('Since our last review');
    expect(q2.packet.notes[0]).toMatch(/as of 2007-07-02: incident text of commit [0-9a-f]{7} \(2007-06-20\)/);
  });

  it('takes the previous review from a git tag, and explains a ref that names nothing', async () => {
    git(root, ['tag', 'june-review', 'HEAD~3']);
    const ctx = captureContext(root);
    const { delta } = await runPacketDelta(ctx, { name: 'q3-review', sinceRef: 'june-review' });
    expect([delta.previous.ref, delta.previous.date, delta.previous.commit]).toEqual([
      'june-review',
      '2007-06-20',
      git(root, ['rev-parse', 'june-review']).trim(),
    ]);
    expect(delta.previous.period).toEqual({ since: '2007-03-21', until: '2007-06-20' }); // 92 days, as long as this packet's period
    expect(delta.new_incidents.map((i) => i.id)).toEqual(['2007-08-18-power']);
    expect(delta.promises).toEqual([]);
    await expect(runPacketDelta(captureContext(root), { name: 'q3-review', sinceRef: 'no-such-review' })).rejects.toThrow(
      'The previous review "no-such-review" is neither a packet under documents: nor a git commit or tag',
    );
  });

  it('gives the same bytes on any day (no as_of in the config, the clock moved)', async () => {
    const build = async (now: string) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(`${now}T12:00:00Z`));
      try {
        const out = join(root, `out-${now}`);
        await runPacket(captureContext(root, { out }), { name: 'q3-review', formats: ['html'] });
        return readFileSync(join(out, 'packets', 'q3-review.html'));
      } finally {
        vi.useRealTimers();
      }
    };
    const first = await build('2026-12-06');
    const second = await build('2031-03-01');
    expect(second.equals(first)).toBe(true);
  });
});
