// Schema resolution into a union: which reader branch a writer's value goes to.
//
// The specification says "the first schema in the reader's union that matches", and its matching
// includes promotions (int to long, bytes to string, ...). Java resolves to a branch of the very
// same type first and only then to the first promotable one (ResolvingGrammarGenerator's
// bestBranch), so that ["string", "bytes"] read with itself keeps bytes as bytes. avsc takes the
// first branch it can resolve at all: bytes became strings (and an int went to a long branch
// listed before the int one). Our union type keeps avsc's resolvers but chooses the branch: the
// one of the same type (same branch name: the primitive, or a named type's full name) when the
// reader's union has it, else avsc's first resolvable one.
import avsc from 'avsc';

/** The parts of avsc's union and branch types this relies on (lib/types.js: UnionType._update). */
interface BranchType {
  readonly branchName?: string;
  readonly _branchConstructor?: new (value: unknown) => unknown;
  createResolver(writer: unknown, options?: unknown): { _read(tap: unknown): unknown };
}
interface UnionShape {
  readonly types: readonly BranchType[];
}
interface ResolverShape {
  _read?: (tap: unknown) => unknown;
}

const WrappedUnionBase = avsc.types.WrappedUnionType as unknown as new (schema: unknown, opts: unknown) => UnionShape;

/** The order in which reader branches are tried for a writer type: the same type first. */
export function branchOrder(readerBranches: readonly (string | undefined)[], writerBranch: string | undefined): number[] {
  const all = readerBranches.map((_, i) => i);
  const same = writerBranch === undefined ? -1 : readerBranches.indexOf(writerBranch);
  return same < 0 ? all : [same, ...all.filter((i) => i !== same)];
}

export class SameTypeFirstUnionType extends WrappedUnionBase {
  _update(resolver: ResolverShape, writer: { readonly branchName?: string }, options: unknown): void {
    for (const index of branchOrder(this.types.map((b) => b.branchName), writer.branchName)) {
      const branch = this.types[index] as BranchType;
      let typeResolver: { _read(tap: unknown): unknown };
      try {
        typeResolver = branch.createResolver(writer, options);
      } catch {
        continue;
      }
      const Branch = branch._branchConstructor;
      resolver._read = Branch ? (tap) => new Branch(typeResolver._read(tap)) : () => null;
      return;
    }
    // No branch resolves: as avsc, the resolver gets no reader and avsc reports the mismatch.
  }
}
