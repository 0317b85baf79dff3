import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, '..', 'dist', 'model', 'intl-warmup.js');

/** A process that asks for the warm-up thread, then formats a date (or does nothing more). */
function run(zone: string, format: boolean) {
  const code = `import(${JSON.stringify(MODULE)}).then((m) => {
    m.warmDateFormats(${JSON.stringify(zone)});
    ${format ? `process.stdout.write(new Intl.DateTimeFormat('en-US', { timeZone: ${JSON.stringify(zone)}, year: 'numeric', month: '2-digit', day: '2-digit' }).format(0));` : ''}
  });`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
}

describe('the thread that loads ICU date data ahead of an edit build', () => {
  it('prints nothing, changes no date and does not keep the process alive', () => {
    const result = run('America/New_York', true);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('12/31/1969');
  });

  it('says nothing of a zone ICU does not know (the main thread reports it as before)', () => {
    const result = run('Nowhere/Not_A_Zone', false);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
  });
});
