// `vnfm package init --chart CHART`: scaffolds a package directory from a Helm
// chart — the SOL001 VNFD with one VDU per workload the chart renders, an aspect
// per replica value, the chart archive under Files/kubernetes, and a README and
// instantiate.json giving the Helm-mode additionalParams that fit them. The
// directory is then built by `vnfm package build`.
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IGNORE_FILE } from '../build.ts';
import { InitError } from './errors.ts';
import { chartInfo, chartValues, localHelm, packageChart } from './helm-render.ts';
import { readmeText } from './readme.ts';
import { type AspectSpec, type VduSpec, vnfdFiles } from './vnfd.ts';
import { chartWorkloads } from './workloads.ts';

export { InitError } from './errors.ts';

export interface InitOptions {
  /** A chart archive (.tgz) or a chart directory. */
  chart: string;
  /** The package directory to write (must not exist, or be empty). */
  out: string;
  vnfdId?: string;
  provider?: string;
  productName?: string;
  /** The release name the chart is rendered as, and installed as (default: the chart's name). */
  release?: string;
  /** Scaling steps of each aspect (default 2). */
  maxScaleLevel?: number;
  helmBinary: string;
}

export interface InitResult {
  dir: string;
  vnfdId: string;
  flavourId: string;
  chartPath: string;
  vdus: { id: string; kind: string; name: string; replicas?: number; replicaValue?: string }[];
  aspects: AspectSpec[];
  /** A POST …/instantiate body for the package (vimConnectionInfo left to the operator). */
  instantiateRequest: Record<string, unknown>;
}

export const FLAVOUR_ID = 'helmchart';
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export async function initPackage(opts: InitOptions): Promise<InitResult> {
  checkOut(opts.out);
  if (!existsSync(opts.chart)) throw new InitError(`--chart ${opts.chart}: no such file or directory`);
  const maxScaleLevel = opts.maxScaleLevel ?? 2;
  if (!Number.isInteger(maxScaleLevel) || maxScaleLevel < 1 || maxScaleLevel > 100)
    throw new InitError(`--max-scale-level ${maxScaleLevel}: give a whole number from 1 to 100`);
  // Absolute, so a chart named like a flag (`-x.tgz`) reaches helm as a path.
  const chart = resolve(opts.chart);
  const helm = localHelm(opts.helmBinary);
  let tmp: string | undefined;
  try {
    let archive = chart;
    if (statSync(chart).isDirectory()) ({ archive, tmp } = await packageChart(helm, chart));
    const info = await chartInfo(helm, archive);
    const release =
      opts.release ??
      info.name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^-+|-+$/g, '');
    if (!RELEASE_NAME.test(release) || release.length > 53)
      throw new InitError(
        `release name ${JSON.stringify(release)} is not a DNS-1123 label of at most 53 characters: give --release`,
      );
    const workloads = await chartWorkloads(helm, archive, release, await chartValues(helm, archive));
    if (workloads.length === 0)
      throw new InitError(
        `chart ${info.name} renders no Deployment, StatefulSet, ReplicaSet or DaemonSet: nothing to make a VDU of`,
      );

    const vdus: VduSpec[] = workloads.map((w, i) => ({
      id: `VDU${i + 1}`,
      workload: w,
      initial: w.replicas ?? 1,
      max: w.replicas ?? 1,
    }));
    const aspects = aspectsOf(vdus, maxScaleLevel);
    for (const a of aspects)
      for (const v of vdus) if (a.vdus.includes(v.id)) v.max = v.initial + a.maxScaleLevel;

    const chartPath = `Files/kubernetes/${info.name}-${info.version}.tgz`;
    const vnfdId = opts.vnfdId ?? randomUUID();
    const base = info.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    const files = vnfdFiles({
      base,
      vnfdId,
      provider: opts.provider ?? 'Helm VNFM',
      productName: opts.productName ?? info.name,
      softwareVersion: info.appVersion ?? info.version,
      nodeType: `vnfm.cnf.${pascal(info.name)}`,
      flavourId: FLAVOUR_ID,
      description: info.description ?? `CNF from the Helm chart ${info.name} ${info.version}`,
      vdus,
      aspects,
    });
    const result: InitResult = {
      dir: opts.out,
      vnfdId,
      flavourId: FLAVOUR_ID,
      chartPath,
      vdus: vdus.map((v) => ({
        id: v.id,
        kind: v.workload.kind,
        name: v.workload.name,
        ...(v.workload.replicas !== undefined ? { replicas: v.workload.replicas } : {}),
        ...(v.workload.replicaValue ? { replicaValue: v.workload.replicaValue } : {}),
      })),
      aspects,
      instantiateRequest: instantiateRequest(chartPath, release, vdus, aspects),
    };
    mkdirSync(opts.out, { recursive: true });
    for (const [path, text] of files) write(opts.out, path, text);
    mkdirSync(join(opts.out, dirname(chartPath)), { recursive: true });
    copyFileSync(archive, join(opts.out, chartPath));
    write(opts.out, 'instantiate.json', `${JSON.stringify(result.instantiateRequest, null, 2)}\n`);
    write(opts.out, 'README.md', readmeText(info, release, result));
    // The request and README are for the operator, not package content.
    write(opts.out, IGNORE_FILE, 'README.md\ninstantiate*.json\n');
    return result;
  } finally {
    helm.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

function checkOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new InitError(`--out ${out} exists and is not a directory`);
  if (readdirSync(out).length > 0) throw new InitError(`--out ${out} is not empty: give a new directory`);
}

/** One aspect per values path, scaling every VDU whose replicas it sets. */
function aspectsOf(vdus: VduSpec[], maxScaleLevel: number): AspectSpec[] {
  const byValue = new Map<string, string[]>();
  for (const v of vdus) {
    const path = v.workload.replicaValue;
    if (path) byValue.set(path, [...(byValue.get(path) ?? []), v.id]);
  }
  return [...byValue].map(([value, ids]) => ({
    id:
      ids.length === 1
        ? `${ids[0]!.toLowerCase()}_aspect`
        : `${value.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}_aspect`,
    value,
    vdus: ids,
    maxScaleLevel,
  }));
}

function instantiateRequest(chartPath: string, release: string, vdus: VduSpec[], aspects: AspectSpec[]) {
  return {
    flavourId: FLAVOUR_ID,
    instantiationLevelId: 'instantiation_level_1',
    additionalParams: {
      use_helm: 'true',
      using_helm_install_param: [
        { exthelmchart: 'false', helmchartfile_path: chartPath, helmreleasename: release },
      ],
      helm_replica_values: Object.fromEntries(aspects.map((a) => [a.id, a.value])),
      vdu_mapping: Object.fromEntries(
        vdus.map((v) => [v.id, { name: v.workload.name, kind: v.workload.kind, helmreleasename: release }]),
      ),
    },
  };
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function pascal(name: string): string {
  const p = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return /^[A-Za-z]/.test(p) ? p : `Chart${p}`;
}
