import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/commands/check.js';
import { BASE_CONFIG, BASE_INCIDENT } from '../src/rules/fixtures.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
function kb(files: Record<string, string | Uint8Array>): string {
  const root = tempKb(files);
  roots.push(root);
  return root;
}

const aliasBomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (let i = 1; i < 12; i++) {
  const p = String.fromCharCode(96 + i);
  aliasBomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${p}`).join(',')}]`);
}

/** One knowledge base with every kind of bad input the issue names, next to a good incident. */
const HOSTILE: Record<string, string | Uint8Array> = {
  'postmortem.config.yaml': BASE_CONFIG,
  'incidents/2007-06-04-lb.md': BASE_INCIDENT,
  'incidents/a-malformed.md': '---\nid: a-malformed\ntitle: [unclosed\n---\n',
  'incidents/b-empty.md': '',
  'incidents/c-no-frontmatter.md': '# Just a heading\n\nNo front-matter here.\n',
  'incidents/d-alias-bomb.md': `---\n${aliasBomb.join('\n')}\n---\n`,
  'incidents/e-huge.md': `${BASE_INCIDENT.replace('2007-06-04-lb', 'e-huge') + 'word '.repeat(1024 * 1024)}\n`,
  'incidents/f-binary.md': new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
  'incidents/g-duplicate-keys.md': BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: g-duplicate-keys').replace(
    'status: final',
    'status: final\nstatus: draft',
  ),
  'incidents/h-proto.md': BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: h-proto').replace(
    'services:',
    '__proto__: {isAdmin: true}\nconstructor: {prototype: {x: 1}}\nservices:',
  ),
  'incidents/i-types.md': BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: i-types')
    .replace('services: [webmail]', 'services: 42')
    .replace('title: Load balancer overload', 'title: [a, b]'),
  'incidents/j-missing.md': '---\nid: j-missing\n---\nBody.\n',
  'incidents/k-local-time.md': BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: k-local-time').replace(
    'started: 2007-06-04T09:10:00-04:00',
    'started: 2007-06-04 09:10',
  ),
  'incidents/l-order.md': BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: l-order').replace(
    'resolved: 2007-06-04T10:55:00-04:00',
    'resolved: 2007-06-03T10:55:00-04:00',
  ),
};

