import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlValidate } from 'html-validate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacket, runPacketDelta } from '../src/commands/packet.js';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { visibleText } from '../src/letter/tripwire.js';
import { buildPacket } from '../src/packet/build.js';
import { packetBuildStep } from '../src/packet/build-step.js';
import { loadConfig } from '../src/kb/config.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { incidentFile, NOTES } from './packet-fixtures.js';

/**
 * The packet's version for the provider (`audience: provider`): what is in it, what is not,
 * and the tripwire refusing to write it. The property over random records is in
 * packet-provider-audience.test.ts.
 */
const text = (html: string) => visibleText({ format: 'HTML', text: html, markup: 'html' });
/** The HTML without its style sheet (whose comments are ours, not the reader's), lower-cased. */
const markup = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '').toLowerCase();
const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..');

const DOCUMENT = `    provider: hostco
    since: 2007-04-01
    until: 2007-06-30
    meeting: 2007-07-02
    notes: reviews/q2.md
    formats: [html]
`;

const CONFIG = `organization: Example Mail & Co.
timezone: America/New_York
as_of: 2007-07-01
services: [pop, webmail]
providers: [hostco, other-net, {id: bigcustomer, kind: customer}]
provider_names: {hostco: HostCo, other-net: Othernet Transit, bigcustomer: Bigcustomer Holdings}
owners:
  - {id: ann, name: Ann Author, title: storage lead, team: storage, email: ann@corp.example}
  - {id: bob, name: Bob Builder, team: network, email: bob@corp.example}
  - {id: cy, name: Cy Public, title: our chief technology officer, email: cy@corp.example, public: true}
documents:
  - type: packet
    name: q2-review
${DOCUMENT}  - type: packet
    name: q2-for-hostco
    audience: provider
${DOCUMENT}`;

const ASKS = `
## What we need from HostCo {asks}

1. **Spare disks** on site in Dulles by 31 July.
2. **Firmware bulletins** forwarded within two business days.
`;

const REMEDIATIONS = `remediations:
  - id: R1
    action: Replace the disk shelf in row nine before the summer.
    type: prevent
    owner: bob
    due: 2007-05-01
    status: open
    ticket: OPS-4711
  - id: R2
    action: Add disk alerts to our monitoring.
    type: detect
    owner: cy
    due: 2007-09-01
    status: in-progress
    ticket: OPS-4712
    public: true
  - id: R3
    action: Ship spare disk shelves to the Dulles data center.
    type: prevent
    owner: provider:hostco
    due: 2007-05-15
    status: open
    ticket: HC-9001
  - id: R4
    action: Write the storage runbook.
    type: process
    owner: ann
    status: done
    public: true
`;

const BODY = `
## Timeline

- 2007-04-01 01:20 -04:00 — [communication, public] We posted a notice about slow webmail.
- 01:30 — [action] Bob Builder called the provider's network operations center.

## Internal notes

The replacement quote from the vendor was far above our budget.
`;

function files(overrides: { notes?: string; body?: string } = {}): Record<string, string> {
  return {
    'postmortem.config.yaml': CONFIG,
    'reviews/q2.md': overrides.notes ?? `${NOTES}${ASKS}`,
    'incidents/b-in-period.md': incidentFile({
      id: 'b-in-period',
      title: 'Webmail slow after a disk shelf failed',
      provider: '[hostco, bigcustomer]',
      started: '2007-04-01T05:00:00Z',
      resolved: '2007-04-01T06:30:00Z',
      severity: 'SEV1',
      remediations: REMEDIATIONS,
      extraBody: overrides.body ?? BODY,
    }),
    'incidents/c-in-period.md': incidentFile({
      id: 'c-in-period',
      title: 'Second hostco incident',
      provider: 'hostco',
      started: '2007-06-30T23:00:00-04:00',
      resolved: '2007-07-01T00:30:00-04:00',
    }),
    'incidents/d-other-provider.md': incidentFile({
      id: 'd-other-provider',
      title: 'Transit link incident',
      provider: 'other-net',
      started: '2007-05-10T10:00:00-04:00',
      resolved: '2007-05-10T11:00:00-04:00',
      severity: 'SEV3',
    }),
  };
}

