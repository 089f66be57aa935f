// Ports handed to peer containers: below the kernel's ephemeral range, never twice while reserved.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './ports.ts';

const range = existsSync('/proc/sys/net/ipv4/ip_local_port_range')
  ? readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) : undefined;

describe('freePort', () => {
  it('hands out distinct ports, each reserved for this process', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 30; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(readFileSync(join(tmpdir(), 'avro-thrift-conformance-ports', String(port)), 'utf8')).toBe(String(process.pid));
    }
  });

  it.skipIf(!range)('draws below the ephemeral range, which bind(0) and outgoing connections use', async () => {
    const low = range?.[0] ?? 0;
    for (let i = 0; i < 10; i++) expect(await freePort()).toBeLessThan(low);
  });
});
