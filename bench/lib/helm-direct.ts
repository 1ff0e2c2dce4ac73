// The Helm benchmarks' direct side: the helm commands the VNFM runs, run by hand where
// it runs them — over SSH on the testbed's master node (one connection per step, as
// one `ssh node '…'` is), or as local processes against the testbed's kubeconfig —
// with the chart archive the package ships, copied and extracted once beforehand.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { setHandshakeLimit } from '../../src/ssh/handshake-limit.ts';
import { SshSession } from '../../src/ssh/session.ts';
import { commandLine } from '../../src/ssh/quote.ts';
import { sshToNode, type testbed } from '../../test/helpers/testbed.ts';
import type { SshNode } from '../../testbed/lib/ssh-nodes.ts';

const execFileP = promisify(execFile);

/** helm's --timeout on both sides (the VNFM's is what is left of VNFM_LCM_TIMEOUT_SECONDS, 300 s). */
export const HELM_TIMEOUT_S = 300;

export type HelmTransport = 'ssh' | 'local';

export const connect = (node: SshNode): Promise<SshSession> => sshToNode(node);

/**
 * sshd accepts at most 10 unauthenticated connections at once (MaxStartups 10:30:100) and
 * drops a share of those beyond, so the direct side runs at most this many handshakes at
 * once, as two VNFM workers with their default limit of 4 each do; the helm commands
 * themselves all run at once. SshSession.connect takes its slots from the process-wide
 * limiter (src/ssh/handshake-limit.ts), set here for the bench's process.
 */
export const DIRECT_HANDSHAKES = 8;
setHandshakeLimit(DIRECT_HANDSHAKES);

/** Runs argv on the node (each argument quoted by SshSession.exec); throws on a non-zero exit. */
export async function exec(ssh: SshSession, argv: string[]): Promise<string> {
  const r = await ssh.exec(argv, { timeoutMs: (HELM_TIMEOUT_S + 60) * 1000 });
  if (r.code !== 0) throw new Error(`${commandLine(argv)}: exit ${r.code}: ${r.stderr.trim().slice(-500)}`);
  return r.stdout;
}

/** Where the direct side's commands run: one SSH connection, or (local) nothing to open. */
export interface Session {
  exec(argv: string[]): Promise<string>;
  close(): void;
}

const sshSession = (ssh: SshSession): Session => ({
  exec: (argv) => exec(ssh, argv),
  close: () => ssh.close(),
});

/** helm on this host as a user runs it: the testbed's kubeconfig, helm homes of its own. */
function localSession(helmBinary: string, kubeconfig: string, home: string): Session {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  return {
    async exec(argv) {
      const [program, ...args] = argv;
      try {
        const r = await execFileP(program === 'helm' ? helmBinary : program!, args, {
          env,
          maxBuffer: 64 * 1024 * 1024,
          timeout: (HELM_TIMEOUT_S + 60) * 1000,
        });
        return r.stdout;
      } catch (e) {
        const err = e as Error & { code?: number; stderr?: string };
        throw new Error(
          `${argv.join(' ')}: exit ${err.code}: ${String(err.stderr ?? err.message)
            .trim()
            .slice(-500)}`,
        );
      }
    },
    close: () => {},
  };
}

/** Helm 3's --wait is a switch; Helm 4's takes a strategy, and the VNFM uses `watcher` (kstatus). */
const waitFlags = (helmMajor: number) => [
  helmMajor >= 4 ? '--wait=watcher' : '--wait',
  '--timeout',
  `${HELM_TIMEOUT_S}s`,
];

export interface Direct {
  helmMajor: number;
  /** The extracted chart directory where helm runs. */
  chartDir: string;
  namespace: string;
  /** A session for one step (over SSH: a connection, as one `ssh node '…'` would be). */
  open(): Promise<Session>;
}

export const installArgv = (d: Direct, release: string, sets: string[]) => [
  'helm',
  'install',
  release,
  d.chartDir,
  '--namespace',
  d.namespace,
  ...sets.flatMap((s) => ['--set', s]),
  ...waitFlags(d.helmMajor),
];

export const uninstallArgv = (d: Direct, release: string) => [
  'helm',
  'uninstall',
  release,
  '--namespace',
  d.namespace,
  ...waitFlags(d.helmMajor),
];

/** Many commands at once: wall time from the start to the last one done, and errors. */
export interface Concurrent {
  wallMs: number;
  errors: string[];
  /** VNFM: first startTime → last stateEnteredTime of the op occs, as the server recorded them. */
  serverMs?: number;
  /** Direct: each command's own time (its session's opening included), ms. */
  durationsMs?: number[];
}

