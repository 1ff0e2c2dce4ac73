// vimConnectionInfo between SOL003 v3.3.1 (a map: key = the entry's id, entries without
// `id`) and the engine's form (v2.6.1's list of entries with `id`), converted only here,
// at the edge, both ways: a v2 request's map becomes the list with id = key, the stored
// list is shown to v2 as the map.
import type { VimConnectionInfo } from '../../lcm/model.ts';

export type VimConnectionMap<T> = Record<string, T>;

/** A v2 request's map as the engine's list: each entry takes its key as `id`. */
export function vimListOf<T extends object>(map: VimConnectionMap<T>): (T & { id: string })[] {
  return Object.entries(map).map(([id, entry]) => ({ ...entry, id }));
}

/** The engine's list as v2's map; an entry's `id` becomes its key. */
export function vimMapOf(
  list: readonly VimConnectionInfo[],
): VimConnectionMap<Omit<VimConnectionInfo, 'id'>> {
  return Object.fromEntries(list.map(({ id, ...entry }) => [id, entry]));
}

/** The map of a stored value that may be either form (operationParams hold what accept stored). */
export function asVimMap(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  const entries = v.filter(
    (x): x is VimConnectionInfo => typeof x === 'object' && x !== null && typeof x.id === 'string',
  );
  return entries.length === v.length ? vimMapOf(entries) : v;
}
