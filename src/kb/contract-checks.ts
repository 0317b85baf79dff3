import { providerList, type Config } from '../schema/config.js';
import type { ConfigReport } from './config-checks.js';

/**
 * What the contract schema cannot say alone, each located at its value: tiers out of order
 * (highest `below` first, credits growing), a service outside the catalogue, a service with no
 * fee to take a credit from.
 */
export function checkContracts(config: Config, report: ConfigReport): void {
  providerList(config).forEach((provider, p) => {
    const contract = provider.contract;
    if (!contract) return;
    const at = (...path: PropertyKey[]): PropertyKey[] => ['providers', p, 'contract', ...path];
    contract.tiers.forEach((tier, t) => {
      const before = contract.tiers[t - 1];
      if (before && tier.below >= before.below) {
        report(
          'field-value',
          `provider "${provider.id}": tier ${t + 1} (below ${tier.below}) must have a lower \`below\` than tier ${t} (below ${before.below}); list tiers highest first`,
          at('tiers', t, 'below'),
        );
      } else if (before && tier.credit_percent < before.credit_percent) {
        report(
          'field-value',
          `provider "${provider.id}": tier ${t + 1} credits ${tier.credit_percent}%, less than tier ${t} (${before.credit_percent}%) for a lower availability`,
          at('tiers', t, 'credit_percent'),
        );
      }
    });
    for (const [service, terms] of contract.services) {
      if (config.services.length > 0 && !config.services.includes(service)) {
        report(
          'unknown-service',
          `provider "${provider.id}": contract service "${service}" is not in the config \`services\` (${config.services.join(', ')})`,
          at('services', service),
        );
      }
      if (!terms.monthly_fee && !contract.monthly_fee) {
        report(
          'required-field',
          `provider "${provider.id}": contract service "${service}" has no \`monthly_fee\` (on the service or the contract), so no credit can be computed`,
          at('services', service),
        );
      }
    }
  });
}
