import { describe, expect, it } from 'vitest';
import type { Connector } from './connector.js';
import { ReconnectingClientFactory } from './reconnecting-client-factory.js';
import { Clock } from './testing/clock.js';

/** A connector that only counts `connect()` calls. */
function fakeConnector() {
  const state = { connects: 0 };
  const connector = {
    state: 'disconnected',
    connect: () => {
      state.connects++;
    },
    stopConnecting: () => {},
  } as unknown as Connector;
  return { connector, state };
}

function factoryOn(clock: Clock, jitter = 0): ReconnectingClientFactory {
  const factory = new ReconnectingClientFactory();
  factory.clock = clock;
  factory.jitter = jitter;
  return factory;
}

describe('ReconnectingClientFactory', () => {
  it('backs off exponentially (factor e) up to maxDelay', () => {
    const clock = new Clock();
    const factory = factoryOn(clock);
    factory.maxDelay = 10;
    const { connector, state } = fakeConnector();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      factory.clientConnectionFailed(connector, new Error('refused'));
      delays.push(factory.delay);
      clock.advance(factory.delay);
    }
    expect(delays[0]).toBeCloseTo(Math.E);
    expect(delays[1]).toBeCloseTo(Math.E ** 2);
    expect(delays.slice(2)).toEqual([10, 10]);
    expect(state.connects).toBe(4);
  });

  it('does not reconnect before the delay has passed', () => {
    const clock = new Clock();
    const factory = factoryOn(clock);
    const { connector, state } = fakeConnector();
    factory.clientConnectionLost(connector, new Error('lost'));
    clock.advance(factory.delay - 0.01);
    expect(state.connects).toBe(0);
    clock.advance(0.01);
    expect(state.connects).toBe(1);
  });

  it('gives up after maxRetries', () => {
    const clock = new Clock();
    const factory = factoryOn(clock);
    factory.maxRetries = 2;
    const { connector, state } = fakeConnector();
    for (let i = 0; i < 5; i++) {
      factory.clientConnectionFailed(connector, new Error('refused'));
      clock.advance(factory.maxDelay);
    }
    expect(state.connects).toBe(2);
  });

  it('jitters each delay around its mean, deterministically with a seeded source', () => {
    const clock = new Clock();
    const factory = factoryOn(clock, 0.1);
    let seed = 1;
    factory.random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const { connector } = fakeConnector();
    factory.clientConnectionFailed(connector, new Error('refused'));
    expect(factory.delay).not.toBeCloseTo(Math.E, 6);
    expect(factory.delay).toBeGreaterThan(Math.E * 0.5);
    expect(factory.delay).toBeLessThan(Math.E * 1.5);
  });

  it('stopTrying cancels the pending retry; resetDelay starts over', () => {
    const clock = new Clock();
    const factory = factoryOn(clock);
    const { connector, state } = fakeConnector();
    factory.clientConnectionLost(connector, new Error('lost'));
    factory.stopTrying();
    clock.advance(100);
    expect(state.connects).toBe(0);
    factory.resetDelay();
    expect(factory.delay).toBe(1);
    expect(factory.retries).toBe(0);
    expect(factory.continueTrying).toBe(true);
  });
});
