// A ServerInfo for handler tests: what a handler may know of its server.
import { DEFAULT_LIMITS, resolveLimits } from '../limits.js';
import type { ServerInfo } from '../server-info.js';
import { TEST_SERVER_ADDRESS } from './connection-pair.js';

/** What {@link testServerInfo} may override; `limits` may be partial. */
export type TestServerInfoOptions = Partial<Omit<ServerInfo, 'limits'>> & {
  limits?: Partial<ServerInfo['limits']>;
};

/**
 * A `ServerInfo` as a test server would report it: model `test`, mode
 * `memory`, listening on `127.0.0.1:8009`, the default limits — each
 * overridable.
 */
export function testServerInfo(overrides: TestServerInfoOptions = {}): ServerInfo {
  const { limits, ...rest } = overrides;
  return Object.freeze({
    model: 'test',
    mode: 'memory',
    address: TEST_SERVER_ADDRESS,
    ...rest,
    limits: limits ? resolveLimits(limits) : DEFAULT_LIMITS,
  });
}
