// The testbed: `up` builds what is missing, starts a real Kubernetes control
// plane with kwok nodes and SSH master nodes, and records their access data;
// `env` reads it back; `down` stops every process. Tests use the same functions.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigYaml, startCluster } from './lib/cluster.ts';
import { binaries, buildScript, stateDir } from './lib/paths.ts';
import { ensurePki } from './lib/pki.ts';
import { startPostgres } from './lib/postgres.ts';
import { daemonPids, isAlive, run, StepError, stopDaemons } from './lib/proc.ts';
import {
  isPoolSshd,
  revivePoolSshd,
  type HelmArchive,
  killPoolUsers,
  type PoolHost,
  startPoolHosts,
  stopPoolSshd,
} from './lib/pool-hosts.ts';
import { type SshNode, startSshNodes } from './lib/ssh-nodes.ts';
import { withLock } from './lib/lock.ts';

export interface TestbedEnv {
  kubeconfig: string;
  apiServer: string;
  caFile: string;
  bearerToken: string;
  /** Directory with kubectl, helm (3), helm3 and helm4. */
  binDir: string;
  helm3: string;
  helm4: string;
  sshNodes: SshNode[];
  /** Superuser URL of the testbed's PostgreSQL (database `postgres`); tests create their own databases. */
  postgresUrl: string;
  /** SSH hosts for the Kubernetes-cluster VNF (testbed/lib/pool-hosts.ts): masters m11-m14, workers w21-w23. */
  poolHosts: PoolHost[];
  /** helm 3's release archive, for the Helm install script's offline install. */
  helmArchive: HelmArchive;
}

const envFile = join(stateDir, 'env.json');

/** The running testbed's access data, or undefined when it is not (fully) up. */
export function readEnv(): TestbedEnv | undefined {
  if (!existsSync(envFile)) return undefined;
  // A pool host whose sshd is down (a test stopped it) is a host down, not a testbed down: `up` revives it.
  const pids = [...daemonPids(stateDir)].filter(([name]) => !isPoolSshd(name)).map(([, pid]) => pid);
  if (pids.length === 0 || !pids.every(isAlive)) return undefined;
  return JSON.parse(readFileSync(envFile, 'utf8')) as TestbedEnv;
}

/** Written whole or not at all: tests running beside an `up` read it at any time. */
function writeEnv(env: TestbedEnv): void {
  writeFileSync(`${envFile}.tmp`, JSON.stringify(env, null, 2), { mode: 0o600 });
  renameSync(`${envFile}.tmp`, envFile);
}

/**
 * Adds the pool hosts to a testbed started before they existed, without a restart.
 * Several test runs may call `up` at once: one starts them (under a lock
 * directory), the others wait for its env.json.
 */
async function addPoolHosts(running: TestbedEnv, log: (msg: string) => void): Promise<TestbedEnv> {
  const withPool = () => {
    const env = readEnv();
    return env?.poolHosts ? env : undefined;
  };
  return withLock(join(stateDir, 'pool.lock'), { timeoutMs: 180_000, done: withPool }, async () => {
    const again = withPool();
    if (again) return again;
    log('starting pool hosts (Kubernetes-cluster VNF)');
    const env: TestbedEnv = {
      ...running,
      ...(await startPoolHosts(stateDir).catch(async (e: unknown) => {
        await stopPoolSshd(stateDir);
        throw e;
      })),
    };
    writeEnv(env);
    return env;
  });
}

/** Programs from the Debian packages build.sh installs (sshd, PostgreSQL, zsh), checked by path. */
const DEBIAN_TOOLS = ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/zsh'];

export async function build(): Promise<void> {
  // The Debian packages build.sh installs count too (a machine given a warm cache but not them).
  const missing = [...Object.values(binaries), ...DEBIAN_TOOLS].filter((b) => !existsSync(b));
  if (missing.length === 0) return;
  await run('testbed build (see messages above)', 'bash', [buildScript], { timeoutMs: 80 * 60_000 }).catch(
    (e: Error) => {
      throw new StepError(e.message);
    },
  );
}

function toolDir(): string {
  const dir = join(stateDir, 'bin');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(binaries.kube, join(dir, 'kubectl'));
  symlinkSync(binaries.helm3, join(dir, 'helm'));
  symlinkSync(binaries.helm3, join(dir, 'helm3'));
  symlinkSync(binaries.helm4, join(dir, 'helm4'));
  return dir;
}

/** Starts the testbed unless it is already up; returns its access data. */
export async function up(log: (msg: string) => void = () => {}): Promise<TestbedEnv> {
  return (await ensureUp(log)).env;
}

/**
 * `up`, saying whether this call started the testbed (and so should stop it). Calls
 * from several processes at once start it once: the others wait for it (up.lock).
 */
