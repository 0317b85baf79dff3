import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { runSite } from '../src/commands/site.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { CHROMIUM_FLAGS, chromiumPath } from '../src/render/pdf.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { siteKb } from './site-fixture.js';

/**
 * The site in real headless Chromium, opened from disk (file:// URLs), as a reader would:
 * the example knowledge base (the repository root) and the site-test fixture.
 */
const roots: string[] = [];
let browser: Browser;
let exampleSite = '';
let fixtureSite = '';

async function buildSite(root: string): Promise<string> {
  const out = tempKb({});
  roots.push(out);
  await runSite(captureContext(root, { out }));
  return join(out, 'site');
}

const url = (site: string, path: string) => pathToFileURL(join(site, path)).href;

/** A page that records console errors, page errors and any request that is not a local file. */
async function openPage(width = 1280, height = 900): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('file://')) return route.continue();
    errors.push(`remote request: ${u}`);
    return route.abort();
  });
  return { page, errors };
}

const visibleIds = (page: Page) => page.$$eval('#incidents tbody tr:not([hidden])', (rows) => rows.map((r) => r.getAttribute('data-id')));

beforeAll(async () => {
  exampleSite = await buildSite(PACKAGE_ROOT);
  const fixture = tempKb(siteKb());
  roots.push(fixture);
  fixtureSite = await buildSite(fixture);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS, headless: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const r of roots) removeKb(r);
});

