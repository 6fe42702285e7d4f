// The behaviour suite every server runs, like Twisted's ReactorBuilder: one
// function registers the same tests for any way of starting a server.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, connect } from '@iomodels/client';
import {
  AddressInUseError,
  type BaseServer,
  ConnectionRefusedError,
  ConnectionResetError,
  type HandlerReference,
  type HandlerSpec,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  type ServerOptions,
} from '@iomodels/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHURN_TESTS, describeChurnCase } from './churn-case.js';
import { CONCURRENT_RECV_TEST, concurrentRecvCase } from './concurrent-recv-case.js';
import type { ConformanceSuite } from './conformance-suite.js';
import { IDLE_TIMEOUT_TEST, idleTimeoutCase } from './idle-timeout-case.js';
import { PROXY_PROTOCOL_TESTS, proxyProtocolCase } from './proxy-protocol-case.js';
import { describeShutdownSignalCase, SHUTDOWN_SIGNAL_TESTS } from './shutdown-signal-case.js';
import { testCertificate } from './tls-case.js';
import { recvText, recvUntilClosed, seededRandom, waitFor } from './wire.js';

/**
 * Behaviour a model may truly lack; the suite skips its tests and prints the reason.
 * `closeWhileReading`: `close()` can end a connection whose handler waits for input.
 * `idleTimeout`: the model enforces `idleTimeout`. `concurrentRecv`: two `recv`s can be pending.
 */
export type ConformanceCapability =
  | 'closeWhileReading'
  | 'concurrency'
  | 'ipv6'
  | 'maxConnections'
  | 'idleTimeout'
  | 'concurrentRecv';

/**
 * A stream transport the suite runs over: TCP on loopback, a Unix socket
 * file, or TLS over loopback TCP (only for models that serve TLS; opt in).
 */
export type ConformanceTransport = 'tcp' | 'unix' | 'tls';

/** How the suite starts a server of the model under test. */
export interface ConformanceTarget {
  /** Builds a server with this handler and these options, listening; the suite closes it. */
  start(handler: HandlerSpec, options: ServerOptions): Promise<BaseServer>;
  /** Capabilities the model lacks, each with the reason. */
  skip?: Partial<Record<ConformanceCapability, string>>;
  /** The transports the suite runs over; default TCP and Unix stream sockets (`tls` only on request). */
  transports?: readonly ConformanceTransport[];
  /**
   * Names of tests expected to FAIL (`it.fails`): only for proving the suite
   * catches a deliberately broken server.
   */
  expectFailures?: readonly string[];
}

/** The tests by name, so `expectFailures` can name them. */
export const CONFORMANCE_TESTS = {
  ivr: 'ivr: greets and answers the seed dialogue byte-exact',
  newlines: 'ivr: ignores trailing newlines and answers each line of a chunk in order',
  bulkEcho: 'echo: 4 MiB in random chunks comes back bit-exact',
  concurrency: 'serves 50 concurrent clients, nothing lost or mixed',
  halfClose: 'half-close: the handler sees end of stream, finishes and closes',
  reset: 'a client reset mid-dialogue does not stop the server',
  throwing: 'a throwing handler closes its connection, reaches handleError, and the server goes on',
  verify: 'verifyRequest returning false closes the connection at once',
  maxConnections: 'maxConnections refuses connections past the cap',
  graceful: 'graceful shutdown waits for an active handler, then releases the port',
  closeSilent: 'close() ends a silent connection with FIN after the grace period',
  portInUse: 'listening on a port in use fails with AddressInUseError',
  ipv6: 'serves IPv6 loopback ::1',
  ...CHURN_TESTS,
  ...SHUTDOWN_SIGNAL_TESTS,
  ...PROXY_PROTOCOL_TESTS,
  idleTimeout: IDLE_TIMEOUT_TEST,
  concurrentRecv: CONCURRENT_RECV_TEST,
} as const;

/** Where the suite's own handlers live, as a file another thread or process can load. */
const handlersModule = new URL(
  import.meta.url.endsWith('.ts') ? '../dist/handlers.js' : './handlers.js',
  import.meta.url,
);

/** A reference to one of the suite's handlers (see handlers.ts). */
export function conformanceHandler(
  name:
    | 'ThrowingHandler'
    | 'OneExchangeHandler'
    | 'GoodbyeOnShutdownHandler'
    | 'ConcurrentRecvHandler'
    | 'AddressHandler'
    | 'ThrowingDatagramHandler'
    | 'SleepDatagramHandler',
): HandlerReference {
  return { module: handlersModule, export: name };
}

