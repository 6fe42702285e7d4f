// The C load generator (native/pingpong.c) as the runner sees it: the same
// ping-pong and connection-rate calls as LoadGenerator, the same results.
// Each call runs the binary once, pinned like the Node generator; its stdout
// lines say when the measured span starts and ends (passed on to onMeasure;
// at the end the binary keeps the load on until told "sampled" on stdin) and
// carry the final WorkloadResult as JSON.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BUCKETS, GROWTH } from './latency-histogram.js';
import type {
  ConnectionRateOptions,
  MeasureOptions,
  PingPongOptions,
  Target,
  WorkloadResult,
} from './load-generator.js';
import { pinned } from './server-process.js';

/** Slack on top of the binary's own time bound before it is killed from here. */
const KILL_AFTER_EXTRA_MS = 60_000;

export class NativeLoadGenerator {
  /**
   * `binary` from buildNativeLoad(); `cpu`: the CPU to pin it to, or null;
   * `sendBuffer` (tests only): a small SO_SNDBUF, so messages go out in pieces.
   */
  constructor(
    readonly binary: string,
    private readonly cpu: number | null,
    private readonly sendBuffer: number | null = null,
  ) {}

  /** Ping-pong: each connection keeps exactly one message in flight. */
  pingPong(target: Target, options: PingPongOptions): Promise<WorkloadResult> {
    return this.run(target, 'ping-pong', options.connections, options.size ?? 64, options);
  }

  /** Connection rate: loops of connect → one 64-byte exchange → close. */
  connectionRate(target: Target, options: ConnectionRateOptions): Promise<WorkloadResult> {
    return this.run(target, 'connection-rate', options.concurrency ?? 10, 64, options);
  }

  private run(
    target: Target,
    mode: 'ping-pong' | 'connection-rate',
    connections: number,
    size: number,
    options: MeasureOptions,
  ): Promise<WorkloadResult> {
    const args = [
      ...('path' in target
        ? ['--unix', target.path]
        : ['--host', target.host, '--port', String(target.port)]),
      ...['--mode', mode],
      ...['--connections', String(connections), '--size', String(size)],
      ...['--warmup-ms', String(options.warmupMs), '--window-ms', String(options.windowMs)],
      ...['--windows', String(options.windows), '--ramp-timeout-ms', String(options.rampTimeoutMs)],
      ...['--histogram-growth', String(GROWTH), '--histogram-buckets', String(BUCKETS)],
      ...(this.sendBuffer ? ['--send-buffer', String(this.sendBuffer)] : []),
    ];
    const [program, ...rest] = pinned([this.binary, ...args], this.cpu);
    const child = spawn(program!, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    // The binary bounds its own run (ramp + warmup + windows + 5 s + 0.6 s + 30 s); this is the backstop.
    const limitMs =
      options.rampTimeoutMs +
      options.warmupMs +
      options.windows * options.windowMs +
      KILL_AFTER_EXTRA_MS;
    return new Promise<WorkloadResult>((resolve, reject) => {
      let result: WorkloadResult | null = null;
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
      child.stdin.on('error', () => {}); // it may have exited already
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4096);
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === 'measure start') options.onMeasure?.('start');
        else if (line === 'measure end') {
          const sampled = () => child.stdin.end('sampled\n');
          Promise.resolve(options.onMeasure?.('end')).then(sampled, sampled);
        } else if (line.startsWith('result ')) result = JSON.parse(line.slice('result '.length));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0 && result) resolve(result);
        else
          reject(
            new Error(
              `C load generator exited (${signal ?? code})${result ? '' : ' without a result'}: ${stderr.trim()}`,
            ),
          );
      });
    });
  }
}
