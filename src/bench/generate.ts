import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A deterministic synthetic knowledge base for the benchmark: the same seed and count give
 * the same files byte for byte. Incidents are of realistic size: 10–30 timeline events (some
 * in the front-matter, most in the body), 2–8 remediations, 3–9 KB of body with lists, a
 * table and a code block.
 */

/** mulberry32: a small, fast, seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = [
  'pop',
  'imap',
  'webmail',
  'smtp-inbound',
  'smtp-outbound',
  'spam-filtering',
  'mail-routing',
  'mail-storage',
  'control-panel',
  'dns',
];
const CATEGORIES = ['capacity', 'change', 'config', 'software', 'hardware', 'network', 'dependency', 'security', 'process', 'unknown'];
const OWNERS = ['ana', 'ben', 'cho', 'dev', 'eli', 'fay', 'gus', 'hal'];
const KINDS = ['action', 'note', 'communication', 'action', 'note'];
const WORDS = (
  'the load balancer failover queue mailbox store replica latency timeout customers webmail imap pop relay spam filter disk array ' +
  'controller firmware cache database index route lookup proxy session certificate network switch link packet retry backlog alert page ' +
  'on-call engineer rollback deploy config change capacity surge threshold graph dashboard runbook provider ticket escalation recovery'
).split(' ');

export const BENCH_CONFIG = `organization: Bench Mail, Inc.
timezone: America/New_York
as_of: 2030-01-01
services: [${SERVICES.join(', ')}]
locations:
  dc-east: East data center
  dc-west: West data center
providers: [hostco, dnsco]
owners:
${OWNERS.map((o) => `  - {id: ${o}, name: ${o.toUpperCase()} Example}`).join('\n')}
`;

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function sentence(r: () => number, min = 8, max = 20): string {
  const n = min + Math.floor(r() * (max - min));
  const words = Array.from({ length: n }, () => pick(r, WORDS));
  const text = words.join(' ');
  return `${text[0]!.toUpperCase() + text.slice(1)}.`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DDTHH:MM:00-05:00" for minutes since 2000-01-01T00:00-05:00 (a fixed offset keeps it simple). */
