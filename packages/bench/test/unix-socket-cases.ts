// The same ping-pong and connection-rate plumbing over a Unix socket file,
// tested the same way on both load generators: a real server on a path, every
// echo verified, a missing path counted as an error. No speed is asserted.
import { describe, expect, it } from 'vitest';
import type {
  ConnectionRateOptions,
  PingPongOptions,
  Target,
  WorkloadResult,
} from '../src/load-generator.js';
import { closeServers, echo, serve } from './echo-servers.js';

/** What both generators offer: LoadGenerator and NativeLoadGenerator. */
interface Generator {
  pingPong(target: Target, options: PingPongOptions): Promise<WorkloadResult>;
  connectionRate(target: Target, options: ConnectionRateOptions): Promise<WorkloadResult>;
}

const timing = { warmupMs: 20, windowMs: 200, windows: 2, rampTimeoutMs: 3_000 };

/** Registers the Unix-socket cases for one generator. */
export function unixSocketCases(name: string, generator: () => Generator): void {
  describe(`${name} over a Unix socket`, () => {
    it('ping-pongs with a Node echo server on a socket file, every echo verified', async () => {
      const target = await serve(echo, 'unix');
      expect(target).toHaveProperty('path');
      const result = await generator().pingPong(target, { connections: 10, ...timing });
      expect(result).toMatchObject({ opened: 10, served: 10, errors: 0, corruption: null });
      for (const w of result.windows) {
        expect(w.messages).toBeGreaterThan(0);
        expect(w.bytes).toBe(w.messages * 64);
      }
    });

    it('counts connect → exchange → close cycles on a socket file', async () => {
      const target = await serve(echo, 'unix');
      const result = await generator().connectionRate(target, { concurrency: 3, ...timing });
      expect(result).toMatchObject({ corruption: null, errors: 0 });
      expect(result.windows.reduce((sum, w) => sum + w.cycles, 0)).toBeGreaterThan(0);
    });

    it('counts a path with no server as errors (ENOENT) and stops by itself', async () => {
      const { path } = (await serve(echo, 'unix')) as { path: string };
      await closeServers(); // removes the file and its folder
      const result = await generator().pingPong(
        { path },
        { connections: 3, ...timing, rampTimeoutMs: 300 },
      );
      expect(result).toMatchObject({ opened: 0, served: 0, errors: 3, firstError: 'ENOENT' });
    });
  });
}
