import { describe, expect, it } from 'vitest';
import type { Cell } from '../matrix/axes.ts';
import { cellId } from './cell-id.ts';

const cell: Cell = {
  family: 'avro', direction: 'ts-client', client: 'ours', server: 'python', peer: 'python',
  version: '1.0.0', socket: 'tcp', implementation: 'ours', transport: 'http', protocol: 'mail', serverKind: 'http.server',
};

describe('cellId', () => {
  it('keeps every axis readable and makes a file-safe name', () => {
    expect(cellId(cell)).toBe('avro.ours-to-python-1-0-0.http.mail.tcp.http-server');
  });

  it('tells the two directions apart', () => {
    const reverse: Cell = { ...cell, direction: 'ts-server', client: 'python', server: 'ours' };
    expect(cellId(reverse)).not.toBe(cellId(cell));
    expect(cellId({ ...cell, serverKind: '../../etc' })).not.toMatch(/\//);
  });
});
