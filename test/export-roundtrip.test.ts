import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderExport } from '../src/export/render.js';
import { exportable } from '../src/export/view.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { Temporal } from '../src/model/time.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { runCli } from './helpers/cli.js';
import { removeKb, tempKb } from './helpers/kb.js';

/**
 * `export statuspage` and `import statuspage` meet: the example's public incidents, exported and
 * imported into an empty knowledge base, come back with the same public facts (docs/export.md
 * lists what round-trips): the source id, title, start, end of impact, services (by their
 * display names, as a status page names components), and every public update's text and time.
 */
interface Exported {
  incidents: {
    id: string;
    name: string;
    started_at: string;
    resolved_at: string | null;
    components: { id: string; name: string }[];
    incident_updates: { body: string; display_at: string }[];
  }[];
}

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

describe('export statuspage → import statuspage', () => {
  it('brings back the public facts of every exported incident', () => {
    const example = loadKnowledgeBase({ root: PACKAGE_ROOT });
    const exported = JSON.parse(renderExport('statuspage', exportable(example.incidents), example.config)) as Exported;
    expect(exported.incidents.length).toBeGreaterThan(10);

    const root = tempKb({ 'postmortem.config.yaml': 'timezone: America/New_York\n', 'incidents/.keep': '' });
    roots.push(root);
    writeFileSync(join(root, 'statuspage.json'), JSON.stringify(exported));
    const run = runCli(['--root', root, 'import', 'statuspage', 'statuspage.json', '--into', 'incidents/imported'], root);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`${exported.incidents.length} records in 1 file: ${exported.incidents.length} import`));

    const imported = loadKnowledgeBase({ root, now: '2008-01-15' });
    expect(imported.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const bySource = new Map(imported.incidents.map((i) => [i.source?.id, i]));
    const instant = (text: string) => Temporal.Instant.from(text).epochMilliseconds;
    for (const out of exported.incidents) {
      const back = bySource.get(out.id);
      expect(back, out.id).toBeDefined();
      expect(back!.source).toMatchObject({ kind: 'statuspage', id: out.id });
      expect(back!.status).toBe('draft');
      expect(back!.title).toBe(out.name);
      expect(back!.started.epochMilliseconds, out.id).toBe(instant(out.started_at));
      if (out.resolved_at) expect(back!.resolved?.epochMilliseconds, out.id).toBe(instant(out.resolved_at));
      expect(back!.services).toEqual(out.components.map((c) => c.name));
      const events = back!.timeline.map((e) => [e.at.epochMilliseconds, e.event.replace(/\s+/g, ' ').trim()]);
      for (const u of out.incident_updates)
        expect(events, `${out.id}: ${u.body}`).toContainEqual([instant(u.display_at), u.body.replace(/\s+/g, ' ').trim()]);
    }
  });
});
