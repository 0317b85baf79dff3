import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_CONFIG, generateIncident } from '../src/bench/generate.js';
import { readSourceFast } from '../src/db/fast-read.js';
import { IncidentReader } from '../src/db/incident-source.js';
import { keepIncident, MAX_KEPT, takeIncident } from '../src/db/kept-incidents.js';
import { readOne, sameConfig } from '../src/db/parse.js';
import { incidentRows } from '../src/db/write.js';
import { loadConfig, parseConfig } from '../src/kb/config.js';
import { validateSource } from '../src/kb/validate.js';
import { toIncident, type Incident } from '../src/model/incident.js';
import { Temporal } from '../src/model/time.js';
import { configText } from '../src/schema/config.js';
import { takeBatch, type Lane, type SiteTask } from '../src/site/parallel.js';

const config = parseConfig(BENCH_CONFIG).config;
const today = Temporal.PlainDate.from('2030-01-01');
const generated = Array.from({ length: 40 }, (_, i) => generateIncident(5, i, 40));
const sources = generated.map(({ path, text }) => readSourceFast(path, Buffer.from(text)));

/** Every field, in key order, with undefined-valued keys, instants and dates by their text, and class names. */
function canon(v: unknown): string {
  if (v === undefined) return 'U';
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? `${v}n` : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) return `${(v as object).constructor.name}(${String(v)})`;
  return `{${Object.entries(v as object)
    .map(([k, x]) => `${JSON.stringify(k)}:${canon(x)}`)
    .join(',')}}`;
}

describe('the incidents a worker thread keeps from the parse for its pages (kept-incidents.ts)', () => {
  const text = configText(config);
  const typed = sources.map((s) => validateSource(s, config, today).incident!);

  it('are the incidents a reload from the parse cache gives: the parse typed, its JSON round trip typed again', () => {
    const fixtures = join('test', 'fixtures', 'public-incidents');
    const fixtureConfig = loadConfig(fixtures).config;
    const files = readdirSync(join(fixtures, 'incidents'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
    const all = [
      ...sources.map((source) => ({ source, config })),
      ...files.map((f) => ({ source: readOne(fixtures, `incidents/${f}`, fixtureConfig), config: fixtureConfig })),
    ];
    let valid = 0;
    for (const { source, config: c } of all) {
      const json = JSON.stringify(source);
      const kept = validateSource(source, c, today).incident;
      if (!kept) continue;
      valid++;
      incidentRows(kept, c); // what the parse does with it before the pages
      const reloaded = toIncident(JSON.parse(json), c).incident;
      expect(canon(kept)).toBe(canon(reloaded));
      expect(canon(kept)).toContain('Instant(');
    }
    expect(valid).toBeGreaterThan(all.length / 2);
  });

  it('are given once, for the config they were typed with, and a new parse job drops those of the last', () => {
    const first = typed[0]!;
    expect(keepIncident(1, text, first)).toBe(true);
    expect(takeIncident(() => 'another config', first.file, first.digest)).toBeUndefined();
    expect(takeIncident(() => text, first.file, 'another digest')).toBeUndefined();
    expect(takeIncident(() => text, first.file, first.digest)).toBe(first);
    expect(takeIncident(() => text, first.file, first.digest)).toBeUndefined();
    expect(keepIncident(1, text, first)).toBe(true);
    expect(keepIncident(2, text, typed[1]!)).toBe(true);
    expect(takeIncident(() => text, first.file, first.digest)).toBeUndefined();
    expect(takeIncident(() => text, typed[1]!.file, typed[1]!.digest)).toBe(typed[1]);
  });

  it('are at most MAX_KEPT per thread', () => {
    const many = Array.from({ length: MAX_KEPT + 3 }, (_, n) => ({ ...typed[0]!, digest: `d${n}` }) as Incident);
    expect(many.map((i) => keepIncident(3, text, i)).filter(Boolean).length).toBe(MAX_KEPT);
    expect(takeIncident(() => text, typed[0]!.file, `d${MAX_KEPT - 1}`)).toBe(many[MAX_KEPT - 1]);
    expect(takeIncident(() => text, typed[0]!.file, `d${MAX_KEPT}`)).toBeUndefined();
  });

  describe('IncidentReader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kept-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // an empty cache: an incident not kept is read again from its file, here only the first one's
    const reader = new IncidentReader({ root: dir, cachePath: join(dir, 'cache.db'), cacheVersion: 'v', config });
    mkdirSync(join(dir, dirname(generated[2]!.path)), { recursive: true });
    writeFileSync(join(dir, generated[2]!.path), generated[2]!.text);

    it('gives the kept incident without reading it, then (taken) reads it back; one not kept and not there is an error', () => {
      const [a, b] = [typed[2]!, typed[3]!];
      keepIncident(4, text, a);
      expect(reader.load([[a.file, a.digest]])[0]).toBe(a);
      const again = reader.load([[a.file, a.digest]])[0]!;
      expect(again).not.toBe(a);
      expect(canon(again)).toBe(canon(a));
      expect(() => reader.load([[b.file, b.digest]])).toThrow(/changed while the build was running/);
      reader.close();
    });
  });
});

describe('the config a thread types incidents with (parse.ts: sameConfig)', () => {
  it('is the first object given of the same text, so that its compiled schema serves the page phase too', () => {
    const first = sameConfig(structuredClone(config));
    expect(sameConfig(structuredClone(config))).toBe(first);
    expect(first.json).toBe(configText(config));
    const other = sameConfig({ ...config, timezone: 'Europe/Paris' });
    expect(other).not.toBe(first);
    expect(other.config.timezone).toBe('Europe/Paris');
  });
});

describe("a thread's next batch of tasks (parallel.ts: takeBatch)", () => {
  const page = (n: number) => ({ task: { kind: 'page', n } as unknown as SiteTask, resolve: () => undefined, reject: () => undefined });
  const lane = (...ns: number[]): Lane => ({ items: ns.map(page), head: 0 });
  const taken = (batch: ReturnType<typeof takeBatch>) => batch.map((q) => (q.task as unknown as { n: number }).n);

  it("takes from the lanes in turn, up to a batch's weight (8 incident pages), and empties what it took", () => {
    const own = lane(1, 2, 3);
    const shared = lane(10, 11, 12, 13, 14, 15, 16);
    const other = lane(20);
    expect(taken(takeBatch([own, shared, other]))).toEqual([1, 2, 3, 10, 11, 12, 13, 14]);
    expect(own).toEqual({ items: [], head: 0 });
    expect(shared.items.slice(0, shared.head).every((q) => q === undefined)).toBe(true);
    expect(taken(takeBatch([own, shared, other]))).toEqual([15, 16, 20]);
    expect(taken(takeBatch([own, shared, other]))).toEqual([]);
  });
});
