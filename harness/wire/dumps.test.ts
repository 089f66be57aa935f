import { describe, expect, it } from 'vitest';
import { DUMP_BYTES, DUMP_CONNECTIONS, serverDumps } from './dumps.ts';

const connection = (id: number, received: number, sent: number) => ({
  connection: id, peer: `127.0.0.1:${40000 + id}`, received: Buffer.alloc(received, 1), sent: Buffer.alloc(sent, 2),
  receivedTotal: received, sentTotal: sent,
});

describe('serverDumps', () => {
  it('dumps each connection both ways, the first DUMP_BYTES of each, with the full count in the label', () => {
    const dumps = serverDumps([connection(1, 3, DUMP_BYTES + 5)], 'java');
    expect(dumps.map((d) => d.label)).toEqual([
      'connection 1 from java (127.0.0.1:40001): our server received (3 bytes)',
      `connection 1: our server sent (${DUMP_BYTES + 5} bytes, first ${DUMP_BYTES} shown)`,
    ]);
    expect(dumps[0]?.hex).toBe('010101');
    expect(dumps[1]?.hex.length).toBe(DUMP_BYTES * 2);
  });

  it('labels a direction with every byte of the window, also those the log did not keep', () => {
    const kept = { ...connection(1, DUMP_BYTES, 8), receivedTotal: 1024 * 1024 + 4 };
    expect(serverDumps([kept], 'python')[0]?.label)
      .toBe(`connection 1 from python (127.0.0.1:40001): our server received (${1024 * 1024 + 4} bytes, first ${DUMP_BYTES} shown)`);
  });

  it('shows the first DUMP_CONNECTIONS connections and counts the others in one entry', () => {
    const many = Array.from({ length: DUMP_CONNECTIONS + 3 }, (_, i) => ({ ...connection(i + 1, 1, 2), receivedTotal: 10, sentTotal: 20 }));
    const dumps = serverDumps(many, 'java');
    expect(dumps).toHaveLength(DUMP_CONNECTIONS * 2 + 1);
    expect(dumps.at(-1)).toEqual({
      label: 'truncated: 3 more connection(s) from java not shown (our server received 30 bytes and sent 60 bytes on them)',
      hex: '',
    });
  });
});
