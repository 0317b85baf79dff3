import type Database from 'better-sqlite3';
import { UserError } from '../commands/context.js';
import { parseDate, type Temporal } from '../model/time.js';
import { providerList, type Config } from '../schema/config.js';
import type { Contract } from '../schema/contract.js';
import { computeCredits, creditsMethod, type CreditRow } from './compute.js';
import { creditWindows } from './windows.js';

export interface ProviderCredits {
  provider: string;
  contract: Contract;
  since: Temporal.PlainDate;
  until: Temporal.PlainDate;
  rows: CreditRow[];
  method: string;
}

/** The provider's contract, or a message saying what to add to the config. */
export function providerContract(config: Config, provider: string): Contract {
  const entry = providerList(config).find((p) => p.id === provider);
  if (!entry) {
    const ids = providerList(config).map((p) => p.id);
    throw new UserError(
      `Unknown provider "${provider}"`,
      ids.length ? `Providers in postmortem.config.yaml: ${ids.join(', ')}.` : 'List it under `providers:` in postmortem.config.yaml.',
    );
  }
  if (!entry.contract) {
    throw new UserError(
      `Provider "${provider}" has no contract`,
      'Give it one in postmortem.config.yaml: providers: [{id, contract: {services, tiers, monthly_fee, ...}}] (see docs/config.md).',
    );
  }
  return entry.contract;
}

function day(text: string | undefined, what: string): Temporal.PlainDate | undefined {
  if (text === undefined) return undefined;
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseDate(text) : undefined;
  if (!parsed) throw new UserError(`${what} "${text}" is not a date`, 'Write dates as YYYY-MM-DD, e.g. 2007-06-14.');
  return parsed;
}

/**
 * Credits the provider owes for every calendar month touching since…until (default: the year
 * up to the evaluation day), from the knowledge base's windows.
 */
export function providerCredits(
  db: Database.Database,
  config: Config,
  request: { provider: string; since?: string; until?: string },
  today: Temporal.PlainDate,
): ProviderCredits {
  const contract = providerContract(config, request.provider);
  const until = day(request.until, 'Until date') ?? today;
  const since = day(request.since, 'Since date') ?? until.subtract({ years: 1 }).add({ days: 1 });
  if (since.until(until).days < 0)
    throw new UserError(`The period starts (${since}) after it ends (${until})`, 'Give --since a date on or before --until.');
  const windows = creditWindows(db, request.provider, [...contract.services.keys()]);
  const rows = computeCredits({
    provider: request.provider,
    contract,
    windows,
    weights: config.availability_weights,
    timezone: config.timezone,
    since,
    until,
  });
  return { provider: request.provider, contract, since, until, rows, method: creditsMethod(contract, config.availability_weights) };
}
