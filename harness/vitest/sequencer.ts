// The order test files start in. vitest's own order puts files it has no timing for by size,
// largest first; on a fresh clone (CI) that started the small slice files (5 lines, and 60-200 s
// each) after the self-checks and hostile suites, and the run ended with one slice alone on one
// worker while the others sat idle. Slices first is longest first, the usual remedy for a tail.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLICE = /\/slice-\d+\.test\.ts$/;

export class SlicesFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isSlice = (file: TestSpecification): boolean => SLICE.test(file.moduleId);
    return [...sorted.filter(isSlice), ...sorted.filter((file) => !isSlice(file))];
  }
}