describe('site in Chromium', () => {
  it('finds an incident by a word from its body, instantly, and clears the search', async () => {
    const { page, errors } = await openPage();
    await page.goto(url(fixtureSite, 'index.html'));
    await expect.poll(() => page.isVisible('#search')).toBe(true);
    expect(await page.textContent('#result-count')).toBe('4 incidents');
    // "zanzibar" is only in the Lessons learned section of one incident
    await page.fill('#search', 'zanzibar');
    expect(await visibleIds(page)).toEqual(['2007-06-04-lb']);
    expect(await page.textContent('#result-count')).toBe('1 of 4 incidents match');
    // the result line says where the word was found
    expect(await page.$$eval('#incidents tbody tr:not([hidden]) .found-in:not([hidden])', (l) => l.map((e) => e.textContent))).toEqual([
      'Found in: section',
    ]);
    // prefix search while typing
    await page.fill('#search', 'glue rec');
    expect((await visibleIds(page)).sort()).toEqual(['2006-02-01-dns', '2006-03-01-mx']);
    await page.fill('#search', 'nosuchwordanywhere');
    expect(await visibleIds(page)).toEqual([]);
    await page.click('#reset');
    expect(await visibleIds(page)).toHaveLength(4);
    expect(await page.$$eval('.found-in:not([hidden])', (l) => l.length)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('stems what is typed as the build stemmed the index', async () => {
    const { page, errors } = await openPage();
    await page.goto(url(fixtureSite, 'index.html'));
    await expect.poll(() => page.isVisible('#search')).toBe(true);
    // "zanzibar" is the only form in the fixture; other forms of a word find it too
    for (const typed of ['Zanzibars', 'ZANZIBAR ']) {
      await page.fill('#search', typed);
      expect(await visibleIds(page), typed).toEqual(['2007-06-04-lb']);
    }
    expect(errors).toEqual([]);
  });

  it('searches the example knowledge base by a word from an incident body', async () => {
    const { page, errors } = await openPage();
    await page.goto(url(exampleSite, 'index.html'));
    const total = (await visibleIds(page)).length;
    expect(total).toBeGreaterThan(20);
    // from the Root cause section of the June 2007 load-balancer incident
    await page.fill('#search', 'preemption');
    const found = await visibleIds(page);
    expect(found).toContain('2007-06-04-dulles-load-balancer-overload');
    expect(found.length).toBeLessThan(total);
    expect(await page.textContent('#result-count')).toBe(`${found.length} of ${total} incidents match`);
    expect(errors).toEqual([]);
  });

  it('narrows the list with filters, combined with each other, and sorts with the keyboard', async () => {
    const { page, errors } = await openPage();
    await page.goto(url(exampleSite, 'index.html'));
    const all = await page.$$eval('#incidents tbody tr', (rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-id'),
        severity: r.getAttribute('data-severity'),
        services: r.getAttribute('data-services'),
        year: r.getAttribute('data-year'),
        started: Number(r.getAttribute('data-started')),
      })),
    );
    await page.selectOption('#filter-severity', 'SEV1');
    const sev1 = all.filter((r) => r.severity === 'SEV1').map((r) => r.id);
    expect(sev1.length).toBeGreaterThan(0);
    expect(sev1.length).toBeLessThan(all.length);
    expect(await visibleIds(page)).toEqual(sev1);
    await page.selectOption('#filter-year', '2007');
    const sev1In2007 = all.filter((r) => r.severity === 'SEV1' && r.year === '2007').map((r) => r.id);
    expect(await visibleIds(page)).toEqual(sev1In2007);
    await page.selectOption('#filter-severity', '');
    await page.selectOption('#filter-year', '');
    await page.selectOption('#filter-service', 'webmail');
    expect(await visibleIds(page)).toEqual(all.filter((r) => r.services!.includes('|webmail|')).map((r) => r.id));
    await page.selectOption('#filter-service', '');

    // sort by start, oldest first, using the keyboard only
    await page.focus('th[data-key="started"] button');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('th[data-key="started"]', 'aria-sort')).toBe('ascending');
    const ascending = [...all].sort((a, b) => a.started - b.started).map((r) => r.id);
    expect(await visibleIds(page)).toEqual(ascending);
    await page.focus('th[data-key="severity"] button');
    await page.keyboard.press('Space');
    expect(await page.getAttribute('th[data-key="severity"]', 'aria-sort')).toBe('ascending');
    expect(await page.getAttribute('th[data-key="started"]', 'aria-sort')).toBeNull();
    const severities = await page.$$eval('#incidents tbody tr', (rows) => rows.map((r) => r.getAttribute('data-severity')));
    expect(severities).toEqual([...severities].sort());
    expect(errors).toEqual([]);
  });

  it('has every internal link resolving, anchors included, with no console errors and no remote requests', async () => {
    const { page, errors } = await openPage();
    const start = url(exampleSite, 'index.html');
    const siteRoot = `${pathToFileURL(exampleSite).href}/`;
    const seen = new Set<string>([start]);
    const queue = [start];
    const broken: string[] = [];
    const idsOf = new Map<string, Set<string>>();
    const fragments: { from: string; target: string; fragment: string }[] = [];
    let pages = 0;
    while (queue.length) {
      const current = queue.shift()!;
      if (!existsSync(fileURLToPath(current))) {
        broken.push(current);
        continue;
      }
      await page.goto(current);
      pages++;
      const links = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
      idsOf.set(current, new Set(await page.$$eval('[id]', (els) => els.map((e) => e.id))));
      for (const link of links) {
        const [target, fragment] = link.split('#') as [string, string | undefined];
        expect(link.startsWith(siteRoot), `${current} links outside the site: ${link}`).toBe(true);
        if (!existsSync(fileURLToPath(target))) broken.push(`${current} → ${link}`);
        if (fragment) fragments.push({ from: current, target, fragment: decodeURIComponent(fragment) });
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    for (const f of fragments) {
      if (!idsOf.get(f.target)?.has(f.fragment)) broken.push(`${f.from} → ${f.target}#${f.fragment}`);
    }
    expect(fragments.length).toBeGreaterThan(50);
    expect(broken).toEqual([]);
    expect(pages).toBeGreaterThan(30);
    expect(errors).toEqual([]);
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    const { page } = await openPage();
    const paths = [
      'index.html',
      'incidents/2007-06-04-dulles-load-balancer-overload.html',
      'incidents/2007-06-13-mail-routing-database.html',
      'trends.html',
      'actions.html',
      'owners.html',
      'services/index.html',
      'services/webmail.html',
      'categories/index.html',
      'categories/capacity.html',
    ];
    const problems: string[] = [];
    for (const path of paths) {
      await page.goto(url(exampleSite, path));
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations) {
        if (v.impact === 'serious' || v.impact === 'critical')
          problems.push(
            `${path}: ${v.id} (${v.impact}) ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads on a phone without sideways scrolling of the page, and prints without navigation', async () => {
    const { page, errors } = await openPage(375, 740);
    for (const path of ['index.html', 'incidents/2007-06-04-dulles-load-balancer-overload.html', 'actions.html']) {
      await page.goto(url(exampleSite, path));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(url(exampleSite, 'index.html'));
    // rows become labelled cards
    expect(await page.$eval('#incidents tbody tr', (r) => getComputedStyle(r).display)).toBe('block');
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('.site-header nav')).toBe(false);
    expect(await page.isVisible('#controls')).toBe(false);
    expect(await page.isVisible('#incidents')).toBe(true);
    expect(errors).toEqual([]);
  });

  it('saves screenshots of the index, an incident page and the trends page for the docs', async () => {
    const dir = join(PACKAGE_ROOT, 'docs', 'images');
    mkdirSync(dir, { recursive: true });
    const { page, errors } = await openPage(1200, 1100);
    const shots: [string, string][] = [
      ['index.html', 'site-index.png'],
      ['incidents/2007-06-04-dulles-load-balancer-overload.html', 'site-incident.png'],
      ['trends.html', 'site-trends.png'],
    ];
    for (const [path, file] of shots) {
      await page.goto(url(exampleSite, path));
      await page.screenshot({ path: join(dir, file) });
      expect(existsSync(join(dir, file))).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});
