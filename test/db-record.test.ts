import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSite } from '../src/commands/site.js';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * The record's richer facts in the database: impact windows (per service, the union view),
 * honest detection times, several causes and providers, links, credits, `extra`.
 */
const CONFIG = `timezone: America/New_York
services: [api, dashboard, storage]
providers: [aws, {id: edgeco, kind: vendor}]
`;

const STAGED = `---
id: staged
title: Storage outage recovered region by region
status: review
severity: SEV1
services: [api, dashboard, storage]
provider: [aws, edgeco]
started: 2021-03-01T10:00:00Z
detected: 2021-03-01T09:40:00Z
impact:
  summary: Requests failed, then were slow.
  affected: {count: 1200, of: sites}
  windows:
    - {from: 2021-03-01T10:00:00Z, to: 2021-03-01T11:00:00Z, level: outage, services: [api, storage]}
    - {from: 2021-03-01T10:30:00Z, to: 2021-03-01T12:00:00Z, level: outage, services: [api], scope: {percent: 5, of: requests}}
    - {from: 2021-03-01T12:00:00Z, to: 2021-03-01T15:00:00Z, level: degraded, services: [dashboard], public: true, summary: Slow pages.}
    - {from: 2021-03-01T10:00:00Z, to: 2021-03-01T10:10:00Z, level: data-loss, services: [storage]}
root_cause:
  - {category: change, summary: A bad config push.}
  - {category: process, summary: The canary did not cover the region.}
timeline:
  - {at: 2021-02-28T20:00:00Z, event: Disk alarms were muted., kind: precursor}
  - {at: 2021-03-01, event: Region restored., kind: resolution, approximate: true}
remediations:
  - {id: R1, action: Fix the canary., type: prevent, owner: provider:edgeco, status: done, completed: 2021-04-02}
owners:
  authors: [ana]
links:
  - {title: Public write-up, url: 'https://example.com/pm', audience: customer}
credits:
  - {summary: 10% service credit., audience: customer}
extra:
  regions: [us-east-1]
  cost_usd: 1500
---
## Timeline

- ~11:30 — Roll-back started.
- 2021-03-02 — [follow-up] Follow-up review.
`;

const PLAIN = `---
id: plain
title: A plain old outage
status: final
severity: SEV2
services: [api]
started: 2021-03-05T10:00:00Z
detected: 2021-03-05T10:05:00Z
mitigated: 2021-03-05T10:30:00Z
resolved: 2021-03-05T11:00:00Z
impact:
  summary: Requests failed.
  customers_affected: 40
root_cause: {category: software, summary: A bug.}
timeline:
  - {at: 2021-03-05T10:05:00Z, event: Alert.}
owners:
  authors: [ana]
---
`;

let root: string;
let kb: BuiltKnowledgeBase;
beforeAll(async () => {
  root = tempKb({ 'postmortem.config.yaml': CONFIG, 'incidents/staged.md': STAGED, 'incidents/plain.md': PLAIN });
  kb = await updateKnowledgeBase(captureContext(root, { now: '2021-06-01' }));
});
afterAll(() => removeKb(root));

