// --tls-cert/--tls-key through the bin (built), with `iomodels-client --tls --ca` as the peer.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCertificate } from '@iomodels/conformance';
import { IVR_OPERATOR } from '@iomodels/contract';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/iomodels-multiplex.js', import.meta.url));
const clientBin = createRequire(import.meta.url).resolve('@iomodels/client/package.json');
const clientCli = path.join(path.dirname(clientBin), 'bin', 'iomodels-client.js');
const certificate = testCertificate();
const skip = 'skip' in certificate ? certificate.skip : undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'iomodels-tls-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip !== undefined)(`the bins over TLS${skip ? ` (${skip})` : ''}`, () => {
  it('iomodels-multiplex --tls-cert/--tls-key serves iomodels-client --tls --ca', async () => {
    if ('skip' in certificate) return;
    const [certFile, keyFile] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    writeFileSync(certFile, certificate.cert);
    writeFileSync(keyFile, certificate.key);
    const server = spawn(process.execPath, [
      ...[bin, '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile],
    ]);
    try {
      let stdout = '';
      server.stdout.on('data', (d) => {
        stdout += d;
      });
      const deadline = Date.now() + 20_000;
      while (!/listening on/.test(stdout) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const port = /127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
      expect(port).toBeDefined();
      const dialogue = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const client = execFile(
          process.execPath,
          [clientCli, '--port', port!, '--tls', '--ca', certFile],
          (error, out) => resolve({ code: error ? (error.code as number) : 0, out }),
        );
        client.stdin?.end('0\nexit\n');
      });
      expect(dialogue.out).toContain(IVR_OPERATOR);
      expect(dialogue.code).toBe(0);
      // Without --ca the self-signed certificate is not trusted: one line, exit 1.
      const refused = await new Promise<{ code: number | null; err: string }>((resolve) => {
        execFile(process.execPath, [clientCli, '--port', port!, '--tls'], (error, _out, err) =>
          resolve({ code: error ? (error.code as number) : 0, err }),
        );
      });
      expect(refused.code).toBe(1);
      // One line; Node 24 appends a hint about --use-system-ca to OpenSSL's reason.
      expect(refused.err).toMatch(
        new RegExp(
          `^iomodels-client: cannot connect to 127\\.0\\.0\\.1:${port}: self-signed certificate[^\\n]*\\n$`,
        ),
      );
    } finally {
      server.kill('SIGKILL');
    }
  });
});
