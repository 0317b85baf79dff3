import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../src/commands/search.js';
import { runSite } from '../src/commands/site.js';
import { BASE_CONFIG, BASE_INCIDENT } from '../src/rules/fixtures.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * Search finds what people ask, the same on the CLI and the site: words that appear only in a
 * contributing factor, a timeline event or a remediation; other forms of a word (stemming);
 * acronyms typed in capitals. Three incidents, each word placed where the test says.
 */
interface Spec {
  id: string;
  title: string;
  factor?: string;
  events: string[];
  remediation: string;
  body: string;
}

function incident(s: Spec): string {
  const text = BASE_INCIDENT.replace('id: 2007-06-04-lb', `id: ${s.id}`)
    .replace('title: Load balancer overload', `title: ${s.title}`)
    .replace(
      /timeline:\n(?:.*\n){3}/,
      `timeline:\n${s.events.map((e, n) => `  - at: 2007-06-04T09:${12 + n}:00-04:00\n    event: ${e}\n`).join('')}`,
    )
    .replace('action: Stop traffic bouncing.', `action: ${s.remediation}`)
    .replace('Traffic overloaded the load balancers.', s.body);
  return s.factor ? text.replace('timeline:\n', `contributing_factors:\n  - {category: process, summary: ${s.factor}}\ntimeline:\n`) : text;
}

const BACKBONE: Spec = {
  id: '2007-06-04-backbone',
  title: 'Backbone maintenance took the network down',
  factor: 'Stale runbooks hid the failover procedure.',
  events: ['Service restored in the east region.'],
  remediation: 'Add a second console path.',
  body: 'A maintenance command cut the backbone.',
};
const ROUTES: Spec = {
  id: '2007-06-05-routes',
  title: 'Routers lost their routes',
  events: ['Routers withdrew the BGP announcements.'],
  remediation: 'Alert on route counts.',
  body: 'Engineers spent hours restoring the sessions by hand.',
};
const CACHE: Spec = {
  id: '2007-06-06-cache',
  title: 'Cache stampede after deploy',
  events: ['The cache emptied.'],
  remediation: 'Throttle the cache warmers and restore from the nightly snapshot.',
  body: 'Every node fetched the same keys at once.',
};

let root: string;
let site: string;
beforeAll(async () => {
  root = tempKb({
    'postmortem.config.yaml': BASE_CONFIG.replace('owners:', 'categories: [capacity, process, software]\nowners:'),
    ...Object.fromEntries([BACKBONE, ROUTES, CACHE].map((s) => [`incidents/${s.id}.md`, incident(s)])),
  });
  const built = await runSite(captureContext(root));
  expect(built.exitCode).toBe(0);
  site = join(root, 'out', 'site');
});
afterAll(() => removeKb(root));

async function cli(words: string) {
  const ctx = captureContext(root);
  const { rows, exitCode } = await runSearch(ctx, words, { format: 'json' });
  expect(exitCode, ctx.err_()).toBe(0);
  return rows;
}

/**
 * What the page finds: its scripts (MiniSearch, the term script, the options, every shard)
 * run as the page loads them, then each shard searched as `site.js` does. Each incident found
 * with the fields the page names in its result line.
 */
function siteSearch(query: string): Record<string, string[]> {
  const window: Record<string, unknown> = { TextEncoder, TextDecoder };
  window.window = window;
  const shards = readdirSync(join(site, 'assets/search'))
    .filter((f) => f.startsWith('shard-'))
    .sort()
    .map((f) => `assets/search/${f}`);
  for (const script of ['assets/minisearch.js', 'assets/search/terms.js', 'assets/search/options.js', ...shards]) {
    runInNewContext(readFileSync(join(site, script), 'utf8'), window);
  }
  type Index = { search(q: string): { id: string; match: Record<string, string[]> }[] };
  const MiniSearch = window.MiniSearch as { loadJS(js: unknown, options: unknown): Index };
  const options = window.PMKB_SEARCH_OPTIONS as { fields: string[] };
  const labels = window.PMKB_SEARCH_FIELDS as Record<string, string>;
  const found: Record<string, string[]> = {};
  for (const shard of window.PMKB_SEARCH as unknown[]) {
    for (const r of MiniSearch.loadJS(shard, options).search(query)) {
      const fields = new Set(Object.values(r.match).flat());
      found[r.id] = options.fields.filter((f) => fields.has(f)).map((f) => labels[f]!);
    }
  }
  return found;
}

