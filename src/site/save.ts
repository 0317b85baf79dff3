import { existsSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Changes, LinkChanges } from './changes.js';
import { Column } from './column.js';
import { BUILDING_FILE, folderTimes } from './manifest.js';
import { Layouts } from './layouts.js';
import { encodeLinks, hash, saveState } from './state.js';
import type { Written } from './write-pages.js';

/**
 * Phase 5 of a site build (see `build.ts`): the files of pages that are gone deleted, and what
 * this build saw kept for the next one.
 */

/** Deletes the files of these pages (never outside the site folder); returns the paths of those that were there. */
export function deleteGone(siteDir: string, gone: Iterable<string>): string[] {
  const deleted: string[] = [];
  const root = resolve(siteDir);
  for (const path of gone) {
    const file = resolve(siteDir, path);
    if (!file.startsWith(root + sep)) continue;
    if (existsSync(file)) {
      rmSync(file, { force: true });
      deleted.push(path);
    }
  }
  return deleted;
}

/** Whether this build saw exactly what the previous one did (then its state is kept as it is). */
export function sawTheSame(c: Changes, gone: ReadonlySet<string>, stale: number): boolean {
  return (
    c.state !== undefined &&
    c.sameBase &&
    c.sameToday &&
    c.contentChanged.length === 0 &&
    c.moved.length === 0 &&
    c.removed.length === 0 &&
    stale === 0 &&
    gone.size === 0 &&
    c.building.size === 0
  );
}

/** Keeps what this build saw: as a delta of the previous state when the incidents are the same ones, else whole. */
export function saveSiteState(
  siteDir: string,
  stateKey: string,
  c: Changes,
  links: LinkChanges,
  w: Written,
  gone: ReadonlySet<string>,
  ownersShown: Uint32Array | undefined,
): void {
  const { state, ids, aligned } = c;
  // links that changed, by position (when the incidents are the same ones)
  const linkChanges = new Map<number, string>();
  if (state && aligned) {
    if (links.all) {
      ids.forEach((id, n) => {
        const line = encodeLinks(links.all!.get(id)!);
        if (!state.links.equals(n, line)) linkChanges.set(n, line);
      });
    } else {
      for (const [id, l] of links.updated) linkChanges.set(state.indexOf(id)!, encodeLinks(l));
    }
  }
  const at = (id: string) => state!.indexOf(id)!;
  saveState(
    siteDir,
    {
      key: stateKey,
      base: c.base,
      today: c.todayText,
      manifest: hash(w.manifest),
      folders: folderTimes(siteDir, w.next.paths()),
      ids,
      digests: c.listing.digests,
      files: c.listing.files,
      summaries: c.summaries,
      facts: c.facts,
      links:
        state && aligned
          ? state.links.with(linkChanges)
          : Column.of(
              ids.map((id, n) => {
                const l = links.all?.get(id) ?? links.updated.get(id);
                return l ? encodeLinks(l) : state!.links.get(c.before(id, n));
              }),
              '\u0000',
            ),
      linksUseText: links.useText,
      services: c.serviceNames,
      layouts: (state?.layouts ?? Layouts.empty()).with(w.layouts, gone),
      ownersShown,
    },
    state,
    state && aligned && gone.size === 0
      ? {
          incidents: [...c.contentChanged.map(at), ...c.moved.map(at), ...linkChanges.keys()],
        }
      : undefined,
  );
}

/** Removes the record of the pages being written (they all are). */
export function doneBuilding(siteDir: string): void {
  rmSync(join(siteDir, BUILDING_FILE), { force: true });
}
