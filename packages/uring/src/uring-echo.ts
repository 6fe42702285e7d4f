// An echo server on the ring, written the Proactor way: post a recv into
// the connection's buffer; when it completes, post a send of those bytes;
// when every byte is sent, post the next recv. No readiness event, no
// read(2)/write(2): the kernel does the IO and reports completions.
import { errnoName, errnoValue } from './errno-name.js';
import { type Completion, UringLoop } from './uring-loop.js';

/** Options for {@link serveEcho}. */
export interface EchoOptions {
  host?: string;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  /** Listen queue length; default 511, like Node's. */
  backlog?: number;
  /**
   * Bytes of receive buffer each connection owns for its whole life, one
   * recv posted per message (1,000 connections x 16 KiB = 16 MiB). Default:
   * none of its own; one multishot recv per connection into the loop's
   * shared buffer pool (`UringLoop.pool()`, 16 MiB per loop whatever the
   * connections), or `ECHO_BUFFER_SIZE` where the kernel has no pool.
   */
  bufferSize?: number;
}

/** A running echo server. */
export interface EchoServer {
  port: number;
  /** Connections open now. */
  connections(): number;
  /**
   * Stops accepting and closes every connection; resolves once all are
   * closed and so is the listening socket (a connect after it is refused).
   */
  close(): Promise<void>;
}

/** Receive buffer per connection where there is no pool; a 64 B ping-pong needs far less, a bulk echo more. */
export const ECHO_BUFFER_SIZE = 16 * 1024;

/** Pause before accepting again after an accept failed (EMFILE, ENFILE, ENOBUFS…). */
const ACCEPT_RETRY_MS = 50;

/**
 * Pool buffers one connection may hold waiting to be echoed before its
 * recv is cancelled (a peer that sends without reading must not drain the
 * pool that every connection shares); it is posted again once they are sent.
 */
const HELD_PER_CONNECTION = 8;

const ECANCELED = -errnoValue('ECANCELED');
const ENOBUFS = -errnoValue('ENOBUFS');

