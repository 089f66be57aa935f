// One slice of the Thrift matrix (harness/matrix/slices.ts deals the cells over the slice files).
import { defineSlice } from '../../harness/vitest/define-slice.ts';
import { thriftDriver } from './driver.ts';

await defineSlice(thriftDriver, import.meta.url);
