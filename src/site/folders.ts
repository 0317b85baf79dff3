/**
 * The folders of the site's pages, from their paths (relative to the site folder). A one-edit
 * build walks the 10,000 paths of the manifest three times for their folders (which pages are
 * missing, the folders' times for the state and for the record of the finished build): a
 * string cut out of each path cost 3–5 ms a walk, run once, unoptimised. Sorted paths (the
 * manifest's) come in one run per folder, found here without a string per path.
 */

/** Paths `from` to `to` (not included) are in folder `dir` ('' for the top of the site). */
export interface FolderRun {
  dir: string;
  from: number;
  to: number;
}

/** The runs of arrays of paths asked for (see `folderRuns`). */
const runsOf = new WeakMap<readonly string[], readonly FolderRun[]>();

/**
 * The runs of paths in one folder, in order (a folder comes in several runs when the paths are
 * not sorted). Worked out once per array (never changed: see `pagePaths`), shared by its three
 * walks when the pages are the previous build's (~1 ms each at 10,000, unoptimised).
 */
export function folderRuns(paths: readonly string[]): readonly FolderRun[] {
  let runs = runsOf.get(paths);
  if (!runs) runsOf.set(paths, (runs = runsIn(paths)));
  return runs;
}

function runsIn(paths: readonly string[]): FolderRun[] {
  const runs: FolderRun[] = [];
  /** The current run's folder and a slash ('' at the top): a path is in it when its last slash ends the prefix. */
  let prefix: string | undefined;
  for (let n = 0; n < paths.length; n++) {
    const path = paths[n]!;
    const slash = path.lastIndexOf('/');
    if (prefix !== undefined && slash === prefix.length - 1 && path.startsWith(prefix)) continue;
    if (runs.length > 0) runs[runs.length - 1]!.to = n;
    prefix = path.slice(0, slash + 1);
    runs.push({ dir: slash < 0 ? '' : path.slice(0, slash), from: n, to: paths.length });
  }
  return runs;
}
