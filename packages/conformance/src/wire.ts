// Client-side helpers the suite reads and waits with.
import type { Client } from '@iomodels/client';

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Reads until exactly `n` bytes arrived; fails if the stream ends first. */
export async function recvExactly(client: Client, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let filled = 0;
  while (filled < n) {
    const chunk = await client.recv(n - filled);
    if (chunk.length === 0) throw new Error(`stream ended after ${filled} of ${n} bytes`);
    out.set(chunk, filled);
    filled += chunk.length;
  }
  return out;
}

/** Reads exactly the bytes of `text` and decodes them. */
export async function recvText(client: Client, text: string): Promise<string> {
  return new TextDecoder().decode(await recvExactly(client, bytes(text).length));
}

/**
 * Reads until the server ends the stream; returns what arrived and how it
 * ended: `eof` (FIN) or `reset` (RST — also an acceptable way to close).
 */
export async function recvUntilClosed(
  client: Client,
): Promise<{ data: Uint8Array; end: 'eof' | 'reset' }> {
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const chunk = await client.recv();
      if (chunk.length === 0) return { data: Buffer.concat(chunks), end: 'eof' };
      chunks.push(chunk);
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_IOMODELS_CONNECTION_RESET') {
      return { data: Buffer.concat(chunks), end: 'reset' };
    }
    throw error;
  }
}

/** Polls `condition` until it holds; fails after `limit` ms. For state with no event to await. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  limit = 10_000,
): Promise<void> {
  const deadline = Date.now() + limit;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limit} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A deterministic pseudo-random sequence (LCG), so a failing chunking can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
