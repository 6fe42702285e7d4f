import { describe, expect, it } from 'vitest';
import { BaseRequestHandler } from './base-request-handler.js';
import { IdleTimeoutError } from './errors.js';
import { runRequest, serveRequest } from './run-request.js';
import { connectionPair, testServerInfo } from './testing/index.js';

const signal = new AbortController().signal;

describe('runRequest', () => {
  it('runs setup, handle and finish in order and closes the connection', async () => {
    const calls: string[] = [];
    class Ordered extends BaseRequestHandler {
      override setup() {
        calls.push('setup');
      }
      async handle() {
        calls.push('handle');
      }
      override finish() {
        calls.push('finish');
      }
    }
    const [conn] = connectionPair();
    expect(await runRequest(Ordered, conn, testServerInfo(), signal, () => {})).toBe('completed');
    expect(calls).toEqual(['setup', 'handle', 'finish']);
    expect(conn.closed).toBe(true);
  });

  it('ends only once released() settles, after the close, with the outcome unchanged', async () => {
    class Quick extends BaseRequestHandler {
      async handle() {}
    }
    const [conn] = connectionPair();
    let release!: () => void;
    const seen: boolean[] = [];
    const released = (connection: typeof conn) => {
      seen.push(connection.closed);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    let ended = false;
    const run = runRequest(Quick, conn, testServerInfo(), signal, () => {}, released as never).then(
      (outcome) => {
        ended = true;
        return outcome;
      },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([true]);
    expect(ended).toBe(false);
    release();
    expect(await run).toBe('completed');
  });

  it('runs finish after handle throws, reports the error with the client address, and closes', async () => {
    const calls: string[] = [];
    const errors: unknown[] = [];
    class Throws extends BaseRequestHandler {
      handle() {
        throw new Error('boom');
      }
      override finish() {
        calls.push('finish');
      }
    }
    const [conn] = connectionPair();
    const outcome = await runRequest(Throws, conn, testServerInfo(), signal, (error, address) => {
      errors.push(error, address);
    });
    expect(outcome).toBe('failed');
    expect(calls).toEqual(['finish']);
    expect((errors[0] as Error).message).toBe('boom');
    expect(errors[1]).toEqual(conn.remote);
    expect(conn.closed).toBe(true);
  });

  it('skips handle and finish when setup throws, as Python does', async () => {
    const calls: string[] = [];
    class BadSetup extends BaseRequestHandler {
      override setup() {
        throw new Error('no');
      }
      handle() {
        calls.push('handle');
      }
      override finish() {
        calls.push('finish');
      }
    }
    const outcome = await runRequest(
      BadSetup,
      connectionPair()[0],
      testServerInfo(),
      signal,
      () => {},
    );
    expect(outcome).toBe('failed');
    expect(calls).toEqual([]);
  });

  it('survives an error sink that throws', async () => {
    class Throws extends BaseRequestHandler {
      handle() {
        throw new Error('boom');
      }
    }
    const outcome = await runRequest(Throws, connectionPair()[0], testServerInfo(), signal, () => {
      throw new Error('sink');
    });
    expect(outcome).toBe('failed');
  });

  it('counts a request ended by the idle timeout as timedOut, without reporting it as an error', async () => {
    const errors: unknown[] = [];
    class Waits extends BaseRequestHandler {
      async handle() {
        throw new IdleTimeoutError(50); // what a model's recv rejects with
      }
    }
    const [conn] = connectionPair();
    const outcome = await runRequest(Waits, conn, testServerInfo(), signal, (error) => {
      errors.push(error);
    });
    expect(outcome).toBe('timedOut');
    expect(errors).toEqual([]);
    expect(conn.closed).toBe(true);
  });

  it('serveRequest tells `ended` the outcome with its key before its own Promise settles', async () => {
    class Throws extends BaseRequestHandler {
      handle(): void {
        throw new Error('boom');
      }
    }
    const [conn] = connectionPair();
    const key = { name: 'task' };
    const seen: unknown[] = [];
    const ended = (k: typeof key, outcome: string) => seen.push(k, outcome);
    const runner = {
      handlerClass: Throws,
      server: testServerInfo(),
      signal,
      onError: () => {},
      ended,
    };
    const run = serveRequest(runner, conn, key);
    expect(seen).toEqual([]);
    const outcome = await run;
    expect(outcome).toBe('failed');
    expect(seen[0]).toBe(key);
    expect(seen[1]).toBe('failed');
  });
});
