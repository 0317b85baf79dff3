import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readYamlWithLibrary } from '../source/yaml.js';
import { schemaProblems } from '../model/schema-issues.js';
import { flattenUnions } from '../model/schema-issues.js';
import { onFile } from '../output/file-error.js';
import type { Problem } from '../problems.js';
import { isValidTimeZone } from '../model/time.js';

/** The record facts a mapping can fill, each from one source field (a front-matter key or a column). */
export const MAP_TARGETS = [
  'id',
  'url',
  'title',
  'started',
  'detected',
  'mitigated',
  'resolved',
  'severity',
  'category',
  'services',
  'summary',
  'tags',
  'company',
  'body',
] as const;
export type MapTarget = (typeof MAP_TARGETS)[number];

const name = () => z.string().trim().min(1);

/** A mapping file: how a foreign layout's fields and values become the record's (docs/import.md). */
export const mappingSchema = z.strictObject({
  fields: z
    .strictObject(Object.fromEntries(MAP_TARGETS.map((t) => [t, name().optional()])) as Record<MapTarget, z.ZodOptional<z.ZodString>>)
    .default({})
    .describe('Record fact ← source field. `id` (the source id) is needed: re-imports match on it.'),
  extra: z.array(name()).default([]).describe("Source fields kept as they are under the record's `extra:`."),
  categories: z.record(z.string(), name()).default({}).describe('Source category → configured root-cause category (case-insensitive).'),
  severities: z.record(z.string(), name()).default({}).describe('Source severity → configured severity; unmapped ones are `unrated`.'),
  zone: name().optional().describe('IANA zone of source times written without one (else they are reported).'),
  defaults: z
    .strictObject({
      services: z.array(name()).min(1).optional(),
      authors: z.array(name()).min(1).optional(),
    })
    .default({}),
  max_days: z.number().positive().default(30).describe('A record ending more than this many days after it started is reported.'),
});

export type Mapping = z.output<typeof mappingSchema>;

/**
 * The icco/postmortems layout: uuid, url, title, start_time, end_time, categories, keywords,
 * company, product, summary. Its categories are mapped to the default root-cause categories;
 * its times carry their zone.
 */
export const ICCO_MAPPING: Mapping = mappingSchema.parse({
  fields: {
    id: 'uuid',
    url: 'url',
    title: 'title',
    started: 'start_time',
    resolved: 'end_time',
    category: 'categories',
    tags: 'keywords',
    company: 'company',
    services: 'product',
    summary: 'summary',
    body: 'body',
  },
  categories: {
    automation: 'software',
    'cascading-failure': 'dependency',
    cloud: 'dependency',
    'config-change': 'config',
    database: 'software',
    hardware: 'hardware',
    security: 'security',
    time: 'software',
    undescriptive: 'unknown',
  },
});

export const BUILT_IN_MAPPINGS: Record<string, Mapping> = { icco: ICCO_MAPPING };

/** Reads `--map`: a built-in name, or a YAML file (relative to the working folder). Problems are located in the file. */
export function loadMapping(path: string, shown: string): { mapping?: Mapping; problems: Problem[] } {
  const builtIn = BUILT_IN_MAPPINGS[path];
  if (builtIn) return { mapping: builtIn, problems: [] };
  const text = onFile(path, 'read', () => readFileSync(path, 'utf8'));
  const yaml = readYamlWithLibrary(shown, text, 0);
  if (yaml.problems.some((p) => p.severity === 'error')) return { problems: yaml.problems };
  const parsed = mappingSchema.safeParse(yaml.data ?? {});
  if (parsed.success) {
    const zone = parsed.data.zone;
    if (zone === undefined || isValidTimeZone(zone)) return { mapping: parsed.data, problems: yaml.problems };
    const at = yaml.positions.zone ?? { line: 1, column: 1 };
    return {
      problems: [
        ...yaml.problems,
        {
          file: shown,
          line: at.line,
          column: at.column,
          severity: 'error',
          ruleId: 'field-value',
          message: `\`zone\` "${zone}" is not an IANA time zone; write one such as America/New_York`,
        },
      ],
    };
  }
  return {
    problems: [...yaml.problems, ...schemaProblems(shown, flattenUnions(parsed.error.issues), yaml.data, yaml.positions, 1, mappingSchema)],
  };
}

/** A source value through a value map, case-insensitively; undefined when the map does not name it. */
export function mapValue(map: Readonly<Record<string, string>>, value: string): string | undefined {
  const key = value.trim().toLowerCase();
  for (const [from, to] of Object.entries(map)) if (from.toLowerCase() === key) return to;
  return undefined;
}
