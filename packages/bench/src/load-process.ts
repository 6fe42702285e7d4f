#!/usr/bin/env node
// The load generator's own process: takes workload requests from the runner
// over IPC, runs them with one LoadGenerator, answers with the results. It
// tells the runner when a measured span starts and ends, so the runner can
// sample the server's CPU over exactly that span, and at the end keeps the
// load on until the runner says it has sampled.
import { LoadGenerator } from './load-generator.js';
import type { LoadRequest, LoadResponse, SampledAck } from './load-protocol.js';

/** Longest wait for the runner's "sampled" after a span's end. */
const SAMPLED_TIMEOUT_MS = 5_000;

const generator = new LoadGenerator();
const waitingForSample = new Map<number, () => void>();

function send(message: LoadResponse): void {
  process.send?.(message);
}

/** Resolves when the runner acknowledges request `id`'s end sample, or after a timeout. */
function sampled(id: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      waitingForSample.delete(id);
      resolve();
    };
    const timer = setTimeout(done, SAMPLED_TIMEOUT_MS);
    waitingForSample.set(id, done);
  });
}

process.on('message', async (request: LoadRequest | SampledAck) => {
  if ('sampled' in request) return waitingForSample.get(request.sampled)?.();
  const { id } = request;
  const onMeasure = (phase: 'start' | 'end') => {
    send({ id, measure: phase });
    return phase === 'end' ? sampled(id) : undefined;
  };
  try {
    switch (request.op) {
      case 'ping-pong':
        return send({
          id,
          result: await generator.pingPong(request.target, { ...request.options, onMeasure }),
        });
      case 'bulk':
        return send({
          id,
          result: await generator.bulk(request.target, { ...request.options, onMeasure }),
        });
      case 'connection-rate':
        return send({
          id,
          result: await generator.connectionRate(request.target, { ...request.options, onMeasure }),
        });
      case 'open-idle':
        return send({ id, idle: await generator.openIdle(request.target, request.options) });
      case 'close-idle':
        await generator.closeIdle();
        return send({ id, done: true });
    }
  } catch (error) {
    send({ id, error: (error as Error)?.stack ?? String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