describe('the provider version of a packet (small knowledge base)', () => {
  let root: string;
  let html: string;
  let shown: string;
  beforeAll(async () => {
    root = tempKb(files());
    const ctx = captureContext(root);
    const result = await runPacket(ctx, { name: 'q2-for-hostco' });
    expect(ctx.out_()).toContain(`wrote ${join(root, 'out')}/packets/q2-for-hostco.html`);
    expect(ctx.out_()).toContain(
      'Packet "q2-for-hostco": 2 incidents involving hostco, 2007-04-01 to 2007-06-30, the version for the provider.',
    );
    html = result.packet.html;
    shown = text(html);
  });
  afterAll(() => removeKb(root));

  it('holds the incidents the provider was involved in, their times, impact and the remediations it owns', () => {
    expect(shown).toContain('Incident review with HostCo');
    expect(shown).toContain('Prepared for HostCo');
    expect(shown).toContain(
      'From April 1, 2007 to June 30, 2007, 2 incidents involving HostCo affected our customers, with 3 hours of customer impact in total.',
    );
    expect(shown).toContain('3.1 Webmail slow after a disk shelf failed');
    expect(shown).toContain('3.2 Second hostco incident');
    expect(shown).not.toContain('Transit link incident');
    expect(shown).toContain('Impact began 2007-04-01 01:00 EDT Resolved 2007-04-01 02:30 EDT');
    expect(shown).toContain('Webmail was slow.');
    expect(shown).toContain('2007-04-01 01:00 EDT 2007-04-01 02:30 EDT 1h 30m Outage Webmail');
    expect(shown).toContain('What customers were told Time Event 2007-04-01 01:20 EDT We posted a notice about slow webmail.');
    // theirs, overdue on the meeting day (2007-05-15 + 48 days = 2007-07-02)
    expect(shown).toContain('R3 Ship spare disk shelves to the Dulles data center. prevent 2007-05-15 OVERDUE 48 days open');
    expect(shown).toContain('As of July 2, 2007, HostCo owns 1 remediation of these incidents: 0 done, 1 open, 1 of them overdue.');
    // ours, shared only when public, by role
    expect(shown).toContain(
      'What we are changing Action Led by Due Status Add disk alerts to our monitoring. our chief technology officer 2007-09-01 in progress Write the storage runbook. storage lead — done',
    );
    // our asks, and nothing else of the notes
    expect(shown).toContain(
      '5 What we need from HostCo Spare disks on site in Dulles by 31 July. Firmware bulletins forwarded within two business days.',
    );
    expect(shown).toContain('We ask 2 things of HostCo');
  });

  it('has no name, e-mail, ticket, internal note, other provider, customer or internal section', () => {
    for (const secret of [
      'Ann Author',
      'Bob Builder',
      'Cy Public',
      'ann@corp.example',
      'bob@corp',
      'OPS-4711',
      'OPS-4712',
      'HC-9001',
      'Replace the disk shelf',
      'called the provider',
      'replacement quote',
      'A disk failed',
      'Something broke',
      'Growth plans',
      'We will double in size',
      'Why did the disk fail',
      'Prepared for the meeting',
      '09:00 Incidents',
      'other-net',
      'Othernet',
      'bigcustomer',
      'Bigcustomer',
      'SEV1',
      'hardware',
      '1,200',
      'INTERNAL',
      'b-in-period',
      'd-other-provider',
    ]) {
      expect(markup(html), secret).not.toContain(secret.toLowerCase());
    }
  });

  it('is valid HTML, the same on a second build, and left alone then', async () => {
    const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'long-title': 'off' } });
    const report = await validator.validateString(html);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`))).toEqual([]);
    const again = await runPacket(captureContext(root), { name: 'q2-for-hostco' });
    expect(again.packet.html).toBe(html);
    expect(again.packet.written).toEqual([]);
  });

  it('is chosen by --audience too, named for the provider by default, and never built as the internal packet', async () => {
    const ctx = captureContext(root);
    const { packet } = await runPacket(ctx, {
      provider: 'hostco',
      since: '2007-04-01',
      until: '2007-06-30',
      audience: 'provider',
      formats: ['html'],
    });
    expect(packet.spec.name).toBe('2007-06-30-review-for-hostco');
    expect(packet.html).toContain('Prepared for HostCo');
    expect(packet.html).not.toContain('Bob Builder');
    await expect(runPacket(ctx, { audience: 'provider', formats: ['html'] })).rejects.toThrow(
      'A packet for the provider needs the provider it is for',
    );
    await expect(runPacket(ctx, { provider: 'hostco', audience: 'vendor', formats: ['html'] })).rejects.toThrow(
      'Unknown packet audience "vendor"',
    );
    await expect(runPacketDelta(ctx, { name: 'q2-for-hostco' })).rejects.toThrow(
      '--delta compares internal packets; "q2-for-hostco" is the version for the provider',
    );
    const kb = await updateKnowledgeBase(ctx);
    await expect(buildPacket(ctx, kb, { provider: 'hostco', audience: 'provider', formats: ['html'] })).rejects.toThrow(
      'is for the provider',
    );
  });

  it('names a provider without a display name by its id title-cased, never by the raw id', async () => {
    const plain = tempKb({ ...files(), 'postmortem.config.yaml': CONFIG.replace('hostco: HostCo, ', '') });
    try {
      const { packet } = await runPacket(captureContext(plain), { name: 'q2-for-hostco', formats: ['html'] });
      const seen = text(packet.html);
      expect(seen).toContain('Incident review with Hostco');
      expect(seen).toContain('Prepared for Hostco');
      expect(seen).toContain('Remediations owned by Hostco');
      // the raw id only where the record's own text has it (an incident title)
      expect(seen.replaceAll('Second hostco incident', '')).not.toMatch(/\bhostco\b/);
    } finally {
      removeKb(plain);
    }
  });

  it('reports an unknown audience in the config at its line', () => {
    const bad = tempKb({ 'postmortem.config.yaml': CONFIG.replace('audience: provider', 'audience: vendor') });
    try {
      const { problems } = loadConfig(bad);
      expect(problems.map((p) => `${p.file}:${p.line} ${p.severity}`)).toEqual([
        `postmortem.config.yaml:${CONFIG.split('\n').findIndex((l) => l.includes('audience: provider')) + 1} error`,
      ]);
    } finally {
      removeKb(bad);
    }
  });
});

describe('the provider tripwire', () => {
  it('refuses a document that names one of our people, and leaves the earlier file alone', async () => {
    const root = tempKb(files());
    try {
      const ctx = captureContext(root);
      await runPacket(ctx, { name: 'q2-for-hostco' });
      const path = join(root, 'out', 'packets', 'q2-for-hostco.html');
      const before = readFileSync(path, 'utf8');
      writeFileSync(join(root, 'reviews', 'q2.md'), `${NOTES}${ASKS}3. A call with Bob Builder every Monday.\n`);
      await expect(runPacket(captureContext(root), { name: 'q2-for-hostco' })).rejects.toThrow(
        'postmortem.config.yaml: owner "bob" (name) appears in the provider HTML ("Bob Builder"); packet q2-for-hostco for the provider was not written',
      );
      expect(readFileSync(path, 'utf8')).toBe(before);
      // internal notes copied into the asks
      const budget = 'Our budget for disk shelves is capped at forty thousand dollars.';
      writeFileSync(join(root, 'reviews', 'q2.md'), `${NOTES}\n## Budget\n\n${budget}\n${ASKS}3. ${budget}\n`);
      await expect(runPacket(captureContext(root), { name: 'q2-for-hostco' })).rejects.toThrow(
        `reviews/q2.md: section "Budget" appears in the provider HTML ("${budget}"); packet q2-for-hostco for the provider was not written`,
      );
      expect(readFileSync(path, 'utf8')).toBe(before);
    } finally {
      removeKb(root);
    }
  });

  it('refuses another provider named in public text, located at the entry in the config when built', async () => {
    const body = BODY.replace('slow webmail.', 'slow webmail caused by Othernet Transit.');
    const root = tempKb(files({ body }));
    try {
      const ctx = captureContext(root);
      const kb = await updateKnowledgeBase(ctx);
      const result = await packetBuildStep.run(ctx, kb);
      expect(result.written).toEqual(['packets/q2-review.html']);
      expect(existsSync(join(root, 'out', 'packets', 'q2-for-hostco.html'))).toBe(false);
      expect(result.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.severity} ${p.message} [${p.ruleId}]`)).toEqual([
        `postmortem.config.yaml:${CONFIG.split('\n').findIndex((l) => l.includes('name: q2-for-hostco'))}:5: error packet "q2-for-hostco": postmortem.config.yaml: provider "other-net" (another provider's name) appears in the provider HTML ("Othernet Transit"); packet q2-for-hostco for the provider was not written (The provider version never carries our names, tickets, internal notes or other providers. Reword the text that repeats it, or fix templates/packet/provider.html.hbs if it shows it.) [packet]`,
      ]);
    } finally {
      removeKb(root);
    }
  });

  it('refuses internal text a template of the knowledge base prints, naming the incident file and field', async () => {
    // The template sees only the provider view; text typed into it that repeats an internal note is still caught.
    const template = readFileSync(join(EXAMPLE, 'templates', 'packet', 'provider.html.hbs'), 'utf8').replace(
      '</main>',
      '<p>The replacement quote from the vendor was far above our budget.</p>\n</main>',
    );
    const root = tempKb({ ...files(), 'templates/packet/provider.html.hbs': template });
    try {
      await expect(runPacket(captureContext(root), { name: 'q2-for-hostco' })).rejects.toThrow(
        'incidents/b-in-period.md: internal notes appears in the provider HTML ("The replacement quote from the vendor was far above our budget."); packet q2-for-hostco for the provider was not written',
      );
      expect(existsSync(join(root, 'out', 'packets', 'q2-for-hostco.html'))).toBe(false);
    } finally {
      removeKb(root);
    }
  });
});

