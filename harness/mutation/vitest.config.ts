// The unit tests that guard the harness core, for mutation testing (stryker.config.json): only
// these run against each mutant, so a mutant that survives is one these tests do not notice.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'harness/results/gate.test.ts',
      'harness/results/classify.test.ts',
      'harness/matrix/known-failures.test.ts',
      'harness/matrix/plan.test.ts',
      'harness/matrix/cells.test.ts',
    ],
    // As in the unit project: a test file's scratch folders go when it is done (without it every
    // mutation run left a known-failures-* folder in the system temp folder).
    setupFiles: ['harness/vitest/scratch-cleanup.ts'],
  },
});
