// The seed's ThreadingTCPServer 10086 server, line by line: a handler class
// with `handle`, and `ThreadingTCPServer(('127.0.0.1',8009),MyServer)`.
// `npm run seed -- threading-server`
import { ThreadingTCPServer } from '@iomodels/blocking';
import { BaseRequestHandler, type BlockingConnection } from '@iomodels/contract';
import { announce, isMain, seedPort } from './seed-program.js';

// Python's str is bytes on the wire; here bytes are decoded explicitly.
const decoder = new TextDecoder();

/**
 * The seed's `MyServer(SocketServer.BaseRequestHandler)`. Typed with
 * `BlockingConnection`: `recv` is a real blocking read(2) in the worker
 * thread (or child process) serving this connection, as in Python.
 */
export class MyServer extends BaseRequestHandler<BlockingConnection> {
  handle(): void {
    // print self.request,self.client_address,self.server
    const conn = this.request;
    conn.sendall('欢迎致电 10086,请输入1xxx,0转人工服务.');
    let Flag = true;
    while (Flag) {
      const data = decoder.decode(conn.recv(1024));
      // Python 2 would answer a closed peer ('') with '请重新输入.' until
      // sendall raised; we stop at end of stream instead.
      if (data === 'exit' || data === '') {
        Flag = false;
      } else if (data === '0') {
        conn.sendall('通过可能会被录音.balabala一大推');
      } else {
        conn.sendall('请重新输入.');
      }
    }
  }
}

/**
 * Python passes the class; a thread loads it here from its module (a class
 * cannot cross to another thread), so the server is given where to find it.
 */
export const MY_SERVER = { module: import.meta.url, export: 'MyServer' };

async function main(): Promise<void> {
  const server = new ThreadingTCPServer(MY_SERVER, { host: '127.0.0.1', port: seedPort(8009) });
  announce(await server.listen());
  await server.serveForever();
}

// `if __name__ == '__main__'`. Not a top-level await: the server imports this
// very module for `MyServer`, and that import would wait for itself.
if (isMain(import.meta.url)) void main();
