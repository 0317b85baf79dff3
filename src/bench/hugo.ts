import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/**
 * The cold-build race of issue 16: `postmortem site` (database and site, into an empty output
 * folder, a fresh process) against Hugo building a plain site — a page per incident with its
 * title and rendered Markdown, and a list of them — from the same files, in the same run.
 * Hugo is used only here, when it is installed; the tool never runs it.
 */
export interface Race {
  /** Wall seconds, CPU seconds (user + system, every thread) and peak RSS in MB of each side. */
  ours: Usage;
  hugo: Usage;
}
export interface Usage {
  wall: number;
  cpu: number;
  rssMb: number;
}

const TIME = '/usr/bin/time';

export function hugoInstalled(): boolean {
  return existsSync(TIME) && spawnSync('hugo', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Runs a command under `/usr/bin/time` (the process's own peak RSS: worker threads are in it; Hugo's goroutines too). */
function usage(command: string, args: readonly string[]): Usage {
  const run = spawnSync(TIME, ['-f', '@@%e %U %S %M', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const line = /@@([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(run.stderr);
  if (!line || (run.status !== 0 && run.status !== 1))
    throw new Error(`${command} ${args.join(' ')} failed (exit ${run.status}): ${run.stderr}`);
  return { wall: Number(line[1]), cpu: Number(line[2]) + Number(line[3]), rssMb: Number(line[4]) / 1024 };
}

const LAYOUT = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>${body}</body></html>\n`;

/** A Hugo site over a copy of `root`'s incidents (copied before the clock starts). */
function hugoSite(root: string, dir: string): void {
  cpSync(join(root, 'incidents'), join(dir, 'content', 'incidents'), { recursive: true });
  writeFileSync(
    join(dir, 'hugo.toml'),
    'baseURL = "http://localhost/"\ntitle = "Incidents"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
  );
  mkdirSync(join(dir, 'layouts', '_default'), { recursive: true });
  writeFileSync(join(dir, 'layouts', '_default', 'single.html'), LAYOUT('<h1>{{ .Title }}</h1>{{ .Content }}'));
  const list =
    '<h1>{{ .Title }}</h1><ul>{{ range .RegularPagesRecursive }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>';
  writeFileSync(join(dir, 'layouts', '_default', 'list.html'), LAYOUT(list));
  writeFileSync(join(dir, 'layouts', 'index.html'), LAYOUT(list.replace('.RegularPagesRecursive', '.Site.RegularPages')));
}

/** Both cold builds of `root`, ours first, each into an empty folder. */
export function race(cli: string, root: string): Race {
  const work = mkdtempSync(join(tmpdir(), 'pmkb-race-'));
  try {
    const ours = usage(process.execPath, [cli, 'site', '--root', root, '--out', join(work, 'out')]);
    hugoSite(root, join(work, 'hugo'));
    const hugo = usage('hugo', ['--quiet', '--source', join(work, 'hugo'), '--destination', join(work, 'hugo-out')]);
    return { ours, hugo };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
