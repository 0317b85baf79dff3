import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_ID_FILE, buildIdOf } from '../src/build-id.js';
import { toolVersionAt } from '../src/db/cache-key.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { removeKb, tempKb } from './helpers/kb.js';
import { packetFixture, PACKET_CONFIG } from './packet-fixtures.js';

/**
 * The tool version in every cache and document key is the package's version with the build's
 * id (src/build-id.ts): code changed under the same version renders everything again.
 */
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pmkb-id-'));
  dirs.push(dir);
  return dir;
};

function write(root: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('the build id', () => {
  it('is a digest of the bundles in dist/: the same bundles the same id, a changed bundle another, maps, chunks and other files not counted', () => {
    const a = tempDir();
    const b = tempDir();
    const files = { 'cli.cjs': 'one();', 'worker.cjs': 'two();', 'cli-AB12.js': 'chunk();', 'cli.cjs.map': '{}', 'build-id': 'old' };
    write(a, files);
    write(b, files);
    expect(buildIdOf(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(buildIdOf(b)).toBe(buildIdOf(a));
    write(b, { 'cli.cjs.map': '{"changed":1}', 'build-id': 'new', 'cli-CD34.js': 'an older build left it', 'sub/x.cjs': 'x' });
    expect(buildIdOf(b)).toBe(buildIdOf(a));
    write(b, { 'worker.cjs': 'two(); ' });
    expect(buildIdOf(b)).not.toBe(buildIdOf(a));
  });

  it('names no absolute path in the bundles, so a build anywhere gives the same id', () => {
    const dist = join(PACKAGE_ROOT, 'dist');
    for (const bundle of ['cli.cjs', 'check.cjs', 'worker.cjs'])
      expect(readFileSync(join(dist, bundle), 'utf8')).not.toContain(PACKAGE_ROOT);
  });

  it('is written by the build for what it wrote', () => {
    const dist = join(PACKAGE_ROOT, 'dist');
    expect(readFileSync(join(dist, BUILD_ID_FILE), 'utf8').trim()).toBe(buildIdOf(dist));
  });

  it('makes the tool version with the package version', () => {
    const pkg = tempDir();
    write(pkg, { 'package.json': '{"version": "1.2.3"}' });
    expect(toolVersionAt(pkg)).toBe('1.2.3');
    write(pkg, { 'dist/build-id': 'abc123\n' });
    expect(toolVersionAt(pkg)).toBe('1.2.3+abc123');
  });
});

describe('a build by other code under the same version', () => {
  it('renders every letter, packet and page again, then nothing', () => {
    // a copy of the installed tool whose build id can change (Node runs a main module from its real path)
    const pkg = tempDir();
    cpSync(join(PACKAGE_ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(PACKAGE_ROOT, 'package.json'), join(pkg, 'package.json'));
    for (const shared of ['node_modules', 'templates', 'schema']) symlinkSync(join(PACKAGE_ROOT, shared), join(pkg, shared));
    const root = tempKb(packetFixture({ 'postmortem.config.yaml': `${PACKET_CONFIG}    formats: [html]\n` }));
    dirs.push(root);
    const env = { ...process.env, XDG_CACHE_HOME: tempDir(), NO_COLOR: '1' };
    const build = () => {
      const run = spawnSync(process.execPath, [join(pkg, 'dist', 'cli.js'), 'build', '--root', root], { encoding: 'utf8', env });
      expect(run.stderr).not.toMatch(/ error /);
      const again = (step: string) =>
        new RegExp(`^${step}: (\\d+) of (\\d+) (?:files )?rendered again`, 'm').exec(run.stdout)?.slice(1).map(Number);
      return { packets: again('packets'), site: again('site') };
    };
    const first = build();
    expect(first.packets![0]).toBeGreaterThan(0);
    expect(first.site![0]).toBe(first.site![1]);
    expect(build()).toEqual({ packets: [0, first.packets![1]], site: [0, first.site![1]] });
    writeFileSync(join(pkg, 'dist', BUILD_ID_FILE), 'other-code\n');
    expect(build()).toEqual(first);
    expect(build()).toEqual({ packets: [0, first.packets![1]], site: [0, first.site![1]] });
    removeKb(pkg);
  });
});
