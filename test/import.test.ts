import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runImport } from '../src/commands/import.js';
import { runCheck } from '../src/commands/check.js';
import { runStats } from '../src/commands/stats.js';
import type { ImportOptions } from '../src/import/run.js';
import { readForeignTime } from '../src/import/time.js';
import { timeDoubts } from '../src/import/plausible.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

const FIXTURES = new URL('./fixtures/import/', import.meta.url).pathname;
const CONFIG = `timezone: America/New_York
services: [webmail, pop, imap, smtp]
service_names: {webmail: Webmail, pop: POP, imap: IMAP, smtp: SMTP}
owners:
  - {id: bill, name: Bill Example}
  - {id: dana, name: Dana Example}
`;

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
function kb(): string {
  const root = tempKb({ 'postmortem.config.yaml': CONFIG, 'incidents/.keep': '' });
  roots.push(root);
  return root;
}

function importInto(root: string, options: Omit<ImportOptions, 'cwd'>) {
  const ctx = captureContext(root, { now: '2024-01-01' });
  const result = runImport(ctx, { cwd: FIXTURES, ...options });
  return { ...result, out: ctx.out_(), lines: ctx.out_().trimEnd().split('\n') };
}

const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8');

describe('postmortem import statuspage', () => {
  it('--dry-run reports every problem of every file in one run, located in the input, and writes nothing', () => {
    const root = kb();
    const { exitCode, out } = importInto(root, { kind: 'statuspage', paths: ['statuspage'], dryRun: true });
    expect(exitCode).toBe(1);
    expect(out).toBe(
      [
        "statuspage/incidents.json:24:21: error `started` 2021-03-02T09:15:00Z is labelled UTC, but the record's text says 09:15 PST (-08:00); one of them is wrong: correct the source (the import does not guess which) [import-zone]",
        'statuspage/incidents.json:32:5: error same company, title and day as the record at statuspage/incidents.json:3; not imported (correct the source, or give one a different title) [import-duplicate]',
        'statuspage/incidents.json:52:21: error `started` "2021-03-04T10:00:00" has no time zone; set `zone:` in the map to the zone the source\'s times are in (e.g. zone: America/Los_Angeles) [import-time]',
        'statuspage/malformed.json:3:61: error not valid JSON: Expected double-quoted property name [import-syntax]',
        '5 records in 2 files: 2 import cleanly (2 new, 0 updated, 0 unchanged), 3 with errors not imported; 0 conflicts; 4 errors, 0 warnings in all.',
        'Dry run: nothing written.',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(root, 'incidents/imported'))).toBe(false);
    expect(existsSync(join(root, '.postmortem'))).toBe(false);
  });

  it('malformed JSON anywhere in the input: located message, nothing written', () => {
    const root = kb();
    const { exitCode, lines } = importInto(root, { kind: 'statuspage', paths: ['statuspage'] });
    expect(exitCode).toBe(1);
    expect(lines.at(-1)).toBe('Nothing written: the input or the map has errors that stop it being read; correct them and import again.');
    expect(existsSync(join(root, 'incidents/imported'))).toBe(false);
  });

  it('updates become public timeline entries, components services, impact the window level; an unknown start stays unknown', () => {
    const root = kb();
    const { lines } = importInto(root, { kind: 'statuspage', paths: ['statuspage/incidents.json'] });
    expect(lines.slice(-2)).toEqual([
      'Created incidents/imported/statuspage/2021-03-01-webmail-unavailable.md',
      'Created incidents/imported/statuspage/undated-scheduled-notice-about-imap.md',
    ]);
    const text = read(root, 'incidents/imported/statuspage/2021-03-01-webmail-unavailable.md');
    expect(text).toContain(
      'status: draft\nseverity: unrated\nservices:\n  - webmail\nstarted: 2021-03-01T14:00:00Z\nresolved: 2021-03-01T15:10:00Z\n',
    );
    expect(text).toContain('  level: outage\n');
    expect(text).toContain(
      '  - at: 2021-03-01T14:05:00Z\n    event: Webmail does not load; we are investigating.\n    kind: detection\n    public: true\n',
    );
    expect(text).toContain('source:\n  kind: statuspage\n  id: sp-001\n  url: https://status.example.com/incidents/sp-001\n');
    const undated = read(root, 'incidents/imported/statuspage/undated-scheduled-notice-about-imap.md');
    expect(undated).not.toContain('started:');
    expect(runCheck(captureContext(root, { now: '2024-01-01' })).exitCode).toBe(0);
  });
});

