// TLS for the models that serve it (multiplex, async): the IVR dialogue over
// a TLS session, with a self-signed certificate made for the run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { connect } from '@iomodels/client';
import {
  type BaseServer,
  IVR_EXIT,
  IVR_GREETING,
  IVR_OPERATOR,
  type ServerOptions,
  UsageError,
} from '@iomodels/contract';
import { describe, expect, it } from 'vitest';
import { recvText, recvUntilClosed } from './wire.js';

/** A certificate and key for 127.0.0.1, ::1 and localhost, or why none could be made. */
export type TestCertificate = { cert: Buffer; key: Buffer } | { skip: string };

/**
 * A self-signed certificate made with `openssl` (Node cannot sign X.509
 * itself) in a temporary folder; `{ skip }` says why when openssl is absent.
 */
export function testCertificate(): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'iomodels-tls-'));
  try {
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
        ...['-keyout', key, '-out', cert, '-subj', '/CN=localhost'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost'],
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(cert), key: readFileSync(key) };
  } catch (error) {
    return {
      skip: `no test certificate: openssl failed or is absent (${(error as Error).message})`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The IVR dialogue over TLS against `create`'s server; skipped, with the reason, without openssl. */
export function describeTlsDialogue(
  name: string,
  create: (options: ServerOptions) => BaseServer,
): void {
  const certificate = testCertificate();
  const skip = 'skip' in certificate ? certificate.skip : undefined;
  describe.skipIf(skip !== undefined)(`${name} over TLS${skip ? ` (${skip})` : ''}`, () => {
    it('serves the IVR dialogue to a client that verifies the certificate', async () => {
      if ('skip' in certificate) return;
      await using server = create({ port: 0, tls: certificate });
      const { port } = await server.listen();
      await using client = await connect({ port, tls: { ca: certificate.cert } });
      expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
      await client.sendall('0');
      expect(await recvText(client, IVR_OPERATOR)).toBe(IVR_OPERATOR);
      await client.sendall(IVR_EXIT);
      expect((await recvUntilClosed(client)).data.length).toBe(0);
      await server.close();
      expect(server.stats()).toMatchObject({ accepted: 1, completed: 1, failed: 0 });
    });

    it('drops a plain-TCP client that does not speak TLS, and keeps serving', async () => {
      if ('skip' in certificate) return;
      await using server = create({ port: 0, tls: certificate });
      const { port } = await server.listen();
      await using plain = await connect({ port });
      await plain.sendall('GET / HTTP/1.0\r\n\r\n');
      expect((await recvUntilClosed(plain)).data.length).toBe(0);
      await using client = await connect({ port, tls: { ca: certificate.cert } });
      expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
    });

    it('receives a PROXY header in clear, then the TLS handshake (HAProxy send-proxy)', async () => {
      if ('skip' in certificate) return;
      const proxyProtocol = { version: 'v1', allow: '127.0.0.1' } as const;
      await using server = create({ port: 0, tls: certificate, proxyProtocol });
      const { port } = await server.listen();
      const raw = net.connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve, reject) => {
        raw.once('connect', resolve).once('error', reject);
      });
      raw.write(`PROXY TCP4 10.1.2.3 127.0.0.1 40000 ${port}\r\n`);
      const secure = tls.connect({ socket: raw, ca: certificate.cert, servername: 'localhost' });
      const greeting = await new Promise<string>((resolve, reject) => {
        let bytes = Buffer.alloc(0);
        const text = () => bytes.toString('utf8');
        secure.on('data', (chunk: Buffer) => {
          bytes = Buffer.concat([bytes, chunk]);
          if (bytes.length >= Buffer.byteLength(IVR_GREETING)) resolve(text());
        });
        secure.once('error', reject);
        secure.once('close', () => resolve(text()));
      });
      secure.destroy();
      expect(greeting).toBe(IVR_GREETING);
      expect(server.stats()).toMatchObject({ proxyRefused: 0 });
    });
  });
}

/** A model that reads raw descriptors refuses `tls` at `listen()`, saying why. */
export async function expectTlsRefused(server: BaseServer): Promise<void> {
  const error = await server.listen().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(UsageError.isInstance(error)).toBe(true);
  expect((error as Error).message).toMatch(/cannot serve TLS: .*terminate TLS in front/);
}
