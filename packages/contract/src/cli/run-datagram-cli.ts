// The UDP half of every model's bin: `--listen udp:…` lands here from
// runServerCli. Listen, print one line, serve until the signal, close with
// the grace period, print what happened.
import { formatAddress } from '../address.js';
import type { BaseDatagramServer } from '../datagram/base-datagram-server.js';
import { UsageError } from '../errors.js';
import { formatDatagramShutdownLine } from './format-datagram-shutdown-line.js';
import type { ServerArgs, ServerCommandSpec } from './parse-server-args.js';

/** What a bin adds to serve `--listen udp:`: how it builds its UDP server. */
export interface DatagramServerCommand extends ServerCommandSpec {
  createDatagram?(args: ServerArgs): BaseDatagramServer | Promise<BaseDatagramServer>;
}

/**
 * Serves a `udp:` endpoint until `stopSignal`; exits 0 after closing. Flags
 * that mean nothing for datagrams are refused (a `UsageError`, exit 2).
 */
export async function runDatagramCli(
  command: DatagramServerCommand,
  args: ServerArgs,
  stopSignal: Promise<NodeJS.Signals>,
): Promise<never> {
  if (!command.createDatagram) {
    throw new UsageError(
      `${command.name} cannot listen on udp: yet; it serves tcp:, unix:, fd: and systemd:`,
    );
  }
  const streamOnly = (['tls', 'proxyProtocol'] as const).filter((o) => args.options[o]);
  if (streamOnly.length > 0 || args.metrics) {
    const flags: string[] = streamOnly.map((o) =>
      o === 'tls' ? '--tls-cert' : '--proxy-protocol',
    );
    if (args.metrics) flags.push('--metrics');
    throw new UsageError(`${flags.join(', ')}: not available with a udp: endpoint`);
  }
  const server = await command.createDatagram(args);
  const address = await server.listen();
  process.stdout.write(
    `listening on udp:${formatAddress(address)} (${server.model}/${server.mode})\n`,
  );
  const signal = await stopSignal;
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  process.stderr.write(`${command.name}: ${signal}: closing (grace ${args.grace / 1000} s)\n`);
  const report = await server.close({ timeout: args.grace });
  process.stderr.write(
    `${command.name}: closed: ${formatDatagramShutdownLine(server.stats(), report)}\n`,
  );
  // Requests abandoned at close run in this thread and end with the process.
  return process.exit(0);
}
