// HostShell: one SSH login to a pool host for a MgmtDriver. The host key is the
// pool's pinned one, and a host without one is refused (fail closed: never trust on
// first use for hosts a driver sends secrets to). Credentials come from the pool's
// host entry; they go to the SSH library only.
import type { BoundHost } from '../infra/hosts/model.ts';
import { SshSession } from '../ssh/session.ts';
import type { HostShell } from './driver.ts';

export async function openShell(bound: BoundHost, timeoutMs: number): Promise<HostShell> {
  const h = bound.host;
  if (!h.host_key) throw new Error(`pool host ${h.id} has no pinned host_key: refusing to log in`);
  const session = await SshSession.connect({
    host: h.address,
    port: h.port ?? 22,
    username: h.username,
    hostKey: h.host_key,
    ...(h.password !== undefined ? { password: h.password } : {}),
    ...(h.private_key !== undefined ? { privateKey: h.private_key } : {}),
  });
  try {
    const res = await session.execRaw('printf %s "$HOME"', { timeoutMs });
    const home = res.stdout;
    if (res.code !== 0 || !home.startsWith('/'))
      throw new Error(`pool host ${h.id}: cannot read the login user's home directory (exit ${res.code})`);
    return {
      host: bound,
      home,
      exec: (argv, opts = {}) => session.exec(argv, { timeoutMs: opts.timeoutMs ?? timeoutMs }),
      writeFile: (path, content, mode = 0o600) => session.writeFile(path, content, mode),
      putFiles: (files) => session.putFiles(files.map((f) => ({ ...f, mode: f.mode ?? 0o600 }))),
      close: async () => session.close(),
    };
  } catch (e) {
    session.close();
    throw e;
  }
}
