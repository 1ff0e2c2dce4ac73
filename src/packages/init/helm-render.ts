// The local helm binary, used by `vnfm package init` to read a chart as helm itself
// reads it: `helm show chart|values`, `helm template` (no cluster needed) and
// `helm package` for a chart directory. Runs with its own HOME, so an operator's
// repositories and plugins play no part, and with arguments, never a shell string.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { InitError } from './errors.ts';

const execFileP = promisify(execFile);

export interface Helm {
  run(args: string[]): Promise<string>;
  /** Removes the temporary HOME. */
  close(): void;
}

export function localHelm(binary: string): Helm {
  const home = mkdtempSync(join(tmpdir(), 'vnfm-init-helm-'));
  return {
    async run(args) {
      try {
        const { stdout } = await execFileP(binary, args, {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
          maxBuffer: 64 * 1024 * 1024,
        });
        return stdout;
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        if (e.code === 'ENOENT')
          throw new InitError(
            `cannot run helm: ${binary} not found (give --helm <path> or set VNFM_HELM_BINARY)`,
          );
        throw new InitError(`helm ${args[0]} failed: ${helmError(e.stderr ?? '') || e.message}`);
      }
    },
    close: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** helm's `Error: …` paragraph as one line (helm 4 spreads it over several). */
function helmError(stderr: string): string {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Error:'));
  if (start === -1)
    return (
      lines
        .filter((l) => l.trim() !== '')
        .at(-1)
        ?.trim() ?? ''
    );
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines
    .slice(start, end === -1 ? undefined : end)
    .map((l) => l.trim())
    .join(' ')
    .replace(/^Error:\s*/, '');
}

export interface ChartInfo {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
}

export async function chartInfo(helm: Helm, chart: string): Promise<ChartInfo> {
  const c = parseYaml(await helm.run(['show', 'chart', chart])) as Record<string, unknown>;
  if (typeof c?.name !== 'string' || c.version === undefined)
    throw new InitError(`${chart}: Chart.yaml has no name or version`);
  return {
    name: c.name,
    version: String(c.version),
    ...(c.appVersion !== undefined ? { appVersion: String(c.appVersion) } : {}),
    ...(typeof c.description === 'string' ? { description: c.description } : {}),
  };
}

export async function chartValues(helm: Helm, chart: string): Promise<unknown> {
  return parseYaml(await helm.run(['show', 'values', chart])) ?? {};
}

/** The manifests the chart renders as release `release`, with `--set` values. */
export async function renderChart(
  helm: Helm,
  chart: string,
  release: string,
  set: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
  const args = ['template', release, chart, '--namespace', 'default'];
  for (const [k, v] of Object.entries(set)) args.push('--set', `${k}=${v}`);
  const out = await helm.run(args);
  const docs = parseAllDocuments(out);
  const bad = (Array.isArray(docs) ? docs : [docs]).find((d) => d.errors.length > 0);
  if (bad)
    throw new InitError(`helm template ${chart} gave invalid YAML: ${bad.errors[0]!.message.split('\n')[0]}`);
  return (Array.isArray(docs) ? docs : [docs])
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d));
}

/** `helm package DIR` into a new temp dir; returns the archive's path (the caller removes its dir). */
export async function packageChart(helm: Helm, dir: string): Promise<{ archive: string; tmp: string }> {
  const tmp = mkdtempSync(join(tmpdir(), 'vnfm-init-chart-'));
  await helm.run(['package', dir, '--destination', tmp]);
  const [file] = readdirSync(tmp).filter((f) => f.endsWith('.tgz'));
  if (!file) throw new InitError(`helm package ${dir} wrote no archive`);
  return { archive: join(tmp, file), tmp };
}