export async function ensureUp(
  log: (msg: string) => void = () => {},
): Promise<{ env: TestbedEnv; started: boolean }> {
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const ready = () => {
    const env = readEnv();
    return env && { env, started: false };
  };
  return withLock(
    join(stateDir, 'up.lock'),
    // A first start builds the binaries: as long as the build's own limit.
    {
      timeoutMs: 80 * 60_000,
      done: ready,
      waiting: () => log('another process is starting the testbed; waiting'),
    },
    async () => {
      const running = readEnv();
      if (running) return { env: await refresh(running, log), started: false };
      return { env: await start(log), started: true };
    },
  );
}

/** A running testbed made whole: pool hosts added or their sshd revived. */
async function refresh(running: TestbedEnv, log: (msg: string) => void): Promise<TestbedEnv> {
  // An env.json from before the pool hosts existed lacks them.
  if (!(running as Partial<TestbedEnv>).poolHosts) return addPoolHosts(running, log);
  for (const h of running.poolHosts) await revivePoolSshd(stateDir, h);
  return running;
}

async function start(log: (msg: string) => void): Promise<TestbedEnv> {
  await stopDaemons(stateDir); // leftovers of a half-started testbed
  await build();
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  const t0 = Date.now();
  try {
    const pki = await ensurePki(stateDir);
    log('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok');
    const cluster = await startCluster(stateDir, pki);
    log('starting SSH master nodes');
    const sshNodes = await startSshNodes(stateDir, kubeconfigYaml(pki, cluster.apiServer));
    log('starting PostgreSQL');
    const postgresUrl = await startPostgres(stateDir);
    log('starting pool hosts (Kubernetes-cluster VNF)');
    const pool = await startPoolHosts(stateDir);
    const env: TestbedEnv = {
      ...cluster,
      binDir: toolDir(),
      helm3: binaries.helm3,
      helm4: binaries.helm4,
      sshNodes,
      postgresUrl,
      ...pool,
    };
    writeEnv(env);
    log(`testbed up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return env;
  } catch (e) {
    await stopDaemons(stateDir);
    throw e;
  }
}

export async function down(): Promise<void> {
  rmSync(envFile, { force: true });
  await killPoolUsers(stateDir); // what the cluster install script left running on the pool hosts
  const survivors = await stopDaemons(stateDir);
  if (survivors.length) throw new StepError(`testbed down: still running: ${survivors.join(', ')}`);
}

const q = (s: string | number) => `'${String(s).replaceAll("'", "'\\''")}'`;

/** Shell `export` lines for an operator's terminal. */
export function exportLines(env: TestbedEnv): string {
  const lines: [string, string | number][] = [
    ['KUBECONFIG', env.kubeconfig],
    ['TESTBED_API_SERVER', env.apiServer],
    ['TESTBED_CA_FILE', env.caFile],
    ['TESTBED_BEARER_TOKEN', env.bearerToken],
    ['TESTBED_HELM3', env.helm3],
    ['TESTBED_HELM4', env.helm4],
    ['TESTBED_POSTGRES_URL', env.postgresUrl],
    ['TESTBED_SSH_NODES', env.sshNodes.length],
  ];
  env.sshNodes.forEach((n, i) => {
    lines.push(
      [`TESTBED_SSH_${i}_HOST`, n.host],
      [`TESTBED_SSH_${i}_PORT`, n.port],
      [`TESTBED_SSH_${i}_USER`, n.user],
      [`TESTBED_SSH_${i}_PASSWORD`, n.password],
      [`TESTBED_SSH_${i}_KEY_FILE`, n.keyFile],
      [`TESTBED_SSH_${i}_HOST_KEY`, n.hostKey],
      [`TESTBED_SSH_${i}_HELM`, n.helm],
    );
  });
  const pool = env.poolHosts ?? [];
  if (pool[0]) {
    lines.push(
      ['TESTBED_POOL_HOSTS', pool.map((h) => h.id).join(' ')],
      ['TESTBED_POOL_PASSWORD', pool[0].password],
      ['TESTBED_POOL_KEY_FILE', pool[0].keyFile],
      ['TESTBED_HELM_ARCHIVE', env.helmArchive.path],
      ['TESTBED_HELM_ARCHIVE_SHA256', env.helmArchive.sha256],
    );
  }
  for (const h of pool) {
    const k = `TESTBED_POOL_${h.id.toUpperCase()}`;
    lines.push(
      [`${k}_ADDRESS`, h.address],
      [`${k}_PORT`, h.port],
      [`${k}_USER`, h.user],
      [`${k}_HOST_KEY`, h.hostKey],
    );
  }
  // PATH keeps the caller's own, expanded by their shell.
  return `export PATH=${q(env.binDir)}:"$PATH"\n${lines.map(([k, v]) => `export ${k}=${q(v)}`).join('\n')}\n`;
}
