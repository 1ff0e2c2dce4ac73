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

/**
 * `obj` without the attribute at `path`, copying only the objects and arrays on the way
 * to it (the rest is shared with `obj`, which is left as it was). A deep copy of every
 * item was most of a list page's time.
 */
function without(obj: Json, path: string[]): Json {
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(obj, head)) return obj;
  if (rest.length === 0) {
    const copy: Json = {};
    for (const k of Object.keys(obj)) if (k !== head) copy[k] = obj[k];
    return copy;
  }
  const child = obj[head];
  const inner = (c: unknown) => (c && typeof c === 'object' ? without(c as Json, rest) : c);
  if (Array.isArray(child)) return { ...obj, [head]: child.map(inner) };
  if (child && typeof child === 'object') return { ...obj, [head]: without(child as Json, rest) };
  return obj;
}

/**
 * A projection, and the top-level attributes it leaves out whole: a store may leave those
 * out of what it reads (a list page then parses a tenth of each instance's JSON).
 */
export type Projection = ((obj: Json) => Json) & { omitted: readonly string[] };

/** `without` for each path; the top-level attributes (the default exclusions) in one copy. */
function dropper(paths: string[][]): Projection {
  const top = new Set(paths.filter((p) => p.length === 1).map((p) => p[0] as string));
  const deep = paths.filter((p) => p.length > 1);
  const project = (obj: Json) => {
    let out = obj;
    if (top.size > 0 && Object.keys(obj).some((k) => top.has(k))) {
      out = {};
      for (const k of Object.keys(obj)) if (!top.has(k)) out[k] = obj[k];
    }
    return deep.reduce(without, out);
  };
  return Object.assign(project, { omitted: [...top] });
}

/**
 * Builds the projection for one resource type: `defaults` are the complex
 * attributes excluded by default, `attributes` those `fields` and `exclude_fields` may name.
 */
export function compileSelectors(
  q: SelectorQuery,
  defaults: string[],
  attributes: AttributeTree,
): Projection {
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
  if (q.all_fields !== undefined) return dropper([]);
  if (q.exclude_fields !== undefined) {
    const ex = paths(q.exclude_fields, 'exclude_fields', attributes);
    return dropper(ex);
  }
  // fields adds back default-excluded attributes it names; otherwise defaults are excluded.
  const keep = new Set(q.fields === undefined ? [] : paths(q.fields, 'fields', attributes).map((p) => p[0]));
  const drop = defaults.filter((d) => !keep.has(d)).map((d) => d.split('/'));
  return dropper(drop);
}