describe('the June 2007 example: the version for Rackspace', () => {
  let html: string;
  let shown: string;
  let incidents: string[];
  beforeAll(async () => {
    const root = EXAMPLE;
    const ctx = captureContext(root, { out: tempKb({}) });
    const { packet } = await runPacket(ctx, { name: '2007-06-provider-review-for-rackspace', formats: ['html'] });
    html = packet.html;
    shown = text(html);
    incidents = packet.incidents.map((i) => i.id);
    removeKb(ctx.out);
  });

  it("holds Rackspace's six incidents of the period, our public changes by role and the asks", () => {
    expect(incidents).toEqual([
      '2007-01-09-storage-controller-firmware-bug',
      '2007-02-13-spam-filter-capacity-recurrence',
      '2007-03-07-dulles-core-switch-failure',
      '2007-04-18-european-reachability-route-leak',
      '2007-05-22-san-antonio-backup-mx-link-flap',
      '2007-06-04-dulles-load-balancer-overload',
    ]);
    expect(shown).toContain('3.6 Email access unavailable during a traffic surge in our Dulles, VA data center');
    expect(shown).not.toContain('Mail routing database');
    expect(shown).toContain(
      '2007-06-04 10:41 EDT 2007-06-04 10:57 EDT 16m Partial outage POP mail access, IMAP mail access, Webmail (Dulles, VA) 5% of customers. The remaining customers could not check their email until 10:57.',
    );
    expect(shown).toContain('our chief technology officer');
    expect(shown).toContain(
      '5 What we need from Rackspace Asks to agree, each with a provider owner and a date: Pre-approved emergency changes for our load balancer groups',
    );
    expect(shown).toContain('Named engineering contacts for network, storage and load balancing');
  });

  it('has no owner name, e-mail, ticket, customer, other provider or internal section', () => {
    const config = loadConfig(EXAMPLE).config;
    const secrets = [
      ...config.owners.flatMap((o) => [o.name, o.email!]),
      'OPS-1411',
      'NET-233',
      'RS 070604',
      'Northfield Hosting',
      'P-2291',
      'preemption enabled',
      'Keystone DNS',
      'keystone-dns',
      'Tidewater',
      'ClearSignal',
      'Questions for Rackspace',
      'Growth plans',
      'Decisions and follow-ups',
      'These notes are internal',
      'Internal notes',
      'INTERNAL',
      'confidential',
    ];
    for (const secret of secrets) expect(markup(html), secret).not.toContain(secret.toLowerCase());
  });
});
