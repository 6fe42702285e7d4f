// Producer/consumer flow control, as in Twisted's IPushProducer,
// IPullProducer and IConsumer: a consumer (a transport) tells a producer to
// pause while its output is backed up and to resume once it drained.

/** A pull producer: asked for more data each time the consumer's buffer drained. */
export interface PullProducer {
  /** Produce some data (by writing to the consumer) now. */
  resumeProducing(): void;
  /** Stop for good: the consumer is going away. */
  stopProducing(): void;
}

/** A push (streaming) producer: writes on its own until told to pause. */
export interface PushProducer extends PullProducer {
  /** Stop writing until `resumeProducing()`. */
  pauseProducing(): void;
}

/** Anything a consumer accepts as a producer. */
export type Producer = PushProducer | PullProducer;

/** Takes data and throttles the producer that feeds it. */
export interface Consumer {
  /**
   * Registers `producer`. `streaming: true` — a push producer, paused while
   * the output is backed up and resumed when it drained. `streaming: false`
   * — a pull producer, whose `resumeProducing()` is called once now and again
   * each time the output drained after it wrote.
   */
  registerProducer(producer: Producer, streaming: boolean): void;
  /** Unregisters the producer; a pending `loseConnection` then proceeds. */
  unregisterProducer(): void;
  write(data: Uint8Array | string): void;
}
