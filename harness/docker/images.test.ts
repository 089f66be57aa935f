import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageContext } from './images.ts';
import type { PeerDescriptor } from './peers.ts';

// Real repository paths: the staging reads the checkout (git ls-files), as a build does.
const peer: PeerDescriptor = {
  folder: 'python-avro-tool', id: 'p', family: 'avro', language: 'python', startupSeconds: 1,
  shared: ['containers/avro-tool-driver', 'containers/README.md'],
  versions: [{ version: '1.0.0', default: true, libraries: {} }], server: [], client: [],
};

describe('the build context of a peer', () => {
  it('holds the peer folder at its root, and each shared folder or single file under spec/<its path>', () => {
    const dir = stageContext(peer);
    try {
      expect(existsSync(join(dir, 'Dockerfile'))).toBe(true);
      expect(existsSync(join(dir, 'peer.json'))).toBe(true);
      expect(existsSync(join(dir, 'spec/containers/avro-tool-driver/tooldriver/main.py'))).toBe(true);
      // A single file comes alone: not its folder's other files.
      expect(readdirSync(join(dir, 'spec/containers')).sort()).toEqual(['README.md', 'avro-tool-driver']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
