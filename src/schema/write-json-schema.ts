import { join } from 'node:path';
import { writeFileAtomic } from '../output/write-file.js';
import { PACKAGE_ROOT } from '../paths.js';
import { JSON_SCHEMAS, renderJsonSchema } from './json-schema.js';

// `npm run schema`: regenerate the committed JSON Schemas from the zod schemas.
for (const name of Object.keys(JSON_SCHEMAS) as (keyof typeof JSON_SCHEMAS)[]) {
  const changed = writeFileAtomic(join(PACKAGE_ROOT, 'schema', name), renderJsonSchema(name));
  process.stdout.write(`${changed ? 'wrote' : 'unchanged'} schema/${name}\n`);
}