describe('postmortem import md-frontmatter', () => {
  it('--dry-run: YAML errors, duplicates and unmapped values of every file in one report', () => {
    const root = kb();
    const { out } = importInto(root, { kind: 'md-frontmatter', paths: ['md'], map: 'md/map.yaml', dryRun: true });
    expect(out).toBe(
      [
        'md/0003-day-only.md:6:1: warning category "cosmic-rays" is not in the map\'s `categories`; kept under `extra.source_categories`, the root cause stays unknown [import-value]',
        'md/0003-day-only.md:10:1: warning severity "P9" is not in the map\'s `severities`; imported as unrated [import-value]',
        'md/0005-duplicate.md:1:1: error same company, title and day as the record at md/0001-dns.md:1; not imported (correct the source, or give one a different title) [import-duplicate]',
        'md/0006-malformed.md:3:20: error malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] [yaml-syntax]',
        // a field-level rule and an incident-level rule of check, in the same run
        'md/0007-rules.md:6:1: error record "W-7": `root_cause.category` must be one of capacity, change, config, software, hardware, network, dependency, security, process, unknown; got the text "storage" [enum-value]',
        'md/0007-rules.md:7:1: warning record "W-7": service "calendar" is not in the catalogue (webmail, pop, imap, smtp) [unknown-service]',
        '6 records in 7 files: 4 import cleanly (4 new, 0 updated, 0 unchanged), 2 with errors not imported; 0 conflicts; 3 errors, 3 warnings in all.',
        'Dry run: nothing written.',
        '',
      ].join('\n'),
    );
  });

  it('writes drafts that check: day-precision start, local times in the map zone, no start at all', () => {
    const root = kb();
    const { exitCode } = importInto(root, {
      kind: 'md-frontmatter',
      paths: ['md/0001-dns.md', 'md/0002-no-start.md', 'md/0003-day-only.md', 'md/0004-local-time.md'],
      map: 'md/map.yaml',
    });
    expect(exitCode).toBe(0);
    const dir = 'incidents/imported/md-frontmatter';
    expect(read(root, `${dir}/2019-07-01-slow-pop-downloads.md`)).toContain('started: 2019-07-01\n');
    // 10:00 in the map's zone, America/New_York, in summer
    expect(read(root, `${dir}/2019-08-01-deploy-broke-login.md`)).toContain(
      'severity: SEV1\nservices:\n  - webmail\nstarted: 2019-08-01T10:00:00-04:00\n',
    );
    expect(read(root, `${dir}/2019-05-06-dns-answers-wrong-for-webmail.md`)).toContain('root_cause:\n  category: network\n');
    expect(read(root, `${dir}/2019-05-06-dns-answers-wrong-for-webmail.md`)).toMatch(/---\n\nThe resolver cache held an old record\.\n$/);
    expect(read(root, `${dir}/undated-old-outage-nobody-timed.md`)).not.toContain('started:');
    const check = captureContext(root, { now: '2024-01-01' });
    expect(runCheck(check).exitCode).toBe(0);
    expect(check.out_()).toBe('4 files checked: no problems.\n');
  });

  it('the built-in icco map reads that layout', () => {
    const root = kb();
    const icco = tempKb({
      'a.md':
        '---\nuuid: 1b2c\nurl: https://example.com/pm\ntitle: Queue stalled\nstart_time: 2018-02-01T10:00:00Z\nend_time: 2018-02-01T11:00:00Z\ncategories: [cloud, unheard-of]\nkeywords: [queue]\ncompany: Example Co\nproduct: webmail\nsummary: The queue stalled.\n---\n',
    });
    roots.push(icco);
    const { exitCode, out } = importInto(root, { kind: 'md-frontmatter', paths: [join(icco, 'a.md')], map: 'icco' });
    expect(out).toContain('warning category "unheard-of" is not in the map\'s `categories`');
    expect(exitCode).toBe(0);
    const text = read(root, 'incidents/imported/md-frontmatter/2018-02-01-queue-stalled.md');
    expect(text).toContain('root_cause:\n  category: dependency\n');
    expect(text).toContain(
      'tags:\n  - queue\nsource:\n  kind: md-frontmatter\n  id: 1b2c\n  url: https://example.com/pm\nextra:\n  company: Example Co\n',
    );
  });

  it('re-import: untouched fields follow the source; a field edited by hand is kept and the clash reported', () => {
    const root = kb();
    const src = tempKb({ 'r.md': readFileSync(join(FIXTURES, 'md/0001-dns.md'), 'utf8') });
    roots.push(src);
    const map = join(FIXTURES, 'md/map.yaml');
    importInto(root, { kind: 'md-frontmatter', paths: [join(src, 'r.md')], map });
    const file = 'incidents/imported/md-frontmatter/2019-05-06-dns-answers-wrong-for-webmail.md';
    writeFileSync(
      join(root, file),
      read(root, file).replace('title: DNS answers wrong for webmail', 'title: Webmail DNS outage (reviewed)'),
    );
    // unchanged source: nothing to do
    expect(importInto(root, { kind: 'md-frontmatter', paths: [join(src, 'r.md')], map }).lines.at(-1)).toContain(
      '(0 new, 0 updated, 1 unchanged)',
    );
    writeFileSync(
      join(src, 'r.md'),
      read(src, 'r.md')
        .replace('headline: DNS answers wrong for webmail', 'headline: DNS wrong')
        .replace('ended: 2019-05-06T09:30:00-04:00', 'ended: 2019-05-06T09:40:00-04:00'),
    );
    const { lines, exitCode } = importInto(root, { kind: 'md-frontmatter', paths: [join(src, 'r.md')], map });
    expect(exitCode).toBe(0);
    expect(lines).toEqual([
      `${file}:3:8: warning \`title\` was edited by hand and the source changed it too (now "DNS wrong"); the hand edit is kept [import-conflict]`,
      '1 record in 1 file: 1 imports cleanly (0 new, 1 updated, 0 unchanged), 0 with errors not imported; 1 conflict; 0 errors, 1 warning in all.',
      `Updated ${file}`,
    ]);
    const text = read(root, file);
    expect(text).toContain('title: Webmail DNS outage (reviewed)\n');
    expect(text).toContain('resolved: 2019-05-06T09:40:00-04:00\n');
  });

  it('a map with errors: located in the map file, nothing read or written', () => {
    const root = kb();
    const map = tempKb({
      'map.yaml': 'fields: {id: 3, titel: x}\nzone: Mars/Olympus\n',
      'zone.yaml': 'fields: {id: ref}\nzone: Mars/Olympus\n',
    });
    roots.push(map);
    expect(importInto(root, { kind: 'csv', paths: ['csv/incidents.csv'], map: join(map, 'map.yaml') }).lines.slice(0, 2)).toEqual([
      `${map}/map.yaml:1:14: error \`fields.id\` must be text, not number 3 [field-type]`,
      `${map}/map.yaml:1:17: warning unknown field \`fields.titel\` [unknown-field]`,
    ]);
    expect(importInto(root, { kind: 'csv', paths: ['csv/incidents.csv'], map: join(map, 'zone.yaml') }).lines[0]).toBe(
      `${map}/zone.yaml:2:7: error \`zone\` "Mars/Olympus" is not an IANA time zone; write one such as America/New_York [field-value]`,
    );
    expect(existsSync(join(root, 'incidents/imported'))).toBe(false);
  });

  it('refuses --into outside incidents/', () => {
    const root = kb();
    expect(() => importInto(root, { kind: 'statuspage', paths: ['statuspage/incidents.json'], into: root })).toThrow(/is not inside/);
  });
});

