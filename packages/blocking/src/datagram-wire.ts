// The messages a UDP server's pool adds to wire.ts: one datagram to a
// thread or child, its result back. The packet travels as base64 (children
// get their messages as JSON); it is at most `limits.maxPacketSize` bytes.
import type { Address, DatagramOutcome, ServerInfo } from '@iomodels/contract/core';

/** Dispatcher → runner: handle one datagram. */
export interface DatagramServeMessage {
  type: 'datagram';
  id: number;
  /** The packet, base64. */
  data: string;
  client: Address;
  local: Address;
  /** The server's description: with a runner's first request only. */
  server?: ServerInfo;
}

/** What a runner's `done` carries for a datagram: how the handler ended, and the reply to send, if any. */
export interface WireDatagramResult {
  outcome: DatagramOutcome;
  /** The reply datagram, base64, when `outcome` is `replied`. */
  reply?: string;
}

/**
 * A datagram as a pool job carries it. `settle` is called with the
 * runner's result, or with `undefined` when the job ended without one (a
 * runner that died, a job dropped at shutdown); only its first call counts.
 */
export interface PoolDatagram {
  readonly data: string;
  settle(result: WireDatagramResult | undefined): void;
}
