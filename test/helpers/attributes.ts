// sol013/attributes.ts describes each listed representation a second time (for filter
// and selector checks); this asserts a real representation has no attribute it lacks.
import assert from 'node:assert/strict';
import { type AttributeTree, checkSelectorAttribute } from '../../src/api/sol013/attributes.ts';

/** Every key path of `items` (arrays crossed, as SOL013 paths do) is an attribute of `tree`. */
export function assertKnownAttributes(tree: AttributeTree, items: unknown[]): void {
  assert.ok(items.length > 0, 'no representation to check');
  const visit = (value: unknown, path: string[]): void => {
    if (Array.isArray(value)) return value.forEach((v) => visit(v, path));
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      assert.doesNotThrow(() => checkSelectorAttribute(tree, [...path, key], 'fields'));
      visit(child, [...path, key]);
    }
  };
  items.forEach((i) => visit(i, []));
}
