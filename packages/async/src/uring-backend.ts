// The optional io_uring backend: `@iomodels/uring` is an optional peer
// dependency, loaded with a dynamic import the first time a proactor that
// asks for it listens; absent, unloadable or refused by the kernel, the
// proactor stays on libuv and says why.
import type * as Uring from '@iomodels/uring';

/** Which backend a proactor's acceptors run on, and why, in words for `describe()`. */
export interface BackendChoice {
  readonly backend: 'io_uring' | 'emulated on libuv';
  readonly reason: string;
}

/**
 * `libuv` (default): accept through a `net.Server`. `uring` (experimental):
 * accept and run connections through io_uring where `@iomodels/uring` is
 * installed and usable, else libuv. `auto`: the same as `uring` today.
 */
export type BackendPreference = 'libuv' | 'uring' | 'auto';

/** The module when the ring can run here, with the choice in words. */
export interface ResolvedBackend {
  readonly choice: BackendChoice;
  readonly uring: typeof Uring | undefined;
}

/** The package name, held in a variable so bundlers leave the import to run time. */
const URING_PACKAGE = '@iomodels/uring';

/** Decides the backend for `preference`: loads `@iomodels/uring` when asked, tolerating its absence. */
export async function resolveBackend(preference: BackendPreference): Promise<ResolvedBackend> {
  if (preference === 'libuv') {
    return {
      choice: {
        backend: 'emulated on libuv',
        reason: 'the default backend (the io_uring one is opt-in: Proactor option backend "uring")',
      },
      uring: undefined,
    };
  }
  let uring: typeof Uring;
  try {
    uring = (await import(URING_PACKAGE)) as typeof Uring;
  } catch (error) {
    return {
      choice: {
        backend: 'emulated on libuv',
        reason: `@iomodels/uring is not installed (${(error as Error).message.split('\n')[0]})`,
      },
      uring: undefined,
    };
  }
  const choice = uring.chooseBackend();
  return { choice, uring: choice.backend === 'io_uring' ? uring : undefined };
}
