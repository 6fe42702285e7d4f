// A ForkingTCPServer child: the shared runner (descriptor-runner.ts) over
// the IPC channel. A connection comes as a handle carrying the child's own
// copy of the descriptor; a fired signal and the idle verdict are read
// from, and the child's activity written to, the file the server shares
// with this child (abort-flag.ts). Idle, it leaves when its channel
// closes; busy when the server dies, it is killed by the server's reaper
// (child-reaper.ts): its event loop cannot see the channel close then.
// A ForkingUDPServer child runs the datagram runner over the same channel.
import { closeHandle, descriptorOf, receivedHandle, setBlocking } from '@iomodels/fd';
import { AbortFlagReader, CHILD_ABORT_FLAG_FD } from './abort-flag.js';
import { runDatagramRunner } from './datagram-runner.js';
import { runDescriptorRunner } from './descriptor-runner.js';
import type { DispatcherMessage, RunnerBoot, RunnerMessage } from './wire.js';

const ignore = () => {}; // a send racing the parent's close fails with EPIPE: nothing to do
const abortFlag = new AbortFlagReader(CHILD_ABORT_FLAG_FD);

const boot = JSON.parse(process.argv[2] ?? '{}') as RunnerBoot;
const ready = await (boot.datagram ? runDatagramRunner : runDescriptorRunner)(boot, {
  post(message: RunnerMessage) {
    if (process.connected) process.send!(message, undefined, undefined, ignore);
  },
  listen(listener) {
    process.on('message', (message: DispatcherMessage, handle: unknown) =>
      listener(message, handle),
    );
  },
  abortRequested: (afterRead) => abortFlag.read(afterRead),
  timedOut: () => abortFlag.timedOut(),
  touch: () => abortFlag.touch(),
  hold(_message, raw) {
    const handle = receivedHandle(raw);
    setBlocking(handle, true);
    return { fd: descriptorOf(handle), release: () => void closeHandle(handle) };
  },
});

if (ready) {
  // Idle, a closed channel means the server closed or died: leave.
  process.on('disconnect', () => process.exit(0));
} else {
  process.exitCode = 1;
  process.disconnect?.();
}
