// A client factory that reconnects after a failure or loss, backing off
// exponentially with jitter (Twisted's ReconnectingClientFactory, same
// defaults). Call `resetDelay()` once a connection is known good.
import { ClientFactory } from './client-factory.js';
import type { Connector } from './connector.js';
import type { DelayedCall } from './delayed-call.js';
import { reactor } from './reactor.js';
import type { ReactorTime } from './reactor-time.js';

/**
 * Reconnects with delays `initialDelay · factor^n`, capped at `maxDelay`,
 * each drawn from a normal distribution around that value with standard
 * deviation `delay · jitter`; gives up after `maxRetries` (unlimited when
 * undefined) or after `stopTrying()`. Times in seconds.
 */
export class ReconnectingClientFactory extends ClientFactory {
  /** Longest delay between attempts, seconds. */
  maxDelay = 3600;
  /** Delay before the first retry, seconds. */
  initialDelay = 1.0;
  /** Growth per retry: e, as in Twisted. */
  factor = Math.E;
  /** Relative standard deviation of each delay (Twisted's 0.1196…). */
  jitter = 0.11962656472;
  /** Retries allowed before giving up; `undefined`: no limit. */
  maxRetries: number | undefined = undefined;
  /** Where retries are scheduled; the default reactor unless a test swaps in a `Clock`. */
  clock: ReactorTime = reactor;
  /** Random numbers in [0, 1) for the jitter; replace for deterministic tests. */
  random: () => number = Math.random;

  /** The delay the next retry will start from. */
  delay = this.initialDelay;
  /** Retries since the last `resetDelay()`. */
  retries = 0;
  /** False after `stopTrying()`. */
  continueTrying = true;
  /** The connector last seen, for `stopTrying()`. */
  connector: Connector | undefined;
  /** The pending retry, if one is scheduled. */
  callID: DelayedCall | undefined;

  override clientConnectionFailed(connector: Connector, _reason: Error): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry(connector);
    }
  }

  override clientConnectionLost(connector: Connector, _reason: Error): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry(connector);
    }
  }

  /** Schedules the next attempt, or gives up past `maxRetries`. */
  retry(connector: Connector | undefined = this.connector): void {
    if (!this.continueTrying || connector === undefined) return;
    this.retries++;
    if (this.maxRetries !== undefined && this.retries > this.maxRetries) return;
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = normal(this.delay, this.delay * this.jitter, this.random);
    // A draw far below the mean must not make the delay negative.
    this.delay = Math.max(0, this.delay);
    this.callID = this.clock.callLater(this.delay, () => {
      this.callID = undefined;
      connector.connect();
    });
  }

  /** Stops retrying: cancels a pending retry and an attempt in progress. */
  stopTrying(): void {
    if (this.callID?.active()) this.callID.cancel();
    this.callID = undefined;
    this.continueTrying = false;
    if (this.connector?.state === 'connecting') this.connector.stopConnecting();
  }

  /** Back to the initial delay and zero retries: call it once connected. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.callID = undefined;
    this.continueTrying = true;
  }
}

/** A normal variate (Box–Muller) from a uniform source. */
function normal(mean: number, stdDev: number, random: () => number): number {
  const u = 1 - random(); // (0, 1]: log is finite
  const v = random();
  return mean + stdDev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
