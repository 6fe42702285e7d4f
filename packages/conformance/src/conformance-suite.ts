// What a conformance case gets from the suite that registers it: the target,
// servers and clients the suite cleans up after, and `test`, which applies
// the target's skips and expected failures. Each case lives in a file of its
// own and is registered in describe-conformance.ts with one line.
import type { Client } from '@iomodels/client';
import type { BaseServer, HandlerSpec, ServerOptions } from '@iomodels/contract';
import type {
  CONFORMANCE_TESTS,
  ConformanceCapability,
  ConformanceTarget,
  ConformanceTransport,
} from './describe-conformance.js';

/** The suite's tools, for the cases in files of their own. */
export interface ConformanceSuite {
  readonly target: ConformanceTarget;
  /** The transport this registration runs over. */
  readonly transport: ConformanceTransport;
  /** Starts a server on loopback port 0, quiet, closed after the test. */
  start(handler: HandlerSpec, options?: ServerOptions): Promise<BaseServer>;
  /** Connects a client to `server`, aborted after the test. */
  dial(server: BaseServer, host?: string): Promise<Client>;
  /** Registers a test, skipped when the target lacks `capability` (with its reason). */
  test(
    key: keyof typeof CONFORMANCE_TESTS,
    body: () => Promise<void>,
    capability?: ConformanceCapability,
  ): void;
}
