// Getting a chart where helm runs. A package chart is checked on the VNFM first
// (a gzip tar of plain files under one top directory with a Chart.yaml, nothing
// that could write outside the directory it is extracted to), then copied to the
// host and extracted there with `tar -xzf`, one directory per release, so two
// releases of differently versioned charts with the same name never collide. A
// repository chart needs its repository registered with `helm repo add`.
import { basename, posix } from 'node:path';
import * as tar from 'tar';
import { parse as parseYaml } from 'yaml';
import { HelmError } from './errors.ts';
import type { HelmCli } from './helm-cli.ts';

export interface ChartArchive {
  /** The top directory the archive extracts to (the chart directory). */
  dir: string;
  name: string;
  version: string;
}

const MAX_ENTRIES = 10_000;
const MAX_CHART_YAML = 1024 * 1024;

/** Reads and checks a chart archive; throws an Error saying what is wrong with it. */
export async function inspectChartArchive(file: string): Promise<ChartArchive> {
  let top: string | undefined;
  let problem: string | undefined;
  let chartYaml = '';
  let entries = 0;
  const fail = (why: string) => {
    problem ??= why;
  };
  try {
    await tar.t({
      file,
      strict: true,
      onReadEntry: (entry) => {
        entries++;
        if (entries > MAX_ENTRIES) fail(`it has more than ${MAX_ENTRIES} entries`);
        const path = entry.path.replace(/\/+$/, '');
        const segments = path.split('/');
        if (path.startsWith('/') || segments.includes('..'))
          fail(`entry ${JSON.stringify(entry.path)} would leave its directory`);
        if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'Directory')
          fail(`entry ${JSON.stringify(entry.path)} is a ${entry.type}, not a file or directory`);
        const first = segments[0] ?? '';
        if (top === undefined) top = first;
        else if (first !== top) fail(`it has more than one top directory (${top}, ${first})`);
        if (segments.length === 2 && segments[1] === 'Chart.yaml' && entry.type !== 'Directory') {
          if (entry.size > MAX_CHART_YAML) fail('its Chart.yaml is too large');
          else entry.on('data', (d: Buffer) => (chartYaml += d.toString('utf8')));
        }
      },
    });
  } catch (e) {
    throw new Error(`it is not a gzip tar archive: ${(e as Error).message}`);
  }
  if (problem) throw new Error(problem);
  if (!top || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(top))
    throw new Error(`its top directory ${JSON.stringify(top ?? '')} is not a chart directory name`);
  if (!chartYaml) throw new Error(`it has no ${top}/Chart.yaml`);
  let meta: { name?: unknown; version?: unknown };
  try {
    meta = (parseYaml(chartYaml) ?? {}) as typeof meta;
  } catch (e) {
    throw new Error(`its Chart.yaml is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof meta.name !== 'string' || !meta.name) throw new Error('its Chart.yaml has no name');
  return { dir: top, name: meta.name, version: String(meta.version ?? '') };
}

export interface ChartToStage {
  release: string;
  /** The archive in the extracted package. */
  file: string;
  archive: ChartArchive;
}

/**
 * Copies package charts to `<instanceDir>/<release>/` on the host and extracts them;
 * returns each release's chart directory there. However many releases: one mkdir, the
 * copies at once on one SFTP channel, one remote command extracting them all.
 * Repeating it overwrites with the same files.
 */
export async function stageCharts(
  cli: HelmCli,
  vnfInstanceId: string,
  charts: readonly ChartToStage[],
): Promise<Map<string, string>> {
  const t = cli.transport;
  const out = new Map<string, string>();
  if (charts.length === 0) return out;
  const plan = charts.map((c) => {
    const dir = posix.join(t.instanceDir(vnfInstanceId), c.release);
    return { ...c, dir, remote: posix.join(dir, basename(c.file)) };
  });
  await t.mkdirp(...plan.map((c) => c.dir));
  await t.putFiles(plan.map((c) => ({ local: c.file, remote: c.remote })));
  const r = await t.runAll(plan.map((c) => ['tar', '-xzf', c.remote, '-C', c.dir]));
  if (r.code !== 0) {
    const names = plan.map((c) => basename(c.file)).join(', ');
    throw new HelmError(`${t.where}: extracting ${names} failed: ${t.redact(r.stderr.trim())}`);
  }
  for (const c of plan) out.set(c.release, posix.join(c.dir, c.archive.dir));
  return out;
}

/** The chart directory of a release on the host, if its extracted chart is there. */
export async function stagedChart(
  cli: HelmCli,
  vnfInstanceId: string,
  release: string,
  archive: Pick<ChartArchive, 'dir'>,
): Promise<string | undefined> {
  const dir = posix.join(cli.transport.instanceDir(vnfInstanceId), release, archive.dir);
  return (await cli.transport.exists(posix.join(dir, 'Chart.yaml'))) ? dir : undefined;
}

/**
 * `helm repo add` on the host. Adding the same name and URL again is a no-op in helm
 * that keeps the index it downloaded then, so with `refresh` the index is updated
 * (`helm repo update`): a chart version published since is found (instantiate; a
 * scale pins the deployed version and needs no refresh). A name already registered
 * with another URL is refused rather than overwritten, since another instance may use it.
 */
export async function addRepo(
  cli: HelmCli,
  name: string,
  url: string,
  opts: { refresh: boolean },
): Promise<void> {
  const r = await cli.tryRun(cli.cmd.repoAdd(name, url), 120_000);
  if (r.code === 0) {
    if (opts.refresh && /already exists with the same configuration/.test(r.stdout))
      await cli.run(cli.cmd.repoUpdate(name), `helm repo update ${name}`, 120_000);
    return;
  }
  const msg = cli.transport.redact(r.stderr.trim().split('\n').at(-1) ?? '');
  if (/already exists/.test(msg))
    throw new HelmError(
      `${cli.where}: helm repository ${JSON.stringify(name)} is already registered with another URL than ${url}`,
    );
  throw new HelmError(`${cli.where}: helm repo add ${name} ${url} failed: ${msg}`);
}

/** `helm repo remove`; a repository that is not registered counts as removed. */
export async function removeRepo(cli: HelmCli, name: string): Promise<void> {
  const r = await cli.tryRun(cli.cmd.repoRemove(name));
  if (r.code === 0 || /no repo named|no repositories configured/.test(r.stderr)) return;
  throw new HelmError(
    `${cli.where}: helm repo remove ${name} failed: ${cli.transport.redact(r.stderr.trim())}`,
  );
}
