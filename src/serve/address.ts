import { isIP } from 'node:net';
import { UserError } from '../commands/context.js';

/** The address `postmortem serve` binds to unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4173;

/** True for names and addresses that reach this machine only: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** Refuses any other interface than loopback unless `--allow-remote` was given. */
export function checkHost(host: string, allowRemote: boolean): void {
  if (allowRemote || isLoopback(host)) return;
  throw new UserError(
    `refusing to serve on ${host}: it is not a loopback address, so other machines could read the knowledge base`,
    'Serve on 127.0.0.1 (the default), or pass --allow-remote to serve on another interface on purpose.',
  );
}

/**
 * The host name in a request's `Host` header, when the server listens on loopback only: a page
 * on another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
 */
export function hostAllowed(hostHeader: string | undefined, allowRemote: boolean): boolean {
  if (allowRemote) return true;
  if (!hostHeader) return false;
  const name = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.replace(/:\d+$/, '');
  return isLoopback(name);
}