function rows(sql: string): Record<string, unknown>[] {
  const db = kb.openDb();
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('the record in the database', () => {
  it('is valid', () => {
    expect(kb.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('derives times from windows: proactive detection, mitigation and resolution from the last windows', () => {
    expect(
      rows(`SELECT id, minutes_to_detect, detected_before_impact_minutes, minutes_to_mitigate, minutes_to_resolve,
        impact_minutes, impact_level, affected_count, affected_of, customers_affected, root_cause_category, provider, extra
        FROM incidents ORDER BY id`),
    ).toEqual([
      {
        id: 'plain',
        minutes_to_detect: 5,
        detected_before_impact_minutes: null,
        minutes_to_mitigate: 30,
        minutes_to_resolve: 60,
        impact_minutes: 60,
        impact_level: 'outage',
        affected_count: 40,
        affected_of: 'customers',
        customers_affected: 40,
        root_cause_category: 'software',
        provider: null,
        extra: '{}',
      },
      {
        // mitigated: end of the last outage window (12:00); resolved: end of the last window but data loss (15:00)
        id: 'staged',
        minutes_to_detect: 0,
        detected_before_impact_minutes: 20,
        minutes_to_mitigate: 120,
        minutes_to_resolve: 300,
        impact_minutes: 300,
        impact_level: 'outage',
        affected_count: 1200,
        affected_of: 'sites',
        customers_affected: null,
        root_cause_category: 'change',
        provider: 'aws',
        extra: '{"regions":["us-east-1"],"cost_usd":1500}',
      },
    ]);
  });

  it("holds one window row per service, and the union of each service's windows per level", () => {
    expect(
      rows(`SELECT window_index, service, level, from_at, to_at, minutes, scope_kind, scope_value, scope_of, public, summary, locations, implicit
        FROM impact_windows WHERE incident_id = 'plain'`),
    ).toEqual([
      {
        window_index: 1,
        service: 'api',
        level: 'outage',
        from_at: '2021-03-05T10:00:00Z',
        to_at: '2021-03-05T11:00:00Z',
        minutes: 60,
        scope_kind: null,
        scope_value: null,
        scope_of: null,
        public: 0,
        summary: null,
        locations: '[]',
        implicit: 1,
      },
    ]);
    expect(
      rows(`SELECT window_index, service, level, minutes, scope_kind, scope_value, scope_of, implicit FROM impact_windows
        WHERE incident_id = 'staged' ORDER BY window_index, service`),
    ).toEqual([
      { window_index: 1, service: 'api', level: 'outage', minutes: 60, scope_kind: null, scope_value: null, scope_of: null, implicit: 0 },
      {
        window_index: 1,
        service: 'storage',
        level: 'outage',
        minutes: 60,
        scope_kind: null,
        scope_value: null,
        scope_of: null,
        implicit: 0,
      },
      {
        window_index: 2,
        service: 'api',
        level: 'outage',
        minutes: 90,
        scope_kind: 'percent',
        scope_value: 5,
        scope_of: 'requests',
        implicit: 0,
      },
      {
        window_index: 3,
        service: 'dashboard',
        level: 'degraded',
        minutes: 180,
        scope_kind: null,
        scope_value: null,
        scope_of: null,
        implicit: 0,
      },
      {
        window_index: 4,
        service: 'storage',
        level: 'data-loss',
        minutes: 10,
        scope_kind: null,
        scope_value: null,
        scope_of: null,
        implicit: 0,
      },
    ]);
    // api: 10:00–11:00 and 10:30–12:00 overlap: 120 minutes, not 150
    expect(rows("SELECT service, level, minutes FROM service_impact WHERE incident_id = 'staged' ORDER BY service, level")).toEqual([
      { service: 'api', level: 'outage', minutes: 120 },
      { service: 'dashboard', level: 'degraded', minutes: 180 },
      { service: 'storage', level: 'data-loss', minutes: 10 },
      { service: 'storage', level: 'outage', minutes: 60 },
    ]);
  });

  it('keeps every cause, provider, link, credit, completion date and timeline precision', () => {
    expect(rows("SELECT position, category, summary FROM root_causes WHERE incident_id = 'staged' ORDER BY position")).toEqual([
      { position: 1, category: 'change', summary: 'A bad config push.' },
      { position: 2, category: 'process', summary: 'The canary did not cover the region.' },
    ]);
    expect(rows('SELECT provider, position FROM incident_providers ORDER BY position')).toEqual([
      { provider: 'aws', position: 1 },
      { provider: 'edgeco', position: 2 },
    ]);
    expect(rows('SELECT name, kind FROM providers ORDER BY name')).toEqual([
      { name: 'aws', kind: 'hosting' },
      { name: 'edgeco', kind: 'vendor' },
    ]);
    expect(rows('SELECT title, url, audience FROM links')).toEqual([
      { title: 'Public write-up', url: 'https://example.com/pm', audience: 'customer' },
    ]);
    expect(rows('SELECT summary, audience FROM credits')).toEqual([{ summary: '10% service credit.', audience: 'customer' }]);
    expect(rows("SELECT owner, completed FROM remediations WHERE incident_id = 'staged'")).toEqual([
      { owner: 'provider:edgeco', completed: '2021-04-02' },
    ]);
    expect(rows("SELECT at, kind, precision, approximate FROM timeline_events WHERE incident_id = 'staged' ORDER BY position")).toEqual([
      { at: '2021-02-28T20:00:00Z', kind: 'precursor', precision: 'minute', approximate: 0 },
      { at: '2021-03-01T00:00:00Z', kind: 'resolution', precision: 'day', approximate: 1 },
      { at: '2021-03-01T11:30:00Z', kind: 'note', precision: 'minute', approximate: 1 },
      { at: '2021-03-02T00:00:00Z', kind: 'follow-up', precision: 'day', approximate: 0 },
    ]);
  });
});

/** The text of the element with this id (tags removed, spaces collapsed). */
function sectionText(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start, `element #${id}`).toBeGreaterThan(-1);
  return html
    .slice(html.indexOf('>', start) + 1, html.indexOf('</section>', start))
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the record on the site', () => {
  it('shows extra, links, credits, every cause, the windows and honest times on the incident page', async () => {
    const result = await runSite(captureContext(root, { now: '2021-06-01' }));
    expect(result.exitCode).toBe(0);
    const html = readFileSync(join(root, 'out', 'site', 'incidents', 'staged.html'), 'utf8');
    expect(sectionText(html, 'extra')).toBe('Other facts From the record\'s extra: mapping. regions ["us-east-1"] cost_usd 1500');
    expect(sectionText(html, 'record-links')).toBe('Links Public write-up (customer)');
    expect(html).toContain('<a href="https://example.com/pm">Public write-up</a>');
    const impact = sectionText(html, 'impact');
    expect(impact).toContain('Level: outage');
    expect(impact).toContain('Affected: 1,200 sites');
    expect(impact).toContain('5% of requests');
    expect(impact).toContain('Credits: 10% service credit.');
    expect(sectionText(html, 'root-cause')).toContain('Other causes process : The canary did not cover the region.');
    const facts = sectionText(html, 'facts');
    expect(facts).toContain('Detected before impact 20 minutes before (proactive detection)');
    expect(facts).toContain('Time to mitigate 2 hours');
    expect(facts).toContain('Provider Aws, Edgeco');
    const timeline = sectionText(html, 'timeline');
    expect(timeline).toContain('around 2021-03-01 resolution Region restored.');
    expect(timeline).toContain('around 2021-03-01 06:30 EST note Roll-back started.');
    expect(timeline).toContain('2021-03-02 follow-up Follow-up review.');
  });
});
