// The seed's "源码精简" (the stripped-down source): what ThreadingTCPServer
// does inside — select() on the listening socket with a 1 s timeout, accept,
// and a real thread per connection that blocks in read(2).
// `npm run seed -- select-thread`
import { once } from 'node:events';
import net from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DescriptorConnection } from '@iomodels/blocking';
import { type Address, fromAddressInfo, toAddress } from '@iomodels/contract';
import { descriptorOf, setBlocking } from '@iomodels/fd';
import { announce, isMain, seedPort } from './seed-program.js';

const decoder = new TextDecoder();

/** Python's `(host, port)` tuple, printed as Python prints it. */
function tuple({ host, port }: Address): string {
  return `('${host}', ${port})`;
}

/** Python's `print request`: the socket's repr (Python 3's shape, trimmed). */
function repr(request: DescriptorConnection): string {
  return `<socket fd=${request.fileno()}, laddr=${tuple(request.local)}, raddr=${tuple(request.remote)}>`;
}

/** The seed's `process(request, client_address)`, run in its own thread (`process` is Node's global). */
function process_(request: DescriptorConnection, client_address: Address): void {
  console.log(repr(request), tuple(client_address));
  const conn = request;
  conn.sendall('欢迎致电 10086,请输入1xxx,0转人工服务.');
  let flag = true;
  while (flag) {
    // A real blocking read(2): this thread sleeps in the kernel until the peer sends.
    const data = decoder.decode(conn.recv(1024));
    // Python 2 would answer a closed peer ('') with '请重新输入.' until
    // sendall raised; we stop at end of stream instead.
    if (data === 'exit' || data === '') {
      flag = false;
    } else if (data === '0') {
      conn.sendall('通过可能会被录音.balabala一大推');
    } else {
      conn.sendall('请重新输入.');
    }
  }
}

/** What the main thread hands a new thread: the descriptor and both ends' addresses. */
interface ThreadArgs {
  fd: number;
  local: Address;
  remote: Address;
}

// ---- select.select([sk], [], [], 1) on Node -------------------------------
// Node has no select() for JavaScript; libuv already waits on the listening
// socket with epoll (kqueue on macOS), and when it reports the socket
// readable, libuv accept()s and Node emits 'connection'. `pauseOnConnect`
// keeps libuv from reading the accepted socket, so its descriptor is ours.
// So "readable" here is "a connection has been taken off the listen queue
// and waits in `#ready`", and the wait is a race between the next
// 'connection' and a 1 s timer — the same outcome as select's, one step later.

/** A listening socket whose readiness can be waited on, select-style. */
class Listener {
  readonly server = net.createServer({ pauseOnConnect: true });
  readonly #ready: net.Socket[] = [];
  #wake: (() => void) | undefined;

  constructor() {
    this.server.on('connection', (socket) => {
      socket.on('error', () => {}); // a reset before accept() must not crash the loop
      this.#ready.push(socket);
      this.#wake?.();
    });
  }

  get readable(): boolean {
    return this.#ready.length > 0;
  }

  /** Resolves when readable, or after `timeout` seconds. */
  waitReadable(timeout: number): Promise<void> {
    if (this.readable) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), timeout * 1000);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  /** `sk.accept()`: the next connection, its descriptor switched to blocking for read(2). */
  accept(): [net.Socket, Address] {
    const request = this.#ready.shift();
    if (!request) throw new Error('accept() on a listener that is not readable');
    setBlocking(request, true);
    return [request, toAddress(request.remoteAddress, request.remotePort, request.remoteFamily)];
  }
}

/** `select.select(rlist, [], [], timeout)` for listening sockets: those that are readable. */
async function select(rlist: Listener[], timeout: number): Promise<Listener[]> {
  if (!rlist.some((sk) => sk.readable)) {
    await Promise.race(rlist.map((sk) => sk.waitReadable(timeout)));
  }
  return rlist.filter((sk) => sk.readable);
}

// ---- the seed's main program ----------------------------------------------

if (isMain(import.meta.url)) {
  const sk = new Listener();
  sk.server.listen({ host: '127.0.0.1', port: seedPort(8002), backlog: 5 }); // bind + listen(5)
  await once(sk.server, 'listening');
  announce(fromAddressInfo(sk.server.address()));
  while (true) {
    const r = await select([sk], 1);
    console.log('looping');
    if (r.includes(sk)) {
      console.log('get request');
      const [request, client_address] = sk.accept();
      const args: ThreadArgs = {
        fd: descriptorOf(request),
        local: toAddress(request.localAddress, request.localPort, request.localFamily),
        remote: client_address,
      };
      // threading.Thread(target=process, args=(request, client_address)):
      // a worker thread runs this same file, below. t.daemon = False: a
      // Worker keeps the process alive until it ends. t.start(): it starts
      // as soon as it is created.
      const t = new Worker(new URL(import.meta.url), { workerData: args });
      // Python reports a thread's exception and carries on serving.
      t.on('error', (error) => console.error(`Exception in thread ${t.threadId}:`, error));
      // A FIN asked for by the thread: libuv shuts down on the thread that owns the socket.
      t.on('message', () => request.end());
      // Python closes the socket when the thread drops it; closed only
      // now, so the descriptor number cannot be reused under a live read.
      t.on('exit', () => request.destroy());
    }
  }
  // sk.close(): never reached, as in the seed (Ctrl-C ends the program).
} else if (!isMainThread) {
  // The thread's side: the descriptor, wrapped as a blocking socket object.
  const { fd, local, remote } = workerData as ThreadArgs;
  const request = new DescriptorConnection(fd, remote, local, Buffer.alloc(1024), {
    shutdownWrite: () => parentPort?.postMessage('shutdownWrite'),
  });
  process_(request, remote);
}
