// The body of every model's bin: parse flags, listen, print one line, serve
// until SIGINT/SIGTERM, shut down gracefully. Errors are caught here, once:
// expected ones (usage, handler, address) are one line and exit 2.
import { formatAddress } from '../address.js';
import type { BaseServer } from '../base-server.js';
import { ListenError, UnknownHandlerError, UsageError } from '../errors.js';
import { startMetricsServer } from '../metrics/metrics-server.js';
import { serverStatsSamples } from '../metrics/prometheus-text.js';
import { formatShutdownLine } from './format-shutdown-line.js';
import {
  parseServerArgs,
  type ServerArgs,
  type ServerCommandSpec,
  usage,
} from './parse-server-args.js';
import { type DatagramServerCommand, runDatagramCli } from './run-datagram-cli.js';
import { isWorkerProcess, serveAsWorker, superviseWorkers } from './worker-supervisor.js';

/** A bin: the flags it takes and how it builds its server (and, to serve `udp:`, its UDP server) from them. */
export interface ServerCommand extends ServerCommandSpec, DatagramServerCommand {
  create(args: ServerArgs): BaseServer | Promise<BaseServer>;
}

/** Exit code for bad input (flags, handler, address), as the command-line contract says. */
export const EXIT_USAGE = 2;

/**
 * Runs a server bin until a signal; never returns normally. Exit 0 after a
 * graceful shutdown, 2 for bad input, 1 for a bug.
 */
export async function runServerCli(
  command: ServerCommand,
  argv = process.argv.slice(2),
): Promise<never> {
  let server: BaseServer;
  try {
    const args = parseServerArgs(argv, command);
    if (args === 'help') {
      process.stdout.write(`${usage(command)}\n`);
      return process.exit(0);
    }
    if (args.listen.kind === 'udp') return await runDatagramCli(command, args, firstSignal());
    // --workers N: this process supervises; the workers re-run this bin and land below.
    if (args.workers > 1 && !isWorkerProcess()) return await superviseWorkers(command.name, args);
    // Handlers go in before the listening line: a supervisor that signals as
    // soon as it reads that line must find them installed (it raced, seen on Node 24).
    const stopSignal = isWorkerProcess() ? undefined : firstSignal();
    // The handler is loaded once, by listen(): BaseServer loads (and checks)
    // it before binding, for every model, so an unknown one fails here with
    // UnknownHandlerError and nothing was bound.
    server = await command.create(args);
    const address = await server.listen();
    if (!stopSignal) return await serveAsWorker(server, formatAddress(address));
    const metrics = args.metrics
      ? await startMetricsServer(args.metrics.host, args.metrics.port, () =>
          serverStatsSamples({ ...server.stats() }, { model: server.model, mode: server.mode }),
        )
      : undefined;
    stopSignal.then(() => metrics?.close());
    process.stdout.write(
      `listening on ${formatAddress(address)} (${server.model}/${server.mode})\n`,
    );
    return await serveUntilSignal(server, stopSignal, args.grace, command.name);
  } catch (error) {
    if (isBadInput(error)) {
      process.stderr.write(`${command.name}: ${(error as Error).message}\n`);
      return process.exit(EXIT_USAGE);
    }
    process.stderr.write(
      `${command.name}: unexpected error: ${(error as Error)?.stack ?? error}\n`,
    );
    return process.exit(1);
  }
}

function isBadInput(error: unknown): boolean {
  return (
    UsageError.isInstance(error) ||
    UnknownHandlerError.isInstance(error) ||
    ListenError.isInstance(error)
  );
}

/** Resolves with the first SIGINT or SIGTERM; the handlers are installed at once. */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

async function serveUntilSignal(
  server: BaseServer,
  stopSignal: Promise<NodeJS.Signals>,
  grace: number,
  name: string,
): Promise<never> {
  const signal = await stopSignal;
  // A second signal means "now".
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  process.stderr.write(`${name}: ${signal}: closing (grace ${grace / 1000} s)\n`);
  const report = await server.close({ timeout: grace });
  process.stderr.write(`${name}: closed: ${formatShutdownLine(server.stats(), report)}\n`);
  if (report.abandoned > 0) {
    // Threads blocked in read(2) cannot be woken and would keep the process
    // from exiting at all; ending it by signal is the only way out.
    process.stderr.write(
      `${name}: ${report.abandoned} thread(s) still blocked in read(2) on silent peers; ending the process by SIGKILL\n`,
    );
    process.kill(process.pid, 'SIGKILL');
  }
  return process.exit(0);
}
