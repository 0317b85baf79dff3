import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { BENCH_CONFIG, generateIncident } from '../src/bench/generate.js';
import { readSourceFast } from '../src/db/fast-read.js';
import { parseConfig } from '../src/kb/config.js';
import { toIncident, type Incident } from '../src/model/incident.js';

// V8's own check of an object's representation: a field deleted in the middle turns an object
// into a dictionary, which every later read of it (pages, rows, rules) pays for.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

const config = parseConfig(BENCH_CONFIG).config;
const typed = (text: string, path = 'incidents/x.md'): ReturnType<typeof toIncident> =>
  toIncident(readSourceFast(path, Buffer.from(text)), config);

describe('a typed incident', () => {
  const incidents = Array.from({ length: 60 }, (_, i) => generateIncident(3, i, 60)).map(({ path, text }) => typed(text, path).incident!);

  it('keeps fast properties, with a provider and without one', () => {
    const withProvider = incidents.filter((i) => i.provider !== undefined);
    const without = incidents.filter((i) => i.provider === undefined);
    expect(withProvider.length).toBeGreaterThan(5);
    expect(without.length).toBeGreaterThan(5);
    for (const incident of incidents) expect(hasFastProperties(incident)).toBe(true);
  });

  it('has no optional field left undefined, and its fields in the data order, the derived ones after', () => {
    for (const incident of incidents) {
      for (const key of ['provider', 'detected', 'mitigated', 'resolved'] as const) {
        if (key in incident) expect(incident[key]).toBeDefined();
      }
      const keys = Object.keys(incident);
      expect(keys.slice(0, 2)).toEqual(['id', 'title']);
      expect(keys.slice(-4)).toEqual(['customer_summary', 'internal_notes', 'file', 'digest'] satisfies (keyof Incident)[]);
      expect(keys.indexOf('root_causes')).toBeGreaterThan(keys.indexOf('root_cause'));
    }
  });

  it('drops a timestamp the data had that could not be read (a partial incident)', () => {
    const { text } = generateIncident(3, 1, 60);
    const result = typed(text.replace(/^detected: .*$/m, 'detected: not-a-date'));
    expect(result.incident).toBeUndefined();
    expect(result.partial).toBeDefined();
    expect('detected' in result.partial!).toBe(false);
    expect(result.problems.map((p) => p.ruleId)).toContain('field-value');
  });
});
