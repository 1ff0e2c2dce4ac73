// An in-process signal that an op occ changed (a state transition or a progress write),
// raised after the write commits, with the op occ's id: the events streams
// (src/api/op-occ-events.ts) read it again at once. On PostgreSQL the same write also
// announces the id with pg_notify on OP_OCC_CHANNEL (src/db/queries/op-occs.ts), so a
// change committed by a `vnfm worker` in another process reaches this one's streams.

const listeners = new Set<(id: string | undefined) => void>();

/** `id` undefined: anything may have changed (a LISTEN connection was made again). */
export function opOccChanged(id: string | undefined): void {
  for (const l of listeners) l(id);
}

/** Calls `listener` at every change until the returned function is called. */
export function onOpOccChanged(listener: (id: string | undefined) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
