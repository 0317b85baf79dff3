import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runLetter } from '../src/commands/letter.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { customerLetter } from '../src/letter/model.js';
import { BASE_CONFIG, BASE_INCIDENT, BASE_PATH } from '../src/rules/fixtures.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * Golden letters and one test per case of the sentence rules (src/letter/sentences.ts):
 * restoration, "related", time zones. The goldens are the Markdown letters byte for byte
 * (test/fixtures/letters/); after a deliberate wording change, rewrite them with
 * UPDATE_GOLDEN=1 and read the diff.
 */
vi.setConfig({ testTimeout: 120_000 });
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
const GOLDEN = join(import.meta.dirname, 'fixtures', 'letters');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'public-incidents');

function files(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'out') continue;
    if (statSync(path).isDirectory()) Object.assign(out, files(path, base));
    else out[relative(base, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

async function markdownLetter(root: string, ids: string[], date?: string): Promise<string> {
  const out = tempKb({});
  roots.push(out);
  const { outcome } = await runLetter(captureContext(root, { out, now: '2025-01-01' }), {
    ids,
    formats: ['md'],
    ...(date ? { date } : {}),
  });
  return readFileSync(join(out, 'letters', `${outcome.name}.md`), 'utf8');
}

function golden(name: string, text: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

/** The letter's prose as sentences, without headings, list markers or the signature. */
function sentences(markdown: string): string[] {
  const body = markdown.split('\nSincerely,')[0]!;
  return body
    .split('\n')
    .filter((line) => !line.startsWith('#') && !line.startsWith('**'))
    .map((line) => line.replace(/^- /, '').replace(/\\/g, ''))
    .join(' ')
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.split(' ').length >= 3);
}

/** What a letter says more than once: repeated sentences and facts (apology, mail not lost, shared symptom). */
function repetitions(markdown: string): string[] {
  const seen = new Map<string, number>();
  for (const s of sentences(markdown)) seen.set(s, (seen.get(s) ?? 0) + 1);
  const repeated = [...seen].filter(([, n]) => n > 1).map(([s, n]) => `${n}× sentence: ${s}`);
  const facts: Record<string, RegExp> = {
    apology: /\b(?:sorry|apologi[sz]e|apology)\b/gi,
    'no mail lost': /no mail was lost|no mail lost|nothing was lost/gi,
    'shared symptom': /(?:both|all \w+) (?:incidents|interruptions) left customers|in both cases/gi,
    'related or not': /\b(?:unrelated|different cause|same cause)\b/gi,
  };
  for (const [fact, pattern] of Object.entries(facts)) {
    const n = markdown.match(pattern)?.length ?? 0;
    if (n > 1) repeated.push(`${n}× fact: ${fact}`);
  }
  return repeated;
}

const words = (markdown: string) =>
  markdown
    .split('\nSincerely,')[0]!
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

describe('golden letters', () => {
  it('the June 2007 letter: one telling per incident, done and planned changes, at most 700 words', async () => {
    const md = await markdownLetter(process.cwd(), ['2007-06-13-mail-routing-database', '2007-06-04-dulles-load-balancer-overload']);
    golden('2007-06-email-interruptions.md', md);
    expect(repetitions(md)).toEqual([]);
    expect(words(md)).toBeLessThanOrEqual(700);
  });

  const fixtureRoot = () => {
    const root = tempKb(files(FIXTURE));
    roots.push(root);
    return root;
  };

  it('Cloudflare 2019 and Fastly 2021: a degraded tail is not counted, a window scope in its unit', async () => {
    const md = await markdownLetter(
      fixtureRoot(),
      ['2019-07-02-cloudflare-waf-regex', '2021-06-08-fastly-customer-config-bug'],
      '2024-12-31',
    );
    golden('cloudflare-2019-fastly-2021.md', md);
    expect(repetitions(md)).toEqual([]);
    expect(md).toContain('It began at 1:42 PM UTC and lasted 27 minutes, until 2:09 PM UTC.');
    expect(md).toContain('From 9:47 AM UTC to 10:36 AM UTC, the outage affected 85% of our network.');
    expect(md).not.toMatch(/affected customers/);
  });

  it('one incident: the opening names no day, since the heading below it does (Fastly 2021, CrowdStrike 2024)', async () => {
    const fastly = await markdownLetter(fixtureRoot(), ['2021-06-08-fastly-customer-config-bug'], '2021-06-08');
    expect(repetitions(fastly)).toEqual([]);
    expect(fastly).toContain('Our service let you down, and I want to apologize to you for it.');
    expect(fastly.match(/Tuesday, June 8, 2021/g)).toEqual(['Tuesday, June 8, 2021']);
    // a multi-day incident: its end is said once, by its `when` sentence
    const crowdstrike = await markdownLetter(fixtureRoot(), ['2024-07-19-crowdstrike-channel-file-291'], '2024-07-30');
    expect(crowdstrike.match(/July 30/g)).toEqual(['July 30', 'July 30']); // the letter's date, then the end
    expect(crowdstrike).toContain('until 12:00 AM UTC on Tuesday, July 30.');
    expect(crowdstrike.match(/Friday, July 19, 2024/g)).toEqual(['Friday, July 19, 2024']);
  });

  it('Roblox 2021 and CrowdStrike 2024: multi-day lengths, each leader named once', async () => {
    const md = await markdownLetter(
      fixtureRoot(),
      ['2021-10-28-roblox-consul-outage', '2024-07-19-crowdstrike-channel-file-291'],
      '2024-12-31',
    );
    golden('roblox-2021-crowdstrike-2024.md', md);
    expect(repetitions(md)).toEqual([]);
    expect(md).toContain('lasted 10 days and 20 hours, until 12:00 AM UTC on Tuesday, July 30.');
    expect(md).toContain('Led by CrowdStrike engineering:');
    expect(md).not.toContain('CrowdStrike, CrowdStrike');
    expect(md).not.toMatch(/within 1 hour and 18 minutes/);
  });
});

/** A letter from the rules' base incident (09:10 → mitigated 10:30 → resolved 10:55 EDT, Dulles), edited. */
function letterFrom(edits: { incident?: (text: string) => string; config?: (text: string) => string; more?: Record<string, string> } = {}) {
  const root = tempKb({
    'postmortem.config.yaml': (edits.config ?? ((t) => t))(BASE_CONFIG),
    [BASE_PATH]: (edits.incident ?? ((t) => t))(BASE_INCIDENT),
    ...edits.more,
  });
  roots.push(root);
  const kb = loadKnowledgeBase({ root, now: '2008-01-01' });
  expect(kb.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const letter = customerLetter(kb.incidents, kb.config, { audience: 'customers' });
  return { letter, incident: letter.incidents[0]!, rules: letter.claims.map((c) => c.rule) };
}
const impact = (lines: string) => (t: string) =>
  t.replace('  summary: Customers could not read mail.\n', `  summary: Customers could not read mail.\n${lines}`);
const SECOND = (extra = '') =>
  BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: 2007-06-13-db')
    .replace(/2007-06-04T/g, '2007-06-13T')
    .replace('  summary: Customers could not read mail.\n', `  summary: Customers could not log in.\n  symptoms: [cannot access email]\n`)
    .replace('owners:', `${extra}owners:`);

describe('restoration: said only from the record, in its unit', () => {
  it('a percentage with its unit', () => {
    const { incident } = letterFrom({ incident: impact('  percent_resolved_at_mitigation: 95\n  percent_resolved_of: network\n') });
    expect(incident.restoration).toEqual(['By 10:30 AM EDT, service was back for 95% of our network.']);
  });

  it('"of affected customers" only when the unit is customers', () => {
    const { incident } = letterFrom({ incident: impact('  percent_resolved_at_mitigation: 99.6\n  percent_resolved_of: customers\n') });
    expect(incident.restoration).toEqual(['By 10:30 AM EDT, service was back for more than 99% of affected customers.']);
  });

  it('public windows with a scope, when there is no percentage with a unit', () => {
    const { incident, rules } = letterFrom({
      incident: impact(`  percent_resolved_at_mitigation: 95
  windows:
    - {from: 2007-06-04T09:10:00-04:00, to: 2007-06-04T10:30:00-04:00, level: outage, scope: {percent: 85, of: network}, public: true}
    - {from: 2007-06-04T10:30:00-04:00, to: 2007-06-04T10:55:00-04:00, level: partial-outage, scope: {count: 120, of: sites}, public: true}
    - {from: 2007-06-04T10:30:00-04:00, to: 2007-06-04T10:50:00-04:00, level: degraded, scope: {percent: 40, of: mailboxes}}
`),
    });
    expect(incident.restoration).toEqual([
      'From 9:10 AM EDT to 10:30 AM EDT, the outage affected 85% of our network.',
      'From 10:30 AM EDT to 10:55 AM EDT, a partial outage affected 120 sites.',
    ]);
    expect(rules.filter((r) => r === 'window-stage')).toHaveLength(2);
  });

  it('nothing to support it: a percentage without a unit is left out', () => {
    const { incident, rules } = letterFrom({ incident: impact('  percent_resolved_at_mitigation: 95\n') });
    expect(incident.restoration).toEqual([]);
    expect(rules).not.toContain('restored-share');
  });

  it('a zero gap (mitigated when resolved) says no share and never "the next less than a minute"', () => {
    const { incident } = letterFrom({
      incident: (t) =>
        impact('  percent_resolved_at_mitigation: 95\n  percent_resolved_of: customers\n')(t).replace(
          'mitigated: 2007-06-04T10:30:00-04:00',
          'mitigated: 2007-06-04T10:55:00-04:00',
        ),
    });
    expect(incident.restoration).toEqual([]);
    expect(incident.when).toBe('It began at 9:10 AM EDT and lasted 1 hour and 45 minutes, until 10:55 AM EDT.');
    expect(JSON.stringify(incident)).not.toContain('less than a minute');
  });

  it('over several days, the end carries its day', () => {
    const { incident } = letterFrom({
      incident: (t) =>
        impact('  percent_resolved_at_mitigation: 80\n  percent_resolved_of: customers\n')(t)
          .replace('mitigated: 2007-06-04T10:30:00-04:00', 'mitigated: 2007-06-05T08:00:00-04:00')
          .replace('resolved: 2007-06-04T10:55:00-04:00', 'resolved: 2007-06-06T12:00:00-04:00'),
    });
    expect(incident.when).toBe('It began at 9:10 AM EDT and lasted 2 days and 3 hours, until 12:00 PM EDT on Wednesday, June 6.');
    expect(incident.restoration).toEqual(['By 8:00 AM EDT on Tuesday, June 5, service was back for 80% of affected customers.']);
  });
});

describe('"related": only from customer.related_cause', () => {
  it('the internal `related` list alone says nothing about causes', () => {
    const { letter } = letterFrom({
      incident: (t) =>
        t
          .replace('owners:', 'related: [2007-06-13-db]\nowners:')
          .replace(
            '  summary: Customers could not read mail.\n',
            '  summary: Customers could not read mail.\n  symptoms: [cannot access email]\n',
          ),
      more: { 'incidents/2007-06-13-db.md': SECOND() },
    });
    expect(letter.shared).toEqual(['Both incidents left customers unable to access email.']);
  });

  it('a customer wording of a shared cause is said once, even when both incidents carry it', () => {
    const cause = 'customer:\n  related_cause: Both interruptions came from the same fault in our storage system.\n';
    const { letter, rules } = letterFrom({
      incident: (t) => t.replace('owners:', `${cause}owners:`),
      more: { 'incidents/2007-06-13-db.md': SECOND(cause) },
    });
    expect(letter.shared).toEqual(['Both interruptions came from the same fault in our storage system.']);
    expect(rules.filter((r) => r === 'related-cause')).toHaveLength(1);
  });

  it('a letter about one incident does not say it', () => {
    const { letter } = letterFrom({
      incident: (t) => t.replace('owners:', 'customer:\n  related_cause: It shared a cause with the outage of June 1.\nowners:'),
    });
    expect(letter.shared).toEqual([]);
  });
});

describe("time zones: the letter's, and a location's own", () => {
  it('a plain location name: times in the letter zone only', () => {
    expect(letterFrom().incident.when).toBe('It began at 9:10 AM EDT and lasted 1 hour and 45 minutes, until 10:55 AM EDT.');
  });

  it('a location with its own zone: its local times too', () => {
    const { incident } = letterFrom({
      config: (c) => c.replace('  dulles-va: Dulles, VA', '  dulles-va: {name: Zürich, timezone: Europe/Zurich}'),
    });
    expect(incident.when).toBe(
      'It began at 9:10 AM EDT (3:10 PM GMT+2 in Zürich) and lasted 1 hour and 45 minutes, until 10:55 AM EDT (4:55 PM GMT+2 in Zürich).',
    );
    expect(incident.location_text).toBe('Zürich');
  });

  it('a local time on another day says the day', () => {
    const { incident } = letterFrom({
      config: (c) => c.replace('  dulles-va: Dulles, VA', '  dulles-va: {name: Tokyo, timezone: Asia/Tokyo}'),
    });
    expect(incident.when).toBe(
      'It began at 9:10 AM EDT (10:10 PM GMT+9 in Tokyo) and lasted 1 hour and 45 minutes, until 10:55 AM EDT (11:55 PM GMT+9 in Tokyo).',
    );
    const late = letterFrom({
      config: (c) => c.replace('  dulles-va: Dulles, VA', '  dulles-va: {name: Tokyo, timezone: Asia/Tokyo}'),
      incident: (t) => t.replace('resolved: 2007-06-04T10:55:00-04:00', 'resolved: 2007-06-04T11:30:00-04:00'),
    });
    expect(late.incident.when).toContain('until 11:30 AM EDT (12:30 AM GMT+9 on Tuesday, June 5 in Tokyo).');
  });

  it("a location in the letter's own zone adds nothing", () => {
    const { incident } = letterFrom({
      config: (c) => c.replace('  dulles-va: Dulles, VA', '  dulles-va: {name: Dulles, VA, timezone: America/New_York}'),
    });
    expect(incident.when).toBe('It began at 9:10 AM EDT and lasted 1 hour and 45 minutes, until 10:55 AM EDT.');
  });
});

describe('postmortem letter --preview', () => {
  it('prints the customer-text warnings, the word count and the claims table, and writes nothing', async () => {
    const { runLetterPreview } = await import('../src/commands/letter.js');
    const root = tempKb({
      'postmortem.config.yaml': BASE_CONFIG,
      [BASE_PATH]: BASE_INCIDENT.replace(
        'summary: Customers could not read mail.',
        'summary: "Kunden konnten ihre E-Mails nicht lesen, und das war nicht gut für unsere Kunden.<img src=x onerror=alert(1)>"',
      ).replace('status: done}', 'status: done, public: true}'),
    });
    roots.push(root);
    const out = tempKb({});
    roots.push(out);
    const ctx = captureContext(root, { out, now: '2008-01-01' });
    const { exitCode, preview } = await runLetterPreview(ctx, { ids: ['2007-06-04-lb'] });
    expect(exitCode).toBe(0);
    const text = ctx.out_();
    expect(text).toContain('Preview of letter 2007-06-04-lb ("Load balancer overload", dated June 4, 2007); nothing written.');
    expect(text).toContain(`${BASE_PATH}:13:12: warning \`impact.summary\` is plain text but holds markup`);
    expect(text).toContain(`${BASE_PATH}:13:12: warning \`impact.summary\` reads as German, but customer documents are in \`en\``);
    expect(text).toContain(`${BASE_PATH}:4:9: warning final incident in letter "2007-06-04-lb" has no customer summary`);
    expect(text).toContain(
      `${BASE_PATH}:22:5: warning public remediation R1 of this final incident in letter "2007-06-04-lb" has no customer wording`,
    );
    expect(text).toMatch(/Words: \d+ \(the letter up to its valediction\)/);
    expect(text).toMatch(/│ when\s+│ 2007-06-04-lb\s+│ started, resolved\s+│ It began at 9:10 AM EDT/);
    expect(text).toMatch(/│ changed\s+│ 2007-06-04-lb\s+│ remediations\[R1\]\.action\s+│ Stop traffic bouncing\./);
    expect(preview.words).toBeGreaterThan(50);
    expect(readdirSync(out)).toEqual([]);
  });
});
