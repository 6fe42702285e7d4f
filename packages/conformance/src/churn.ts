// Connection churn against an IVR server: connections ended every way a
// peer can end one, a few at a time. Plain `net` sockets, so each ending is
// exactly the one named (the client SDK would tidy some of them up).
import net from 'node:net';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';

/** The ways a churn connection ends, in the order they take turns. */
export const CHURN_ENDINGS = [
  /** greeting → `exit`, then the server closes. */
  'exit',
  /** client FIN right after connecting, before the greeting. */
  'fin',
  /** client RST (SO_LINGER 0) right after connecting, before the greeting. */
  'resetBeforeGreeting',
  /** greeting → `0` → the operator answer, then client RST mid-dialogue. */
  'resetMidDialogue',
] as const;

export type ChurnEnding = (typeof CHURN_ENDINGS)[number];

export interface ChurnOptions {
  host?: string;
  port: number;
  /** Connections in all (bounded). */
  total: number;
  /** Connections open at once. */
  concurrency: number;
  /** Most ms one connection may take before the churn fails (bounded in time). */
  connectionTimeout?: number;
}

/** What a churn run did: connections per ending. Rejects on the first connection that stalls. */
export async function runChurn(options: ChurnOptions): Promise<Record<ChurnEnding, number>> {
  const counts = Object.fromEntries(CHURN_ENDINGS.map((ending) => [ending, 0])) as Record<
    ChurnEnding,
    number
  >;
  let next = 0;
  const lane = async () => {
    while (next < options.total) {
      const index = next++;
      const ending = CHURN_ENDINGS[index % CHURN_ENDINGS.length]!;
      await churnOne(options, ending, index);
      counts[ending]++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  return counts;
}

/** One connection, ended as `ending`; resolves once the socket closed. */
function churnOne(options: ChurnOptions, ending: ChurnEnding, index: number): Promise<void> {
  const greeting = Buffer.from(IVR_GREETING);
  const operator = Buffer.from(IVR_OPERATOR);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port });
    let received = Buffer.alloc(0);
    let step = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `churn connection #${index} (${ending}) stalled; it had received ${received.length} bytes`,
        ),
      );
    }, options.connectionTimeout ?? 20_000);
    socket.on('error', () => {}); // resets, ours and the server's, are part of the churn
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      if (ending === 'fin') socket.end();
      else if (ending === 'resetBeforeGreeting') socket.resetAndDestroy();
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (step === 0 && received.length >= greeting.length) {
        step = 1;
        if (ending === 'exit') socket.write('exit');
        else if (ending === 'resetMidDialogue') socket.write('0');
      } else if (
        step === 1 &&
        ending === 'resetMidDialogue' &&
        received.length >= greeting.length + operator.length
      ) {
        step = 2;
        socket.resetAndDestroy();
      }
    });
  });
}
