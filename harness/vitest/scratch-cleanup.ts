// Setup file of both projects: a test file's scratch folders go when the file is done.
import { afterAll } from 'vitest';
import { removeScratchDirectories } from '../run/scratch.ts';

afterAll(removeScratchDirectories);