/** Each argv in a session of its own, all at once (over SSH at most DIRECT_HANDSHAKES handshakes at a time). */
export async function directConcurrent(d: Direct, argvs: string[][]): Promise<Concurrent> {
  const t = performance.now();
  const errors: string[] = [];
  const durationsMs: number[] = [];
  await Promise.all(
    argvs.map(async (argv) => {
      const start = performance.now();
      try {
        const session = await d.open();
        try {
          await session.exec(argv);
        } finally {
          session.close();
        }
      } catch (e) {
        errors.push((e as Error).message.slice(0, 300));
      }
      durationsMs.push(performance.now() - start);
    }),
  );
  return { wallMs: performance.now() - t, errors, durationsMs };
}

export interface PreparedDirect {
  direct: Direct;
  /** `helm version --short` where the direct side runs. */
  helmVersion: string;
  /** Where helm runs, for the report. */
  where: string;
  /**
   * Ends the preparation: removes the chart directory on the master node, and these
   * paths under the SSH user's home there (e.g. `vnfm/<instance id>`, what a failed
   * VNFM run may leave); closes the connection. Local: nothing on a node to remove.
   */
  cleanup(leftoversUnderHome?: string[]): Promise<void>;
}

/**
 * The direct side, ready to run: the chart archive copied to the node (or `dir`) and
 * extracted once, untimed; the helm major checked against `helmWanted`.
 */
export async function prepareDirect(opts: {
  env: Awaited<ReturnType<typeof testbed>>;
  transport: HelmTransport;
  node: SshNode;
  localHelm: string;
  helmWanted: number;
  chart: Buffer;
  namespace: string;
  /** A local temporary directory of the benchmark's own. */
  dir: string;
  /** Names the chart directory on the node. */
  tag: string;
}): Promise<PreparedDirect> {
  const { node, dir, namespace } = opts;
  const chartFile = join(dir, 'app-0.1.0.tgz');
  writeFileSync(chartFile, opts.chart);
  let prepared: PreparedDirect;
  if (opts.transport === 'ssh') {
    const admin = await connect(node);
    let remoteHome = '';
    let remoteDir = '';
    const cleanup = async (leftovers: string[] = []) => {
      const paths = [
        ...(remoteDir ? [remoteDir] : []),
        ...(remoteHome ? leftovers.map((p) => posix.join(remoteHome, p)) : []),
      ];
      if (paths.length > 0) await admin.exec(['rm', '-rf', '--', ...paths]).catch(() => {});
      admin.close();
    };
    try {
      remoteHome = (await exec(admin, ['printenv', 'HOME'])).trim();
      remoteDir = posix.join(remoteHome, `bench-helm-${opts.tag}`);
      await exec(admin, ['mkdir', '-p', remoteDir]);
      await admin.putFile(chartFile, posix.join(remoteDir, 'app-0.1.0.tgz'));
      await exec(admin, ['tar', '-xzf', posix.join(remoteDir, 'app-0.1.0.tgz'), '-C', remoteDir]);
      prepared = {
        helmVersion: (await exec(admin, ['helm', 'version', '--short'])).trim(),
        where: `master node ${node.host}:${node.port} over SSH`,
        direct: {
          helmMajor: 0,
          chartDir: posix.join(remoteDir, 'app'),
          namespace,
          open: async () => sshSession(await connect(node)),
        },
        cleanup,
      };
    } catch (e) {
      await cleanup();
      throw e;
    }
  } else {
    const home = join(dir, 'direct-home');
    mkdirSync(home);
    const session = localSession(opts.localHelm, opts.env.kubeconfig, home);
    await session.exec(['tar', '-xzf', chartFile, '-C', dir]);
    prepared = {
      helmVersion: (await session.exec(['helm', 'version', '--short'])).trim(),
      where: `local helm ${opts.localHelm}`,
      direct: {
        helmMajor: 0,
        chartDir: join(dir, 'app'),
        namespace,
        open: async () => session,
      },
      cleanup: async () => {},
    };
  }
  prepared.direct.helmMajor = Number(/^v(\d+)/.exec(prepared.helmVersion)?.[1]);
  if (prepared.direct.helmMajor !== opts.helmWanted) {
    await prepared.cleanup();
    throw new Error(`asked for helm ${opts.helmWanted}, found ${prepared.helmVersion}`);
  }
  return prepared;
}
