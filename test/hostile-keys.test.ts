import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBuild } from '../src/commands/build.js';
import { runCheck } from '../src/commands/check.js';
import { runLetter } from '../src/commands/letter.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/**
 * Keys the user chooses (location, provider, service, tag, owner ids) never look anything up
 * in a plain object: `constructor`, `__proto__`, `toString` and `hasOwnProperty` are ordinary
 * names, in every command and document.
 */
vi.setConfig({ testTimeout: 120_000 });
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

const CONFIG = `timezone: America/New_York
as_of: 2008-01-15
services: [webmail, constructor]
locations:
  dulles-va: Dulles, VA
providers: [rackspace, constructor]
owners:
  - {id: bill, name: Bill Example, title: our chief technology officer, public: true}
  - {id: constructor, name: Con Structor}
documents:
  - {type: letter, name: l1, incidents: [2007-06-04-lb], formats: [html, md], signer: bill}
  - {type: packet, name: p1, provider: constructor, since: 2007-01-01, until: 2007-12-31, formats: [html]}
`;

const INCIDENT = `---
id: 2007-06-04-lb
title: Load balancer overload
status: final
severity: SEV1
services: [webmail, constructor]
locations: [${KEYS.join(', ')}]
provider: constructor
tags: [${KEYS.join(', ')}]
started: 2007-06-04T09:10:00-04:00
detected: 2007-06-04T09:12:00-04:00
mitigated: 2007-06-04T10:30:00-04:00
resolved: 2007-06-04T10:55:00-04:00
impact:
  summary: Customers could not read mail.
root_cause:
  category: capacity
  summary: A traffic surge overloaded lb1.
timeline:
  - at: 2007-06-04T09:12:00-04:00
    event: Alert fired.
    kind: detection
remediations:
  - {id: R1, action: Stop traffic bouncing., type: prevent, owner: constructor, due: 2007-06-30, status: done, public: true}
owners:
  authors: [bill]
---
## Customer summary

We are sorry.
`;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function kb(): string {
  const root = tempKb({ 'postmortem.config.yaml': CONFIG, 'incidents/2007-06-04-lb.md': INCIDENT });
  roots.push(root);
  return root;
}

describe('user-supplied keys named like Object.prototype members', () => {
  it('check reports them as unknown locations, nothing more', () => {
    const ctx = captureContext(kb());
    expect(runCheck(ctx).exitCode).toBe(0);
    expect(ctx.out_()).toContain('location "constructor" has no display name');
    expect(ctx.out_()).toContain('location "__proto__" has no display name');
  });

  it('build writes the letter, the packet and the site with the names as written', async () => {
    const root = kb();
    const ctx = captureContext(root);
    const result = await runBuild(ctx);
    expect(ctx.out_()).toContain('letters: 3 files written');
    expect(ctx.out_()).toContain('packets: 1 file written');
    expect(result.exitCode).toBe(0);
    for (const file of files(join(root, 'out')).filter((f) => /\.(html|md|json|js)$/.test(f))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/native code|function Object\(|\[object Object\]/);
    }
    const letter = readFileSync(join(root, 'out/letters/l1.md'), 'utf8');
    expect(letter.replace(/\\_/g, '_')).toContain('constructor, __proto__, toString and hasOwnProperty');
  });

  it('letter renders an incident whose locations are such keys', async () => {
    const root = kb();
    const ctx = captureContext(root, { out: join(root, 'letter-out') });
    const result = await runLetter(ctx, { ids: ['2007-06-04-lb'], formats: ['md'] });
    expect(result.exitCode).toBe(0);
  });
});

describe('source guard', () => {
  it('no config mapping is indexed with a key (config maps are Maps)', () => {
    const offenders: string[] = [];
    for (const file of files(join(import.meta.dirname, '../src')).filter((f) => f.endsWith('.ts'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, n) => {
          if (
            /\bconfig\.(?!severities|services|categories|providers|owners|documents)[a-z_]+\[/.test(line) ||
            /Object\.(entries|keys|values)\(\s*config\./.test(line)
          )
            offenders.push(`${file}:${n + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
