// The load generator: many echo connections in one process, driven from
// socket callbacks with no per-message promise or allocation. Every reply is
// checked byte-exact against what that connection sent; a mismatch is
// reported as corruption, never counted as throughput.
//
// Hot path, per message: fill a reused 64-byte buffer, socket.write it, and
// for each chunk Node reads into one shared buffer (the `onread` user-buffer
// path, no Buffer per read) compare it against the sent bytes with
// Buffer#compare ranges. Partial reads are the normal case: a reply may come
// back in any number of pieces. Partial writes are queued by net.Socket;
// bulk streams bound what is in flight by a window.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { type HistogramSnapshot, LatencyHistogram } from './latency-histogram.js';

/** Where the server under test listens: a TCP address, or a Unix socket file's path. */
export type Target = { host: string; port: number } | { path: string };

/** Figures of one measurement window. */
export interface WindowResult {
  /** Length of the window in milliseconds, as measured. */
  ms: number;
  /** Echo exchanges completed (ping-pong) in the window. */
  messages: number;
  /** Echoed bytes received and verified in the window. */
  bytes: number;
  /** Connect → exchange → close cycles completed in the window. */
  cycles: number;
  /** Round-trip latencies (µs) of the window's exchanges. */
  histogram: HistogramSnapshot;
}

/** What one workload run produced. */
export interface WorkloadResult {
  /** Connections asked for. */
  connections: number;
  /** Connections that were established. */
  opened: number;
  /** Connections that completed at least one exchange while measuring. */
  served: number;
  /**
   * How long the ramp took, ms: from the first connect until every connection
   * was served once, none had been for a while, or the ramp timed out. Null
   * for connection rate, which has no ramp.
   */
  rampMs: number | null;
  windows: WindowResult[];
  /**
   * CPU the load generator itself used over the measured span, % of one
   * core: near 100 % means the figure is the generator's ceiling, not the server's.
   */
  loadCpuPercent: number;
  /** Socket errors (refused, reset, timed out). */
  errors: number;
  firstError: string | null;
  /** The first byte mismatch, extra byte or unsolicited byte seen, if any. */
  corruption: string | null;
}

/** Timing shared by every measured workload. */
export interface MeasureOptions {
  /** Run, unmeasured, after the ramp. */
  warmupMs: number;
  windowMs: number;
  windows: number;
  /** Longest time to wait for every connection to be served once. */
  rampTimeoutMs: number;
  /**
   * Called when the measured span starts and ends (e.g. to sample server CPU).
   * The load keeps running until what it returns at 'end' settles, so the
   * server still has every connection (and its threads) when it is sampled.
   */
  onMeasure?: (phase: 'start' | 'end') => unknown;
}

export interface PingPongOptions extends MeasureOptions {
  connections: number;
  /** Message size in bytes (default 64). */
  size?: number;
}

export interface BulkOptions extends MeasureOptions {
  connections: number;
  /** Chunk size in bytes (default 16 KiB). */
  chunk?: number;
  /** Bytes each connection may have sent but not yet received back (default 256 KiB). */
  window?: number;
}

export interface ConnectionRateOptions extends MeasureOptions {
  /** Connect → exchange → close loops run side by side (default 10). */
  concurrency?: number;
}

export interface IdleOptions {
  connections: number;
  /** Longest time to wait for every connection to be served once. */
  rampTimeoutMs: number;
}

/** Result of opening idle connections (they stay open until `closeIdle`). */
export interface IdleResult {
  connections: number;
  opened: number;
  served: number;
  errors: number;
  firstError: string | null;
  corruption: string | null;
}

/** Connect attempts allowed in flight at once, so a burst does not overflow the listen backlog. */
const MAX_PENDING_CONNECTS = 200;
/** A ramp ends early once no new connection has been served for this long. */
const RAMP_STALL_MS = 1_500;
/** Time connections get to close with FIN before they are destroyed. */
const CLOSE_GRACE_MS = 600;
/** Size of the one buffer every socket reads into. */
const READ_BUFFER_SIZE = 64 * 1024;

/** Counters one workload's connections add to; read at window boundaries. */
class Tally {
  messages = 0;
  bytes = 0;
  cycles = 0;
  readonly histogram = new LatencyHistogram();
  errors = 0;
  firstError: string | null = null;
  corruption: string | null = null;
  served = 0;
  opened = 0;
  stopping = false;
  /** Ping-pong ramp in progress: a connection, once served, sends nothing more until it ends. */
  ramping = false;

  error(message: string): void {
    this.errors++;
    this.firstError ??= message;
  }

  corrupt(message: string): void {
    this.corruption ??= message;
  }
}