/** Path of the built handlers file; thread and process models need it built. */
export const conformanceHandlersPath = fileURLToPath(handlersModule);

const LOOPBACK: ServerOptions = { host: '127.0.0.1', port: 0 };

/** Tests that are about TCP itself, skipped over Unix sockets, with the reason. */
const UNIX_SKIPS: Partial<Record<keyof typeof CONFORMANCE_TESTS, string>> = {
  ipv6: 'IPv6 loopback is a TCP matter',
  churn:
    'the churn dials a TCP port, ends connections with RST and counts TCP sockets; a Unix socket has no RST',
};

/** Why the PROXY cases do not run over TLS here: the header goes in clear before the handshake. */
const PROXY_OVER_TLS =
  "the header goes in clear before the TLS handshake, and this suite's client starts with the handshake; tls-case.ts covers PROXY then TLS";

/** Tests that cannot apply through a TLS session, with the reason. */
const TLS_SKIPS: Partial<Record<keyof typeof CONFORMANCE_TESTS, string>> = {
  churn:
    'the churn speaks plain TCP (its RST via SO_LINGER and its half-dialogues are raw bytes, not TLS records)',
  proxyAddress: PROXY_OVER_TLS,
  proxyLocal: PROXY_OVER_TLS,
  proxyRefused: PROXY_OVER_TLS,
};

/**
 * Registers the conformance suite for one model (or mode) under
 * `describe(name)`, once per transport: TCP (`conformance: NAME`), Unix
 * sockets (`conformance: NAME over unix`) and, where the target asks for it,
 * TLS (`conformance: NAME over tls`, a certificate made for the run with
 * `openssl`; every test skipped with the reason where it cannot be made).
 */
export function describeConformance(name: string, target: ConformanceTarget): void {
  for (const transport of target.transports ?? ['tcp', 'unix']) {
    describeOver(transport, name, target);
  }
}

