import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBuild } from '../src/commands/build.js';
import { runCheck } from '../src/commands/check.js';
import { runLetter } from '../src/commands/letter.js';
import { runNew } from '../src/commands/new.js';
import { runPacket } from '../src/commands/packet.js';
import { runSite } from '../src/commands/site.js';
import { runStats } from '../src/commands/stats.js';
import { today } from '../src/model/time.js';
import { BASE_CONFIG, BASE_INCIDENT, BASE_PATH, kb as baseKb } from '../src/rules/fixtures.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/** Spawned for what only the real process shows (Node warnings on stderr); `npm run build` first. */
const CLI = join(import.meta.dirname, '../dist/cli.js');

/** Content a careless or hostile user may type (issue 12): each is a located problem or works, never a crash. */
vi.setConfig({ testTimeout: 120_000 });
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

function kb(files: Record<string, string | Uint8Array>): string {
  const root = tempKb(files);
  roots.push(root);
  return root;
}

function check(files: Record<string, string | Uint8Array>) {
  const ctx = captureContext(kb(files));
  const result = runCheck(ctx);
  return { ...result, out: ctx.out_(), err: ctx.err_() };
}

describe('an invalid timezone in the config', () => {
  for (const zone of ['Mars/Olympus', '""', 'UTC+5', '"UTC "']) {
    it(`timezone: ${zone} is a located error, and build still runs`, async () => {
      const config = BASE_CONFIG.replace('timezone: America/New_York', `timezone: ${zone}`);
      const shown = JSON.parse(zone.startsWith('"') ? zone : `"${zone}"`) as string;
      const result = check({ ...baseKb(), 'postmortem.config.yaml': config });
      expect(result.exitCode).toBe(1);
      expect(result.out).toContain(
        `postmortem.config.yaml:1:11: error \`timezone\` "${shown}" is not an IANA time zone such as America/New_York (UTC is used until it is fixed) [field-value]`,
      );
      const root = kb({ ...baseKb(), 'postmortem.config.yaml': config });
      const ctx = captureContext(root);
      expect((await runBuild(ctx)).exitCode).toBe(1);
      expect(ctx.out_()).toContain('postmortem.config.yaml:1:11: error `timezone`');
    });
  }
});

