"""Echo servers the bench measures next to the iomodels packages.

usage: echo_server.py MODE [--host H] [--port P | --listen unix:PATH] [--backlog N]
MODE: threading | forking (socketserver, the seed's own servers), asyncio, twisted.
Prints one line "listening on HOST:PORT (python/MODE)" (or "listening on
unix:PATH ...") like the model bins; SIGTERM/SIGINT stop it.

--listen unix:PATH serves the same echo on a Unix socket file, under each
library's own Unix server: socketserver's ThreadingUnixStreamServer and
ForkingUnixStreamServer (the latter is ForkingMixIn + UnixStreamServer, as
Python 3.12 defines it; built here for older Pythons), asyncio's
create_unix_server, Twisted's listenUNIX.

socketserver's defaults would measure its configuration, not its model: the
listen queue (request_queue_size = 5) refuses most of a burst of connections
and ForkingTCPServer.max_children = 40 stalls the 41st. Both are raised here,
and the bench README says so. The listen queue is --backlog (default 4096, what
the bench passes to every server); asyncio and Twisted get the same.
"""
import argparse
import signal
import sys

QUEUE = 4096


def announce(host, port, mode, path=None):
    where = f"{host}:{port}" if path is None else f"unix:{path}"
    sys.stdout.write(f"listening on {where} (python/{mode})\n")
    sys.stdout.flush()


def run_socketserver(mode, host, port, backlog, path, recv_into=False):
    import socketserver

    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                sock.sendall(data)

    class EchoInto(socketserver.BaseRequestHandler):
        """The same echo without new bytes per message: one buffer per connection."""

        def handle(self):
            sock = self.request
            buffer = bytearray(65536)
            view = memoryview(buffer)
            while True:
                n = sock.recv_into(buffer)
                if not n:
                    return
                sock.sendall(view[:n])

    if path is None:
        base = socketserver.ThreadingTCPServer if mode == "threading" else socketserver.ForkingTCPServer
    elif mode == "threading":
        base = socketserver.ThreadingUnixStreamServer
    else:
        base = getattr(socketserver, "ForkingUnixStreamServer", None) or type(
            "ForkingUnixStreamServer", (socketserver.ForkingMixIn, socketserver.UnixStreamServer), {}
        )

    class Server(base):
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = backlog
        max_children = 1_000_000
        block_on_close = False

    server = Server((host, port) if path is None else path, EchoInto if recv_into else Echo)
    announce(host, server.server_address[1], mode, path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.5)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


def run_asyncio(host, port, backlog, path):
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data)

    async def main():
        loop = asyncio.get_running_loop()
        if path is None:
            server = await loop.create_server(Echo, host, port, backlog=backlog, reuse_address=True)
            announce(host, server.sockets[0].getsockname()[1], "asyncio")
        else:
            server = await loop.create_unix_server(Echo, path, backlog=backlog)
            announce(host, port, "asyncio", path)
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set_result, None)
        await stop
        server.close()

    asyncio.run(main())


def run_twisted(host, port, backlog, path):
    from twisted.internet import protocol, reactor

    class Echo(protocol.Protocol):
        def dataReceived(self, data):
            self.transport.write(data)

    factory = protocol.Factory.forProtocol(Echo)
    if path is None:
        port = reactor.listenTCP(port, factory, backlog=backlog, interface=host).getHost().port
    else:
        reactor.listenUNIX(path, factory, backlog=backlog)
    announce(host, port, "twisted", path)
    reactor.run()  # handles SIGTERM/SIGINT itself


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["threading", "forking", "asyncio", "twisted"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--backlog", type=int, default=QUEUE)
    parser.add_argument("--listen", help="unix:PATH: a Unix socket file instead of HOST:PORT")
    parser.add_argument(
        "--recv-into", action="store_true", help="threading/forking: echo with recv_into into one buffer"
    )
    args = parser.parse_args()
    if args.recv_into and args.mode not in ("threading", "forking"):
        parser.error("--recv-into is for threading and forking")
    path = None
    if args.listen is not None:
        if not args.listen.startswith("unix:"):
            parser.error("--listen takes unix:PATH only")
        path = args.listen[len("unix:") :]
    if args.mode in ("threading", "forking"):
        run_socketserver(args.mode, args.host, args.port, args.backlog, path, args.recv_into)
    elif args.mode == "asyncio":
        run_asyncio(args.host, args.port, args.backlog, path)
    else:
        run_twisted(args.host, args.port, args.backlog, path)


if __name__ == "__main__":
    main()
