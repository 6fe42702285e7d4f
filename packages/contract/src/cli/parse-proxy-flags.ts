// `--proxy-protocol v1|v2|auto` and `--proxy-allow CIDR[,CIDR…]`: the shared
// server CLI's PROXY protocol flags, turned into `ServerOptions.proxyProtocol`.
import { UsageError } from '../errors.js';
import { CidrList } from '../proxy/cidr-list.js';
import type { ProxyProtocolVersion } from '../proxy/proxy-header.js';
import type { ProxyProtocolOptions } from '../server-options.js';

/** The flag names, for `parseFlags`. */
export const PROXY_FLAGS = ['proxy-protocol', 'proxy-allow'] as const;

/** Without `--proxy-allow`: only a proxy on this host (HAProxy beside the server) may send headers. */
export const DEFAULT_PROXY_ALLOW = '127.0.0.0/8,::1';

/** The usage lines of the flags. */
export const PROXY_USAGE = [
  '  --proxy-protocol  expect a PROXY protocol header (v1, v2 or auto) before each connection',
  `  --proxy-allow     peers allowed to send one, CIDR[,CIDR…] (default ${DEFAULT_PROXY_ALLOW})`,
];

/** Parses the two flags; `undefined` when PROXY protocol is off. Throws a one-line `UsageError`. */
export function parseProxyFlags(
  values: Record<string, string | boolean | undefined>,
): ProxyProtocolOptions | undefined {
  const version = values['proxy-protocol'] as string | undefined;
  const allow = values['proxy-allow'] as string | undefined;
  if (version === undefined) {
    if (allow !== undefined) throw new UsageError('--proxy-allow needs --proxy-protocol');
    return undefined;
  }
  if (version !== 'v1' && version !== 'v2' && version !== 'auto') {
    throw new UsageError(`--proxy-protocol must be v1, v2 or auto, got "${version}"`);
  }
  return {
    version: version satisfies ProxyProtocolVersion,
    allow: CidrList.parse(allow ?? DEFAULT_PROXY_ALLOW),
  };
}
