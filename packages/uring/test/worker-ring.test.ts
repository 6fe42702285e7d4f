// One ring per event loop: a worker thread opens its own ring (its own
// Node-API environment) while the main thread's keeps working, and the
// worker's ring is torn down with the worker.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { UringLoop } from '../src/index.js';
import { availability, skipReason } from './helpers.js';

const path = availability.available ? availability.path : '';

// Plain JavaScript in the worker: it loads the add-on directly, as the loader would.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const binding = require(workerData.path);
const results = new Int32Array(30);
const facts = binding.open((count) => {
  parentPort.postMessage({ completed: count, result: results[1] });
}, results);
const [fd] = binding.listen('127.0.0.1', 0, 4);
binding.close(fd, 1);
parentPort.postMessage({ facts });
`;

describe.skipIf(skipReason !== null)('a ring per event loop', () => {
  it('a worker thread gets its own ring; the main thread keeps its own', async () => {
    const main = UringLoop.open();
    const worker = new Worker(workerSource, { eval: true, workerData: { path } });
    const messages: Array<Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: Record<string, unknown>) => {
        messages.push(message);
        if ('completed' in message) resolve();
      });
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(messages.find((m) => 'facts' in m)?.facts).toMatchObject({ sqEntries: 1024 });
    // The worker's close completed on the worker's ring with 0.
    expect(messages.find((m) => 'completed' in m)).toMatchObject({ completed: 1, result: 0 });
    const listener = main.listen('127.0.0.1', 0, 4);
    const closed = await new Promise<number>((resolve) => main.close(listener.fd, resolve));
    expect(closed).toBe(0);
  });
});
