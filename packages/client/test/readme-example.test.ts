// The README's SDK example, copied out into an .mjs file and run by Node as
// a user would run it: it must parse and work on every supported Node.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { afterEach, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

it('runs the README SDK example as an .mjs file', async () => {
  const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
  const example = /## SDK\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toContain("from '@iomodels/client'");
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write(IVR_GREETING);
    socket.on('data', () => socket.write(IVR_OPERATOR));
  });
  cleanup.push(() => void server.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  // A consumer's folder: the example and a node_modules that holds this package.
  const dir = await mkdtemp(join(tmpdir(), 'iomodels-readme-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await symlink(join(packageDir, '..', '..', 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'example.mjs'), example!.replace('port: 8009', `port: ${port}`));
  const child = spawn(process.execPath, ['example.mjs'], { cwd: dir, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(output).toBe(`${IVR_GREETING}\n${IVR_OPERATOR}\n`);
  expect(code).toBe(0);
});
