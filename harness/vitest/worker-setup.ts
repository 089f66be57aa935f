// Runs in every test worker before the suites: hands the run's identity to the container code,
// so each container a worker starts carries this run's labels, and the run directory to the
// plan and timing code.
import { inject } from 'vitest';
import { RUN_DIR_ENV } from '../run/run-dir.ts';
import { watchLoopStalls } from './loop-stalls.ts';

const context = inject('conformance');
process.env['CONFORMANCE_RUN_ID'] = context.runId;
process.env['CONFORMANCE_OWNER_PID'] = String(context.ownerPid);
process.env[RUN_DIR_ENV] = context.runDir;
if (context.ryukDisabled) process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
// A failing case says when this worker's loop stalled during it (loop-stalls.ts).
watchLoopStalls();
