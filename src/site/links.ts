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

/** Owners' anchors made so far: an incident page links each of its remediations' owners, a few owners over and over. */
const anchors = new Map<string, string>();

export function ownerAnchor(id: string): string {
  let anchor = anchors.get(id);
  if (anchor === undefined) {
    if (anchors.size >= 10_000) anchors.clear(); // (a process that serves builds for days keeps no more)
    anchors.set(id, (anchor = `owner-${slugify(id)}`));
  }
  return anchor;
}
