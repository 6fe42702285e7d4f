// Every per-connection bound, named, with its default and the reason for it.
// Node, asyncio and Twisted only advise on output buffering and keep
// buffering; here a slow or vanished peer costs bounded memory.

/** Per-connection limits, and the per-datagram ones of UDP servers. All sizes in bytes, all durations in milliseconds. */
export interface Limits {
  /**
   * Longest line `StreamRequestHandler.readLine` (and line-based framing)
   * accepts. 64 KiB: far above any interactive message, small enough that a
   * peer that never sends a newline cannot grow a buffer without end.
   */
  readonly maxLineLength: number;
  /**
   * Most received-but-unread bytes a connection buffers before it stops
   * reading from the socket (back-pressure to the peer through TCP).
   * 256 KiB: a few socket buffers' worth.
   */
  readonly maxReceiveBuffer: number;
  /**
   * Hard cap on a connection's unsent output held in user space. `sendall`
   * waits while the cap is reached; it never queues more than this.
   * 1 MiB: enough to keep a fast link busy, bounded for 10,000 peers.
   */
  readonly maxUnsentBytes: number;
  /**
   * How long output may stay at the cap without the peer reading any of it
   * before the connection is aborted (`SendStalledError`). 30 s: longer than
   * any pause of a live peer, short enough to reclaim a vanished one.
   */
  readonly sendStallTimeout: number;
  /**
   * After `close()` sent our FIN (behind the unsent output), how long we wait
   * for the peer's FIN before resetting the connection. Meanwhile incoming
   * bytes are read and dropped: releasing a socket with unread input sends
   * RST, which can destroy a reply the peer has not read yet. 2 s: a live
   * peer answers FIN within a round trip, and 2 s still covers one lost and
   * retransmitted FIN (TCP's initial retransmission timeout is 1 s,
   * RFC 6298); a peer that ignores FIN costs a descriptor for no longer.
   */
  readonly lingerTimeout: number;
  /**
   * Largest datagram a UDP server takes as a request (Python's
   * `max_packet_size`, 8192). A larger one is dropped and counted
   * (`oversized`), not truncated as Python's `recvfrom(8192)` does: a cut
   * request is a different request, and answering it answers what the client
   * never asked. 8 KiB: every seed message and every line-sized request fits,
   * and a flood of oversized datagrams costs no handler work.
   */
  readonly maxPacketSize: number;
  /**
   * Datagram requests a UDP server runs at once; one arriving past it is
   * dropped and counted (`dropped`), as a full socket receive buffer drops
   * it. 256: with `maxPacketSize` that bounds held requests to 2 MiB, and a
   * UDP client retries anyway (the kernel's default receive buffer,
   * 208 KiB on Linux, drops sooner than this under a flood).
   */
  readonly maxDatagramsInFlight: number;
  /**
   * How long one datagram request may run. Past it the request's signal
   * fires, it counts as `timedOut`, its slot is freed and a late reply is
   * discarded. 5 s: longer than the client's whole wait (1 s × 4 tries), so
   * no reply anyone still waits for is discarded, short enough that a stuck
   * handler does not hold a slot for long.
   */
  readonly datagramTimeout: number;
}

/** The defaults; each field's TSDoc gives the reason. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxLineLength: 64 * 1024,
  maxReceiveBuffer: 256 * 1024,
  maxUnsentBytes: 1024 * 1024,
  sendStallTimeout: 30_000,
  lingerTimeout: 2_000,
  maxPacketSize: 8192,
  maxDatagramsInFlight: 256,
  datagramTimeout: 5_000,
});

/**
 * How long a connection behind a PROXY-protocol proxy may take to send its
 * whole header. 3 s: the proxy writes it in its first segment, so a live one
 * needs a round trip; a peer that connects and says nothing holds a
 * descriptor for no longer (the `--proxy-protocol` timeout; HAProxy's own
 * `timeout client` for accept-proxy is the same order).
 */
export const DEFAULT_PROXY_HEADER_TIMEOUT = 3_000;

/** `recv()` without a size reads at most this much (Python's idiom passes 1024; we pass more). */
export const DEFAULT_RECV_SIZE = 64 * 1024;

/** Fills the unset fields of a partial limits object, rejecting nonsense. */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`limit ${name} must be a positive number, got ${value}`);
    }
  }
  return Object.freeze(limits);
}
