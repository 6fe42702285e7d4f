// What a datagram conformance case gets from the suite that registers it:
// servers and clients the suite cleans up after, and `test`, which applies
// the target's skips and expected failures. Each case lives in a file of its
// own and is registered in describe-datagram-conformance.ts with one line.
import type { DatagramClient, DatagramClientOptions } from '@iomodels/client';
import type {
  BaseDatagramServer,
  DatagramHandlerSpec,
  DatagramServerOptions,
} from '@iomodels/contract';

/** How the suite starts a UDP server of the model under test. */
export interface DatagramConformanceTarget {
  /** Builds a UDP server with this handler and these options, listening; the suite closes it. */
  start(handler: DatagramHandlerSpec, options: DatagramServerOptions): Promise<BaseDatagramServer>;
  /** Tests to skip, by key, each with the reason. */
  skip?: Partial<Record<DatagramTestKey, string>>;
  /** Titles of tests expected to FAIL (`it.fails`): only for proving the suite catches a broken server. */
  expectFailures?: readonly string[];
}

/** The suite's tools, for the cases in files of their own. */
export interface DatagramConformanceSuite {
  /** Starts a server on `udp:127.0.0.1:0`, quiet, closed after the test. */
  start(handler: DatagramHandlerSpec, options?: DatagramServerOptions): Promise<BaseDatagramServer>;
  /** A client of `server` (or of another port, e.g. a relay's), closed after the test. Default: 5 s per try, no retries. */
  client(
    server: BaseDatagramServer | number,
    options?: DatagramClientOptions,
  ): Promise<DatagramClient>;
  /** Registers a test under its title. */
  test(key: DatagramTestKey, body: () => Promise<void>): void;
}

/** The datagram tests by key, so `skip` and `expectFailures` can name them. */
export const DATAGRAM_CONFORMANCE_TESTS = {
  echo: 'udp echo: each datagram comes back whole, bit-exact, up to maxPacketSize; an empty one too',
  ivr: 'udp ivr: the 10086 menu, one datagram in, one out; exit gets no reply',
  oversized:
    'udp oversized: a datagram past maxPacketSize is dropped and counted; the next one is served',
  lostReply: 'udp lost reply: the client retries and the server serves the retry',
  manyClients: 'udp many clients at once: each address gets its own replies, nothing lost or mixed',
  throwing:
    'udp throwing handler: that request is dropped and logged with the client address; the server goes on',
  close:
    'udp close: a request in flight finishes within the grace and is answered; the port is released',
  closeAbandons:
    'udp close: a request still running after the grace is abandoned and reported; its reply is never sent',
  portInUse: 'udp: binding a port in use fails with AddressInUseError',
} as const;

export type DatagramTestKey = keyof typeof DATAGRAM_CONFORMANCE_TESTS;