describe('postmortem check', () => {
  it('passes a valid knowledge base with a summary line and exit 0', () => {
    const ctx = captureContext(kb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': BASE_INCIDENT }), {
      now: '2007-06-05',
    });
    const result = runCheck(ctx);
    expect(result.exitCode).toBe(0);
    expect(ctx.out_()).toBe('1 file checked: no problems.\n');
  });

  it('reports every problem of every hostile file in one run, sorted, without crashing', () => {
    const ctx = captureContext(kb(HOSTILE), { now: '2007-06-05' });
    const result = runCheck(ctx);
    expect(result.exitCode).toBe(1);
    const lines = ctx.out_().trimEnd().split('\n');
    const summary = lines.pop();
    expect(summary).toMatch(/^13 files checked: \d+ errors, 2 warnings in 12 files; 2 valid incidents\.$/);
    // Every line follows the grammar, and the output is sorted by file then position.
    const parsed = lines.map((l) => {
      const m = /^([^:]+):(\d+):(\d+): (error|warning) (.+) \[([a-z0-9-]+)\]$/.exec(l);
      expect(m, l).not.toBeNull();
      return { file: m![1]!, line: Number(m![2]), column: Number(m![3]), rule: m![6]! };
    });
    const sorted = [...parsed].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    expect(parsed.map((p) => p.file)).toEqual(sorted.map((p) => p.file));
    const byFile = (f: string) => parsed.filter((p) => p.file === `incidents/${f}.md`).map((p) => `${p.line}:${p.column} ${p.rule}`);
    expect(byFile('a-malformed')).toEqual(['3:17 yaml-syntax']);
    expect(byFile('b-empty')).toEqual(['1:1 frontmatter']);
    expect(byFile('c-no-frontmatter')).toEqual(['1:1 frontmatter']);
    expect(byFile('d-alias-bomb')).toEqual(['3:8 yaml-alias']);
    expect(byFile('e-huge')).toEqual(['26:1 file-size']);
    expect(byFile('f-binary')).toEqual(['1:1 encoding']);
    expect(byFile('g-duplicate-keys')).toEqual(['5:1 yaml-duplicate-key']);
    expect(byFile('h-proto')).toEqual(['6:1 unknown-field', '7:1 unknown-field']);
    expect(byFile('i-types')).toEqual(['3:8 field-type', '6:11 field-type']);
    // id is there; the other eight required fields are each named.
    expect(byFile('j-missing')).toEqual(Array(8).fill('1:1 required-field'));
    for (const field of ['title', 'status', 'severity', 'services', 'started', 'impact', 'root_cause', 'owners']) {
      expect(lines).toContain(`incidents/j-missing.md:1:1: error missing required field \`${field}\` [required-field]`);
    }
    expect(byFile('k-local-time')).toEqual(['8:10 timestamp-offset']);
    expect(byFile('l-order')).toEqual(['11:11 time-order', '18:5 timeline-window']);
    expect(Object.prototype).not.toHaveProperty('isAdmin');
  });

  it('prints JSON with one shape and exits 1 with --strict on warnings', () => {
    const root = kb({
      'postmortem.config.yaml': BASE_CONFIG,
      'incidents/2007-06-04-lb.md': BASE_INCIDENT.replace('services: [webmail]', 'services: [webmale]'),
    });
    const ctx = captureContext(root, { now: '2007-06-05' });
    expect(runCheck(ctx, { format: 'json' }).exitCode).toBe(0);
    expect(JSON.parse(ctx.out_())).toEqual([
      {
        file: 'incidents/2007-06-04-lb.md',
        line: 6,
        column: 12,
        severity: 'warning',
        ruleId: 'unknown-service',
        message: 'service "webmale" is not in the catalogue (webmail, pop, imap)',
      },
    ]);
    expect(runCheck(captureContext(root, { now: '2007-06-05' }), { strict: true }).exitCode).toBe(1);
  });

  it('runs the incident-level rules on a record with field errors, so one run shows every problem', () => {
    const text = BASE_INCIDENT.replace('severity: SEV1', 'severity: SEV9')
      .replace('    kind: detection', '    kind: alarm')
      .replace('owner: bill', 'owner: bil')
      .replace('mitigated: 2007-06-04T10:30:00-04:00', 'mitigated: 2007-06-04T08:30:00-04:00');
    const ctx = captureContext(kb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': text }), { now: '2007-06-05' });
    const result = runCheck(ctx);
    expect(result.exitCode).toBe(1);
    expect(ctx.out_()).toBe(
      [
        'incidents/2007-06-04-lb.md:5:11: error `severity` must be one of SEV1, SEV2, SEV3, SEV4, unrated; got the text "SEV9" [enum-value]',
        'incidents/2007-06-04-lb.md:10:12: error `mitigated` (2007-06-04T12:30:00Z) is before `started` (2007-06-04T13:10:00Z) [time-order]',
        'incidents/2007-06-04-lb.md:20:11: error `timeline[0].kind` must be one of precursor, trigger, detection, action, mitigation, resolution, communication, note, follow-up; got the text "alarm" [enum-value]',
        'incidents/2007-06-04-lb.md:22:68: error owner "bil" is not in the owners directory (postmortem.config.yaml `owners`) (did you mean "bill"?) [owner-known]',
        '1 file checked: 4 errors, 0 warnings in 1 file; 0 valid incidents.',
        '',
      ].join('\n'),
    );
  });

  it('locates problems in the config and still checks the incidents', () => {
    const ctx = captureContext(
      kb({
        'postmortem.config.yaml': 'timezone: Mars/Olympus\npaper: tabloid\nletter:\n  signer: nobody\nsevereties: [P1]\n',
        'incidents/2007-06-04-lb.md': BASE_INCIDENT,
      }),
      { now: '2007-06-05' },
    );
    const result = runCheck(ctx);
    expect(result.exitCode).toBe(1);
    expect(ctx.out_()).toContain(
      'postmortem.config.yaml:2:8: error `paper` must be one of letter, a4; got the text "tabloid" [enum-value]',
    );
    expect(ctx.out_()).toContain(
      'postmortem.config.yaml:5:1: warning unknown field `severeties` (did you mean `severities`?) [unknown-field]',
    );
    expect(result.incidents).toBe(1);

    const ctx2 = captureContext(kb({ 'postmortem.config.yaml': 'timezone: Mars/Olympus\nletter:\n  signer: nobody\n' }), {
      now: '2007-06-05',
    });
    runCheck(ctx2);
    expect(ctx2.out_()).toContain(
      'postmortem.config.yaml:1:11: error `timezone` "Mars/Olympus" is not an IANA time zone such as America/New_York (UTC is used until it is fixed) [field-value]',
    );
    expect(ctx2.out_()).toContain('postmortem.config.yaml:3:11: error letter signer "nobody" is not in the owners directory [owner-known]');
  });

  it('runs the incident-level rules on what can be read when a required field is unusable', () => {
    const broken = BASE_INCIDENT.replace('services: [webmail]', 'services: 42')
      .replace('resolved: 2007-06-04T10:55:00-04:00', 'resolved: 2007-06-03T10:55:00-04:00')
      .replace(
        'root_cause:\n  category: capacity\n  summary: A traffic surge overloaded lb1.',
        'root_cause: [{category: weather, summary: Rain.}]',
      );
    const ctx = captureContext(kb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': broken }), { now: '2007-06-05' });
    expect(runCheck(ctx).exitCode).toBe(1);
    // The set-aside fields give no messages of their own (no unknown service, no missing cause).
    expect(ctx.out_()).toBe(
      [
        'incidents/2007-06-04-lb.md:6:11: error `services` must be a list, not number 42 [field-type]',
        'incidents/2007-06-04-lb.md:11:11: error `resolved` (2007-06-03T14:55:00Z) is before `started` (2007-06-04T13:10:00Z) [time-order]',
        'incidents/2007-06-04-lb.md:14:25: error `root_cause[0].category` must be one of capacity, change, config, software, hardware, network, dependency, security, process, unknown; got the text "weather" [enum-value]',
        'incidents/2007-06-04-lb.md:16:5: error timeline entry at 2007-06-04T13:12:00Z is 1337 minutes after `resolved`, more than the 60-minute slack; if it is work after the impact, mark it `follow-up`; else move `resolved` later [timeline-window]',
        '1 file checked: 4 errors, 0 warnings in 1 file; 0 valid incidents.',
        '',
      ].join('\n'),
    );
  });

  it('sets aside an unknown key inside a nested config entry and uses the rest of the config', () => {
    const config = BASE_CONFIG.replace('providers: [rackspace]', 'providers:\n  - {id: rackspace, kind: hosting, name: Rackspace}').replace(
      '{id: dana, name: Dana Example}',
      '{id: dana, name: Dana Example, phone: 555-0100}',
    );
    const ctx = captureContext(kb({ 'postmortem.config.yaml': config, 'incidents/2007-06-04-lb.md': BASE_INCIDENT }), {
      now: '2007-06-05',
    });
    const result = runCheck(ctx);
    // Only the two warnings: the owners, services and providers of the config are still known.
    expect(ctx.out_()).toBe(
      [
        'postmortem.config.yaml:6:36: warning unknown field `providers[0].name` [unknown-field]',
        'postmortem.config.yaml:10:36: warning unknown field `owners[1].phone` [unknown-field]',
        '1 file checked: 0 errors, 2 warnings in 1 file; 1 valid incident.',
        '',
      ].join('\n'),
    );
    expect(result.exitCode).toBe(0);
  });

  it('checks only the paths given, but cross-file rules still see every incident', () => {
    const other = BASE_INCIDENT.replace('id: 2007-06-04-lb', 'id: 2007-06-13-db').replace('owners:', 'related: [2007-06-04-lb]\nowners:');
    const root = kb({
      'postmortem.config.yaml': BASE_CONFIG,
      'incidents/2007-06-04-lb.md': BASE_INCIDENT.replace('services: [webmail]', 'services: [webmale]'),
      'incidents/2007-06-13-db.md': other,
    });
    const ctx = captureContext(root, { now: '2007-06-05' });
    const result = runCheck(ctx, { paths: [`${root}/incidents/2007-06-13-db.md`] });
    expect(result.exitCode).toBe(0);
    expect(ctx.out_()).toBe('1 file checked: no problems.\n');
  });
});
