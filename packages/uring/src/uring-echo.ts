// An echo server on the ring, written the Proactor way: post a recv into
// the connection's buffer; when it completes, post a send of those bytes;
// when every byte is sent, post the next recv. No readiness event, no
// read(2)/write(2): the kernel does the IO and reports completions.
import { errnoName } from './errno-name.js';
import { type Completion, UringLoop } from './uring-loop.js';

/** Options for {@link serveEcho}. */
export interface EchoOptions {
  host?: string;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  /** Listen queue length; default 511, like Node's. */
  backlog?: number;
  /**
   * Bytes of receive buffer each connection owns for its whole life (the
   * model's memory cost: 1,000 connections × 16 KiB = 16 MiB by default).
   */
  bufferSize?: number;
}

/** A running echo server. */
export interface EchoServer {
  port: number;
  /** Connections open now. */
  connections(): number;
  /** Stops accepting and closes every connection; resolves when all are closed. */
  close(): Promise<void>;
}

/** Default receive buffer per connection; a 64 B ping-pong needs far less, a bulk echo more. */
export const ECHO_BUFFER_SIZE = 16 * 1024;

/** Pause before accepting again after an accept failed (EMFILE, ENFILE, ENOBUFS…). */
const ACCEPT_RETRY_MS = 50;

/** Serves an echo on this loop's ring until `close()`. */
export function serveEcho(options: EchoOptions = {}): EchoServer {
  const loop = UringLoop.open();
  const host = options.host ?? '127.0.0.1';
  const size = options.bufferSize ?? ECHO_BUFFER_SIZE;
  const listener = loop.listen(host, options.port ?? 0, options.backlog ?? 511);
  const open = new Set<number>();
  let accepting = true;
  let acceptId = -1;
  let onDrained: (() => void) | null = null;

  const finish = (fd: number) => {
    if (!open.delete(fd)) return;
    loop.close(fd, () => {
      if (open.size === 0 && !accepting) onDrained?.();
    });
  };

  const serve = (fd: number) => {
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

  const onAccept: Completion = (fd, more) => {
    if (fd >= 0) {
      if (accepting) {
        open.add(fd);
        serve(fd);
      } else {
        loop.close(fd);
      }
    } else if (errnoName(fd) !== 'ECANCELED' && accepting && !more) {
      // EMFILE and kin persist: re-arming at once would spin the loop.
      process.emitWarning(`io_uring accept: ${errnoName(fd)}; retrying in ${ACCEPT_RETRY_MS} ms`);
      setTimeout(() => {
        if (accepting) acceptId = loop.accept(listener.fd, onAccept);
      }, ACCEPT_RETRY_MS);
      return;
    }
    // A single-shot accept, or a multishot one the kernel ended: arm again.
    if (!more && accepting) acceptId = loop.accept(listener.fd, onAccept);
  };
  acceptId = loop.accept(listener.fd, onAccept);

  return {
    port: listener.port,
    connections: () => open.size,
    close() {
      if (!accepting) return Promise.resolve();
      accepting = false;
      loop.cancel(acceptId);
      loop.close(listener.fd);
      const drained = new Promise<void>((resolve) => {
        onDrained = resolve;
      });
      if (open.size === 0) return Promise.resolve();
      // Shutdown both ways ends each pending recv with 0; the recv path closes.
      for (const fd of open) loop.shutdown(fd, 2, () => {});
      return drained;
    },
  };
}