describe('YAML that cannot become plain text', () => {
  it('a complex key is a located error and prints no Node warning', () => {
    const root = kb(baseKb((t) => t.replace('owners:\n', '? [a, b]\n: c\nowners:\n')));
    const run = spawnSync(process.execPath, [CLI, 'check', '--root', root], { encoding: 'utf8' });
    expect(run.stdout).toContain(
      `${BASE_PATH}:23:3: error malformed YAML: a mapping key must be a plain value, not a list or mapping [yaml-syntax]`,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
  });

  it('control characters from escapes never reach the database or a letter', async () => {
    const root = kb(baseKb((t) => t.replace('title: Load balancer overload', 'title: "Load\\0 bal\\e ancer \\ud800"')));
    const ctx = captureContext(root);
    const result = await runBuild(ctx);
    expect(result.exitCode).toBe(1);
    expect(ctx.out_()).toContain(`${BASE_PATH}:3:8: error \`title\` contains U+0000`);
    const db = new Database(join(root, 'out/postmortems.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM incidents').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('raw control characters in the Markdown body', () => {
  /** Every text value of every table, joined: what the database holds for a reader. */
  function databaseText(path: string): string {
    const db = new Database(path, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      return tables
        .flatMap((t) => db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][])
        .flat()
        .filter((v) => typeof v === 'string')
        .join('\n');
    } finally {
      db.close();
    }
  }

  it('are each reported up to 20, then counted (a binary paste gives no thousand lines)', () => {
    const result = check(baseKb((t) => `${t}junk ${'\u001b'.repeat(25)}\n`));
    const encoding = result.out.split('\n').filter((l) => l.endsWith('[encoding]'));
    expect(encoding).toHaveLength(21);
    expect(encoding[19]).toBe(
      `${BASE_PATH}:29:25: error section "Summary" contains U+001B, a control character that cannot be printed; remove it [encoding]`,
    );
    expect(encoding[20]).toBe(
      `${BASE_PATH}:29:26: error and 5 more control characters from here on (binary data?); remove them [encoding]`,
    );
  });

  it('are located errors, and reach neither the database nor a letter', async () => {
    const dirty = BASE_INCIDENT.replaceAll('2007-06-04-lb', '2007-06-05-lb')
      .replaceAll('2007-06-04T', '2007-06-05T')
      .replace(
        'Traffic overloaded the load balancers.',
        'Traffic \u0000overloaded the load balancers.\n\n## Customer summary\n\nMail was \u001b[31mdown\u001b[0m.',
      );
    const root = kb({ 'postmortem.config.yaml': BASE_CONFIG, [BASE_PATH]: BASE_INCIDENT, 'incidents/2007-06-05-lb.md': dirty });
    const ctx = captureContext(root);
    expect((await runBuild(ctx)).exitCode).toBe(1);
    expect(ctx.out_()).toContain(
      'incidents/2007-06-05-lb.md:28:9: error section "Summary" contains U+0000, a control character that cannot be printed; remove it [encoding]',
    );
    expect(ctx.out_()).toContain(
      'incidents/2007-06-05-lb.md:32:10: error section "Customer summary" contains U+001B, a control character that cannot be printed; remove it [encoding]',
    );
    const text = databaseText(join(root, 'out/postmortems.db'));
    expect(text).toContain('Traffic overloaded the load balancers.'); // the clean incident is there
    expect(text).not.toMatch(/[\u0000\u001b]/);

    await expect(runLetter(captureContext(root), { ids: ['2007-06-05-lb'], formats: ['md', 'html'], name: 'dirty' })).rejects.toThrow(
      'incident with errors cannot go into a letter: 2007-06-05-lb (incidents/2007-06-05-lb.md)',
    );
    const letters = join(root, 'out/letters');
    const written = existsSync(letters)
      ? readdirSync(letters)
          .map((f) => readFileSync(join(letters, f), 'utf8'))
          .join('')
      : '';
    expect(written).not.toMatch(/[\u0000\u001b]/);
  });
});

describe('new', () => {
  it("files an incident on today's date, not the config's as_of, and gives a title without a-z a usable id", () => {
    const root = kb({ 'postmortem.config.yaml': `${BASE_CONFIG}as_of: 2008-01-15\n` });
    const ctx = captureContext(root);
    const result = runNew(ctx, { title: '日本語のタイトル' });
    const date = today('America/New_York').toString();
    expect(result.id).toBe(`${date}-incident`);
    expect(result.file).toBe(`incidents/${date.slice(0, 4)}/${date}-incident.md`);
    expect(ctx.err_()).toBe(
      `The title has no letters a-z or digits to make an id from, so the id is ${date}-incident; pass --id to choose one.\n`,
    );
    const text = readFileSync(join(root, result.file), 'utf8');
    expect(text).toContain('title: "日本語のタイトル"');
    expect(text).toContain(`started: ${date}T09:00:00`);
  });

  it('keeps --now and accented titles as they were', () => {
    const root = kb({ 'postmortem.config.yaml': `${BASE_CONFIG}as_of: 2008-01-15\n` });
    expect(runNew(captureContext(root, { now: '2007-11-04' }), { title: 'Überlastung in Dulles' }).id).toBe(
      '2007-11-04-uberlastung-in-dulles',
    );
  });
});

describe('a file with 50,000 sections', () => {
  it('is checked in linear time and memory (no whole-body Markdown tree)', () => {
    const sections = Array.from({ length: 50_000 }, (_, i) => `## Part ${i}\n\nx\n`).join('\n');
    const files = baseKb((t) => `${t}\n${sections}`, { 'postmortem.config.yaml': `${BASE_CONFIG}validation: {max_file_kb: 2048}\n` });
    const ctx = captureContext(kb(files));
    const cpu = process.cpuUsage();
    const result = runCheck(ctx);
    const used = process.cpuUsage(cpu);
    expect(result.exitCode).toBe(0);
    expect(ctx.out_()).toBe('1 file checked: no problems.\n');
    // Before: about 10 s of CPU time and 1.2 GB (a remark tree of the whole body); now well under a second.
    expect((used.user + used.system) / 1e6).toBeLessThan(4);
  });
});

describe('one incident with many services', () => {
  /** Bytes of every file the site build writes. */
  function siteBytes(dir: string): number {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
  }

  async function siteFor(n: number): Promise<{ bytes: number; servicePage: string }> {
    const services = Array.from({ length: n }, (_, i) => `svc${i}`);
    const root = kb(
      baseKb((t) => t.replace('services: [webmail]', `services: [${services.join(', ')}]`), {
        'postmortem.config.yaml': BASE_CONFIG.replace('services: [webmail, pop, imap]', 'services: []'),
      }),
    );
    const ctx = captureContext(root);
    expect((await runSite(ctx)).exitCode).toBe(0);
    return { bytes: siteBytes(join(root, 'out/site')), servicePage: readFileSync(join(root, 'out/site/services/svc7.html'), 'utf8') };
  }

  it('gets a site whose size grows linearly with the service count', async () => {
    const small = await siteFor(200);
    const large = await siteFor(800);
    // Quadratic growth (each of n service pages listing all n services) would be 16 times.
    expect(large.bytes / small.bytes).toBeLessThan(5);
    expect(large.servicePage).toContain('Svc0, Svc1, Svc2, Svc3, Svc4, Svc5, Svc6, Svc7, Svc8, Svc9, Svc10, Svc11 and 788 more');
    expect(large.servicePage).not.toContain('Svc12,');
  });
});

describe('dates far from today', () => {
  const old = (t: string) => t.replaceAll('2007-06-04', '1500-06-01');

  it('an incident of 1500 has its proleptic Gregorian local date (stats --since finds it)', async () => {
    const root = kb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/1500-06-01-lb.md': old(BASE_INCIDENT) });
    const ctx = captureContext(root);
    const result = await runStats(ctx, { by: 'month', since: '1500-06-01', until: '1500-06-02', format: 'json' });
    expect(ctx.err_()).toBe('');
    expect(result.rows.map((r) => [r.group, r.incidents])).toEqual([['1500-06', 1]]);
  });

  it('a letter about two incidents of 1500 gives their proleptic Gregorian days', async () => {
    const second = old(BASE_INCIDENT).replaceAll('1500-06-01', '1500-06-02').replaceAll('id: 1500-06-02-lb', 'id: 1500-06-02-lb');
    const root = kb({
      'postmortem.config.yaml': BASE_CONFIG,
      'incidents/1500-06-01-lb.md': old(BASE_INCIDENT),
      'incidents/1500-06-02-lb.md': second,
    });
    const ctx = captureContext(root);
    const result = await runLetter(ctx, { ids: ['1500-06-01-lb', '1500-06-02-lb'], formats: ['md'], name: 'old' });
    expect(result.exitCode).toBe(0);
    const md = readFileSync(join(root, 'out/letters/old.md'), 'utf8');
    // Intl (ICU) would give the Julian dates, ten days earlier.
    expect(md).toContain('between Friday, June 1 and Saturday, June 2, 1500');
  });

  /** What a reader sees of an HTML page: its text, tags and runs of white space removed. */
  const pageText = (path: string) =>
    readFileSync(path, 'utf8')
      .replace(/<(style|script)[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');

  it('a packet over an incident of 1500 gives proleptic Gregorian dates and month labels', async () => {
    const root = kb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/1500-06-01-lb.md': old(BASE_INCIDENT) });
    const ctx = captureContext(root);
    const result = await runPacket(ctx, {
      since: '1500-05-01',
      until: '1500-06-15',
      meeting: '1500-06-20',
      formats: ['html'],
      name: 'old',
    });
    expect(result.exitCode).toBe(0);
    const text = pageText(join(root, 'out/packets/old.html'));
    // Intl (ICU) would give the Julian calendar: June 1, 1500 as May 22, a Wednesday as a Saturday.
    expect(text).toContain('Meeting Wednesday, June 20, 1500');
    expect(text).toContain('Period reviewed May 1, 1500 – June 15, 1500');
    expect(text).toContain('SEV1 in this packet: Load balancer overload (June 1, 1500, 1 hour and 45 minutes)');
    expect(text).toContain('June 1500 is counted up to June 15, 1500.');
    expect(text).toContain(
      'Incidents per month, by severity: Jul 1499 0, Aug 0, Sep 0, Oct 0, Nov 0, Dec 0, Jan 1500 0, Feb 0, Mar 0, Apr 0, May 0, Jun 1.',
    );
  });

  it('a site page of an incident of 1500 gives its proleptic Gregorian days', async () => {
    const root = kb({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/1500-06-01-lb.md': old(BASE_INCIDENT) });
    expect((await runSite(captureContext(root))).exitCode).toBe(0);
    const page = pageText(join(root, 'out/site/incidents/1500-06-01-lb.html'));
    expect(page).toContain('Started Friday, June 1, 1500, 08:13 GMT-4:56:02'); // New York's local mean time then
    expect(pageText(join(root, 'out/site/index.html'))).toContain('1500-06-01 Load balancer overload');
  });

  it('no document formats a date with Intl, whose calendar turns Julian before 1583', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const src = join(import.meta.dirname, '../src');
    // Intl may give times and zone names; dates only behind the `GREGORIAN_INTL` guard (src/model/time.ts).
    const datesByIntl = /toLocale(?:Date)?String\([^)]*\b(?:year|month|day|weekday)\b|Intl\.DateTimeFormat\(/;
    const offenders = sources(src).filter(
      (f) => datesByIntl.test(readFileSync(f, 'utf8')) && !readFileSync(f, 'utf8').includes('GREGORIAN_INTL'),
    );
    expect(offenders.map((f) => f.slice(src.length + 1))).toEqual([]);
  });

  it('a timestamp after 9999 in UTC is a located error', () => {
    const result = check(baseKb((t) => t.replace('resolved: 2007-06-04T10:55:00-04:00', 'resolved: 9999-12-31T23:00:00-04:00')));
    expect(result.out).toContain(
      `${BASE_PATH}:11:11: error \`resolved\` "9999-12-31T23:00:00-04:00" is outside the years 0001 to 9999 in UTC [field-value]`,
    );
  });
});
