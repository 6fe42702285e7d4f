// The one rule a proactor socket enforces on its caller — one read at a time —
// is the contract's rule for every model now; the error lives there.
// Re-exported so `@iomodels/async` keeps the name (the same class object).
export { ReadInProgressError } from '@iomodels/contract';
