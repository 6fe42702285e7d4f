// What a case file gets from describeConformance: the suite's own way to
// start servers and register tests, so a case written in its own file runs
// on every model exactly like the cases written inline.
import type { Client } from '@iomodels/client';
import type { BaseServer, HandlerSpec, ServerOptions } from '@iomodels/contract';
import type {
  CONFORMANCE_TESTS,
  ConformanceCapability,
  ConformanceTarget,
} from './describe-conformance.js';

/** One model's suite, as `describeConformance` hands it to a case file. */
export interface ConformanceSuite {
  readonly target: ConformanceTarget;
  /** Starts a quiet server on loopback port 0; the suite closes it after the test. */
  start(handler: HandlerSpec, options?: ServerOptions): Promise<BaseServer>;
  /** Connects a client SDK client; the suite aborts it after the test. */
  dial(server: BaseServer, host?: string): Promise<Client>;
  /** Registers a test by key, skipped where the target lacks `capability`. */
  test(
    key: keyof typeof CONFORMANCE_TESTS,
    body: () => Promise<void>,
    capability?: ConformanceCapability,
  ): void;
}
