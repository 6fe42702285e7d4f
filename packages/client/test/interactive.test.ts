// The CLI on a (simulated) terminal: a message that arrives while the user
// is typing is printed above the prompt, and what was typed is kept.
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { runClientCli } from '../src/run-client-cli.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

it('prints an unsolicited message above the prompt without losing typed text', async () => {
  let peer!: net.Socket;
  const received: string[] = [];
  const connected = new Promise<void>((resolve) => {
    const server = net.createServer((socket) => {
      peer = socket;
      socket.on('error', () => {});
      socket.on('data', (d) => received.push(String(d)));
      socket.write('hello');
      resolve();
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
  });
  await new Promise((resolve) => servers[0]!.once('listening', resolve));
  const port = (servers[0]!.address() as net.AddressInfo).port;

  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (d) => {
    screen += d;
  });
  const until = async (text: string) => {
    while (!screen.includes(text)) await new Promise((resolve) => output.once('data', resolve));
  };
  const done = runClientCli(['--port', String(port)], {
    input,
    output,
    error: output,
    isTTY: true,
  });
  await connected;
  await until('please input:');
  input.write('12'); // typed, not yet entered
  await until('12');
  peer.write('news');
  await until('receive: news');
  const afterNews = screen.slice(screen.indexOf('receive: news'));
  expect(afterNews).toMatch(/receive: news\n[\s\S]*please input:12/);
  input.write('3\r');
  while (received.join('') !== '123') await new Promise((resolve) => peer.once('data', resolve));
  peer.write('ok');
  await until('receive: ok');
  input.write('exit\r');
  expect(await done).toBe(0);
  expect(received.join('')).toBe('123exit');
});

it('ends with 130 when Ctrl-C is typed at the prompt', async () => {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write('hello');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (d) => {
    screen += d;
  });
  const done = runClientCli(['--port', String(port)], {
    input,
    output,
    error: output,
    isTTY: true,
  });
  while (!screen.includes('please input:')) {
    await new Promise((resolve) => output.once('data', resolve));
  }
  input.write('\x03'); // what a terminal in raw mode sends for Ctrl-C
  expect(await done).toBe(130);
});
