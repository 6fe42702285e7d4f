// The one rule a proactor socket enforces on its caller: one read at a time.
import { IomodelsError } from '@iomodels/contract';

/**
 * A read was posted while another read on the same socket had not completed.
 * Reads complete in the order the bytes arrive, so two outstanding reads would
 * race for them; post the next read from the previous one's completion.
 */
export class ReadInProgressError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_READ_IN_PROGRESS';
}
