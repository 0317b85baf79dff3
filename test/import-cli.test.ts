import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeKb, tempKb } from './helpers/kb.js';
import { runCli } from './helpers/cli.js';

/** `postmortem import` as users run it (the built binary; `npm run build` first). */
const FIXTURES = new URL('./fixtures/import/', import.meta.url).pathname;
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
function kb(): string {
  const root = tempKb({
    'postmortem.config.yaml': 'services: [webmail]\nservice_names: {webmail: Webmail}\nowners:\n  - {id: dana, name: Dana Example}\n',
    'incidents/.keep': '',
  });
  roots.push(root);
  return root;
}

describe('postmortem import (binary)', () => {
  it('--dry-run exits 1 with the located report, and writes nothing', () => {
    const root = kb();
    const r = runCli(
      ['--root', root, 'import', 'md-frontmatter', 'md/0005-duplicate.md', 'md/0001-dns.md', '--map', 'md/map.yaml', '--dry-run'],
      FIXTURES,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'md/0005-duplicate.md:1:1: error same company, title and day as the record at md/0001-dns.md:1; not imported (correct the source, or give one a different title) [import-duplicate]',
      '2 records in 2 files: 1 imports cleanly (1 new, 0 updated, 0 unchanged), 1 with errors not imported; 0 conflicts; 1 error, 0 warnings in all.',
    ]);
    expect(existsSync(join(root, 'incidents/imported'))).toBe(false);
  });
});