function stamp(minutes: number): string {
  const d = new Date(Date.UTC(2000, 0, 1) + minutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00-05:00`;
}

export interface GeneratedIncident {
  path: string;
  text: string;
}

/** One incident, number `i` of the knowledge base. */
export function generateIncident(seed: number, i: number, count: number): GeneratedIncident {
  const r = prng(seed * 1_000_003 + i);
  // Incidents spread over ~20 years, in order of i.
  const started = Math.floor((i / count) * 20 * 365 * 1440) + Math.floor(r() * 600);
  const date = stamp(started).slice(0, 10);
  const id = `${date}-incident-${i}`;
  const detect = 1 + Math.floor(r() * 60);
  const mitigate = detect + 5 + Math.floor(r() * 240);
  const resolve = mitigate + Math.floor(r() * 600);
  const services = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, SERVICES)))];
  const category = pick(r, CATEGORIES);
  const events = 10 + Math.floor(r() * 21);
  const frontEvents = Math.min(events, 2 + Math.floor(r() * 4));
  const remediations = 2 + Math.floor(r() * 7);
  const bodyKb = 3 + r() * 6;

  const fm: string[] = [
    '---',
    `id: ${id}`,
    `title: ${sentence(r, 4, 9).slice(0, -1)}`,
    `status: ${r() < 0.9 ? 'final' : 'review'}`,
    `severity: SEV${1 + Math.floor(r() * 4)}`,
    `services: [${services.join(', ')}]`,
    `locations: [${r() < 0.7 ? 'dc-east' : 'dc-west'}]`,
  ];
  if (r() < 0.5) fm.push(`provider: ${r() < 0.8 ? 'hostco' : 'dnsco'}`);
  fm.push(
    `started: ${stamp(started)}`,
    `detected: ${stamp(started + detect)}`,
    `mitigated: ${stamp(started + mitigate)}`,
    `resolved: ${stamp(started + resolve)}`,
  );
  fm.push(
    'impact:',
    `  summary: ${sentence(r)}`,
    `  symptoms: [${sentence(r, 2, 4).slice(0, -1).toLowerCase()}]`,
    `  customers_affected: ${Math.floor(r() * 50000)}`,
  );
  fm.push('root_cause:', `  category: ${category}`, `  summary: ${sentence(r)}`);
  fm.push('contributing_factors:', `  - {category: ${pick(r, CATEGORIES)}, summary: ${sentence(r, 5, 10)}}`);
  fm.push('detection:', `  method: ${pick(r, ['monitoring', 'alert', 'customer-report', 'staff'])}`);
  fm.push('timeline:');
  const times = Array.from({ length: events }, (_, k) => started + Math.floor(((k + 1) / (events + 1)) * resolve)).sort((a, b) => a - b);
  for (let k = 0; k < frontEvents; k++) {
    fm.push(`  - at: ${stamp(times[k]!)}`, `    event: ${sentence(r)}`, `    kind: ${k === 0 ? 'detection' : pick(r, KINDS)}`);
    if (r() < 0.3) fm.push('    public: true');
  }
  fm.push('remediations:');
  for (let k = 0; k < remediations; k++) {
    const due = stamp(started + (5 + Math.floor(r() * 120)) * 1440).slice(0, 10);
    fm.push(
      `  - id: R${k + 1}`,
      `    action: ${sentence(r)}`,
      `    type: ${pick(r, ['prevent', 'detect', 'mitigate', 'process'])}`,
      `    owner: ${pick(r, OWNERS)}`,
      `    due: ${due}`,
      `    status: ${pick(r, ['open', 'in-progress', 'done', 'done', 'wont-do'])}`,
    );
    if (r() < 0.3) fm.push('    public: true');
  }
  if (i > 0 && r() < 0.2) {
    const other = Math.floor(r() * i);
    const otherStart = Math.floor((other / count) * 20 * 365 * 1440) + Math.floor(prng(seed * 1_000_003 + other)() * 600);
    fm.push(`related: [${stamp(otherStart).slice(0, 10)}-incident-${other}]`);
  }
  fm.push(`tags: [${pick(r, WORDS)}, ${pick(r, WORDS)}]`);
  fm.push('owners:', `  commander: ${pick(r, OWNERS)}`, `  authors: [${pick(r, OWNERS)}]`, '---', '');

  const body: string[] = ['## Summary', '', Array.from({ length: 4 }, () => sentence(r)).join(' '), ''];
  body.push('## Timeline', '');
  let lastDate = '';
  for (let k = frontEvents; k < events; k++) {
    const t = stamp(times[k]!);
    // A time alone takes the date of the entry before it: write the date whenever it changes.
    const when = t.slice(0, 10) !== lastDate ? `${t.slice(0, 10)} ${t.slice(11, 16)} -05:00` : t.slice(11, 16);
    lastDate = t.slice(0, 10);
    body.push(`- ${when} — [${pick(r, KINDS)}] ${sentence(r)}`);
  }
  body.push('', '## Impact', '');
  for (let k = 0; k < 4; k++) body.push(`- ${sentence(r)}`);
  body.push(
    '',
    '## Root cause',
    '',
    sentence(r, 20, 40),
    '',
    '```sh',
    `$ tail -n 3 /var/log/${pick(r, WORDS)}.log`,
    ...Array.from({ length: 3 }, () => `${stamp(times[0]!)} ${pick(r, WORDS)}: ${sentence(r, 4, 8)}`),
    '```',
    '',
  );
  body.push('## Resolution', '', '| Step | Owner | Minutes |', '| --- | --- | ---: |');
  for (let k = 0; k < 4; k++) body.push(`| ${sentence(r, 3, 6)} | ${pick(r, OWNERS)} | ${Math.floor(r() * 90)} |`);
  body.push('', '## Lessons learned', '');
  const target = Math.floor(bodyKb * 1024);
  let size = body.join('\n').length;
  while (size < target) {
    const para = `${Array.from({ length: 5 }, () => sentence(r)).join(' ')}`;
    body.push(`1. ${para}`);
    size += para.length + 4;
  }
  body.push('', '## Customer summary', '', sentence(r, 20, 30), '');
  return { path: `incidents/${date.slice(0, 4)}/${id}.md`, text: fm.join('\n') + body.join('\n') };
}

/** Writes a knowledge base of `count` incidents under `root` (config included). */
export function generateKnowledgeBase(root: string, count: number, seed = 42): void {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'postmortem.config.yaml'), BENCH_CONFIG);
  const made = new Set<string>();
  for (let i = 0; i < count; i++) {
    const { path, text } = generateIncident(seed, i, count);
    const dir = join(root, path.slice(0, path.lastIndexOf('/')));
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(join(root, path), text);
  }
}