const ids = (rows: { incident_id: string }[]) => rows.map((r) => r.incident_id).sort();

describe('search finds words wherever they are, the same on the CLI and the site', () => {
  it.each([
    ['runbooks', 'contributing factor', BACKBONE.id, 'process', 'Stale [runbooks] hid the failover procedure.'],
    ['announcements', 'timeline event', ROUTES.id, '2007-06-04T13:12:00Z', 'Routers withdrew the BGP [announcements].'],
    ['warmers', 'remediation', CACHE.id, 'R1', 'Throttle the cache [warmers] and restore from the nightly snapshot.'],
  ])('finds %j, only in a %s', async (word, field, id, label, snippet) => {
    const rows = await cli(word);
    expect(rows.map((r) => [r.incident_id, r.field, r.label, r.snippet, r.matched_in])).toEqual([[id, field, label, snippet, field]]);
    expect(siteSearch(word)).toEqual({ [id]: [field] });
  });

  it('finds other forms of a word: restore, restored, restoring give the same incidents', async () => {
    const everywhere = [BACKBONE.id, ROUTES.id, CACHE.id].sort();
    for (const word of ['restore', 'restored', 'restoring', 'Restores']) {
      expect(ids(await cli(word)), word).toEqual(everywhere);
      expect(Object.keys(siteSearch(word)).sort(), word).toEqual(everywhere);
    }
    const rows = await cli('restored');
    expect(Object.fromEntries(rows.map((r) => [r.incident_id, r.field]))).toEqual({
      [BACKBONE.id]: 'timeline event',
      [ROUTES.id]: 'section',
      [CACHE.id]: 'remediation',
    });
    expect(siteSearch('restored')).toEqual({
      [BACKBONE.id]: ['timeline event'],
      [ROUTES.id]: ['section'],
      [CACHE.id]: ['remediation'],
    });
  });

  it('finds an acronym typed in capitals or not', async () => {
    for (const word of ['BGP', 'bgp']) {
      expect((await cli(word)).map((r) => [r.incident_id, r.field, r.snippet])).toEqual([
        [ROUTES.id, 'timeline event', 'Routers withdrew the [BGP] announcements.'],
      ]);
      expect(siteSearch(word)).toEqual({ [ROUTES.id]: ['timeline event'] });
    }
  });

  it('needs every word, each in any field of the incident, and says where each was found', async () => {
    const rows = await cli('BGP restoring');
    expect(rows.map((r) => [r.incident_id, r.matched_in])).toEqual([[ROUTES.id, 'timeline event, section']]);
    expect(siteSearch('BGP restoring')).toEqual({ [ROUTES.id]: ['timeline event', 'section'] });
    expect(await cli('BGP warmers')).toEqual([]);
    expect(siteSearch('BGP warmers')).toEqual({});
  });

  it('shows the matching field in the table', async () => {
    const ctx = captureContext(root);
    await runSearch(ctx, 'restored');
    const out = ctx.out_();
    expect(out).toMatch(/incident_id\s*│\s*field\s*│\s*snippet\s*│\s*matched_in\s*│\s*rank/);
    expect(out).toMatch(
      /2007-06-04-backbone\s*│\s*timeline event\s*│\s*Service \[restored\] in the east region\.\s*│\s*timeline event\s*│/,
    );
  });
});
