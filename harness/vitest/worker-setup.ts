// Runs in every test worker before the suites: hands the run's identity to the container code,
// so each container a worker starts carries this run's labels.
import { inject } from 'vitest';

const context = inject('conformance');
process.env['CONFORMANCE_RUN_ID'] = context.runId;
process.env['CONFORMANCE_OWNER_PID'] = String(context.ownerPid);
if (context.ryukDisabled) process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
