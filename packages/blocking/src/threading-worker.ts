// A ThreadingTCPServer thread: the shared runner (descriptor-runner.ts)
// over the worker's message port. A thread shares the server's descriptor
// table, so a connection comes as its descriptor number (already blocking),
// and a fired signal is read from memory shared with the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runDescriptorRunner } from './descriptor-runner.js';
import type { RunnerBoot } from './wire.js';

const port = parentPort!;
const { handler, abortFlag } = workerData as RunnerBoot & { abortFlag: Int32Array };

await runDescriptorRunner(
  { handler },
  {
    post: (message) => port.postMessage(message),
    listen: (listener) => port.on('message', (message) => listener(message, undefined)),
    abortRequested: () => Atomics.load(abortFlag, 0),
    hold: ({ fd }) => ({ fd }),
  },
);
