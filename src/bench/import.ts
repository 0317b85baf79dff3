import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runImportPlan } from '../import/run.js';
import type { ImportKind } from '../schema/incident.js';

/**
 * `npm run bench:import`: generates a corpus of `--count` records (default 1,000) in each input
 * kind in a temp folder, imports each into an empty knowledge base, and prints the import time
 * and how many records imported cleanly. The corpus is the same every run (a seeded generator)
 * (`--dry-run`: checked, not written) and mixes what real history holds: most records complete, some without a start, some with a
 * day only, some duplicated, some with a zone label their text contradicts, unmapped categories.
 */
const args = process.argv.slice(2);
const count = args.includes('--count') ? Number(args[args.indexOf('--count') + 1]) : 1000;
const dryRun = args.includes('--dry-run');

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = ['webmail', 'pop', 'imap', 'smtp'];
const CATEGORIES = ['deploy', 'disk', 'dns', 'capacity-ish'];
const CONFIG = `timezone: America/New_York\nservices: [${SERVICES.join(', ')}]\nowners:\n  - {id: bill, name: Bill Example}\n`;
const MAP = `fields: {id: ref, title: headline, started: began, resolved: ended, category: kind, services: systems, summary: what_happened, company: team}
categories: {deploy: change, disk: hardware, dns: network}
zone: America/New_York
`;

interface Row {
  id: string;
  title: string;
  started?: string;
  resolved?: string;
  text: string;
  category: string;
  service: string;
}

/** The corpus as plain rows: the same facts every kind is written from. */
function corpus(n: number): Row[] {
  const next = random(17);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(next() * 3000) * 86400000).toISOString().slice(0, 10);
    const hour = String(Math.floor(next() * 24)).padStart(2, '0');
    const service = SERVICES[Math.floor(next() * SERVICES.length)]!;
    let row: Row = {
      id: `R-${i + 1}`,
      title: `${service} trouble number ${i + 1}`,
      started: `${day}T${hour}:10:00Z`,
      resolved: `${day}T${hour}:55:00Z`,
      text: 'Customers saw errors.',
      category: CATEGORIES[Math.floor(next() * CATEGORIES.length)]!,
      service,
    };
    if (r < 0.08)
      row = { ...row, started: undefined, resolved: undefined }; // no times at all
    else if (r < 0.13)
      row = { ...row, started: day, resolved: undefined }; // a day only
    else if (r < 0.18)
      row = { ...row, started: `${day} ${hour}:10`, resolved: `${day} ${hour}:55` }; // no zone
    else if (r < 0.2)
      row = { ...row, text: `Down from ${hour}:10 PST.` }; // labelled UTC, text says Pacific
    else if (r < 0.23 && i > 0) row = { ...rows[i - 1]!, id: `R-${i + 1}` }; // the record before, filed twice
    rows.push(row);
  }
  return rows;
}

const csvCell = (v: string | undefined) => (v === undefined ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function writeCorpus(kind: ImportKind, rows: readonly Row[], folder: string): string[] {
  mkdirSync(folder, { recursive: true });
  if (kind === 'csv') {
    const lines = [
      'ref,headline,began,ended,kind,systems,what_happened,team',
      ...rows.map((r) => [r.id, r.title, r.started, r.resolved, r.category, r.service, r.text, 'mail'].map(csvCell).join(',')),
    ];
    writeFileSync(join(folder, 'corpus.csv'), `${lines.join('\n')}\n`);
    return [join(folder, 'corpus.csv')];
  }
  if (kind === 'statuspage') {
    const incidents = rows.map((r) => ({
      id: r.id,
      name: r.title,
      status: 'resolved',
      impact: 'major',
      created_at: r.started ?? null,
      started_at: r.started ?? null,
      resolved_at: r.resolved ?? null,
      shortlink: `https://status.example.com/${r.id}`,
      components: [{ id: r.service, name: r.service }],
      incident_updates: r.started
        ? [{ id: `${r.id}-u1`, status: 'investigating', body: r.text, created_at: r.started, display_at: r.started }]
        : [],
    }));
    writeFileSync(join(folder, 'incidents.json'), JSON.stringify({ incidents }, null, 2));
    return [join(folder, 'incidents.json')];
  }
  rows.forEach((r, i) => {
    const fields = [
      `ref: ${r.id}`,
      `headline: ${r.title}`,
      r.started && `began: ${JSON.stringify(r.started)}`,
      r.resolved && `ended: ${JSON.stringify(r.resolved)}`,
      `kind: ${r.category}`,
      `systems: [${r.service}]`,
      `what_happened: ${JSON.stringify(r.text)}`,
      'team: mail',
    ];
    writeFileSync(join(folder, `${String(i).padStart(5, '0')}.md`), `---\n${fields.filter(Boolean).join('\n')}\n---\n\n${r.text}\n`);
  });
  return [folder];
}

const base = mkdtempSync(join(tmpdir(), 'pmkb-import-bench-'));
try {
  const rows = corpus(count);
  process.stdout.write(
    '| kind | records | imported cleanly | with errors | warnings | import time | CPU time |\n|---|---|---|---|---|---|---|\n',
  );
  for (const kind of ['md-frontmatter', 'statuspage', 'csv'] as const) {
    const root = join(base, kind, 'kb');
    mkdirSync(join(root, 'incidents'), { recursive: true });
    writeFileSync(join(root, 'postmortem.config.yaml'), CONFIG);
    writeFileSync(join(base, kind, 'map.yaml'), MAP);
    const paths = writeCorpus(kind, rows, join(base, kind, 'input'));
    const sink = { write: () => true };
    const start = performance.now();
    const cpu = process.cpuUsage();
    const report = runImportPlan(
      { root, out: join(root, 'out'), stdout: sink, stderr: sink, color: false, now: '2024-01-01' },
      {
        kind,
        paths,
        map: kind === 'statuspage' ? undefined : join(base, kind, 'map.yaml'),
        cwd: base,
        dryRun,
      },
    );
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const warnings = report.problems.filter((p) => p.severity === 'warning').length;
    process.stdout.write(
      `| ${kind} | ${report.records} | ${report.records - report.failed} | ${report.failed} | ${warnings} | ${(ms / 1000).toFixed(2)} s | ${(cpuMs / 1000).toFixed(2)} s |\n`,
    );
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
