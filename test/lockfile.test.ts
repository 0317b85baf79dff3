import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` refuses a lock that leaves out any package a locked package names, even an optional
 * one for another platform (vite's Windows-only addon was missing: every fresh `npm install`
 * rewrote the lock, and CI could not use `npm ci`).
 */
interface Locked {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package-lock.json'), 'utf8')) as {
  packages: Record<string, Locked>;
};

/** Where Node would find `name` from the package at `at` (walking up the node_modules folders). */
function resolves(at: string, name: string): boolean {
  let base = at;
  for (;;) {
    if (lock.packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

describe('package-lock.json', () => {
  it('names every package that a locked package depends on, optional ones for other platforms too', () => {
    const missing: string[] = [];
    for (const [at, pkg] of Object.entries(lock.packages)) {
      const required = { ...pkg.dependencies, ...pkg.optionalDependencies, ...(at === '' ? pkg.devDependencies : {}) };
      for (const [name, optional] of Object.entries(pkg.peerDependencies ?? {}).map(
        ([n]) => [n, pkg.peerDependenciesMeta?.[n]?.optional] as const,
      )) {
        if (!optional) required[name] = '*';
      }
      for (const name of Object.keys(required)) if (!resolves(at, name)) missing.push(`${at || '(root)'} -> ${name}`);
    }
    expect(missing).toEqual([]);
  });
});
