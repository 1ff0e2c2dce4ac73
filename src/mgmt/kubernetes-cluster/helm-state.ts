// What a replacement master needs so the Helm CNFs on the cluster keep working through
// it: the helm repositories and the chart directories the Helm CNF driver keeps under
// the SSH user's home (~/vnfm/<vnfInstanceId>). Captured from a surviving master and
// carried through the VNFM (the journal) — masters never SSH to each other.
import { posix } from 'node:path';
import { DEFAULT_REMOTE_DIR } from '../../infra/helm/helm-driver.ts';
import type { ClusterNode } from './cluster.ts';
import type { ClusterOp } from './ops.ts';

export interface HelmRepo {
  name: string;
  url: string;
}

export interface HelmState {
  repos: HelmRepo[];
  /** gzip'd tar of the chart directory base, base64; '' when there is none. */
  charts: string;
}

/** Base64 of the chart tar, at most (the journal holds it; chart archives of CNFs are small). */
export const MAX_CHARTS_BASE64 = 48 * 1024 * 1024;
// helm allows almost any repository name (not '/'); each travels as one quoted argument
// after '--', so only what no argument can carry (control characters) is refused.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const REPO_NAME = /^[^\s\u0000-\u001f\u007f/][^\u0000-\u001f\u007f/]{0,199}$/;

/** `helm repo list -o json` output as repos; helm exits 1 with "no repositories" when there are none. */
export function parseRepoList(stdout: string): HelmRepo[] {
  const text = stdout.trim();
  if (text === '') return [];
  const list = JSON.parse(text) as unknown;
  if (!Array.isArray(list)) throw new Error('helm repo list -o json did not print a list');
  return list.map((r: unknown) => {
    const { name, url } = (r ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof url !== 'string')
      throw new Error('helm repo list: an entry without name or url');
    return { name, url };
  });
}

/** Reads the Helm state from a (surviving) master. */
export async function captureHelmState(op: ClusterOp, from: ClusterNode): Promise<HelmState> {
  const shell = await op.shell(from);
  const listed = await shell.exec(['helm', 'repo', 'list', '-o', 'json'], { timeoutMs: 60_000 });
  let repos: HelmRepo[] = [];
  if (listed.code === 0) repos = parseRepoList(listed.stdout);
  else if (!/no repositories/i.test(listed.stderr))
    throw new Error(
      `helm repo list on host ${from.bound.host.id} exited ${listed.code}: ${listed.stderr.trim().slice(-500)}`,
    );
  // The tar goes to stdout as base64 (exec's output is text); a missing directory is no charts.
  const charts = await op.run(from, `helm.capture:${from.bound.vnfcId}`, [
    'sh',
    '-c',
    'cd "$1" || exit 1; if [ -d "$2" ]; then tar -czf - -- "$2" | base64 -w0; fi',
    'sh',
    shell.home,
    DEFAULT_REMOTE_DIR,
  ]);
  const b64 = charts.trim();
  if (b64.length > MAX_CHARTS_BASE64)
    throw new Error(
      `the chart directories on host ${from.bound.host.id} exceed ${MAX_CHARTS_BASE64 / 1024 / 1024} MiB (base64)`,
    );
  if (!/^[A-Za-z0-9+/=]*$/.test(b64))
    throw new Error(`helm.capture on host ${from.bound.host.id}: output is not base64`);
  return { repos, charts: b64 };
}

/** Puts the Helm state onto a new master: the chart directories, then each repository (names and URLs as argv). */
export async function restoreHelmState(op: ClusterOp, to: ClusterNode, state: HelmState): Promise<void> {
  const shell = await op.shell(to);
  const step = `helm.restore:${to.bound.vnfcId}`;
  if (state.charts !== '') {
    const dir = await op.staged(to);
    const file = posix.join(dir, 'helm-charts.tgz');
    await shell.writeFile(file, Buffer.from(state.charts, 'base64'), 0o600);
    await op.run(to, step, ['tar', '-C', shell.home, '-xzf', file]);
    await op.run(to, step, ['rm', '-f', '--', file]);
  }
  for (const r of state.repos) {
    // Never read by a shell: `a;b` is one argument. A name no argument can carry is skipped.
    if (!REPO_NAME.test(r.name)) {
      op.ctx.log.warn({ repo: r.name.slice(0, 100) }, 'helm repository name not restored: not a plain name');
      continue;
    }
    await op.run(to, step, ['helm', 'repo', 'add', '--force-update', '--', r.name, r.url], 120_000);
  }
}
