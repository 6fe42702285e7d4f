// describe(): what a server honestly does on this runtime.
import type { Limits } from './limits.js';

/** What a model says about itself; the base server adds the rest. */
export interface ModelDescription {
  /** How a connection waits for IO, in a sentence. */
  readonly io: string;
  /** Whether completion-style IO is the kernel's or built over readiness; `none` for synchronous models. */
  readonly completion: 'native' | 'emulated' | 'none';
  /** What runs handlers concurrently (threads, processes, one event loop …). */
  readonly concurrency: string;
  /** Known limits of the model on this runtime. */
  readonly notes: readonly string[];
}

/** The full description `describe()` returns. */
export interface ServerDescription extends ModelDescription {
  readonly model: string;
  readonly mode: string;
  /** `host:port` when listening, else `not listening`. */
  readonly address: string;
  /** The kernel demultiplexer libuv uses here: epoll, kqueue, IOCP, event ports. */
  readonly demultiplexer: string;
  readonly runtime: string;
  readonly limits: Limits;
}

/** The readiness demultiplexer libuv uses on this platform. */
export function platformDemultiplexer(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'linux':
      return 'epoll';
    case 'darwin':
    case 'freebsd':
    case 'openbsd':
      return 'kqueue';
    case 'win32':
      return 'IOCP';
    case 'sunos':
      return 'event ports';
    default:
      return 'poll';
  }
}