/** Common socket life cycle: connect with the shared read buffer, count errors, note the close. */
abstract class EchoConnection {
  readonly socket: net.Socket;
  /** Exchanges (or, for streams, verified reads) completed on this connection. */
  exchanges = 0;
  closed = false;
  connected = false;
  onClose: ((conn: EchoConnection) => void) | null = null;

  constructor(
    readonly id: number,
    readonly tally: Tally,
    target: Target,
    readBuffer: Buffer,
  ) {
    this.socket = net.connect({
      // noDelay is TCP's; on a Unix socket Node leaves it out.
      ...('path' in target ? { path: target.path } : { host: target.host, port: target.port }),
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (nread: number, buffer: Uint8Array): boolean => {
          if (nread > 0) this.received(nread, buffer as Buffer);
          return true;
        },
      },
    });
    this.socket.on('connect', () => {
      this.connected = true;
      this.tally.opened++;
      this.started();
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.tally.stopping) this.tally.error(error.code ?? error.message);
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.onClose?.(this);
    });
  }

  /** The socket connected: start talking. */
  protected abstract started(): void;
  /** `nread` bytes arrived at the start of `buffer`. */
  protected abstract received(nread: number, buffer: Buffer): void;

  protected fail(message: string): void {
    this.tally.corrupt(`connection ${this.id}: ${message}`);
    this.socket.destroy();
  }
}

/**
 * Sends one message, waits for all of it back, checks it, sends the next.
 * Each message's bytes depend on the connection and the sequence number, so a
 * reply from the wrong connection or an old reply is caught.
 */
class PingPongConnection extends EchoConnection {
  private readonly message: Buffer;
  private got = 0;
  private seq = 0;
  private sentAt = 0;
  private awaiting = false;

  constructor(
    id: number,
    tally: Tally,
    target: Target,
    readBuffer: Buffer,
    size: number,
    /** Stop sending after this many exchanges (0 = no limit). */
    private readonly limit: number,
    /** Called after each verified exchange. */
    private readonly exchanged: ((conn: PingPongConnection) => void) | null,
  ) {
    super(id, tally, target, readBuffer);
    this.message = Buffer.alloc(size);
  }

  protected started(): void {
    this.sendNext();
  }

  private sendNext(): void {
    const m = this.message;
    const seq = this.seq++;
    // Bytes 0..7 name the connection and sequence; the rest is a pattern of both.
    if (m.length >= 8) {
      m.writeUInt32LE(this.id, 0);
      m.writeUInt32LE(seq, 4);
    }
    const base = (this.id * 131 + seq * 7) & 0xff;
    for (let i = m.length >= 8 ? 8 : 0; i < m.length; i++) m[i] = (base + i) & 0xff;
    this.got = 0;
    this.awaiting = true;
    this.sentAt = performance.now();
    this.socket.write(m);
  }

  protected received(nread: number, buffer: Buffer): void {
    if (!this.awaiting) {
      this.fail(`${nread} unsolicited byte(s)`);
      return;
    }
    const size = this.message.length;
    if (nread > size - this.got) {
      this.fail(`${this.got + nread} bytes back for a ${size}-byte message`);
      return;
    }
    // buffer[0..nread) must equal message[got..got+nread).
    if (buffer.compare(this.message, this.got, this.got + nread, 0, nread) !== 0) {
      this.fail(`reply differs from message ${this.seq - 1} at bytes ${this.got}..`);
      return;
    }
    this.got += nread;
    this.tally.bytes += nread;
    if (this.got < size) return;
    // One exchange complete.
    this.awaiting = false;
    const tally = this.tally;
    if (this.exchanges++ === 0) tally.served++;
    tally.messages++;
    tally.histogram.record((performance.now() - this.sentAt) * 1000);
    this.exchanged?.(this);
    if (tally.stopping || tally.ramping) return;
    if (this.limit === 0 || this.exchanges < this.limit) this.sendNext();
  }

  /** The ramp is over: a connection that was served and kept quiet starts ping-ponging. */
  rampEnded(): void {
    if (this.awaiting || this.exchanges === 0 || this.socket.destroyed || this.tally.stopping)
      return;
    if (this.limit === 0 || this.exchanges < this.limit) this.sendNext();
  }
}

/**
 * Streams chunks from a fixed per-connection pattern and checks the echoed
 * stream against the same pattern at the same offset. In-flight bytes are
 * bounded by `window`.
 */
class StreamConnection extends EchoConnection {
  private readonly pattern: Buffer;
  private readonly chunks: Buffer[];
  private next = 0;
  private sent = 0;
  private echoed = 0;

