import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMAS, renderJsonSchema } from '../src/schema/json-schema.js';

describe('published JSON Schemas', () => {
  for (const name of Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[]) {
    it(`schema/${name} matches the zod schema (run "npm run schema" after changing it)`, () => {
      const committed = readFileSync(new URL(`../schema/${name}`, import.meta.url), 'utf8');
      expect(committed).toBe(renderJsonSchema(name));
    });
  }

  it('covers every front-matter field of the spec', () => {
    const schema = JSON.parse(renderJsonSchema('incident.schema.json'));
    const fields = [
      'id',
      'title',
      'status',
      'severity',
      'services',
      'locations',
      'provider',
      'attribution',
      'started',
      'detected',
      'mitigated',
      'resolved',
      'impact',
      'root_cause',
      'trigger',
      'contributing_factors',
      'detection',
      'timeline',
      'remediations',
      'owners',
      'related',
      'tags',
      'customer',
      'links',
      'credits',
      'source',
      'extra',
    ];
    expect(Object.keys(schema.properties).sort()).toEqual([...fields].sort());
    expect(schema.required.sort()).toEqual(['id', 'title', 'status', 'severity', 'services', 'impact', 'root_cause', 'owners'].sort());
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.remediations.items.properties).sort()).toEqual([
      'action',
      'completed',
      'customer_action',
      'due',
      'id',
      'owner',
      'public',
      'status',
      'ticket',
      'type',
    ]);
  });
});
