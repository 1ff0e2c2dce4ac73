// SOL013 §5.3 attribute selectors: all_fields, fields, exclude_fields,
// exclude_default. Without any, a list answers as with exclude_default.
import { badRequest } from '../../errors.ts';

export interface SelectorQuery {
  all_fields?: string;
  fields?: string;
  exclude_fields?: string;
  exclude_default?: string;
}

type Json = Record<string, unknown>;

function paths(list: string): string[][] {
  return list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split('/'));
}

function remove(obj: Json, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !(head in obj)) return;
  if (rest.length === 0) delete obj[head];
  else {
    const child = obj[head];
    if (Array.isArray(child)) child.forEach((c) => c && typeof c === 'object' && remove(c as Json, rest));
    else if (child && typeof child === 'object') remove(child as Json, rest);
  }
}

/** Builds the projection for one resource type: `defaults` are the complex attributes excluded by default. */
export function compileSelectors(q: SelectorQuery, defaults: string[]): (obj: Json) => Json {
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
    const ex = paths(q.exclude_fields);
    return (o) => {
      const copy = structuredClone(o);
      for (const p of ex) remove(copy, p);
      return copy;
    };
  }
  // fields adds back default-excluded attributes it names; otherwise defaults are excluded.
  const keep = new Set(q.fields === undefined ? [] : paths(q.fields).map((p) => p[0]));
  const drop = defaults.filter((d) => !keep.has(d));
  return (o) => {
    const copy = structuredClone(o);
    for (const d of drop) remove(copy, d.split('/'));
    return copy;
  };
}
