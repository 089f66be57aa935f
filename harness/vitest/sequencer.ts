// The order test files start in, and which files a CI job (--shard i/n) runs.
//
// Order: vitest's own puts files it has no timing for by size, largest first; on a fresh clone
// (CI) that started the small slice files (5 lines, and 60-200 s each) after the self-checks and
// hostile suites, and the run ended with one slice alone on one worker while the others sat idle.
// Slices first is longest first, the usual remedy for a tail.
//
// Shards: by the weight of what each file will run (file-weights.ts, shards.ts), not vitest's
// equal number of files per job.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { assignShards } from '../matrix/shards.ts';
import { conformanceFileWeights } from './file-weights.ts';

const SLICE = /\/slice-\d+\.test\.ts$/;

export class SlicesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isSlice = (file: TestSpecification): boolean => SLICE.test(file.moduleId);
    return [...sorted.filter(isSlice), ...sorted.filter((file) => !isSlice(file))];
  }

  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { root, shard } = this.ctx.config;
    if (!shard) return files;
    const pathOf = (file: TestSpecification): string => relative(root, file.moduleId);
    const shards = assignShards(await conformanceFileWeights(files.map(pathOf)), shard.count);
    return files.filter((file) => shards.get(pathOf(file)) === shard.index);
  }
}