describe('postmortem import csv', () => {
  it('--dry-run: malformed CSV, DST gaps, duplicates and unmapped categories together; nothing written', () => {
    const root = kb();
    const { out, exitCode } = importInto(root, { kind: 'csv', paths: ['csv'], map: 'csv/map.yaml' });
    expect(exitCode).toBe(1);
    expect(out).toBe(
      [
        'csv/incidents.csv:4:23: warning category "Gremlins" is not in the map\'s `categories`; kept under `extra.source_categories`, the root cause stays unknown [import-value]',
        'csv/incidents.csv:5:1: error same company, title and day as the record at csv/incidents.csv:2; not imported (correct the source, or give one a different title) [import-duplicate]',
        'csv/incidents.csv:6:20: error `started` "2020-03-29 01:30" is not a real date and time in Europe/London (it falls in a daylight-saving change there: write it with its offset in the source) [import-time]',
        'csv/malformed.csv:2:7: error this quoted cell is never closed (a " is missing) [import-syntax]',
        '5 records in 2 files: 3 import cleanly (3 new, 0 updated, 0 unchanged), 2 with errors not imported; 0 conflicts; 3 errors, 1 warning in all.',
        'Nothing written: the input or the map has errors that stop it being read; correct them and import again.',
        '',
      ].join('\n'),
    );
    expect(existsSync(join(root, 'incidents/imported'))).toBe(false);
  });

  it('imports a spreadsheet; stats count the day-precision record untimed and say how many drafts have no start', async () => {
    const root = kb();
    expect(importInto(root, { kind: 'csv', paths: ['csv/incidents.csv'], map: 'csv/map.yaml' }).exitCode).toBe(1);
    expect(read(root, 'incidents/imported/csv/2020-02-03-imap-timeouts.md')).toContain(
      'severity: SEV2\nservices:\n  - imap\nstarted: 2020-02-03T09:00:00+00:00\nresolved: 2020-02-03T09:40:00+00:00\n',
    );
    const ctx = captureContext(root, { now: '2024-01-01' });
    const { rows } = await runStats(ctx, { by: 'year' });
    expect(rows.map((r) => [r.group, r.incidents, r.resolve_median])).toEqual([['2020', 2, 40]]);
    expect(ctx.out_()).toContain(
      'Not measured: 1 draft without a start time is in no group; 1 incident with only a start day is counted but not timed.\n',
    );
  });
});

