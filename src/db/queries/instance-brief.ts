// The `brief` column of vnf_instances (migration 0009): the stored JSON without the
// top-level attributes a default list page leaves out. Fixed here rather than taken
// from the API's default exclusions, so rows written at any time hold the same cut:
// a read uses it only when its answer leaves out at least these.
export const BRIEF_OMITTED: readonly string[] = Object.freeze([
  'vnfConfigurableProperties',
  'vimConnectionInfo',
  'instantiatedVnfInfo',
  'metadata',
  'extensions',
]);

/** `info` (the stored JSON) without BRIEF_OMITTED. */
export function briefOf(info: string | Record<string, unknown>): string {
  const doc = typeof info === 'string' ? (JSON.parse(info) as Record<string, unknown>) : { ...info };
  for (const k of BRIEF_OMITTED) delete doc[k];
  return JSON.stringify(doc);
}

/** True when an answer leaving out `omit` can be made from the brief JSON. */
export function briefServes(omit: readonly string[]): boolean {
  return BRIEF_OMITTED.every((k) => omit.includes(k));
}
