// Where the testbed keeps things: binaries cached by version outside the work
// tree (built by scripts/build.sh), and run state in one directory per machine
// that the SSH test user can traverse.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const here = new URL('..', import.meta.url).pathname;

function readVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(here, 'versions.env'), 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

const v = readVersions();
const need = (k: string): string => {
  const value = v[k];
  if (!value) throw new Error(`testbed/versions.env lacks ${k}`);
  return value;
};

export const versions = {
  kube: need('KUBE_VERSION'),
  etcd: need('ETCD_VERSION'),
  kwok: need('KWOK_VERSION'),
  helm3: need('HELM3_VERSION'),
  helm4: need('HELM4_VERSION'),
};

export const cacheDir =
  process.env.HELM_VNFM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'helm-vnfm');
export const binDir = join(cacheDir, 'bin');

export const binaries = {
  kube: join(binDir, `kube-${versions.kube}`),
  etcd: join(binDir, `etcd-${versions.etcd}`),
  kwok: join(binDir, `kwok-${versions.kwok}`),
  helm3: join(binDir, `helm-${versions.helm3}`),
  helm4: join(binDir, `helm-${versions.helm4}`),
  kwokStages: join(cacheDir, `kwok-stages-${versions.kwok}.yaml`),
};

export const buildScript = join(here, 'scripts', 'build.sh');

/** Run state (certificates, data, logs, pids, env). Overridable for parallel testbeds. */
export const stateDir = process.env.TESTBED_STATE_DIR ?? '/tmp/helm-vnfm-testbed';