function describeOver(
  transport: ConformanceTransport,
  name: string,
  target: ConformanceTarget,
): void {
  const unix = transport === 'unix';
  const certificate = transport === 'tls' ? testCertificate() : undefined;
  const noCertificate = certificate && 'skip' in certificate ? certificate.skip : undefined;
  const secure = certificate && !('skip' in certificate) ? certificate : undefined;
  const skips = unix ? UNIX_SKIPS : certificate ? TLS_SKIPS : {};
  describe(`conformance: ${name}${transport === 'tcp' ? '' : ` over ${transport}`}`, () => {
    const servers: BaseServer[] = [];
    const clients: Client[] = [];
    const expectedToFail = new Set(target.expectFailures ?? []);
    // Unix socket files live in a directory of the suite's own, removed after.
    let socketDir = '';
    let sockets = 0;

    beforeAll(() => {
      if (unix) socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-conformance-'));
    });

    afterAll(() => {
      if (unix) fs.rmSync(socketDir, { recursive: true, force: true });
    });

    /** Where a fresh server listens: loopback port 0, or a new socket file. */
    function where(): ServerOptions {
      return unix ? { listen: `unix:${path.join(socketDir, `s${++sockets}.sock`)}` } : LOOPBACK;
    }

    async function start(
      handler: HandlerSpec,
      options: ServerOptions = {},
      at: ServerOptions = where(),
    ): Promise<BaseServer> {
      // Handler errors the tests provoke (resets, throws) are expected; keep them off the console.
      const quiet = { log: () => {} };
      const server = await target.start(handler, {
        ...at,
        ...quiet,
        ...(secure ? { tls: secure } : {}),
        shutdownGrace: 1000,
        ...options,
      });
      servers.push(server);
      return server;
    }

    async function dial(server: BaseServer, host = server.address.host): Promise<Client> {
      const { address } = server;
      const client = await connect(
        address.family === 'unix'
          ? { path: address.path, timeout: 20_000 }
          : {
              host,
              port: address.port,
              timeout: 20_000,
              ...(secure ? { tls: { ca: secure.cert } } : {}),
            },
      );
      clients.push(client);
      return client;
    }

    /**
     * Connects and reads until the server hangs up; resolves with what it
     * said. Over TLS a server that closes before reading cuts the handshake
     * short, so the connect itself fails with a reset: closed, nothing said.
     */
    async function dialUntilClosed(server: BaseServer): Promise<Uint8Array> {
      const client = await dial(server).catch((error: unknown) => {
        if (secure && ConnectionResetError.isInstance(error)) return undefined;
        throw error;
      });
      return client ? (await recvUntilClosed(client)).data : new Uint8Array();
    }

    afterEach(async () => {
      for (const client of clients.splice(0)) client.abort();
      await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 500 })));
    });

    function test(
      key: keyof typeof CONFORMANCE_TESTS,
      body: () => Promise<void>,
      capability?: ConformanceCapability,
    ): void {
      const title = CONFORMANCE_TESTS[key];
      const reason =
        noCertificate ?? skips[key] ?? (capability ? target.skip?.[capability] : undefined);
      if (reason !== undefined) {
        it.skip(`${title} (skipped: ${reason})`, body);
      } else if (expectedToFail.has(title)) {
        it.fails(`${title} (expected to fail on this server)`, body);
      } else {
        it(title, body);
      }
    }

    test('ivr', async () => {
      const server = await start('ivr');
      const client = await dial(server);
      expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
      await client.sendall('0');
      expect(await recvText(client, IVR_OPERATOR)).toBe(IVR_OPERATOR);
      await client.sendall('1234');
      expect(await recvText(client, IVR_RETRY)).toBe(IVR_RETRY);
      await client.sendall('exit');
      const { data, end } = await recvUntilClosed(client);
      expect(data.length).toBe(0);
      expect(end).toBe('eof');
    });

    test('newlines', async () => {
      const server = await start('ivr');
      const client = await dial(server);
      await recvText(client, IVR_GREETING);
      await client.sendall('0\r\n');
      expect(await recvText(client, IVR_OPERATOR)).toBe(IVR_OPERATOR);
      await client.sendall('1\n0\n');
      const both = IVR_RETRY + IVR_OPERATOR;
      expect(await recvText(client, both)).toBe(both);
      await client.sendall('exit\n');
      expect((await recvUntilClosed(client)).data.length).toBe(0);
    });

    test('bulkEcho', async () => {
      const server = await start('echo');
      const client = await dial(server);
      const payload = randomBytes(4 * 1024 * 1024);
      const random = seededRandom(0x10086);
      const writing = (async () => {
        for (let offset = 0; offset < payload.length; ) {
          const size = 1 + Math.floor(random() * 65536);
          await client.sendall(payload.subarray(offset, offset + size));
          offset += size;
        }
        client.shutdownWrite();
      })();
      const [, echoed] = await Promise.all([writing, recvUntilClosed(client)]);
      expect(echoed.end).toBe('eof');
      expect(echoed.data.length).toBe(payload.length);
      expect(Buffer.compare(echoed.data, payload)).toBe(0);
    });

    test(
      'concurrency',
      async () => {
        const server = await start('echo');
        const talkers = Array.from({ length: 50 }, async (_, i) => {
          const client = await dial(server);
          for (let j = 0; j < 20; j++) {
            const message = `client ${i} message ${j} ${'.'.repeat((i * 7 + j) % 50)}`;
            await client.sendall(message);
            expect(await recvText(client, message)).toBe(message);
          }
          client.shutdownWrite();
          expect((await recvUntilClosed(client)).data.length).toBe(0);
        });
        await Promise.all(talkers);
        await waitFor(() => server.stats().completed >= 50, '50 completed requests');
        expect(server.stats().failed).toBe(0);
      },
      'concurrency',
    );

    test('halfClose', async () => {
      const server = await start('echo');
      const client = await dial(server);
      await client.sendall('last words');
      client.shutdownWrite();
      const { data, end } = await recvUntilClosed(client);
      expect(new TextDecoder().decode(data)).toBe('last words');
      expect(end).toBe('eof');
      await waitFor(() => server.stats().completed === 1, 'the request to complete');
    });

    test('reset', async () => {
      // Over Unix there is no RST: abort() closes, a client vanishing mid-dialogue all the same.
      const server = await start('ivr');
      const rude = await dial(server);
      await recvText(rude, IVR_GREETING);
      await rude.sendall('0');
      rude.abort();
      await waitFor(() => server.stats().active === 0, 'the reset connection to be released');
      const polite = await dial(server);
      expect(await recvText(polite, IVR_GREETING)).toBe(IVR_GREETING);
      await polite.sendall('0');
      expect(await recvText(polite, IVR_OPERATOR)).toBe(IVR_OPERATOR);
    });

    test('throwing', async () => {
      const server = await start(conformanceHandler('ThrowingHandler'));
      const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
      const client = await dial(server);
      expect(await recvText(client, 'ready')).toBe('ready');
      await client.sendall('boom');
      const { data } = await recvUntilClosed(client);
      expect(data.length).toBe(0);
      await waitFor(() => handleError.mock.calls.length > 0, 'handleError to be called');
      const [error, address] = handleError.mock.calls[0]!;
      expect(String((error as Error)?.message ?? error)).toContain(
        'failed on purpose after "boom"',
      );
      // The client's own end, as the server saw it (a Unix client's end is unnamed).
      if (unix) expect(address).toEqual({ family: 'unix', path: '', host: '', port: 0 });
      else expect(address.port).toBe(client.local.port);
      await waitFor(() => server.stats().failed === 1, 'the failure to be counted');
      const next = await dial(server);
      expect(await recvText(next, 'ready')).toBe('ready');
    });

    test('verify', async () => {
      const server = await start('ivr');
      server.verifyRequest = () => false;
      expect((await dialUntilClosed(server)).length).toBe(0);
      expect(server.stats().refused).toBe(1);
      server.verifyRequest = () => true;
      const welcome = await dial(server);
      expect(await recvText(welcome, IVR_GREETING)).toBe(IVR_GREETING);
    });

    test(
      'maxConnections',
      async () => {
        const server = await start(conformanceHandler('OneExchangeHandler'), { maxConnections: 1 });
        const first = await dial(server);
        expect(await recvText(first, 'ready')).toBe('ready');
        expect((await dialUntilClosed(server)).length).toBe(0);
        expect(server.stats().refused).toBe(1);
        await first.sendall('go');
        expect(await recvText(first, 'done:go')).toBe('done:go');
      },
      'maxConnections',
    );

    test('graceful', async () => {
      const server = await start(conformanceHandler('OneExchangeHandler'));
      const { address } = server;
      const client = await dial(server);
      expect(await recvText(client, 'ready')).toBe('ready');
      let closed = false;
      const closing = server.close({ timeout: 20_000 }).finally(() => {
        closed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toBe(false); // the handler is waiting for us; close must wait for it
      await client.sendall('go');
      expect(await recvText(client, 'done:go')).toBe('done:go');
      expect((await recvUntilClosed(client)).data.length).toBe(0);
      const report = await closing;
      expect(report).toMatchObject({ completed: 1, interrupted: 0, aborted: 0, abandoned: 0 });
      const target =
        address.family === 'unix'
          ? { path: address.path }
          : { host: address.host, port: address.port };
      await expect(connect({ ...target, timeout: 5000 })).rejects.toSatisfy((error) =>
        ConnectionRefusedError.isInstance(error),
      );
      if (address.family === 'unix') {
        // The socket file went with the server: the path is free for the next one.
        expect(fs.existsSync(address.path)).toBe(false);
      } else {
        await expect(listenOn(address.host, address.port)).resolves.toBe(address.port);
      }
    });

    test(
      'closeSilent',
      async () => {
        const server = await start('ivr');
        const client = await dial(server);
        await recvText(client, IVR_GREETING);
        const ended = recvUntilClosed(client);
        const report = await server.close({ timeout: 100 });
        expect(report.completed + report.interrupted).toBe(1);
        expect(report.aborted).toBe(0);
        expect((await ended).data.length).toBe(0);
      },
      'closeWhileReading',
    );

    test('portInUse', async () => {
      const first = await start('ivr');
      const { address } = first;
      // Over Unix: the same socket file, which a live server holds.
      const again: ServerOptions =
        address.family === 'unix'
          ? { listen: `unix:${address.path}` }
          : { ...LOOPBACK, port: address.port };
      const error = await start('ivr', {}, again).catch((e: unknown) => e);
      expect(AddressInUseError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(
        address.family === 'unix' ? address.path : String(address.port),
      );
    });

    test(
      'ipv6',
      async () => {
        if (!(await hasIpv6Loopback())) {
          console.warn('conformance: ::1 is not available on this machine; IPv6 test not run');
          return;
        }
        const server = await start('ivr', {}, { host: '::1', port: 0 });
        expect(server.address.family).toBe('IPv6');
        const client = await dial(server, '::1');
        expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
        await client.sendall('0');
        expect(await recvText(client, IVR_OPERATOR)).toBe(IVR_OPERATOR);
      },
      'ipv6',
    );

    // Cases in files of their own, registered through the same suite.
    const suite: ConformanceSuite = { target, transport, start, dial, test };
    idleTimeoutCase(suite);
    concurrentRecvCase(suite);
    describeChurnCase(suite);
    describeShutdownSignalCase(suite);
    proxyProtocolCase(suite);
  });
}

/** Binds and releases a port, proving it is free. */
function listenOn(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port }, () => {
      const bound = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(bound));
    });
  });
}

async function hasIpv6Loopback(): Promise<boolean> {
  try {
    await listenOn('::1', 0);
    return true;
  } catch {
    return false;
  }
}
