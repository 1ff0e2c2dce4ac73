// Fixtures for the Helm driver's tests: a VIM for the testbed cluster (with or
// without master nodes), an InfraContext whose log is captured (to prove no secret
// reaches it), a chart repository served on loopback (index.yaml made by the real
// `helm repo index`), and helpers to look at releases and pods directly.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { InfraContext } from '../../src/infra/driver.ts';
import { createLogger } from '../../src/log.ts';
import type { HelmInfo, Vim } from '../../src/vim/model.ts';
import type { TestbedEnv } from '../../testbed/index.ts';
import { chartTgz } from './cnf-package.ts';
import type { HelmPackage } from './helm-package.ts';

const execFileP = promisify(execFile);

export function testVim(env: TestbedEnv, helmInfo?: HelmInfo): Vim {
  return {
    id: `vim-${randomUUID()}`,
    name: 'testbed',
    description: '',
    type: 'kubernetes',
    authUrl: env.apiServer,
    projectName: 'default',
    isDefault: false,
    status: 'REACHABLE',
    authCred: { bearer_token: env.bearerToken, ssl_ca_cert: readFileSync(env.caFile, 'utf8') },
    extra: helmInfo ? { helm_info: helmInfo } : {},
    createdAt: new Date().toISOString(),
    updatedAt: null,
  };
}

/** Everything the tests' loggers wrote, as one string (pino JSON lines). */
export const logged: string[] = [];
export const log = createLogger('debug', { write: (line: string) => void logged.push(line) });

export function infraContext(
  vim: Vim,
  pkg: HelmPackage,
  additionalParams: Record<string, unknown>,
  vnfInstanceId = randomUUID(),
): InfraContext {
  return {
    vim,
    packageRoot: pkg.root,
    vnfInstanceId,
    flavour: pkg.flavour,
    additionalParams,
    log: log.child({ vnfInstanceId }),
    timeoutMs: 90_000,
  };
}

export interface ChartRepo {
  url: string;
  chart: string;
  version: string;
  /** Adds a version of the chart to the repository (and its index). */
  publish(version: string): Promise<void>;
  close(): Promise<void>;
}

/** A chart repository on 127.0.0.1 with one chart (default `ext` 0.2.0, same templates as the package chart). */
export async function serveChartRepo(
  env: TestbedEnv,
  chart: { name: string; version: string; archive: Buffer } | undefined = undefined,
): Promise<ChartRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'helm-repo-'));
  const served = chart ?? { name: 'ext', version: '0.2.0', archive: await chartTgz('ext', '0.2.0') };
  writeFileSync(join(dir, `${served.name}-${served.version}.tgz`), served.archive);
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '').split('?')[0]?.replace(/^\/+/, '') ?? '';
    if (!/^[a-z0-9.-]+$/.test(name)) return void res.writeHead(404).end();
    try {
      res.writeHead(200).end(readFileSync(join(dir, name)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const index = () =>
    execFileP(env.helm3, ['repo', 'index', dir, '--url', url], {
      env: { PATH: process.env.PATH, HOME: dir },
    });
  await index();
  return {
    url,
    chart: served.name,
    version: served.version,
    async publish(version: string) {
      writeFileSync(join(dir, `${served.name}-${version}.tgz`), await chartTgz(served.name, version));
      await index();
    },
    close: () =>
      new Promise((r) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          r();
        }),
      ),
  };
}

const helmHome = mkdtempSync(join(tmpdir(), 'helm-driver-test-home-'));

/** Removes what these helpers wrote to disk (call from a test file's `after`). */
export function removeHelperFiles(): void {
  rmSync(helmHome, { recursive: true, force: true });
}

/** helm on the test side (helm 3, the testbed kubeconfig, its own homes). */
export async function helm(
  env: TestbedEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = helmHome;
  try {
    const r = await execFileP(env.helm3, args, {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        KUBECONFIG: env.kubeconfig,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

export async function releaseHistory(env: TestbedEnv, release: string, namespace: string) {
  const r = await helm(env, 'history', release, '--namespace', namespace, '-o', 'json');
  if (r.code !== 0) return undefined;
  return JSON.parse(r.stdout) as { revision: number; status: string; description: string }[];
}

/** A chart as `helm create NAME` writes it (Deployment, Service, ServiceAccount, a test hook), packaged by `helm package`. */
export async function helmCreateChart(env: TestbedEnv, name: string, version = '0.1.0'): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'helm-create-'));
  try {
    const run = (...args: string[]) =>
      execFileP(env.helm3, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
    await run('create', name);
    await run('package', name, '--version', version);
    return readFileSync(join(dir, `${name}-${version}.tgz`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
