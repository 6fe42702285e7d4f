// The one sentence a model's `describe()` needs: which backend runs its
// sockets and why. `@iomodels/async` is meant to call this when the package
// is installed (an optional peer) and say "emulated on libuv" otherwise.
import os from 'node:os';
import { type LoadUringOptions, loadUring } from './load.js';

/** Which backend runs, and why, in words for `describe()`. */
export interface BackendChoice {
  backend: 'io_uring' | 'emulated on libuv';
  reason: string;
}

/** io_uring when the add-on loads and the kernel allows it; else libuv, with the loader's reason. */
export function chooseBackend(options: LoadUringOptions = {}): BackendChoice {
  const loaded = loadUring(options);
  if (!loaded.available) return { backend: 'emulated on libuv', reason: loaded.reason };
  return {
    backend: 'io_uring',
    reason: `@iomodels/uring loaded from ${loaded.path} (Linux ${os.release()})`,
  };
}
