// Pins each Node behaviour packages/fd relies on, on the runtime running the
// tests (CI: Node 20 and 24). If one of these fails on a new Node, the
// models that go below net.Socket are broken there.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ConnectionResetError, UnsupportedRuntimeError } from '@iomodels/contract';
import {
  checkRuntime,
  descriptorOf,
  probeRuntime,
  readDescriptor,
  sendSocket,
  setBlocking,
  tryRead,
  tryWrite,
  WOULD_BLOCK,
  writeAll,
} from '@iomodels/fd';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type SocketPair, socketPair, TRANSPORTS } from './socket-pair.js';

let pair: SocketPair | undefined;
afterEach(() => pair?.close());

describe.each(TRANSPORTS)('over %s', (transport) => {
  describe('the descriptor of a pauseOnConnect socket', () => {
    it('is a socket descriptor', async () => {
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      expect(Number.isInteger(fd)).toBe(true);
      expect(fs.fstatSync(fd).isSocket()).toBe(true);
    });

    it('passes the runtime check and the end-to-end probe', async () => {
      expect(() => checkRuntime()).not.toThrow();
      await expect(probeRuntime()).resolves.toBeUndefined();
    });

    it('probes in node:cluster workers that start at once, each with its own connection (--workers N)', async () => {
      // A shared listen(0) would give every worker the same port, and the
      // primary would hand one worker's probe connection to another.
      const child = fork(new URL('./fixtures/cluster-probe.mjs', import.meta.url), [], {
        execArgv: [],
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
      });
      await once(child, 'exit');
      expect(JSON.parse(out)).toEqual({ probed: 40, failures: [] });
    });

    it('names the missing internal when a socket has no handle', async () => {
      pair = await socketPair(transport);
      pair.server.destroy();
      expect(() => descriptorOf(pair!.server)).toThrow(UnsupportedRuntimeError);
      expect(() => descriptorOf(pair!.server)).toThrow(/socket\._handle/);
    });
  });

  describe('non-blocking reads and writes (O_NONBLOCK, as libuv leaves it)', () => {
    it('tryRead answers WOULD_BLOCK at once on an idle socket, then the data', async () => {
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      const buffer = Buffer.alloc(16);
      expect(tryRead(fd, buffer)).toBe(WOULD_BLOCK);
      pair.client.write('ping');
      let n = WOULD_BLOCK as number | typeof WOULD_BLOCK;
      await eventually(() => {
        n = tryRead(fd, buffer);
        return n !== WOULD_BLOCK;
      });
      expect(buffer.subarray(0, n as number).toString()).toBe('ping');
    });

    it('tryWrite fills the socket buffers of a peer that does not read, then WOULD_BLOCK', async () => {
      pair = await socketPair(transport);
      pair.client.pause();
      const fd = descriptorOf(pair.server);
      const chunk = Buffer.alloc(64 * 1024, 7);
      let written = 0;
      let result: number | typeof WOULD_BLOCK = 0;
      for (let i = 0; i < 10_000 && result !== WOULD_BLOCK; i++) {
        result = tryWrite(fd, chunk);
        if (result !== WOULD_BLOCK) written += result;
      }
      expect(result).toBe(WOULD_BLOCK);
      expect(written).toBeGreaterThan(0);
    });

    it('tryRead answers 0 at end of stream', async () => {
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      pair.client.end();
      let n = WOULD_BLOCK as number | typeof WOULD_BLOCK;
      await eventually(() => {
        n = tryRead(fd, Buffer.alloc(4));
        return n !== WOULD_BLOCK;
      });
      expect(n).toBe(0);
    });

    it('a reset peer throws ConnectionResetError', async (context) => {
      // A Unix socket has no RST: resetAndDestroy is a plain close there.
      if (transport === 'unix') context.skip();
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      pair.client.resetAndDestroy();
      let error: unknown;
      await eventually(() => {
        try {
          return tryRead(fd, Buffer.alloc(4)) !== WOULD_BLOCK;
        } catch (caught) {
          error = caught;
          return true;
        }
      });
      expect(ConnectionResetError.isInstance(error)).toBe(true);
    });
  });

  describe('blocking reads and writes (O_NONBLOCK cleared)', () => {
    it('setBlocking switches both ways: a blocking read waits for data, a non-blocking one does not', async () => {
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      setBlocking(pair.server, true);
      pair.client.write('hello');
      // The data is on its way: blocking reads on this thread return it (waiting if not yet there).
      const buffer = Buffer.alloc(16);
      let received = '';
      for (let i = 0; i < 5 && received.length < 5; i++) {
        const n = readDescriptor(fd, buffer);
        received += buffer.subarray(0, n).toString();
      }
      expect(received).toBe('hello');
      setBlocking(pair.server, false);
      expect(tryRead(fd, buffer)).toBe(WOULD_BLOCK);
    });

    it('a worker thread waits in read(2) while this thread keeps running timers', async () => {
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      setBlocking(pair.server, true);
      const worker = new Worker(
        `const fs = require('node:fs');
       const { parentPort, workerData } = require('node:worker_threads');
       parentPort.postMessage('reading');
       const buffer = Buffer.alloc(64);
       const n = fs.readSync(workerData, buffer, 0, 64, null);
       fs.writeSync(workerData, 'worker read ' + buffer.subarray(0, n));
       parentPort.postMessage('done');`,
        { eval: true, workerData: fd },
      );
      const messages: string[] = [];
      worker.on('message', (message: string) => messages.push(message));
      await eventually(() => messages.includes('reading'));
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      await eventually(() => ticks >= 20);
      clearInterval(timer);
      expect(messages).toEqual(['reading']);
      const reply = once(pair.client, 'data');
      pair.client.write('ping');
      expect(String((await reply)[0])).toBe('worker read ping');
      await once(worker, 'exit');
    });

    it('writeAll writes every byte of a large buffer to a slow reader', async () => {
      pair = await socketPair(transport);
      const fd = descriptorOf(pair.server);
      setBlocking(pair.server, true);
      const size = 4 * 1024 * 1024;
      const data = Buffer.alloc(size, 1);
      const worker = new Worker(
        `const fs = require('node:fs');
       const { workerData } = require('node:worker_threads');
       const data = Buffer.alloc(workerData.size, 1);
       let offset = 0;
       while (offset < data.length) offset += fs.writeSync(workerData.fd, data, offset);`,
        { eval: true, workerData: { fd, size } },
      );
      let received = 0;
      pair.client.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      await once(worker, 'exit');
      await eventually(() => received === size);
      // and on this thread, the function itself
      const reply = Buffer.alloc(1000, 2);
      writeAll(fd, reply);
      await eventually(() => received === size + reply.length);
      expect(data.length).toBe(size);
    });
  });

  describe('passing the descriptor to a child process', () => {
    it('the child gets a handle that is not reading; the parent keeps its copy', async () => {
      pair = await socketPair(transport);
      const child = fork(new URL('./fixtures/receive-handle.mjs', import.meta.url), [], {
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const report = once(child, 'message');
      sendSocket(child, { tag: 'request' }, pair.server);
      pair.client.write('over ipc');
      const reply = once(pair.client, 'data');
      expect(String((await reply)[0])).toBe('child read over ipc');
      expect((await report)[0]).toEqual({ tag: 'request', reading: false });
      // The child closed its copy; the parent's still holds the connection open.
      expect(pair.server.destroyed).toBe(false);
      expect(descriptorOf(pair.server)).toBeGreaterThanOrEqual(0);
      const ended = once(pair.client, 'end');
      pair.server.destroy();
      await ended;
      await once(child, 'exit');
    });
  });
});
