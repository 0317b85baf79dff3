import type { Config } from '../schema/config.js';

/**
 * How documents show an id that has no display name: words split at `-` and `_`, each with a
 * capital first letter ("keystone-dns" → "Keystone Dns"). `check` warns about such ids
 * (`provider-display-name`, `service-display-name`), since a guessed name is rarely the right one.
 */
export function titleCase(id: string): string {
  return (
    id
      .split(/[-_]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(' ') || id
  );
}

/** Prefix of a remediation owner that is a configured provider (third party), e.g. `provider:aws`. */
export const PROVIDER_OWNER_PREFIX = 'provider:';

/**
 * A remediation owner's or an author's display name: a configured owner's `name`; an owner
 * `provider:<id>` by its provider's display name (a document never shows the prefix); else the id.
 */
export function ownerName(config: Pick<Config, 'owners' | 'provider_names'>, id: string): string {
  const owner = config.owners.find((o) => o.id === id);
  if (owner) return owner.name;
  return id.startsWith(PROVIDER_OWNER_PREFIX) ? providerName(config, id.slice(PROVIDER_OWNER_PREFIX.length)) : id;
}

/** A provider's display name (`provider_names`), else its id title-cased. */
export function providerName(config: Pick<Config, 'provider_names'>, id: string): string {
  return config.provider_names.get(id) ?? titleCase(id);
}

/** Several providers by display name, "A, B"; `none` when there are none. */
export function providerNames(config: Pick<Config, 'provider_names'>, ids: readonly string[], none = ''): string {
  return ids.length ? ids.map((id) => providerName(config, id)).join(', ') : none;
}

/** A service's display name (`service_names`), else its id title-cased. */
export function serviceName(config: Pick<Config, 'service_names'>, id: string): string {
  return config.service_names.get(id) ?? titleCase(id);
}

/** Several services by display name, "A, B". */
export function serviceNames(config: Pick<Config, 'service_names'>, ids: readonly string[]): string {
  return ids.map((id) => serviceName(config, id)).join(', ');
}
