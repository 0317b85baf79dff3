import { z } from 'zod';
import { incidentSchema } from './incident.js';
import { configSchema } from './config.js';
import { publicExportSchema } from '../export/view.js';

/**
 * The published JSON Schemas (draft-07, for editors), derived from the zod schemas.
 * `npm run schema` writes them to `schema/`; a test fails when the committed files drift.
 */
export const JSON_SCHEMAS = {
  'incident.schema.json': () => ({
    $id: 'https://postmortem-kb.invalid/schema/incident.schema.json',
    title: 'Incident postmortem front-matter (postmortem-kb)',
    description:
      'YAML front-matter of one incident file under incidents/. Severities and categories shown are the defaults; a knowledge base may configure its own.',
    ...z.toJSONSchema(incidentSchema(), { target: 'draft-07', io: 'input' }),
  }),
  'config.schema.json': () => ({
    $id: 'https://postmortem-kb.invalid/schema/config.schema.json',
    title: 'postmortem.config.yaml (postmortem-kb)',
    ...z.toJSONSchema(configSchema, { target: 'draft-07', io: 'input' }),
  }),
  'export.schema.json': () => ({
    $id: 'https://postmortem-kb.invalid/schema/export.schema.json',
    title: 'postmortem export json: public incident summaries (postmortem-kb)',
    description:
      'What `postmortem export json` prints: the customer view of every final incident, as letters show it (see docs/export.md).',
    ...z.toJSONSchema(publicExportSchema, { target: 'draft-07', io: 'output' }),
  }),
} as const;

export function renderJsonSchema(name: keyof typeof JSON_SCHEMAS): string {
  return `${JSON.stringify(JSON_SCHEMAS[name](), null, 2)}\n`;
}
