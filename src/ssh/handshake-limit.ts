// At most so many SSH handshakes in flight from this process to one server (host and
// port), the rest waiting their turn. sshd drops a share of the unauthenticated
// connections beyond its MaxStartups (10 by default): many operations starting at
// once — several workers' worth — would otherwise have some dropped and tried again.
// With P VNFM processes on one master node, P × the limit under sshd's MaxStartups
// start keeps every handshake (VNFM_SSH_MAX_HANDSHAKES; 4 suits two processes).

let limit = 4;
const servers = new Map<string, { active: number; queue: (() => void)[] }>();

/** The most handshakes in flight to one server from this process (VNFM_SSH_MAX_HANDSHAKES). */
export function setHandshakeLimit(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`handshake limit ${n} is not a positive integer`);
  limit = n;
}

/** Runs `handshake` once fewer than the limit are in flight to `server`; its slot is freed when it settles. */
export async function withHandshakeSlot<T>(server: string, handshake: () => Promise<T>): Promise<T> {
  let s = servers.get(server);
  if (!s) servers.set(server, (s = { active: 0, queue: [] }));
  if (s.active < limit) s.active++;
  else await new Promise<void>((resolve) => s.queue.push(resolve)); // a finished one hands its slot over
  try {
    return await handshake();
  } finally {
    const next = s.queue.shift();
    if (next) next();
    else if (--s.active === 0) servers.delete(server);
  }
}
