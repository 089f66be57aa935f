// The RPC families whose cells come from capabilities and a case catalogue (the data-file and
// hostile families define their cells in their own suites).
import type { FamilyCatalogue } from './plan.ts';
import type { CatalogueCase } from './case-filter.ts';
import { avroCatalogue } from '../../suites/avro/catalogue.ts';
import { thriftCatalogue } from '../../suites/thrift/catalogue.ts';

export const RPC_CATALOGUES: readonly FamilyCatalogue<CatalogueCase>[] = [avroCatalogue, thriftCatalogue];
