// The FIN of a connection its handler closed, in a thread or child. The
// owner sends FIN when asked ('shutdown') and releases its descriptor when
// the request ends ('done'), which sends the FIN too. A close() is almost
// always the runner's own, right before 'done': then one message does. If
// the handler goes on after close() and the event loop turns, the FIN is
// asked for then; a handler that computes on without returning to the
// event loop sends it when it returns.

/** At most one connection's pending FIN (a runner serves one at a time). */
export class PendingFin {
  readonly #ask: (id: number) => void;
  #id = 0;

  /** @param ask posts `{ type: 'shutdown', id }` to the owner. */
  constructor(ask: (id: number) => void) {
    this.#ask = ask;
  }

  /** Connection `id` was closed: FIN is due. */
  closed(id: number): void {
    this.#id = id;
    setImmediate(() => this.#flush());
  }

  /** The request ended: the owner's release sends the FIN; nothing to ask for. */
  ended(): void {
    this.#id = 0;
  }

  #flush(): void {
    if (this.#id === 0) return;
    this.#ask(this.#id);
    this.#id = 0;
  }
}
