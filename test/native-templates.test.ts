import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSite } from '../src/commands/site.js';
import { generateKnowledgeBase } from '../src/bench/generate.js';
import { DEFAULT_TEMPLATES, PACKAGE_ROOT } from '../src/paths.js';
import { loadRenderKit } from '../src/site/render-kit.js';
import { nativeTemplate } from '../src/site/renderer.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { siteKb } from './site-fixture.js';

/**
 * The incident page's templates as string builders (`site/native-templates.ts`) against
 * Handlebars filling the same `.hbs` files: a knowledge base is built as it is, then with
 * copies of the default site templates as its own (so Handlebars fills every page), and every
 * file of the two sites must be the same bytes.
 */
const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});
beforeAll(async () => {
  await loadRenderKit();
});

function files(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name), base) : [relative(base, join(dir, name))]))
    .sort();
}

const NATIVE = ['layout.hbs', 'incident.hbs', 'remediation-row.hbs', 'incident-links.hbs', 'incident-row.hbs'];

async function bothWays(root: string) {
  roots.push(root);
  const native = await runSite(captureContext(root, { out: join(root, 'native'), now: '2026-12-06' }));
  expect(NATIVE.map((name) => nativeTemplate(root, name) !== undefined)).toEqual(NATIVE.map(() => true));
  // the same templates as the knowledge base's own: Handlebars fills them
  cpSync(join(DEFAULT_TEMPLATES, 'site'), join(root, 'templates', 'site'), { recursive: true });
  expect(NATIVE.map((name) => nativeTemplate(root, name))).toEqual(NATIVE.map(() => undefined));
  const handlebars = await runSite(captureContext(root, { out: join(root, 'handlebars'), now: '2026-12-06' }));
  expect(native.exitCode).toBe(handlebars.exitCode);
  const a = join(root, 'native', 'site');
  const b = join(root, 'handlebars', 'site');
  // the build's own records (`.state`, `.state-done`) hold file times, not pages
  const pagesOf = (dir: string) => files(dir).filter((f) => !f.startsWith('.state'));
  const listed = pagesOf(a);
  expect(listed).toEqual(pagesOf(b));
  const pages = listed.filter((f) => f.startsWith('incidents/'));
  expect(pages.length).toBeGreaterThan(2);
  for (const f of listed) expect(readFileSync(join(a, f), 'utf8'), f).toBe(readFileSync(join(b, f), 'utf8'));
  return pages.length;
}

describe('incident pages without Handlebars', () => {
  it('are the bytes Handlebars makes of the site fixture (related incidents, owners, action items)', async () => {
    await bothWays(tempKb(siteKb()));
  });

  it('are the bytes Handlebars makes of the public incidents (provenance, extra fields) and the example (impact windows)', async () => {
    for (const from of [join(PACKAGE_ROOT, 'test', 'fixtures', 'public-incidents'), PACKAGE_ROOT]) {
      const root = tempKb({});
      cpSync(join(from, 'incidents'), join(root, 'incidents'), { recursive: true });
      cpSync(join(from, 'postmortem.config.yaml'), join(root, 'postmortem.config.yaml'));
      expect(await bothWays(root)).toBeGreaterThan(5);
    }
  }, 120_000);

  it('are the bytes Handlebars makes of generated incidents', async () => {
    const root = tempKb({});
    mkdirSync(root, { recursive: true });
    generateKnowledgeBase(root, 60, 7);
    expect(await bothWays(root)).toBe(60);
  }, 120_000);
});
