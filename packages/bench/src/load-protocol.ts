// Messages between the runner and the load generator process, and the
// runner's side of the conversation.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  BulkOptions,
  ConnectionRateOptions,
  IdleOptions,
  IdleResult,
  PingPongOptions,
  Target,
  WorkloadResult,
} from './load-generator.js';
import { pinned } from './server-process.js';

type Plain<T> = Omit<T, 'onMeasure'>;

/** Runner → load process. */
export type LoadRequest = { id: number; target: Target } & (
  | { op: 'ping-pong'; options: Plain<PingPongOptions> }
  | { op: 'bulk'; options: Plain<BulkOptions> }
  | { op: 'connection-rate'; options: Plain<ConnectionRateOptions> }
  | { op: 'open-idle'; options: IdleOptions }
  | { op: 'close-idle' }
);

/** Runner → load process: the server has been sampled at the end of request `sampled`'s span. */
export type SampledAck = { sampled: number };

/** Load process → runner. */
export type LoadResponse =
  | { id: number; measure: 'start' | 'end' }
  | { id: number; result: WorkloadResult }
  | { id: number; idle: IdleResult }
  | { id: number; done: true }
  | { id: number; error: string };

type Final = Exclude<LoadResponse, { measure: 'start' | 'end' }>;
type Request = LoadRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** The load generator process, as the runner sees it. */
export class LoadProcess {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    {
      resolve: (m: Final) => void;
      reject: (e: Error) => void;
      onMeasure?: (phase: 'start' | 'end') => unknown;
    }
  >();

  /** Spawns the load process, pinned to `cpu` when given. */
  constructor(cpu: number | null) {
    const script = fileURLToPath(new URL('./load-process.js', import.meta.url));
    const [program, ...args] = pinned([process.execPath, script], cpu);
    this.child = spawn(program!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: LoadResponse) => {
      const entry = this.waiting.get(message.id);
      if (!entry) return;
      if ('measure' in message) {
        const sampling = Promise.resolve(entry.onMeasure?.(message.measure));
        // The generator holds the load at the span's end until told the sample is taken.
        if (message.measure === 'end') {
          const ack: SampledAck = { sampled: message.id };
          const send = () => this.child.connected && this.child.send(ack);
          void sampling.then(send, send);
        }
        return;
      }
      this.waiting.delete(message.id);
      entry.resolve(message);
    });
    this.child.on('exit', (code, signal) => {
      for (const entry of this.waiting.values()) {
        entry.reject(new Error(`load generator exited (${signal ?? code})`));
      }
      this.waiting.clear();
    });
  }

  /** Sends one request and resolves with its final answer. */
  request(request: Request, onMeasure?: (phase: 'start' | 'end') => unknown): Promise<Final> {
    const id = this.nextId++;
    return new Promise<Final>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, ...(onMeasure ? { onMeasure } : {}) });
      this.child.send({ ...request, id });
    }).then((message) => {
      if ('error' in message) throw new Error(`load generator: ${message.error}`);
      return message;
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}
