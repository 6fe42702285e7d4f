// The seed's "10086" menu over UDP: one datagram in, at most one out, with
// the stream IVR's exact strings.
import { DatagramRequestHandler } from '../datagram/datagram-request-handler.js';
import {
  IVR_EXIT,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  splitIvrMessages,
} from './ivr-handler.js';

/**
 * The menu without a connection. The menu has one level, so it needs no
 * state between datagrams and keeps none: each datagram is answered from its
 * own bytes alone. That makes a retried datagram (the client's answer to a
 * lost reply) safe to serve twice, and a server with no per-client table has
 * nothing to bound or expire.
 *
 * - an empty datagram (or one holding only a newline) is the call starting:
 *   the reply is the greeting, which a stream caller gets on connecting;
 * - `0` → the operator line, anything else → "please retry", the seed's answers;
 * - `exit` → no reply (the stream server hangs up; a datagram server has
 *   nothing to hang up, and the seed's client stops after sending it);
 * - a datagram of several lines is answered line by line in ONE datagram,
 *   the answers joined by `\n`, up to an `exit` line.
 */
export class IvrDatagramHandler extends DatagramRequestHandler {
  override handle(): string | undefined {
    const text = this.rfile.text();
    if (text === '' || /^\r?\n$/.test(text)) return IVR_GREETING;
    const answers: string[] = [];
    for (const message of splitIvrMessages(text)) {
      if (message === IVR_EXIT) break;
      answers.push(message === '0' ? IVR_OPERATOR : IVR_RETRY);
    }
    return answers.length === 0 ? undefined : answers.join('\n');
  }
}
