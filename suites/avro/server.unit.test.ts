import { describe, expect, it } from 'vitest';
import type { HandshakeRecord } from '../../harness/contract/avro.ts';
import { nearestOutside, placed, type Stamped } from './server.ts';

const record = { connection: 'connection-1', request: { clientProtocol: null }, response: { match: 'BOTH' } } as unknown as HandshakeRecord;
const at = (ms: number): Stamped => ({ at: ms, record });

describe('the note on handshakes outside a case window', () => {
  it('says how many lie on each side and how far the nearest is', () => {
    const note = nearestOutside([at(900), at(990.5), at(1_250), at(1_400)], { from: 1_000, to: 1_200 });
    expect(note).toBe("; of the cell's 4 handshake(s), 2 before it, the nearest 9.500 ms before its start and 2 after it, the nearest 50.000 ms after its end (the window is the peer client's instants, the stamps our server's)");
  });

  it('names one side only when all lie there, and says nothing without a window or handshakes', () => {
    expect(nearestOutside([at(11_180)], { from: 1_000, to: 1_200 })).toContain('1 after it, the nearest 9980.000 ms after its end (');
    expect(nearestOutside([], { from: 1_000, to: 1_200 })).toBe('');
    expect(nearestOutside([at(5)], undefined)).toBe('');
  });
});

describe('the note on where a window\'s handshakes were stamped', () => {
  it('gives each one\'s offset from the window\'s start and the window\'s length', () => {
    expect(placed([at(900), at(1_000.25), at(1_199.875), at(1_200)], { from: 1_000, to: 1_200 })).toBe('; stamped at +0.250, +199.875 ms of 200.000 ms of the window');
  });

  it('leaves the length out of a window open at its end, and says nothing of an empty one', () => {
    expect(placed([at(1_003)], { from: 1_000, to: Number.POSITIVE_INFINITY })).toBe('; stamped at +3.000 ms of the window');
    expect(placed([at(900)], { from: 1_000, to: 1_200 })).toBe('');
    expect(placed([at(1_100)], undefined)).toBe('');
  });
});
