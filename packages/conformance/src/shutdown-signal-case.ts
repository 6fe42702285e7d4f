// The shutdown-signal case: a handler waiting in recv hears the server shut
// down through its AbortSignal, says goodbye and finishes its dialogue
// before the grace period ends — in threads and child processes too.
import { expect } from 'vitest';
import type { ConformanceSuite } from './conformance-suite.js';
import { conformanceHandler } from './describe-conformance.js';
import { recvText, recvUntilClosed } from './wire.js';

/** Keypresses at most while the client waits for the goodbye (bounded). */
const MAX_KEYPRESSES = 100;
/** Between keypresses, ms. */
const KEYPRESS_INTERVAL = 100;

export const SHUTDOWN_SIGNAL_TESTS = {
  shutdownSignal:
    'the shutdown signal reaches a handler waiting in recv: it says goodbye before the connection closes',
} as const;

export function describeShutdownSignalCase(suite: ConformanceSuite): void {
  suite.test(
    'shutdownSignal',
    async () => {
      const server = await suite.start(conformanceHandler('GoodbyeOnShutdownHandler'));
      const client = await suite.dial(server);
      expect(await recvText(client, 'ready')).toBe('ready');
      // Long enough that FIN after the grace period would show as `interrupted`.
      const closing = server.close({ timeout: 20_000 });
      const heard = recvUntilClosed(client);
      let ended = false;
      void heard.finally(() => {
        ended = true;
      });
      // A read(2) in a thread or child cannot be interrupted; the signal
      // reaches that handler when its read returns. So the caller keeps
      // talking, as a caller on the line would, until it hears goodbye.
      // Event-loop models have said goodbye before the first keypress lands.
      for (let i = 0; i < MAX_KEYPRESSES && !ended; i++) {
        await client.sendall('.').catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, KEYPRESS_INTERVAL));
      }
      const { data, end } = await heard;
      expect(new TextDecoder().decode(data)).toBe('goodbye');
      expect(end).toBe('eof');
      client.shutdownWrite(); // hang up: the handler's recv ends and it returns
      const report = await closing;
      expect(report).toMatchObject({ completed: 1, interrupted: 0, aborted: 0, abandoned: 0 });
    },
    'closeWhileReading',
  );
}
