// A ThreadingTCPServer thread: the shared runner (descriptor-runner.ts)
// over the worker's message port. A thread shares the server's descriptor
// table, so a connection comes as its descriptor number (already blocking),
// and a fired signal, the idle verdict and the thread's activity go
// through memory shared with the main thread (the slots of abort-flag.ts).
// A ThreadingUDPServer thread runs the datagram runner over the same port.
import { parentPort, workerData } from 'node:worker_threads';
import { RunnerFlag } from './abort-flag.js';
import { runDatagramRunner } from './datagram-runner.js';
import { runDescriptorRunner } from './descriptor-runner.js';
import type { RunnerBoot } from './wire.js';

const port = parentPort!;
/** The slots of `RunnerFlag`, shared with the main thread. */
const { flags, ...boot } = workerData as RunnerBoot & { flags: Int32Array };

await (boot.datagram ? runDatagramRunner : runDescriptorRunner)(boot, {
  post: (message) => port.postMessage(message),
  listen: (listener) => port.on('message', (message) => listener(message, undefined)),
  abortRequested: () => Atomics.load(flags, RunnerFlag.abort),
  timedOut: () => Atomics.load(flags, RunnerFlag.timedOut),
  touch: () => void Atomics.add(flags, RunnerFlag.activity, 1),
  hold: ({ fd }) => ({ fd }),
});
