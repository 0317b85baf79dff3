import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/kb/config.js';
import { configSchema } from '../src/schema/config.js';

/** Whether a part made on first use (`schema/on-use.ts`) has been made: zod keeps it on the lazy schema's definition. */
const made = (schema: unknown) => (schema as { _zod: { def: { _cachedInner?: unknown } } })._zod.def._cachedInner !== undefined;

const CONTRACT = `providers:
  - id: hostco
    contract:
      services: {imap: {target: 99.9}}
      tiers: [{below: 99.9, credit_percent: 10}]
      monthly_fee: {amount: 100, currency: USD}
`;

describe('the config parts most knowledge bases leave out (`madeOnUse`)', () => {
  it('are made only when a config has them, and then check as before', async () => {
    // modules of their own (test files share them: another may have parsed a contract already)
    vi.resetModules();
    const { parseConfig } = await import('../src/kb/config.js');
    const { documentSchema } = await import('../src/schema/config.js');
    const { contractSchema } = await import('../src/schema/contract.js');
    expect(parseConfig('organization: Mail, Inc.\nproviders: [hostco]\n').problems).toEqual([]);
    expect([made(contractSchema), made(documentSchema)]).toEqual([false, false]);
    const { config, problems } = parseConfig(CONTRACT);
    expect(problems).toEqual([]);
    expect(made(contractSchema)).toBe(true);
    const contract = (config.providers[0] as { contract: { services: Map<string, unknown>; claim_within_days: number } }).contract;
    expect([...contract.services]).toEqual([['imap', { target: 99.9 }]]);
    expect(contract.claim_within_days).toBe(30);
  });

  it('locate their problems and suggest the key meant, as any other part', () => {
    const problems = parseConfig('letter:\n  signr: ana\nvalidation:\n  max_file_kb: 0\n').problems;
    expect(problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.message} [${p.ruleId}]`)).toEqual([
      '2:3 warning unknown field `letter.signr` (did you mean `letter.signer`?) [unknown-field]',
      expect.stringMatching(/^4:16 error .*max_file_kb.* \[field-value\]$/),
    ]);
  });

  it('give the defaults of a config without them', () => {
    const defaults = configSchema.parse({});
    expect([defaults.contact, defaults.letter, defaults.validation, [...defaults.zone_abbreviations], defaults.documents]).toEqual([
      {},
      { audience: 'customers' },
      { timeline_slack_minutes: 60, max_file_kb: 1024 },
      [],
      [],
    ]);
    expect(defaults.availability_weights).toEqual({ outage: 1, 'partial-outage': 0.3, degraded: 0, delayed: 0, 'data-loss': 0 });
  });
});
