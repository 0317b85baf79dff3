import { z } from 'zod';
import { madeOnUse } from './on-use.js';

/**
 * A provider's service-level contract (config `providers: [{id, contract}]`): per service an
 * availability target, credit tiers, what is excluded, the fee a credit is a share of, and how
 * long after a month a claim may be made. `credits/compute.ts` turns windows into credits with it.
 */
export const CONTRACT_PERIODS = ['calendar-month'] as const;
/**
 * What a contract may exclude: `scheduled-maintenance` (incidents tagged `scheduled-maintenance`),
 * `customer-caused` (windows attributed to `us`), `third-party` (windows attributed to `third-party`).
 */
export const CONTRACT_EXCLUSIONS = ['scheduled-maintenance', 'customer-caused', 'third-party'] as const;
export type ContractExclusion = (typeof CONTRACT_EXCLUSIONS)[number];
/** The incident tag that marks scheduled maintenance for the `scheduled-maintenance` exclusion. */
export const MAINTENANCE_TAG = 'scheduled-maintenance';

const percent = () => z.number().min(0).max(100);
const money = () =>
  z.strictObject({
    amount: z.number().min(0).describe('Per month, in `currency`.'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  });

export const contractSchema = madeOnUse(() =>
  z.strictObject({
    period: z.enum(CONTRACT_PERIODS).default('calendar-month').describe('Measurement period: calendar months in the config time zone.'),
    services: z
      .record(
        z.string().min(1),
        z.strictObject({
          target: percent().describe('Availability target, e.g. 99.9.'),
          monthly_fee: money().optional().describe("Fee of this service; default: the contract's `monthly_fee`."),
        }),
      )
      .refine((s) => Object.keys(s).length > 0, 'must name at least one service')
      .transform((record) => new Map(Object.entries(record)))
      .describe('Service (from the catalogue) -> {target, monthly_fee?}.'),
    tiers: z
      .array(
        z.strictObject({
          below: percent().describe('Applies when availability is below this (strictly).'),
          credit_percent: percent().describe('Share of the monthly fee credited.'),
        }),
      )
      .min(1)
      .describe('Credit tiers, highest `below` first; the lowest tier the availability is under applies.'),
    exclusions: z
      .array(z.enum(CONTRACT_EXCLUSIONS))
      .default([])
      .describe('scheduled-maintenance (incidents tagged so), customer-caused (attributed to us), third-party.'),
    monthly_fee: money().optional().describe('Fee per service and month a credit is a share of.'),
    claim_within_days: z.number().int().min(0).default(30).describe('Days after the end of the month a claim may be made.'),
  }),
);

export type ContractInput = z.input<typeof contractSchema>;
export type Contract = z.output<typeof contractSchema>;
export type Money = z.output<ReturnType<typeof money>>;
