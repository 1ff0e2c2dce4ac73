// JSON Merge Patch (RFC 7396), the semantics SOL013 gives PATCH bodies
// (application/merge-patch+json) and that Tacker's plain application/json PATCHes
// expect too: in an object, `null` removes the key, an object merges recursively,
// anything else (arrays included) replaces. One implementation for every PATCH.

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `target` with `patch` applied (RFC 7396 §2); neither argument is changed. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * A free-form object attribute (metadata, extensions, userDefinedData…) after a patch:
 * `null` for the whole attribute removes it (undefined), an object merges.
 */
export function patchObject(
  target: Record<string, Json> | undefined,
  patch: Record<string, Json> | null,
): Record<string, Json> | undefined {
  if (patch === null) return undefined;
  return mergePatch(target ?? {}, patch) as Record<string, Json>;
}
