// SOL013 §5.3 attribute selectors: all_fields, fields, exclude_fields,
// exclude_default. Without any, a list answers as with exclude_default. Every
// attribute named must be one of the resource's.
import { badRequest } from '../../errors.ts';
import { type AttributeTree, checkSelectorAttribute } from './attributes.ts';

/** Most attributes one `fields` or `exclude_fields` may name. */
export const MAX_SELECTED = 100;

export interface SelectorQuery {
  all_fields?: string;
  fields?: string;
  exclude_fields?: string;
  exclude_default?: string;
}

type Json = Record<string, unknown>;

function paths(list: string, what: string, attributes: AttributeTree): string[][] {
  const names = list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (names.length > MAX_SELECTED) throw badRequest(`${what}: more than ${MAX_SELECTED} attributes`);
  const found = names.map((p) => p.split('/'));
  for (const p of found) checkSelectorAttribute(attributes, p, what);
  return found;
}

function remove(obj: Json, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(obj, head)) return;
  if (rest.length === 0) delete obj[head];
  else {
    const child = obj[head];
    if (Array.isArray(child)) child.forEach((c) => c && typeof c === 'object' && remove(c as Json, rest));
    else if (child && typeof child === 'object') remove(child as Json, rest);
  }
}

/**
 * Builds the projection for one resource type: `defaults` are the complex
 * attributes excluded by default, `attributes` those `fields` and `exclude_fields` may name.
 */
export function compileSelectors(
  q: SelectorQuery,
  defaults: string[],
  attributes: AttributeTree,
): (obj: Json) => Json {
  const given = (['all_fields', 'fields', 'exclude_fields', 'exclude_default'] as const).filter(
    (k) => q[k] !== undefined,
  );
  if (q.all_fields !== undefined && given.length > 1)
    throw badRequest('all_fields cannot be combined with other selectors');
  if (q.fields !== undefined && q.exclude_fields !== undefined)
    throw badRequest('fields and exclude_fields are exclusive');
  if (q.exclude_fields !== undefined && q.exclude_default !== undefined) {
    throw badRequest('exclude_fields and exclude_default are exclusive');
  }
  if (q.all_fields !== undefined) return (o) => o;
  if (q.exclude_fields !== undefined) {
    const ex = paths(q.exclude_fields, 'exclude_fields', attributes);
    return (o) => {
      const copy = structuredClone(o);
      for (const p of ex) remove(copy, p);
      return copy;
    };
  }
  // fields adds back default-excluded attributes it names; otherwise defaults are excluded.
  const keep = new Set(q.fields === undefined ? [] : paths(q.fields, 'fields', attributes).map((p) => p[0]));
  const drop = defaults.filter((d) => !keep.has(d));
  return (o) => {
    const copy = structuredClone(o);
    for (const d of drop) remove(copy, d.split('/'));
    return copy;
  };
}
