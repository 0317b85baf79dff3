import { type Dirent, existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CONFIG_FILE } from '../kb/config.js';
import { INCIDENTS_DIR } from '../kb/files.js';
import type { Config } from '../schema/config.js';

/**
 * What `postmortem serve` watches: the config, `incidents/` and `templates/` with every folder
 * in them, and the notes file of each packet. Changes are reported as paths relative to the
 * root, gathered until the files have been quiet for `quietMs`.
 *
 * Each folder has its own `fs.watch` (inotify on Linux). Not `{ recursive: true }`: on Node 20
 * for Linux it watches each file's inode, and stops reporting a file once an editor has saved
 * it by renaming a new file over it (vim, sed -i, many editors' "atomic save").
 */
export const TEMPLATES_DIR = 'templates';

export interface WatchTarget {
  /** Absolute folder. */
  dir: string;
  /** With every folder in it (not those whose names start with "."). */
  recursive: boolean;
  /** Only these names in `dir` when given. */
  names?: readonly string[];
}

/** `dir` and, for a recursive target, every folder under it. */
function foldersOf(target: WatchTarget): WatchTarget[] {
  if (!target.recursive) return [target];
  const found: WatchTarget[] = [];
  const walk = (dir: string) => {
    found.push({ dir, recursive: false });
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) walk(join(dir, e.name));
  };
  walk(target.dir);
  return found;
}

/** The folders to watch for a knowledge base with this config (those that exist). */
export function watchTargets(root: string, config: Config | undefined): WatchTarget[] {
  const targets: WatchTarget[] = [
    { dir: root, recursive: false, names: [CONFIG_FILE, INCIDENTS_DIR, TEMPLATES_DIR] },
    { dir: join(root, INCIDENTS_DIR), recursive: true },
    { dir: join(root, TEMPLATES_DIR), recursive: true },
  ];
  for (const spec of config?.documents ?? []) {
    if (spec.type !== 'packet' || !spec.notes) continue;
    const file = resolve(root, spec.notes);
    targets.push({ dir: dirname(file), recursive: false, names: [basename(file)] });
  }
  return targets.filter((t) => existsSync(t.dir));
}

/** Editors' swap, backup and probe files: never a change to the knowledge base. */
export function isEditorNoise(path: string): boolean {
  const name = basename(path);
  return name.startsWith('.') || name.endsWith('~') || /\.(swp|swx|tmp)$/.test(name) || name.startsWith('#');
}

export class KnowledgeBaseWatcher {
  private watchers: FSWatcher[] = [];
  private armed = '';
  private changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: string,
    private readonly onChange: (paths: string[]) => void,
    private readonly quietMs = 80,
  ) {}

  /** Watches `targets` (and the folders now in them), replacing the watchers when they differ from the current ones. */
  arm(targets: readonly WatchTarget[]): void {
    const folders = targets.flatMap(foldersOf);
    const key = JSON.stringify(folders);
    if (key === this.armed) return;
    this.closeWatchers();
    this.armed = key;
    for (const target of folders) {
      try {
        const watcher = watch(target.dir, (_event, name) => {
          if (name === null) return;
          const file = String(name);
          if (target.names && !target.names.includes(file)) return;
          this.note(join(target.dir, file));
        });
        // A folder that goes away: watched again by the next arm() after the build it triggers.
        watcher.on('error', () => {
          watcher.close();
          this.armed = '';
          this.note(target.dir);
        });
        this.watchers.push(watcher);
      } catch {
        this.armed = '';
      }
    }
  }

  private note(path: string): void {
    if (isEditorNoise(path)) return;
    this.changed.add(relative(this.root, path).split(sep).join('/') || '.');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const paths = [...this.changed].sort();
      this.changed.clear();
      this.onChange(paths);
    }, this.quietMs);
  }

  private closeWatchers(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  close(): void {
    clearTimeout(this.timer);
    this.closeWatchers();
  }
}
