import type { Brief } from './brief.js';

/** What finding the links reads of an incident (the facts give these without a whole brief: see `linkChanges`). */
export type LinkFields = Pick<Brief, 'id' | 'related' | 'services' | 'category' | 'started'>;
type Incident = LinkFields;

/**
 * Links between incidents shown on each incident page.
 *
 * - related, both ways: the ids an incident lists in `related`, and the incidents that list it;
 * - similar: incidents with the same root-cause category sharing a service, nearest in time
 *   (more shared services first); when there are none, the nearest by text (title, impact and
 *   root-cause summaries), scored by shared words weighted by rarity.
 *
 * Linear in the number of incidents (buckets sorted by time). A build keeps the links and works
 * them out again only when what they are found from changed (see `build.ts`).
 */
export const SIMILAR_LIMIT = 5;
/** Neighbours in time looked at per (category, service) bucket. */
const WINDOW = SIMILAR_LIMIT * 2;

export interface IncidentLinks {
  related: string[];
  relatedBy: string[];
  similar: string[];
  /** How `similar` was found. */
  similarBy: 'category-and-service' | 'text' | 'none';
}

/** Whether any incident's similar ones were looked for by text (then every incident's words matter). */
export function linksUseText(links: Iterable<IncidentLinks>): boolean {
  for (const l of links) if (l.similarBy !== 'category-and-service') return true;
  return false;
}

/**
 * `text` gives, for every incident, the words similar incidents are found by (title, impact and
 * root-cause summaries, tags); it is asked for only when some incident has no neighbour by
 * category and service.
 */
export function incidentLinks(incidents: readonly Incident[], text: () => ReadonlyMap<string, string>): Map<string, IncidentLinks> {
  const links = new Map<string, IncidentLinks>();
  for (const i of incidents) links.set(i.id, { related: [...new Set(i.related)], relatedBy: [], similar: [], similarBy: 'none' });
  for (const i of incidents) {
    for (const r of new Set(i.related)) {
      const target = links.get(r);
      if (target && r !== i.id) target.relatedBy.push(i.id);
    }
  }
  for (const l of links.values()) l.relatedBy.sort();

  // Buckets by (category, service), each sorted by start time.
  const buckets = new Map<string, Incident[]>();
  const key = (category: string, service: string) => `${category}\u0000${service}`;
  for (const i of incidents) {
    for (const s of new Set(i.services)) {
      const k = key(i.category, s);
      let b = buckets.get(k);
      if (!b) buckets.set(k, (b = []));
      b.push(i);
    }
  }
  const position = new Map<string, Map<string, number>>();
  for (const [k, b] of buckets) {
    b.sort((x, y) => x.started - y.started || (x.id < y.id ? -1 : 1));
    position.set(k, new Map(b.map((i, n) => [i.id, n])));
  }

  const needText: Incident[] = [];
  for (const i of incidents) {
    const candidates = new Map<string, { shared: number; distance: number }>();
    for (const s of new Set(i.services)) {
      const k = key(i.category, s);
      const b = buckets.get(k)!;
      const at = position.get(k)!.get(i.id)!;
      for (let n = Math.max(0, at - WINDOW); n <= Math.min(b.length - 1, at + WINDOW); n++) {
        const other = b[n]!;
        if (other.id === i.id) continue;
        const c = candidates.get(other.id);
        if (c) c.shared++;
        else candidates.set(other.id, { shared: 1, distance: Math.abs(other.started - i.started) });
      }
    }
    const link = links.get(i.id)!;
    if (candidates.size === 0) {
      needText.push(i);
      continue;
    }
    link.similar = [...candidates]
      .sort(([a, x], [b, y]) => y.shared - x.shared || x.distance - y.distance || (a < b ? -1 : 1))
      .slice(0, SIMILAR_LIMIT)
      .map(([id]) => id);
    link.similarBy = 'category-and-service';
  }
  if (needText.length > 0) textNeighbours(needText, incidents, text(), links);
  return links;
}

const STOP = new Set([
  'the',
  'and',
  'for',
  'was',
  'were',
  'with',
  'that',
  'this',
  'from',
  'our',
  'not',
  'but',
  'are',
  'had',
  'has',
  'have',
  'into',
  'their',
  'they',
  'them',
  'its',
  'all',
  'any',
  'one',
  'out',
  'about',
  'after',
  'when',
  'which',
  'some',
  'could',
  'would',
  'been',
  'than',
  'then',
  'also',
  'more',
  'most',
  'over',
  'under',
]);

/** The text of an incident that `words` reads: title, impact and root-cause summaries, tags. */
export function linkText(title: string, impact: string, rootCause: string, tags: readonly string[]): string {
  return `${title} ${impact} ${rootCause} ${tags.join(' ')}`;
}

function words(source: string): Set<string> {
  const text = source.toLowerCase();
  return new Set((text.match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !STOP.has(w)));
}

/** Nearest incidents by shared words (weighted by inverse document frequency). */
function textNeighbours(
  targets: readonly Incident[],
  incidents: readonly Incident[],
  text: ReadonlyMap<string, string>,
  links: Map<string, IncidentLinks>,
): void {
  const postings = new Map<string, string[]>();
  const wordsOf = new Map<string, Set<string>>();
  for (const i of incidents) {
    const w = words(text.get(i.id) ?? '');
    wordsOf.set(i.id, w);
    for (const t of w) {
      let p = postings.get(t);
      if (!p) postings.set(t, (p = []));
      p.push(i.id);
    }
  }
  const n = incidents.length;
  for (const i of targets) {
    const scores = new Map<string, number>();
    for (const t of wordsOf.get(i.id)!) {
      const p = postings.get(t)!;
      if (p.length > n / 2) continue;
      const weight = Math.log(n / p.length);
      for (const other of p) if (other !== i.id) scores.set(other, (scores.get(other) ?? 0) + weight);
    }
    const link = links.get(i.id)!;
    link.similar = [...scores]
      .filter(([, s]) => s > 0)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, SIMILAR_LIMIT)
      .map(([id]) => id);
    link.similarBy = link.similar.length ? 'text' : 'none';
  }
}
