// The RPC families whose cells come from capabilities and a case catalogue (the data-file and
// hostile families define their cells in their own suites).
import type { Family } from './axes.ts';
import type { FamilyCatalogue } from './plan.ts';
import type { CatalogueCase } from './case-filter.ts';
import { avroCatalogue } from '../../suites/avro/catalogue.ts';
import { thriftCatalogue } from '../../suites/thrift/catalogue.ts';

export const RPC_CATALOGUES: readonly FamilyCatalogue<CatalogueCase>[] = [avroCatalogue, thriftCatalogue];

/** The suite folder of each family's test files. */
export const SUITE_FOLDERS: Readonly<Record<Family, string>> = {
  avro: 'suites/avro/',
  thrift: 'suites/thrift/',
  'avro-datafile': 'suites/datafile/',
  hostile: 'suites/hostile/',
};
