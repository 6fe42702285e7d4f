import { describe, expect, it } from 'vitest';
import { PendingFin } from './pending-fin.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('PendingFin', () => {
  it('asks for nothing when the request ends before the event loop turns', async () => {
    const asked: number[] = [];
    const fin = new PendingFin((id) => asked.push(id));
    fin.closed(7);
    fin.ended();
    await nextTurn();
    expect(asked).toEqual([]);
  });

  it('asks for the FIN once the event loop turns with the request still running', async () => {
    const asked: number[] = [];
    const fin = new PendingFin((id) => asked.push(id));
    fin.closed(7);
    await nextTurn();
    await nextTurn();
    fin.ended();
    expect(asked).toEqual([7]);
  });
});
