import type { AttributionData, AttributionParty } from '../schema/incident.js';

/**
 * Who caused an incident or one of its impact windows, and who fixed it, as a typed value:
 * the shorthand `attribution: provider` names the incident's only provider. A window without
 * its own attribution inherits the incident's. `provider` stays undefined when it cannot be
 * told (no or several providers on the incident): the `attribution` rule reports that.
 */
export interface Attribution {
  cause: AttributionParty;
  provider?: string;
  fixedBy: AttributionParty;
}

/** The parties a provider id belongs with (`us` never names one). */
const NAMES_PROVIDER: readonly AttributionParty[] = ['provider', 'shared', 'third-party'];

export function resolveAttribution(data: AttributionData | undefined, providers: readonly string[]): Attribution | undefined {
  if (data === undefined) return undefined;
  const written = typeof data === 'string' ? { cause: data } : data;
  const provider = written.provider ?? (NAMES_PROVIDER.includes(written.cause) && providers.length === 1 ? providers[0] : undefined);
  return { cause: written.cause, ...(provider !== undefined ? { provider } : {}), fixedBy: written.fixed_by ?? written.cause };
}

/** True when this attribution counts against `provider`: caused by that provider (not shared, not us). */
export function againstProvider(attribution: Attribution | undefined, provider: string): boolean {
  return attribution?.cause === 'provider' && attribution.provider === provider;
}

/**
 * The one definition of "caused by the provider" behind every count against a provider: the
 * packet's brief, its "Caused by" columns and charts, the provider version. Only impact windows
 * attributed to the provider itself count (`againstProvider`); windows we caused, shared ones,
 * a third party's or unattributed ones never do. As a query filter it is what
 * `postmortem stats --attributed-to P` selects.
 */
export function causedBy(provider: string): { attributedTo: string } {
  return { attributedTo: provider };
}

/** That definition in words, for the "How these are counted" box (`name`: the provider's display name). */
export function causedByText(name: string): string {
  return `Only the impact windows attributed to ${name} count against ${name} (attribution: provider); windows we caused, shared ones, a third party’s and unattributed ones do not. An incident counts when at least one of its windows does, and impact and availability count only those windows — as \`postmortem stats --attributed-to\` does.`;
}
