import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HtmlValidate } from 'html-validate';
import { spawnSync } from 'node:child_process';
import { runSite } from '../src/commands/site.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { Temporal } from '../src/model/time.js';
import { isoDate, isoInZone, longDate, shortDateTime } from '../src/format/time.js';
import { zoneFormat, type ZoneFormat } from '../src/site/zone-format.js';
import { isoUtc, localDate } from '../src/db/write.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { DNS, LB, MX, siteKb } from './site-fixture.js';
import { BASE_CONFIG } from '../src/rules/fixtures.js';
import { TWO_SERVICE_WINDOWS } from './helpers/incidents.js';

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

function kbRoot(files = siteKb()): string {
  const root = tempKb(files);
  roots.push(root);
  return root;
}

async function build(root: string, out = join(root, 'out')) {
  const ctx = captureContext(root, { out });
  const result = await runSite(ctx);
  return { ...result, ctx, site: result.site, dir: join(out, 'site') };
}

/** The fixture's site, built once for the tests that only read it, and removed after the file. */
let fixtureBuild: ReturnType<typeof build> | undefined;
let fixtureKb: string | undefined;
const fixtureSite = () => (fixtureBuild ??= build((fixtureKb = tempKb(siteKb()))));
afterAll(() => fixtureKb && removeKb(fixtureKb));

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

/** Every file of `root`'s site (in `root/out`) as a build of the same knowledge base from scratch, into another folder, writes it. */
async function expectSameAsFromScratch(root: string): Promise<void> {
  const fresh = tempKb({});
  roots.push(fresh);
  const scratch = await build(root, fresh);
  const dir = join(root, 'out', 'site');
  for (const f of scratch.site.files) expect(read(dir, f), f).toBe(read(scratch.dir, f));
}

function htmlFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...htmlFiles(full, base));
    else if (name.endsWith('.html')) out.push(relative(base, full));
  }
  return out.sort();
}

