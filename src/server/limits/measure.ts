import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** Finds a fragment definition by name (from a document or a ValidationContext). */
export type FragmentLookup = (name: string) => FragmentDefinitionNode | undefined;

export interface SelectionMeasurer {
  /** Longest chain of nested fields below (and including) this selection set's fields. */
  depth(selectionSet: SelectionSetNode): number;
  /** Aliased fields in this selection set, with every fragment spread expanded. */
  aliases(selectionSet: SelectionSetNode): number;
}

/**
 * Depth and alias counting over selection sets, following fragment spreads.
 *
 * A fragment's depth and alias count do not depend on where it is spread, so
 * both are memoised per fragment: a document that spreads fragments in a fan
 * (A spreads B twice, B spreads C twice, ...) is measured in linear time.
 * A spread of a fragment already being measured (a cycle, which validation
 * rejects anyway) counts as empty instead of recursing forever.
 */
export function createMeasurer(getFragment: FragmentLookup): SelectionMeasurer {
  const depthMemo = new Map<string, number>();
  const aliasMemo = new Map<string, number>();
  const visiting = new Set<string>();

  function viaFragment(name: string, memo: Map<string, number>, measure: (s: SelectionSetNode) => number): number {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = getFragment(name);
    if (!fragment || visiting.has(name)) return 0;
    visiting.add(name);
    try {
      const value = measure(fragment.selectionSet);
      memo.set(name, value);
      return value;
    } finally {
      visiting.delete(name);
    }
  }

  function depth(selectionSet: SelectionSetNode): number {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      let d: number;
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.name.value === '__typename') continue;
          d = 1 + (selection.selectionSet ? depth(selection.selectionSet) : 0);
          break;
        case Kind.INLINE_FRAGMENT:
          d = depth(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD:
          d = viaFragment(selection.name.value, depthMemo, depth);
          break;
      }
      if (d > deepest) deepest = d;
    }
    return deepest;
  }

  function aliases(selectionSet: SelectionSetNode): number {
    let count = 0;
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.alias) count += 1;
          if (selection.selectionSet) count += aliases(selection.selectionSet);
          break;
        case Kind.INLINE_FRAGMENT:
          count += aliases(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD:
          count += viaFragment(selection.name.value, aliasMemo, aliases);
          break;
      }
    }
    return count;
  }

  return { depth, aliases };
}
