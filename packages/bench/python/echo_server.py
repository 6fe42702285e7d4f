"""Echo servers the bench measures next to the iomodels packages.

usage: echo_server.py MODE [--host H] [--port P] [--backlog N]
MODE: threading | forking (socketserver, the seed's own servers), asyncio, twisted.
Prints one line "listening on HOST:PORT (python/MODE)" like the model bins;
SIGTERM/SIGINT stop it.

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


def announce(host, port, mode):
    sys.stdout.write(f"listening on {host}:{port} (python/{mode})\n")
    sys.stdout.flush()


def run_socketserver(mode, host, port, backlog):
    import socketserver

    class Echo(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            while True:
                data = sock.recv(65536)
                if not data:
                    return
                sock.sendall(data)

    base = socketserver.ThreadingTCPServer if mode == "threading" else socketserver.ForkingTCPServer

    class Server(base):
        allow_reuse_address = True
        daemon_threads = True
        request_queue_size = backlog
        max_children = 1_000_000
        block_on_close = False

    server = Server((host, port), Echo)
    announce(host, server.server_address[1], mode)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.5)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


def run_asyncio(host, port, backlog):
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data)

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, host, port, backlog=backlog, reuse_address=True)
        announce(host, server.sockets[0].getsockname()[1], "asyncio")
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set_result, None)
        await stop
        server.close()

    asyncio.run(main())


def run_twisted(host, port, backlog):
    from twisted.internet import protocol, reactor

    class Echo(protocol.Protocol):
        def dataReceived(self, data):
            self.transport.write(data)

    factory = protocol.Factory.forProtocol(Echo)
    listening = reactor.listenTCP(port, factory, backlog=backlog, interface=host)
    announce(host, listening.getHost().port, "twisted")
    reactor.run()  # handles SIGTERM/SIGINT itself


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["threading", "forking", "asyncio", "twisted"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--backlog", type=int, default=QUEUE)
    args = parser.parse_args()
    if args.mode in ("threading", "forking"):
        run_socketserver(args.mode, args.host, args.port, args.backlog)
    elif args.mode == "asyncio":
        run_asyncio(args.host, args.port, args.backlog)
    else:
        run_twisted(args.host, args.port, args.backlog)


if __name__ == "__main__":
    main()