describe('reading foreign times', () => {
  it('keeps a day a day, reads offsets, applies the map zone, rejects DST gaps and zoneless times', () => {
    expect(readForeignTime('2019-07-01', undefined, 'x')).toEqual({ kind: 'day', text: '2019-07-01' });
    expect(readForeignTime('2017-02-28 17:37:00 +0000 UTC', undefined, 'x')).toMatchObject({
      kind: 'instant',
      text: '2017-02-28T17:37:00+00:00',
      labelled: true,
    });
    expect(readForeignTime('2019-01-10 09:00', 'America/Los_Angeles', 'x')).toMatchObject({
      kind: 'instant',
      text: '2019-01-10T09:00:00-08:00',
      labelled: false,
    });
    expect(readForeignTime('2019-01-10 09:00', undefined, 'x').kind).toBe('problem');
    expect(readForeignTime('2019-03-10 02:30', 'America/Los_Angeles', 'x').kind).toBe('problem');
    expect(readForeignTime('10/01/2019', undefined, 'x').kind).toBe('problem');
  });

  it('reports a time its text puts in another zone, and times outside the plausible range', () => {
    const t = (text: string) => readForeignTime(text, undefined, 'x') as Extract<ReturnType<typeof readForeignTime>, { kind: 'instant' }>;
    expect(
      timeDoubts([{ field: 'started', time: t('2019-01-10T09:00:00Z') }], 'Down from 9:00 AM Pacific.', 30).map((d) => d.ruleId),
    ).toEqual(['import-zone']);
    expect(timeDoubts([{ field: 'started', time: t('2019-01-10T17:00:00Z') }], 'Down from 9:00 AM Pacific.', 30)).toEqual([]);
    expect(timeDoubts([{ field: 'started', time: t('1628-01-10T17:00:00Z') }], '', 30).map((d) => d.ruleId)).toEqual(['import-range']);
    expect(
      timeDoubts(
        [
          { field: 'started', time: t('2019-01-10T17:00:00Z') },
          { field: 'resolved', time: t('2019-01-10T16:00:00Z') },
        ],
        '',
        30,
      ).map((d) => d.message),
    ).toEqual([
      '`resolved` 2019-01-10T16:00:00Z is before `started` 2019-01-10T17:00:00Z; a zone label is likely wrong: correct the source',
    ]);
  });
});
