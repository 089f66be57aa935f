import { describe, expect, it } from 'vitest';
import { fixtureResults } from '../reports/fixture-results.ts';
import { reproduceCommands } from './reproduce.ts';

describe('reproduceCommands', () => {
  it('prints, per failing cell, the peer command and a CLI line that re-runs just that cell', () => {
    const text = reproduceCommands(fixtureResults('/tmp/x.tap')).join('\n');
    expect(text).toContain('docker run --rm --network host avro-thrift-conformance/python-avro:0123456789abcdef server --transport http');
    expect(text).toContain('node harness/cli/main.ts run --implementation ours --family avro --direction ts-client --client ours --server python --transport http --protocol mail --server-kind http.server --case mail-send-unicode --keep');
    expect(text).toContain('--case echo-long-max'); // the unexpected pass is reproducible too
    expect(text).not.toContain('mail-send-ascii'); // passing cases are not
  });
});