/** Serves an echo on this loop's ring until `close()`. */
export function serveEcho(options: EchoOptions = {}): EchoServer {
  const loop = UringLoop.open();
  const host = options.host ?? '127.0.0.1';
  const pool = options.bufferSize === undefined ? loop.pool() : undefined;
  const size = options.bufferSize ?? ECHO_BUFFER_SIZE;
  const listener = loop.listen(host, options.port ?? 0, options.backlog ?? 511);
  const open = new Set<number>();
  let accepting = true;
  let acceptId = -1;
  /** Whether an accept is posted (its final completion has not come). */
  let acceptPosted = false;
  let onAcceptEnded: (() => void) | null = null;
  let onDrained: (() => void) | null = null;

  const finish = (fd: number) => {
    if (!open.delete(fd)) return;
    loop.close(fd, () => {
      if (open.size === 0 && !accepting) onDrained?.();
    });
  };

  /** recv into a buffer of the connection's own, send it back, recv again. */
  const serveOwn = (fd: number) => {
    const buffer = new Uint8Array(size);
    let sent = 0;
    let filled = 0;
    const onSend: Completion = (n) => {
      if (n < 0) return finish(fd);
      sent += n;
      if (sent < filled) loop.send(fd, buffer, sent, filled - sent, onSend);
      else loop.recv(fd, buffer, 0, size, onRecv);
    };
    const onRecv: Completion = (n) => {
      if (n <= 0) return finish(fd); // 0: the peer's FIN; <0: reset or cancelled
      filled = n;
      sent = 0;
      loop.send(fd, buffer, 0, n, onSend);
    };
    loop.recv(fd, buffer, 0, size, onRecv);
  };

  /** One multishot recv into the pool; each buffer is sent back, in order, then recycled. */
  const servePooled = (fd: number, buffers: readonly Uint8Array[]) => {
    const queue: number[] = []; // (bufferId, length) pairs waiting to be echoed, the head in flight
    let sent = 0;
    let sending = false;
    let recvId = -1;
    let paused = false;
    let ended = false;
    const post = () => {
      paused = false;
      recvId = loop.recvMultishot(fd, onRecv);
    };
    const sendHead = () => {
      sending = true;
      loop.send(fd, buffers[queue[0]!]!, sent, queue[1]! - sent, onSend);
    };
    /** Recycles the queued buffers the kernel is not sending from. */
    const drop = (keepHead: boolean) => {
      const from = keepHead ? 2 : 0;
      for (let i = from; i < queue.length; i += 2) loop.recycle(queue[i]!);
      queue.length = Math.min(queue.length, from);
    };
    const onSend: Completion = (n) => {
      sending = false;
      if (n < 0 || !open.has(fd)) {
        drop(false);
        return finish(fd);
      }
      sent += n;
      if (sent < queue[1]!) return sendHead();
      loop.recycle(queue.shift()!);
      queue.shift();
      sent = 0;
      if (queue.length > 0) sendHead();
      else if (ended) finish(fd);
      else if (recvId === -1) post(); // paused while too much waited
    };
    const onRecv: Completion = (n, more, bufferId) => {
      if (!more) recvId = -1;
      if (!open.has(fd)) {
        if (bufferId >= 0) loop.recycle(bufferId);
        return;
      }
      if (n > 0) {
        queue.push(bufferId, n);
        if (!sending) sendHead();
        if (queue.length < 2 * HELD_PER_CONNECTION) {
          if (recvId === -1 && !paused) post(); // the kernel ended it with bytes to come
        } else if (recvId !== -1 && !paused) {
          paused = true;
          loop.cancel(recvId);
        }
        return;
      }
      if (bufferId >= 0) loop.recycle(bufferId);
      if (n === ENOBUFS) {
        setImmediate(() => open.has(fd) && recvId === -1 && post());
      } else if (n === ECANCELED && accepting) {
        if (queue.length === 0) post(); // else posted again once the queue is sent
      } else {
        // 0: the peer's FIN, finished once the queue is echoed; < 0: reset or closing.
        ended = true;
        if (n < 0) drop(sending);
        if (queue.length === 0) finish(fd);
      }
    };
    post();
  };

  const onAccept: Completion = (fd, more) => {
    if (!more) acceptPosted = false;
    if (fd >= 0) {
      if (accepting) {
        open.add(fd);
        if (pool) servePooled(fd, pool);
        else serveOwn(fd);
      } else {
        loop.close(fd);
      }
    } else if (errnoName(fd) !== 'ECANCELED' && accepting && !more) {
      // EMFILE and kin persist: re-arming at once would spin the loop.
      process.emitWarning(`io_uring accept: ${errnoName(fd)}; retrying in ${ACCEPT_RETRY_MS} ms`);
      setTimeout(() => accepting && arm(), ACCEPT_RETRY_MS);
      return;
    }
    if (more) return;
    // A single-shot accept, or a multishot one the kernel ended: arm again.
    if (accepting) arm();
    else onAcceptEnded?.();
  };
  const arm = () => {
    acceptPosted = true;
    acceptId = loop.accept(listener.fd, onAccept);
  };
  arm();

  return {
    port: listener.port,
    connections: () => open.size,
    close() {
      if (!accepting) return Promise.resolve();
      accepting = false;
      // The listening socket is closed for real once no accept holds it:
      // wait for both the close and the cancelled accept's last completion.
      const listenerClosed = new Promise<void>((resolve) => {
        let waiting = acceptPosted ? 2 : 1;
        const one = () => {
          if (--waiting === 0) resolve();
        };
        onAcceptEnded = one;
        if (acceptPosted) loop.cancel(acceptId);
        loop.close(listener.fd, one);
      });
      if (open.size === 0) return listenerClosed;
      const drained = new Promise<void>((resolve) => {
        onDrained = resolve;
      });
      // Shutdown both ways ends each pending recv with 0; the recv path closes.
      for (const fd of open) loop.shutdown(fd, 2, () => {});
      return Promise.all([listenerClosed, drained]).then(() => undefined);
    },
  };
}
