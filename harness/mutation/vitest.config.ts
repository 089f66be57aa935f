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
  },
});
