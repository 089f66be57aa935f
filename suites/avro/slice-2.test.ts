// One slice of the Avro matrix (harness/matrix/slices.ts deals the cells over the slice files).
import { defineSlice } from '../../harness/vitest/define-slice.ts';
import { avroDriver } from './driver.ts';

await defineSlice(avroDriver, import.meta.url);