/** The text of the element with this id (tags removed, spaces collapsed). */
function sectionText(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `element #${id}`).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return html
    .slice(start, end)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('postmortem site', () => {
  it('writes the index, a page per incident, trends, service, category, action and owner pages', async () => {
    const { dir, exitCode, ctx, incidents } = await fixtureSite();
    expect(exitCode).toBe(0);
    expect(incidents).toBe(4);
    expect(ctx.out_()).toMatch(/^Site: 4 incidents; \d+ of \d+ files rendered, \d+ written\. Open /);
    expect(htmlFiles(dir)).toEqual([
      'actions.html',
      'categories/capacity.html',
      'categories/change.html',
      'categories/config.html',
      'categories/dependency.html',
      'categories/hardware.html',
      'categories/index.html',
      'categories/network.html',
      'categories/process.html',
      'categories/security.html',
      'categories/software.html',
      'categories/unknown.html',
      'incidents/2006-02-01-dns.html',
      'incidents/2006-03-01-mx.html',
      'incidents/2007-06-04-lb.html',
      'incidents/2007-06-13-db.html',
      'index.html',
      'owners.html',
      'services/dns.html',
      'services/index.html',
      'services/smtp-inbound.html',
      'services/webmail.html',
      'trends.html',
    ]);
    // index rows newest first, with the filterable attributes
    const index = read(dir, 'index.html');
    const ids = [...index.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['2007-06-13-db', '2007-06-04-lb', '2006-03-01-mx', '2006-02-01-dns']);
    expect(index).toContain('data-id="2007-06-04-lb" data-started="1180962600000"');
    expect(index).toMatch(
      /data-id="2007-06-04-lb"[^>]*data-severity="SEV1"[^>]*data-services="\|webmail\|"[^>]*data-category="capacity"[^>]*data-provider="rackspace"[^>]*data-status="final"[^>]*data-year="2007"/,
    );
    // providers by display name (here none is configured: the id title-cased), filtered by id
    expect(index).toContain('<option value="keystone-dns">Keystone Dns</option>');
    expect(index).toContain('<td data-label="Provider">Rackspace</td>');
    expect(index).not.toContain('<td data-label="Provider">rackspace</td>');
    // the CSP comes first in <head>, and nothing is loaded from elsewhere
    expect(index).toMatch(/<head>\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'/);
    for (const file of htmlFiles(dir)) expect(read(dir, file), file).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    // the search index and MiniSearch are there as scripts
    expect(index).toContain('<script src="assets/minisearch.js" defer></script>');
    expect(index).toContain('<script src="assets/search/shard-000.js" defer></script>');
    expect(read(dir, 'assets/search/shard-000.js')).toContain('zanzibar');
    expect(read(dir, 'assets/minisearch.js')).toContain('global.MiniSearch = factory()');
  });

  it('shows every field of an incident, escaped, with sections sanitised', async () => {
    const { dir } = await fixtureSite();
    const page = read(dir, 'incidents/2007-06-04-lb.html');
    expect(page).toContain('<dt>Provider</dt><dd>Rackspace</dd>');
    expect(page).toContain('<h1>Webmail &lt;b&gt;down&lt;/b&gt; &amp; &quot;slow&quot; at Dulles</h1>');
    expect(page).not.toContain('<b>down</b>');
    expect(page).not.toMatch(/<script>alert|onerror|<img/);
    expect(sectionText(page, 'facts')).toContain('Started Monday, June 4, 2007, 09:10 EDT');
    expect(sectionText(page, 'facts')).toContain('Time to resolve 1 hour and 45 minutes');
    expect(sectionText(page, 'facts')).toContain('Incident commander Dana Example');
    // no display name in this config: the id title-cased
    expect(page).toContain('<a href="../services/webmail.html">Webmail</a>');
    expect(page).toContain('<a href="../owners.html#owner-bill">Bill Example</a>');
    // the phase bar, to scale: detect 5 min, then 100 min to resolve
    expect(page).toMatch(/<rect class="phase" data-phase="To detect" data-minutes="5"/);
    expect(page).toMatch(/<rect class="phase" data-phase="Detected to resolved" data-minutes="100"/);
    // merged timeline: front-matter entry and the body entry, in order
    expect(sectionText(page, 'timeline')).toMatch(
      /2007-06-04 09:10 EDT trigger Impact began\. no 2007-06-04 09:30 EDT action Failover disabled\. no/,
    );
    expect(sectionText(page, 'section-lessons-learned')).toContain('Capacity reviews missed the zanzibar burst pattern.');
    expect(sectionText(page, 'section-questions-for-the-provider')).toContain('Why was preemption on?');
    // overdue open remediation
    expect(page).toMatch(/<tr class="status-open overdue">\s*<td data-label="Id">R1<\/td>/);
    expect(sectionText(page, 'remediations')).toContain('2007-07-01 Overdue');
  });

  it('links related incidents both ways and finds similar ones', async () => {
    const { dir } = await fixtureSite();
    const lb = read(dir, 'incidents/2007-06-04-lb.html');
    const db = read(dir, 'incidents/2007-06-13-db.html');
    const links = (html: string) => sectionText(html, 'links');
    expect(links(lb)).toMatch(/Related \(listed by this incident\) Mail routing database overloaded SEV2 2007-06-13/);
    expect(links(db)).toContain(
      'Related (listed by this incident) None listed. Related (incidents that list this one) Webmail &lt;b&gt;down&lt;/b&gt; &amp; &quot;slow&quot; at Dulles SEV1 2007-06-04',
    );
    expect(links(lb)).toMatch(/Similar \(same category and service\) Mail routing database overloaded/);
    const dns = read(dir, 'incidents/2006-02-01-dns.html');
    expect(links(dns)).toMatch(/Similar \(nearest by text\) Inbound mail deferred after a nameserver glue record change/);
    expect(dns).toContain('<a href="../incidents/2006-03-01-mx.html">');
  });

  it('lists action items by owner with overdue ones first and marked, and the owners directory', async () => {
    const { dir } = await fixtureSite();
    const actions = read(dir, 'actions.html');
    expect(actions).toMatch(/1 open or in progress, <strong>1 overdue<\/strong> as of <time datetime="2008-01-15">/);
    const bill = sectionText(actions, 'owner-bill');
    expect(bill).toMatch(/Bill Example \(engineering\) 1 open or in progress, 1 overdue \./);
    expect(bill).toContain('Add two load balancers. prevent 2007-07-01 Overdue open');
    expect(actions).toMatch(/<tr class="status-open overdue">\s*<td data-label="Incident"><a href="incidents\/2007-06-04-lb.html">/);
    const owners = read(dir, 'owners.html');
    expect(sectionText(owners, 'owner-dana')).toMatch(
      /Dana Example Id dana Team operations Named in customer documents no Action items 4 in total, 0 open Commanded \(4\)/,
    );
    expect(sectionText(owners, 'owner-bill')).toContain('Named in customer documents yes, as “our chief technology officer”');
  });

  it("charts each service's impact from its own windows", async () => {
    const incident = TWO_SERVICE_WINDOWS;
    const { dir, ctx } = await build(kbRoot({ 'postmortem.config.yaml': BASE_CONFIG, 'incidents/2007-06-04-lb.md': incident }));
    expect(ctx.err_()).toBe('');
    const trends = read(dir, 'trends.html');
    // webmail: 105 minutes; pop: its 18-minute window, not the incident's 105
    expect(trends).toMatch(/<tr><td>Webmail<\/td><td>1\.8 h<\/td><\/tr>/);
    expect(trends).toMatch(/<tr><td>POP<\/td><td>0\.3 h<\/td><\/tr>/);
  });

  it('draws the trends charts from the data and lists their data', async () => {
    const { dir } = await fixtureSite();
    const trends = read(dir, 'trends.html');
    expect(trends).toContain('4 incidents from 2006-02-01 to 2007-06-13.');
    expect(trends.match(/<svg /g)).toHaveLength(6);
    expect(trends).toMatch(/<g class="bar" data-label="capacity" data-value="2">/);
    expect(trends).toMatch(/<tr><td>Q2 2007<\/td><td>1<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>2<\/td><\/tr>/);
    expect(trends).toMatch(/<tr><td>Webmail<\/td><td>5\.3 h<\/td><\/tr>/);
  });

  it('renders again only what changed, rewrites nothing identical and deletes removed pages', async () => {
    const root = kbRoot();
    const first = await build(root);
    const total = first.site.files.length;
    expect(first.site.rendered).toHaveLength(total);
    const lbPage = join(first.dir, 'incidents/2007-06-04-lb.html');
    const lbMtime = statSync(lbPage).mtimeMs;

    const second = await build(root);
    expect(second.site.rendered).toEqual([]);
    expect(second.site.written).toEqual([]);
    expect(second.site.unchanged).toBe(total);

    // edit mx's body: only its page and its search shard depend on the body; the pages over
    // many incidents show summaries only, and dns shows mx's title, severity and date only; the
    // feed is rendered again (its tripwire reads the body) but its bytes do not change
    writeFileSync(join(root, 'incidents/2006/2006-03-01-mx.md'), MX.replace('Senders deferred mail', 'Senders deferred all mail'));
    const third = await build(root);
    expect(third.site.rendered).toEqual(['site/feed.xml', 'site/incidents/2006-03-01-mx.html', 'site/assets/search/shard-000.js']);
    expect(third.site.written).toEqual(['site/incidents/2006-03-01-mx.html', 'site/assets/search/shard-000.js']);
    expect(statSync(lbPage).mtimeMs).toBe(lbMtime);
    expect(read(third.dir, 'incidents/2006-03-01-mx.html')).toContain('Senders deferred all mail');

    // a front-matter edit reaches the pages over many incidents that show it
    writeFileSync(join(root, 'incidents/2006/2006-03-01-mx.md'), MX.replace('severity: SEV4', 'severity: SEV3'));
    const edited = await build(root);
    expect(edited.site.rendered).toEqual(
      expect.arrayContaining([
        'site/incidents/2006-03-01-mx.html',
        'site/index.html',
        'site/trends.html',
        'site/services/smtp-inbound.html',
        'site/categories/config.html',
        'site/incidents/2006-02-01-dns.html',
      ]),
    );
    expect(edited.site.rendered).not.toContain('site/incidents/2007-06-04-lb.html');
    expect(edited.site.rendered).not.toContain('site/services/webmail.html');
    expect(edited.site.rendered.length).toBeLessThan(total / 2);
    expect(read(edited.dir, 'index.html')).toMatch(/data-id="2006-03-01-mx"[^>]*data-severity="SEV3"/);
    expect(statSync(lbPage).mtimeMs).toBe(lbMtime);

    // a title change reaches the pages that link to that incident
    writeFileSync(
      join(root, 'incidents/2007/2007-06-13-db.md'),
      readFileSync(join(root, 'incidents/2007/2007-06-13-db.md'), 'utf8').replace(
        'title: "Mail routing database overloaded"',
        'title: "Routing database out of connections"',
      ),
    );
    const fourth = await build(root);
    expect(fourth.site.written).toContain('site/incidents/2007-06-04-lb.html');
    expect(read(fourth.dir, 'incidents/2007-06-04-lb.html')).toContain('Routing database out of connections');

    // moving a file changes only the path its page shows
    renameSync(join(root, 'incidents/2007/2007-06-04-lb.md'), join(root, 'incidents/2007-06-04-lb.md'));
    const moved = await build(root);
    expect(moved.site.rendered).toEqual(['site/incidents/2007-06-04-lb.html']);
    expect(read(moved.dir, 'incidents/2007-06-04-lb.html')).toContain('<dt>Record</dt><dd><code>incidents/2007-06-04-lb.md</code></dd>');

    // removing an incident deletes its page
    rmSync(join(root, 'incidents/2006/2006-03-01-mx.md'));
    const fifth = await build(root);
    expect(fifth.site.deleted).toEqual(['site/incidents/2006-03-01-mx.html']);
    expect(existsSync(join(fifth.dir, 'incidents/2006-03-01-mx.html'))).toBe(false);
    expect(read(fifth.dir, 'index.html')).not.toContain('2006-03-01-mx');
    expect(read(fifth.dir, 'incidents/2006-02-01-dns.html')).not.toContain('2006-03-01-mx');
  });

  it('gives the same bytes for the same input', async () => {
    const root = kbRoot();
    const a = await build(root, join(root, 'out-a'));
    const b = await build(root, join(root, 'out-b'));
    expect(a.site.files).toEqual(b.site.files);
    for (const f of [...a.site.files, '.manifest.json']) expect(read(b.dir, f), f).toBe(read(a.dir, f));
  });

  it('after a quick build (write-ups edited, files moved) gives the same bytes as a build from scratch', async () => {
    const root = kbRoot();
    const out = join(root, 'out');
    await build(root, out);
    writeFileSync(join(root, 'incidents/2006/2006-03-01-mx.md'), MX.replace('Senders deferred mail', 'Senders deferred all mail'));
    renameSync(join(root, 'incidents/2007/2007-06-04-lb.md'), join(root, 'incidents/2007-06-04-lb.md'));
    const quick = await build(root, out);
    expect(quick.site.rendered).toEqual([
      'site/feed.xml',
      'site/incidents/2006-03-01-mx.html',
      'site/incidents/2007-06-04-lb.html',
      'site/assets/search/shard-000.js',
    ]);
    expect(existsSync(join(quick.dir, '.state'))).toBe(true);
    const fresh = await build(root, join(root, 'out-fresh'));
    expect(quick.site.files).toEqual(fresh.site.files);
    for (const f of [...fresh.site.files, '.manifest.json']) expect(read(quick.dir, f), f).toBe(read(fresh.dir, f));

    // a page missing on disk is rendered again, with whatever else changed
    rmSync(join(quick.dir, 'incidents/2006-02-01-dns.html'));
    writeFileSync(join(root, 'incidents/2006/2006-03-01-mx.md'), MX);
    const again = await build(root, out);
    expect(again.site.rendered).toEqual([
      'site/feed.xml',
      'site/incidents/2006-03-01-mx.html',
      'site/incidents/2006-02-01-dns.html',
      'site/assets/search/shard-000.js',
    ]);
    for (const f of [...fresh.site.files]) expect(existsSync(join(again.dir, f)), f).toBe(true);

    // a damaged state is rebuilt from the database
    writeFileSync(join(again.dir, '.state'), '{');
    const rebuilt = await build(root, out);
    expect(rebuilt.site.rendered).toEqual([]);
    expect(read(rebuilt.dir, 'incidents/2006-03-01-mx.html')).toContain('Senders deferred mail');
  });

  it('leaves incidents with errors out, says so, and exits 1', async () => {
    const broken = DNS.replace('severity: SEV3', 'severity: SEV9');
    const { dir, exitCode, ctx, incidents } = await build(kbRoot(siteKb({ 'incidents/2006/2006-02-01-dns.md': broken })));
    expect(exitCode).toBe(1);
    expect(incidents).toBe(3);
    expect(ctx.err_()).toBe(
      '1 error in the knowledge base: incidents with errors are not on the site. Run "postmortem check" for details.\n',
    );
    expect(existsSync(join(dir, 'incidents/2006-02-01-dns.html'))).toBe(false);
    expect(read(dir, 'index.html')).toContain('2007-06-04-lb');
  });

  it("uses the knowledge base's own site templates when it has them", async () => {
    const root = kbRoot(siteKb({ 'templates/site/owner-link.hbs': '<em>{{name}}</em>' }));
    const { dir } = await build(root);
    expect(read(dir, 'incidents/2007-06-04-lb.html')).toContain('<em>Bill Example</em>');
    expect(LB).toContain('owner: bill');
  });
});

describe('fast zone formats', () => {
  /** A fixed pseudo-random sequence in [0, 1): the same instants on every run. */
  const sequence = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  /** Each of `f`'s formats of `at` against the shared one. */
  const expectShared = (f: ZoneFormat, zone: string, at: Temporal.Instant) => {
    expect(f.shortDateTime(at), `${zone} ${at}`).toBe(shortDateTime(at, zone));
    expect(f.isoDate(at), `${zone} ${at}`).toBe(isoDate(at, zone));
    expect(f.longDate(at), `${zone} ${at}`).toBe(longDate(at, zone));
    expect(f.iso(at)).toBe(at.toString());
    expect(f.isoInZone(at), `${zone} ${at}`).toBe(isoInZone(at, zone));
  };

  it('match the shared date formats for every timestamp of the example and across DST changes', () => {
    const kb = loadKnowledgeBase({ root: PACKAGE_ROOT });
    const instants = kb.incidents.flatMap((i) => [i.started, ...i.timeline.map((t) => t.at)]);
    // around the 2007 US and EU daylight-saving changes, and midnight
    for (const iso of [
      '2007-03-11T06:59:59Z',
      '2007-03-11T07:00:00Z',
      '2007-11-04T05:30:00Z',
      '2007-11-04T06:30:00Z',
      '2007-03-25T01:00:00Z',
      '2006-12-31T23:59:00Z',
      '2007-01-01T04:59:00Z',
    ]) {
      instants.push(Temporal.Instant.from(iso));
    }
    expect(instants.length).toBeGreaterThan(100);
    for (const zone of ['America/New_York', 'UTC', 'Europe/London', 'Asia/Kolkata']) {
      const f = zoneFormat(zone);
      for (const at of instants) {
        expectShared(f, zone, at);
      }
    }
  });

  it('match them for random instants from 1900 to 2100 in zones with odd offsets and changes', () => {
    const next = sequence(12345);
    const from = Date.UTC(1900, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    const instants = Array.from({ length: 300 }, () => Temporal.Instant.fromEpochMilliseconds(Math.floor(from + next() * (to - from))));
    // a fraction of a second, and minutes either side of changes of offset
    instants.push(Temporal.Instant.from('2007-06-04T13:10:00.250Z'), Temporal.Instant.from('2007-06-04T13:10:00.000000001Z'));
    for (const iso of [
      '2007-03-11T06:59:00Z',
      '2007-03-11T07:00:00Z',
      '2021-10-02T15:29:00Z',
      '2021-10-02T15:30:00Z',
      '2019-05-05T01:59:00Z',
      '2019-05-05T02:00:00Z',
    ]) {
      instants.push(Temporal.Instant.from(iso));
    }
    for (const zone of [
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Pacific/Chatham',
      'Europe/Dublin',
      'Africa/Casablanca',
      'Africa/Monrovia',
      'Antarctica/Troll',
    ]) {
      const f = zoneFormat(zone);
      for (const at of instants) {
        expectShared(f, zone, at);
      }
    }
  });

  it("give the database's local start date: the briefs read `started_local_date` (`localDate` of the instant) for the date of `started_at`", () => {
    // years 1–9999: Temporal's dates before 1583, Intl's after, offsets of seconds before 1973;
    // instants with fractions of a second (the database keeps whole seconds) and at local midnights
    const next = sequence(777);
    const seconds = (from: number, to: number) => BigInt(Math.floor((from + next() * (to - from)) / 1000));
    const instants = Array.from({ length: 400 }, (_, k) =>
      Temporal.Instant.fromEpochNanoseconds(
        (k < 200 ? seconds(Date.UTC(1, 0, 1), Date.UTC(9999, 11, 31)) : seconds(Date.UTC(1850, 0, 1), Date.UTC(2050, 0, 1))) *
          1_000_000_000n +
          BigInt(Math.floor(next() * 1e9)),
      ),
    );
    const edges = [
      '1583-01-01T00:00:00.5Z',
      '1582-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.9Z',
      '0001-01-01T00:00:00Z',
      '2007-03-11T04:59:59.9Z',
    ];
    instants.push(...edges.map((iso) => Temporal.Instant.from(iso)));
    for (const zone of [
      'America/New_York',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'Africa/Monrovia',
      'Europe/Amsterdam',
      'Pacific/Kiritimati',
      'UTC',
    ]) {
      const f = zoneFormat(zone);
      for (const at of instants) expect(f.isoDate(Date.parse(isoUtc(at))), `${zone} ${at}`).toBe(localDate(at, zone));
      // a local midnight and the second before it
      for (const at of instants.slice(0, 50)) {
        const midnight = at.toZonedDateTimeISO(zone).startOfDay().toInstant();
        for (const t of [midnight, midnight.subtract({ seconds: 1 })])
          expect(f.isoDate(Date.parse(isoUtc(t))), `${zone} ${t}`).toBe(localDate(t, zone));
      }
    }
  });

  it('match them every 20 minutes over days around changes of offset, one formatter per zone (the long date kept per local day)', () => {
    const starts = ['2007-03-10T00:00:00Z', '2021-10-01T12:00:00Z', '2019-05-04T00:00:00Z', '2024-10-26T00:00:00Z'];
    const instants = starts.flatMap((start) => {
      const from = Temporal.Instant.from(start).epochMilliseconds;
      return Array.from({ length: 3 * 72 }, (_, k) => Temporal.Instant.fromEpochMilliseconds(from + k * 20 * 60_000));
    });
    for (const zone of [
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'America/St_Johns',
      'Pacific/Chatham',
      'Pacific/Kiritimati',
      'Europe/London',
    ]) {
      const f = zoneFormat(zone);
      for (const at of instants) {
        expect(f.longDate(at), `${zone} ${at}`).toBe(longDate(at, zone));
        expect(f.shortDateTime(at), `${zone} ${at}`).toBe(shortDateTime(at, zone));
        expect(f.isoInZone(at), `${zone} ${at}`).toBe(isoInZone(at, zone));
      }
    }
  });
});

describe('postmortem site from the built CLI', () => {
  /**
   * A copy of the example knowledge base (its incidents and config), to change; each incident
   * twice (the second as `<id>-again`), so that the built CLI renders its pages in worker threads
   * (the example's 38 incidents are too few: `WORKER_THRESHOLD`).
   */
  const exampleCopy = () => {
    const files: Record<string, string> = { 'postmortem.config.yaml': readFileSync(join(PACKAGE_ROOT, 'postmortem.config.yaml'), 'utf8') };
    for (const year of readdirSync(join(PACKAGE_ROOT, 'incidents'))) {
      for (const f of readdirSync(join(PACKAGE_ROOT, 'incidents', year))) {
        const text = readFileSync(join(PACKAGE_ROOT, 'incidents', year, f), 'utf8');
        const id = f.slice(0, -'.md'.length);
        files[`incidents/${year}/${f}`] = text;
        files[`incidents/${year}/${id}-again.md`] = text.replace(`\nid: ${id}\n`, `\nid: ${id}-again\n`);
      }
    }
    // the notes files the config's documents name
    for (const dir of ['reviews', 'letters'])
      for (const f of readdirSync(join(PACKAGE_ROOT, dir))) files[`${dir}/${f}`] = readFileSync(join(PACKAGE_ROOT, dir, f), 'utf8');
    const root = tempKb(files);
    roots.push(root);
    return root;
  };
  const cli = (root: string) =>
    spawnSync(process.execPath, [join(PACKAGE_ROOT, 'dist/cli.js'), 'site', '--root', root], { encoding: 'utf8' });

  // The bytes must be the same as rendering in one thread (as the tests above do, from the TypeScript sources).
  it('writes the same site with worker threads', async () => {
    const root = exampleCopy();
    const inThread = tempKb({});
    roots.push(inThread);
    const a = await build(root, inThread);
    const run = cli(root);
    expect(run.stderr).not.toContain('internal error');
    expect(run.stdout).toMatch(/^Site: 76 incidents; (\d+) of \1 files rendered/);
    const b = join(root, 'out', 'site');
    expect(htmlFiles(b)).toEqual(htmlFiles(a.dir));
    for (const f of a.site.files) expect(read(b, f), f).toBe(read(a.dir, f));
  });

  it('renders every incident page again in worker threads after a template change, as a build from scratch would', async () => {
    const root = exampleCopy();
    expect(cli(root).status).toBe(0);
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/owner-link.hbs'), '<em>{{name}}</em>');
    const again = cli(root);
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/\b(\d+) of \1 files rendered/);
    await expectSameAsFromScratch(root);
    expect(read(join(root, 'out', 'site'), 'incidents/2007-06-04-dulles-load-balancer-overload.html')).toContain('<em>');
  });

  it('reports an incident page a worker thread cannot write where it is, keeps what was written, and builds it next time', async () => {
    const root = exampleCopy();
    expect(cli(root).status).toBe(0);
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/owner-link.hbs'), '<em>{{name}}</em>');
    // a folder where a page goes: the worker thread that writes it fails
    const site = join(root, 'out', 'site');
    const blocked = 'incidents/2007-06-04-dulles-load-balancer-overload-again.html';
    rmSync(join(site, blocked));
    mkdirSync(join(site, blocked, 'inside'), { recursive: true });
    const failed = cli(root);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /^postmortem: cannot write [^\n]*2007-06-04-dulles-load-balancer-overload-again\.html[^\n]*: it is a folder/,
    );
    expect(failed.stderr).not.toContain('internal error');
    expect(existsSync(join(site, '.building'))).toBe(true);
    // the pages written before the failure are whole: the old page or the new one, never a part
    const pages = readdirSync(join(site, 'incidents')).filter((f) => f.endsWith('.html') && join('incidents', f) !== blocked);
    expect(pages.length).toBe(75);
    for (const f of pages) expect(read(site, `incidents/${f}`), f).toMatch(/<\/html>\n$/);
    expect(readdirSync(join(site, 'incidents')).filter((f) => f.startsWith('.'))).toEqual([]);
    rmSync(join(site, blocked), { recursive: true });
    const again = cli(root);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(existsSync(join(site, '.building'))).toBe(false);
    await expectSameAsFromScratch(root);
  });

  it("starts its worker threads when node runs with one of V8's own flags (which a thread may not be given)", async () => {
    const root = exampleCopy();
    const run = spawnSync(process.execPath, ['--single-threaded-gc', join(PACKAGE_ROOT, 'dist/cli.js'), 'site', '--root', root], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\b(\d+) of \1 files rendered/);
    await expectSameAsFromScratch(root);
  });

  it('reports a site template that does not parse, or asks for what its page does not have, where it is (worker threads too)', async () => {
    const root = exampleCopy();
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/incident.hbs'), '<h1>{{title}}</h1>\n{{#if title}}\n<p>never closed</p>\n');
    const broken = cli(root);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toBe(
      "postmortem: templates/site/incident.hbs:4:1: error: the template does not parse: Expecting 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', got 'EOF'\n",
    );
    writeFileSync(join(root, 'templates/site/incident.hbs'), '<h1>{{title}}</h1>\n<p>{{nosuch.field}}</p>\n');
    const unknown = cli(root);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(
      /^postmortem: templates\/site\/incident\.hbs:2:6: error: the template could not be filled: "field" not defined in undefined\n[^\n]*Your own templates/,
    );
    // in this thread too (the fixture is too small for worker threads)
    const small = kbRoot();
    mkdirSync(join(small, 'templates/site'), { recursive: true });
    writeFileSync(join(small, 'templates/site/owners.hbs'), '{{#each owners}}');
    await expect(build(small)).rejects.toThrow(/^templates\/site\/owners\.hbs:1:1: error: the template does not parse/);
  });

  it('renders pages whose parses the cache lost from the files again (worker threads and this one)', async () => {
    const root = exampleCopy();
    expect(cli(root).status).toBe(0);
    mkdirSync(join(root, 'templates/site'), { recursive: true });
    writeFileSync(join(root, 'templates/site/owner-link.hbs'), '<em>{{name}}</em>');
    // the database is up to date, but the parses the pages are made from are gone
    const Database = (await import('better-sqlite3')).default;
    const cache = new Database(join(root, 'out', '.postmortems.db.cache'));
    cache.exec('DELETE FROM sources');
    cache.close();
    const again = cli(root);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    await expectSameAsFromScratch(root);
    // the same without workers, the cache file deleted outright
    const small = kbRoot();
    const first = await build(small);
    rmSync(join(small, 'out', '.postmortems.db.cache'));
    mkdirSync(join(small, 'templates/site'), { recursive: true });
    writeFileSync(join(small, 'templates/site/owner-link.hbs'), '<em>{{name}}</em>');
    const second = await build(small);
    expect(second.site.rendered.length).toBe(first.site.rendered.length);
    const scratchSmall = await build(small, join(small, 'fresh'));
    for (const f of scratchSmall.site.files) expect(read(second.dir, f), f).toBe(read(scratchSmall.dir, f));
  });
});

describe('html-validate', () => {
  // The recommended rules with one relaxed: `long-title` (70 characters) — an incident page's
  // <title> is the incident's own title (written by people, often longer) and the site's name;
  // cutting it would hide what the page is in tabs, bookmarks and history.
  const validator = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'long-title': 'off' } });
  let exampleDir = '';
  let fixtureDir = '';
  beforeAll(async () => {
    fixtureDir = (await fixtureSite()).dir;
    const out = tempKb({});
    roots.push(out);
    exampleDir = (await build(PACKAGE_ROOT, out)).dir;
  }, 120_000);

  it('passes on every page of the example knowledge base and the fixture', async () => {
    const failures: string[] = [];
    for (const dir of [fixtureDir, exampleDir]) {
      const files = htmlFiles(dir);
      expect(files.length).toBeGreaterThan(20);
      for (const file of files) {
        const report = await validator.validateString(read(dir, file), file);
        for (const r of report.results)
          for (const m of r.messages) failures.push(`${file}:${m.line}:${m.column} ${m.message} [${m.ruleId}]`);
      }
    }
    expect(failures).toEqual([]);
  });
});
