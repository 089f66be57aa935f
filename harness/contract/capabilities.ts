// What a TypeScript (or JavaScript) implementation under test declares about itself: the same
// words as the reference peers' peer.json (harness/matrix/axes.ts), plus optional features the
// suite can use for the case kinds that need more than plain calls. Checked against
// harness/schemas/capabilities.schema.json when loaded.
import type { Offer } from '../matrix/axes.ts';

/** A case id glob the implementation cannot run, with the reason (reported as skipped). */
export interface CaseSkip {
  readonly case: string;
  readonly reason: string;
  /** The role the skip applies to (default: both). */
  readonly role?: 'client' | 'server';
}

export interface ImplementationCapabilities {
  /** Short id used in test names and reports: "ours", "avsc5", "npm-thrift", "my-lib". */
  readonly id: string;
  readonly family: 'avro' | 'thrift';
  readonly language: 'typescript' | 'javascript';
  readonly description?: string;
  /** Library -> pinned version, shown in every report. */
  readonly versions: Readonly<Record<string, string>>;
  readonly client: readonly Offer[];
  readonly server: readonly Offer[];
  /** Optional abilities, named in harness/contract/avro.ts and thrift.ts (FEATURES). */
  readonly features?: readonly string[];
  readonly cases?: { readonly skip?: readonly CaseSkip[] };
}

export function hasFeature(capabilities: ImplementationCapabilities, feature: string): boolean {
  return capabilities.features?.includes(feature) ?? false;
}
