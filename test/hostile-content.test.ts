import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBuild } from '../src/commands/build.js';
import { runCheck } from '../src/commands/check.js';
import { BASE_CONFIG, BASE_INCIDENT, BASE_PATH, kb as baseKb } from '../src/rules/fixtures.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';

/** Content a careless or hostile user may type (issue 12): each is a located problem or works, never a crash. */
vi.setConfig({ testTimeout: 120_000 });
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

function kb(files: Record<string, string | Uint8Array>): string {
  const root = tempKb(files);
  roots.push(root);
  return root;
}

function check(files: Record<string, string | Uint8Array>) {
  const ctx = captureContext(kb(files));
  const result = runCheck(ctx);
  return { ...result, out: ctx.out_(), err: ctx.err_() };
}

describe('an invalid timezone in the config', () => {
  for (const zone of ['Mars/Olympus', '""', 'UTC+5', '"UTC "']) {
    it(`timezone: ${zone} is a located error, and build still runs`, async () => {
      const config = BASE_CONFIG.replace('timezone: America/New_York', `timezone: ${zone}`);
      const shown = JSON.parse(zone.startsWith('"') ? zone : `"${zone}"`) as string;
      const result = check({ ...baseKb(), 'postmortem.config.yaml': config });
      expect(result.exitCode).toBe(1);
      expect(result.out).toContain(`postmortem.config.yaml:1:11: error \`timezone\` "${shown}" is not an IANA time zone such as America/New_York (UTC is used until it is fixed) [field-value]`);
      const root = kb({ ...baseKb(), 'postmortem.config.yaml': config });
      const ctx = captureContext(root);
      expect((await runBuild(ctx)).exitCode).toBe(1);
      expect(ctx.out_()).toContain('postmortem.config.yaml:1:11: error `timezone`');
    });
  }
});
