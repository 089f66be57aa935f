// Writes bench/baseline.json from the bench.json of several quick runs (the median of their
// medians per row), so that one unlucky run on a busy machine does not become the baseline:
//   node bench/write-baseline.ts /tmp/q1/bench-quick.json /tmp/q2/bench-quick.json /tmp/q3/bench-quick.json
import { readFileSync } from 'node:fs';
import { DEFAULT_BASELINE, writeBaseline } from './baseline.ts';
import type { BenchReport } from './report.ts';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: node bench/write-baseline.ts BENCH.json...');
const reports = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchReport);
const notQuick = files.filter((_, i) => reports[i]?.run.mode !== 'quick');
if (notQuick.length > 0) throw new Error(`not quick runs: ${notQuick.join(', ')}`);
writeBaseline(DEFAULT_BASELINE, ...reports);
console.log(`wrote ${DEFAULT_BASELINE} from ${files.length} runs`);
