// The testbed: `up` builds what is missing, starts a real Kubernetes control
// plane with kwok nodes and SSH master nodes, and records their access data;
// `env` reads it back; `down` stops every process. Tests use the same functions.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigYaml, startCluster } from './lib/cluster.ts';
import { binaries, buildScript, stateDir } from './lib/paths.ts';
import { ensurePki } from './lib/pki.ts';
import { startPostgres } from './lib/postgres.ts';
import { daemonPids, isAlive, run, StepError, stopDaemons } from './lib/proc.ts';
import { type SshNode, startSshNodes } from './lib/ssh-nodes.ts';

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
}

const envFile = join(stateDir, 'env.json');

/** The running testbed's access data, or undefined when it is not (fully) up. */
export function readEnv(): TestbedEnv | undefined {
  if (!existsSync(envFile)) return undefined;
  const pids = daemonPids(stateDir);
  if (pids.size === 0 || ![...pids.values()].every(isAlive)) return undefined;
  return JSON.parse(readFileSync(envFile, 'utf8')) as TestbedEnv;
}

export async function build(): Promise<void> {
  const missing = Object.values(binaries).filter((b) => !existsSync(b));
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
  const running = readEnv();
  if (running) return running;
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
    const env: TestbedEnv = {
      ...cluster,
      binDir: toolDir(),
      helm3: binaries.helm3,
      helm4: binaries.helm4,
      sshNodes,
      postgresUrl,
    };
    writeFileSync(envFile, JSON.stringify(env, null, 2), { mode: 0o600 });
    log(`testbed up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return env;
  } catch (e) {
    await stopDaemons(stateDir);
    throw e;
  }
}

export async function down(): Promise<void> {
  rmSync(envFile, { force: true });
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
  // PATH keeps the caller's own, expanded by their shell.
  return `export PATH=${q(env.binDir)}:"$PATH"\n${lines.map(([k, v]) => `export ${k}=${q(v)}`).join('\n')}\n`;
}