  constructor(
    id: number,
    tally: Tally,
    target: Target,
    readBuffer: Buffer,
    chunk: number,
    private readonly window: number,
  ) {
    super(id, tally, target, readBuffer);
    // Five chunks; the pattern is longer than one read, so a read wraps at most once.
    const count = Math.max(5, Math.ceil((2 * READ_BUFFER_SIZE) / chunk));
    this.pattern = Buffer.alloc(chunk * count);
    let x = (id + 1) * 0x9e3779b1;
    for (let i = 0; i < this.pattern.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.pattern[i] = x & 0xff;
    }
    this.chunks = [];
    for (let i = 0; i < count; i++)
      this.chunks.push(this.pattern.subarray(i * chunk, (i + 1) * chunk));
  }

  protected started(): void {
    this.pump();
  }

  private pump(): void {
    while (!this.tally.stopping && this.sent - this.echoed < this.window) {
      const chunk = this.chunks[this.next]!;
      this.next = (this.next + 1) % this.chunks.length;
      this.sent += chunk.length;
      this.socket.write(chunk);
    }
  }

  protected received(nread: number, buffer: Buffer): void {
    if (this.echoed + nread > this.sent) {
      this.fail('more bytes back than sent');
      return;
    }
    const length = this.pattern.length;
    let at = this.echoed % length;
    let done = 0;
    while (done < nread) {
      const n = Math.min(nread - done, length - at);
      if (buffer.compare(this.pattern, at, at + n, done, done + n) !== 0) {
        this.fail(
          `echoed stream differs within bytes ${this.echoed + done}..${this.echoed + done + n}`,
        );
        return;
      }
      done += n;
      at = 0;
    }
    this.echoed += nread;
    if (this.exchanges++ === 0) this.tally.served++;
    this.tally.bytes += nread;
    this.pump();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs workloads against one target at a time. One instance per process;
 * its sockets share one read buffer.
 */
export class LoadGenerator {
  private readonly readBuffer = Buffer.alloc(READ_BUFFER_SIZE);
  private idle: { tally: Tally; conns: EchoConnection[] } | null = null;

  /**
   * Ping-pong: each connection keeps exactly one message in flight. Quiet
   * ramp: a connection sends one message and, once it is echoed, nothing more
   * until the ramp is over; then every connection starts together, so the
   * connections served first do not take the CPU from the server's work of
   * serving the rest (a thread or process per connection takes a while to start).
   */
  async pingPong(target: Target, options: PingPongOptions): Promise<WorkloadResult> {
    const tally = new Tally();
    const size = options.size ?? 64;
    tally.ramping = true;
    const { conns, rampMs } = await this.open(
      tally,
      options.connections,
      options.rampTimeoutMs,
      (id) => new PingPongConnection(id, tally, target, this.readBuffer, size, 0, null),
    );
    tally.ramping = false;
    for (const conn of conns) (conn as PingPongConnection).rampEnded();
    return this.measureAndClose(tally, conns, rampMs, options);
  }

  /** Bulk: each connection streams chunks and reads the echo back at once. */
  async bulk(target: Target, options: BulkOptions): Promise<WorkloadResult> {
    const tally = new Tally();
    const chunk = options.chunk ?? 16 * 1024;
    const window = options.window ?? 256 * 1024;
    const { conns, rampMs } = await this.open(
      tally,
      options.connections,
      options.rampTimeoutMs,
      (id) => new StreamConnection(id, tally, target, this.readBuffer, chunk, window),
    );
    return this.measureAndClose(tally, conns, rampMs, options);
  }

  /** Connection rate: loops of connect → one 64-byte exchange → close. */
  async connectionRate(target: Target, options: ConnectionRateOptions): Promise<WorkloadResult> {
    const tally = new Tally();
    const concurrency = options.concurrency ?? 10;
    const live = new Set<EchoConnection>();
    let nextId = 0;
    const startOne = () => {
      if (tally.stopping) return;
      const conn = new PingPongConnection(nextId++, tally, target, this.readBuffer, 64, 1, (c) =>
        c.socket.end(),
      );
      live.add(conn);
      conn.onClose = (c) => {
        live.delete(c);
        if (c.exchanges > 0) tally.cycles++;
        // A failed attempt backs off a little rather than spinning.
        if (c.exchanges > 0) startOne();
        else setTimeout(startOne, 10);
      };
    };
    for (let i = 0; i < concurrency; i++) startOne();
    const windows = await measure(tally, options);
    tally.stopping = true;
    await closeAll([...live]);
    return result(tally, concurrency, null, windows);
  }

  /**
   * Opens `connections` connections that each make one exchange and then
   * stay idle, open, until `closeIdle()`.
   */
  async openIdle(target: Target, options: IdleOptions): Promise<IdleResult> {
    await this.closeIdle();
    const tally = new Tally();
    const { conns } = await this.open(
      tally,
      options.connections,
      options.rampTimeoutMs,
      (id) => new PingPongConnection(id, tally, target, this.readBuffer, 64, 1, null),
    );
    this.idle = { tally, conns };
    return {
      connections: options.connections,
      opened: tally.opened,
      served: tally.served,
      errors: tally.errors,
      firstError: tally.firstError,
      corruption: tally.corruption,
    };
  }

  /** Closes the connections `openIdle` left open. */
  async closeIdle(): Promise<void> {
    if (!this.idle) return;
    const { tally, conns } = this.idle;
    this.idle = null;
    tally.stopping = true;
    await closeAll(conns);
  }

  /**
   * Opens connections with a bounded number of connects in flight, then waits
   * until every one is served once, none has been for a while, or the ramp
   * times out (a server that serves few at a time is measured as it is).
   * Resolves with the connections and how long that took.
   */
  private async open(
    tally: Tally,
    count: number,
    rampTimeoutMs: number,
    make: (id: number) => EchoConnection,
  ): Promise<{ conns: EchoConnection[]; rampMs: number }> {
    const conns: EchoConnection[] = [];
    const start = performance.now();
    const deadline = start + rampTimeoutMs;
    let pending = 0;
    let wake: (() => void) | null = null;
    const settle = () => {
      pending--;
      wake?.();
    };
    for (let id = 0; id < count && performance.now() < deadline; id++) {
      while (pending >= MAX_PENDING_CONNECTS && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
        wake = null;
      }
      const conn = make(id);
      pending++;
      let settled = false;
      const once = () => {
        if (!settled) {
          settled = true;
          settle();
        }
      };
      conn.socket.once('connect', once);
      conn.socket.once('close', once);
      conns.push(conn);
    }
    let served = -1;
    let progressAt = performance.now();
    while (tally.served < count && performance.now() < deadline && !tally.corruption) {
      if (tally.served !== served) {
        served = tally.served;
        progressAt = performance.now();
      } else if (pending === 0 && performance.now() - progressAt > RAMP_STALL_MS) {
        break;
      }
      await sleep(20);
    }
    return { conns, rampMs: performance.now() - start };
  }

  private async measureAndClose(
    tally: Tally,
    conns: EchoConnection[],
    rampMs: number,
    options: MeasureOptions & { connections: number },
  ): Promise<WorkloadResult> {
    const servedBefore = conns.map((c) => c.exchanges);
    const windows = await measure(tally, options);
    const served = conns.filter((c, i) => c.exchanges > servedBefore[i]!).length;
    tally.stopping = true;
    await closeAll(conns);
    return { ...result(tally, options.connections, rampMs, windows), served };
  }
}

async function measure(
  tally: Tally,
  options: MeasureOptions,
): Promise<{ windows: WindowResult[]; loadCpuPercent: number }> {
  await sleep(options.warmupMs);
  const windows: WindowResult[] = [];
  options.onMeasure?.('start');
  const cpuBefore = process.cpuUsage();
  const spanStart = performance.now();
  for (let w = 0; w < options.windows && !tally.corruption; w++) {
    const messages = tally.messages;
    const bytes = tally.bytes;
    const cycles = tally.cycles;
    tally.histogram.reset();
    const startedAt = performance.now();
    await sleep(options.windowMs);
    windows.push({
      ms: performance.now() - startedAt,
      messages: tally.messages - messages,
      bytes: tally.bytes - bytes,
      cycles: tally.cycles - cycles,
      histogram: tally.histogram.snapshot(),
    });
  }
  const cpu = process.cpuUsage(cpuBefore);
  const spanMs = performance.now() - spanStart;
  await options.onMeasure?.('end');
  return { windows, loadCpuPercent: spanMs > 0 ? (cpu.user + cpu.system) / 10 / spanMs : 0 };
}

function result(
  tally: Tally,
  connections: number,
  rampMs: number | null,
  measured: { windows: WindowResult[]; loadCpuPercent: number },
): WorkloadResult {
  return {
    connections,
    opened: tally.opened,
    served: tally.served,
    rampMs,
    ...measured,
    errors: tally.errors,
    firstError: tally.firstError,
    corruption: tally.corruption,
  };
}

/** Half-closes every connection, waits for the peers to close, destroys stragglers. */
async function closeAll(conns: EchoConnection[]): Promise<void> {
  const open = conns.filter((c) => !c.closed);
  if (open.length === 0) return;
  await new Promise<void>((resolve) => {
    let left = open.length;
    const timer = setTimeout(() => {
      for (const c of open) if (!c.closed) c.socket.destroy();
      resolve();
    }, CLOSE_GRACE_MS);
    for (const c of open) {
      c.socket.once('close', () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      if (c.connected) c.socket.end();
      else c.socket.destroy();
    }
  });
}
