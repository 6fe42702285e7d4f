// The quiet ramp, tested the same way on both load generators: a connection
// sends one message during the ramp and, once it is echoed, nothing more
// until the ramp ends; then every connection ping-pongs. Checked from the
// server's side (what arrived when), so no assertion rests on a speed.
import { expect, it } from 'vitest';
import type { PingPongOptions, Target, WorkloadResult } from '../src/load-generator.js';
import { type ArrivalEvent, recordingEcho, serve } from './echo-servers.js';

/** The ramp's stall rule in both generators (RAMP_STALL_MS, RAMP_STALL_NS). */
const RAMP_STALL_MS = 1_500;

type PingPong = (target: Target, options: PingPongOptions) => Promise<WorkloadResult>;

const timing = { warmupMs: 20, windowMs: 200, windows: 2, rampTimeoutMs: 5_000 };

const firstMore = (events: ArrivalEvent[]) => events.findIndex((e) => e.kind === 'more');

/** Registers the quiet-ramp cases for one generator (call inside its describe). */
export function quietRampCases(pingPong: () => PingPong): void {
  it('keeps served connections quiet until every connection is served (quiet ramp)', async () => {
    const connections = 50;
    const { handler, events } = recordingEcho(64);
    const target = await serve(handler);
    const result = await pingPong()(target, { connections, ...timing });
    expect(result).toMatchObject({ opened: connections, served: connections, corruption: null });
    // Every first message reached the server before any connection sent a second.
    const more = firstMore(events);
    expect(more).toBeGreaterThan(0);
    const firsts = events.slice(0, more);
    expect(firsts.every((e) => e.kind === 'first')).toBe(true);
    expect(new Set(firsts.map((e) => e.conn)).size).toBe(connections);
    // The ramp ended because all were served: well before the stall rule could end it.
    expect(result.rampMs).toBeGreaterThan(0);
    expect(result.rampMs).toBeLessThan(timing.rampTimeoutMs);
    // Then all of them ping-ponged.
    expect(result.windows.reduce((sum, w) => sum + w.messages, 0)).toBeGreaterThan(connections);
  });

  it('holds the served ones quiet through a stall, and reports the ramp it took', async () => {
    // The third connection accepted is never answered: the ramp can only end
    // by its stall rule, 1.5 s after the last connection was served.
    const { handler, events } = recordingEcho(64, (conn) => conn === 2);
    const target = await serve(handler);
    const result = await pingPong()(target, { connections: 5, ...timing });
    expect(result).toMatchObject({ opened: 5, served: 4, corruption: null });
    expect(result.rampMs).toBeGreaterThanOrEqual(RAMP_STALL_MS);
    expect(result.rampMs).toBeLessThan(timing.rampTimeoutMs);
    const more = firstMore(events);
    expect(more).toBe(5);
    // The stall clock restarts whenever a connection is served, which is after
    // its first message arrived here; nothing more arrived until it ran out.
    const lastFirst = Math.max(
      ...events.slice(0, more).flatMap((e) => (e.conn === 2 ? [] : [e.at])),
    );
    expect(events[more]!.at - lastFirst).toBeGreaterThanOrEqual(RAMP_STALL_MS - 5);
    // The unanswered connection never sent a second message.
    expect(events.filter((e) => e.conn === 2).map((e) => e.kind)).toEqual(['first']);
  });
}
