#!/usr/bin/env node
// The load generator's own process: takes workload requests from the runner
// over IPC, runs them with one LoadGenerator, answers with the results. It
// tells the runner when a measured span starts and ends, so the runner can
// sample the server's CPU over exactly that span.
import { LoadGenerator } from './load-generator.js';
import type { LoadRequest, LoadResponse } from './load-protocol.js';

const generator = new LoadGenerator();

function send(message: LoadResponse): void {
  process.send?.(message);
}

process.on('message', async (request: LoadRequest) => {
  const { id } = request;
  const onMeasure = (phase: 'start' | 'end') => send({ id, measure: phase });
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
