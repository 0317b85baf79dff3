import { slugify } from '../source/sections.js';

/**
 * Where every page of the site lives, relative to `<out>/site/`. One place, so links and
 * the files written always agree. Incident ids are already safe file names (`[a-z0-9._-]`);
 * service and category names are free text and get a slug, made unique per kind.
 */
export const SITE_PATHS = {
  index: 'index.html',
  trends: 'trends.html',
  services: 'services/index.html',
  categories: 'categories/index.html',
  actions: 'actions.html',
  owners: 'owners.html',
} as const;

export function incidentPath(id: string): string {
  return `incidents/${id}.html`;
}

/** Unique slugs for a list of names (first come keeps the plain slug). */
export function slugTable(names: readonly string[]): Map<string, string> {
  const table = new Map<string, string>();
  const used = new Set<string>(['index']);
  for (const name of [...new Set(names)].sort()) {
    const base = slugify(name);
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    table.set(name, slug);
  }
  return table;
}

export function ownerAnchor(id: string): string {
  return `owner-${slugify(id)}`;
}
