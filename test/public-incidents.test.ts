import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/commands/check.js';
import { runLetter } from '../src/commands/letter.js';
import { runPacket } from '../src/commands/packet.js';
import { runSite } from '../src/commands/site.js';
import { runSql } from '../src/commands/sql.js';
import { runStats } from '../src/commands/stats.js';
import { formatProblem } from '../src/problems.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { visibleText } from './helpers/visible-text.js';

/**
 * The public-incident fixture (test/fixtures/public-incidents): twelve well-known incidents
 * written from their public write-ups. The numbers asserted here were computed by hand from
 * the write-ups' times and are kept, with their arithmetic, in the fixture's expected.json.
 */
const FIXTURE = join(import.meta.dirname, 'fixtures', 'public-incidents');

interface ImpactRow {
  service: string;
  level: string;
  minutes: number;
}
interface Expected {
  minutes_to_detect: number | null;
  detected_before_impact_minutes: number | null;
  minutes_to_mitigate: number | null;
  minutes_to_resolve: number | null;
  service_impact: ImpactRow[];
  /** The hand arithmetic, for reviewers. */
  arithmetic: string;
}
const EXPECTED = (JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { incidents: Record<string, Expected> }).incidents;
const IDS = Object.keys(EXPECTED).sort();

/** Every file of the fixture (not its `out/`), keyed by path relative to the fixture. */
function fixtureFiles(dir = FIXTURE): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'out') continue;
    if (statSync(path).isDirectory()) Object.assign(files, fixtureFiles(path));
    else files[relative(FIXTURE, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

let root: string;
beforeAll(() => {
  root = tempKb(fixtureFiles());
});
afterAll(() => removeKb(root));

const ctx = () => captureContext(root);

async function sql<T>(query: string): Promise<T[]> {
  const { exitCode, result } = await runSql(ctx(), query, { format: 'json', limit: 1000 });
  expect(exitCode).toBe(0);
  return (result?.rows ?? []) as T[];
}

describe('public-incident fixture', () => {
  it('holds at least ten incidents, each with its hand-computed numbers', () => {
    const files = Object.keys(fixtureFiles())
      .filter((f) => f.startsWith('incidents/'))
      .map((f) => f.replace(/^incidents\/(.*)\.md$/, '$1'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files).toEqual(IDS);
  });

  it('passes `check` with no errors', () => {
    const { problems, exitCode, incidents } = runCheck(ctx());
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(incidents).toBe(IDS.length);
  });
});

describe('public-incident fixture in the database', () => {
  it.each(IDS)('%s: time to detect, mitigate and resolve', async (id) => {
    const [row] = await sql<Record<string, number | null>>(
      `SELECT minutes_to_detect, detected_before_impact_minutes, minutes_to_mitigate, minutes_to_resolve FROM incidents WHERE id = '${id}'`,
    );
    const { service_impact: _impact, arithmetic: _working, ...times } = EXPECTED[id]!;
    expect(row).toEqual(times);
  });

  it.each(IDS)('%s: impact minutes per service and level', async (id) => {
    const rows = await sql<ImpactRow>(
      `SELECT service, level, minutes FROM service_impact WHERE incident_id = '${id}' ORDER BY service, level`,
    );
    expect(rows).toEqual(EXPECTED[id]!.service_impact);
  });

  it('keeps both root causes of an incident, in order', async () => {
    const rows = await sql<{ position: number; category: string }>(
      "SELECT position, category FROM root_causes WHERE incident_id = '2024-07-19-crowdstrike-channel-file-291' ORDER BY position",
    );
    expect(rows.map((r) => r.category)).toEqual(['software', 'process']);
  });

  it('stores a remediation owned by a third party', async () => {
    const rows = await sql<{ id: string; owner: string }>(
      "SELECT remediation_id AS id, owner FROM remediations WHERE incident_id = '2021-10-28-roblox-consul-outage' ORDER BY position",
    );
    expect(rows).toEqual([
      { id: 'R1', owner: 'provider:hashicorp' },
      { id: 'R2', owner: 'roblox' },
      { id: 'R3', owner: 'roblox' },
    ]);
  });

  it('stores window scopes with their units', async () => {
    const rows = await sql<{ window_index: number; level: string; scope_kind: string; scope_value: number; scope_of: string }>(
      "SELECT DISTINCT window_index, level, scope_kind, scope_value, scope_of FROM impact_windows WHERE incident_id = '2021-06-08-fastly-customer-config-bug' ORDER BY window_index",
    );
    expect(rows).toEqual([
      { window_index: 1, level: 'outage', scope_kind: 'percent', scope_value: 85, scope_of: 'network' },
      { window_index: 2, level: 'partial-outage', scope_kind: 'percent', scope_value: 5, scope_of: 'network' },
    ]);
  });
});

describe('availability over the public-incident fixture', () => {
  it('weights levels by the default table: partial-outage 0.3, degraded and delayed shown but not counted', async () => {
    const { rows, exitCode } = await runStats(ctx(), { by: 'service', format: 'json' });
    expect(exitCode).toBe(0);
    const pick = (group: string) => {
      const r = rows.find((x) => x.group === group)!;
      return [r.downtime_minutes, r.degraded_minutes, r.delayed_minutes];
    };
    expect(pick('s3-get')).toEqual([184.6, 0, 0]); // 169 outage + 0.3 × 52 partial-outage
    expect(pick('s3-put')).toEqual([257, 0, 0]);
    expect(pick('roblox-platform')).toEqual([4200.5, 0, 0]); // 4130 + 0.3 × 235
    expect(pick('falcon-sensor-windows')).toEqual([4731.9, 0, 0]); // 78 + 0.3 × 15513
    expect(pick('waf')).toEqual([27, 45, 0]); // outage 27; WAF switched off 45, degraded
    expect(pick('github-com')).toEqual([0, 1052, 0]);
    expect(pick('github-webhooks')).toEqual([0, 0, 1424]);
    expect(pick('exchange-online')).toEqual([0, 0, 0]); // data-loss carries no weight
  });
});

describe('documents over the public-incident fixture', () => {
  it.each([
    ['2021-06-08-fastly-customer-config-bug', 'Fastly'],
    ['2024-07-19-crowdstrike-channel-file-291', 'Falcon'],
  ])('writes the letter for %s', async (id, word) => {
    const c = ctx();
    const { exitCode, outcome } = await runLetter(c, { ids: [id], formats: ['html', 'md'], date: '2024-12-31' });
    expect(exitCode).toBe(0);
    expect(outcome.files.map((f) => f.format).sort()).toEqual(['html', 'md', 'promises']);
    expect(outcome.letter.count).toBe(1);
    const md = outcome.files.find((f) => f.format === 'md')!;
    expect(readFileSync(join(c.out, md.path), 'utf8')).toContain(word);
    expect(c.err_()).toBe('');
  });

  it('writes the provider packet with the incident involving that provider', async () => {
    const c = ctx();
    const { exitCode, packet } = await runPacket(c, { name: 'hashicorp-2021-review', formats: ['html'] });
    expect(exitCode).toBe(0);
    expect(packet.incidents.map((i) => i.id)).toEqual(['2021-10-28-roblox-consul-outage']);
    expect(c.err_()).not.toContain('error');
    const text = visibleText(packet.html);
    // the brief counts one incident as one, and without a contract claims no service as theirs
    expect(text).toContain('1 incident involved HashiCorp 0 caused by them');
    expect(text).toContain('availability of Roblox, the service their incidents affected');
    expect(text).not.toContain('they run for us');
    // both root causes, not only the first
    expect(text).toContain('Root causes software: A relatively new streaming feature');
    expect(text).toContain('software: The load also triggered a pathological performance problem in BoltDB');
    // recovery in stages: the windows, and mitigation by the documented rule, as the site states it
    expect(text).toContain('Impact windows');
    expect(text).toContain('2021-10-28 23:00 UTC 2021-10-31 19:50 UTC 2d 21h Outage Roblox');
    expect(text).toContain('2021-10-31 19:50 UTC 2021-10-31 23:45 UTC 3h 55m Partial outage Roblox');
    expect(text).toContain('Mitigated 2021-10-31 19:50 UTC (the end of the last outage window)');
    expect(text).toContain('To mitigate: 2d 21h');
    expect(text).toContain('Mitigated to resolved: 3h 55m');
    // a provider's remediation under the provider's name
    expect(text).toMatch(/R1 Resolve the Consul streaming and BoltDB problems [\s\S]*?prevent HashiCorp/);
    expect(text).not.toContain('provider:');
  });

  it('writes the site with a page for every incident and no errors', async () => {
    const c = ctx();
    const { exitCode, incidents, site } = await runSite(c);
    expect(exitCode).toBe(0);
    expect(incidents).toBe(IDS.length);
    for (const id of IDS) expect(site.files.some((f) => f.includes(id))).toBe(true);
    expect(c.err_()).toBe('');
    // the phase chart draws mitigation by the rule the page states it by (the end of the outage window)
    const roblox = visibleText(readFileSync(join(c.out, 'site', 'incidents', '2021-10-28-roblox-consul-outage.html'), 'utf8'));
    expect(roblox).toContain('Time to mitigate 2 days and 21 hours');
    expect(roblox).toContain('To mitigate: 2d 21h');
    expect(roblox).toContain('Mitigated to resolved: 3h 55m');
    // a provider owning a remediation is named as the provider, not by its `provider:` id
    expect(roblox).toMatch(/R1 Resolve the Consul streaming and BoltDB problems [\s\S]*? prevent HashiCorp /);
    const owners = visibleText(readFileSync(join(c.out, 'site', 'owners.html'), 'utf8'));
    expect(owners).toContain('HashiCorp Id provider:hashicorp');
    expect(owners).toContain("Directory a third party (the config's providers)");
  });
});
