// Runs our data-file jobs in a process of its own (bench/datafile.ts), as the peers run theirs in a
// fresh JVM or interpreter: one JSON result line per job, the peers' `datafile batch` format.
import { readFileSync } from 'node:fs';
import type { Job } from '../suites/datafile/jobs.ts';
import { runOurJobs } from '../suites/datafile/ours.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: node bench/datafile-worker.ts JOBS.json');
const jobs = JSON.parse(readFileSync(path, 'utf8')) as Job[];
for (const [job, result] of runOurJobs(jobs).results.entries()) process.stdout.write(`${JSON.stringify({ job, ...result })}\n`);
