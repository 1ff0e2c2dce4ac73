// `vnfm package build DIR` and `vnfm package init --chart CHART`: making a package
// on the operator's machine, no VNFM needed. Results go to stdout (a line for
// people, the whole result with `-o json|yaml`, the path alone with `-q`); a refusal
// is one line (`vnfm: …`) and exit 1, through main.ts's handler.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { fromEnv } from '../config.ts';
import { packageEntries, PackageBuildError, zipCsar } from '../packages/build.ts';
import { initPackage, InitError } from '../packages/init/index.ts';

interface GlobalOutput {
  output?: string;
  quiet?: boolean;
}

/** Prints `result` as the global -o/-q flags ask, else `line`. */
function print(cmd: Command, result: object, id: string, line: string): void {
  const { output, quiet } = cmd.optsWithGlobals<GlobalOutput>();
  if (quiet) process.stdout.write(`${id}\n`);
  else if (output === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (output === 'yaml') process.stdout.write(toYaml(result));
  else process.stdout.write(`${line}\n`);
}

/** Our refusals as plain errors: main.ts prints them as one line. */
async function oneLine<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PackageBuildError || err instanceof InitError) throw new Error(err.message);
    throw err;
  }
}

export function addPackageAuthoringCommands(pkg: Command): void {
  pkg
    .command('build')
    .description('zip a package directory as a SOL004 CSAR: TOSCA.meta, manifest and SHA-256 hashes written')
    .argument('<dir>', 'the package directory (Definitions/ with the VNFD, Files/ …)')
    .option('--out <file>', 'the zip to write (default: <dir>.zip beside the directory)')
    .action(async (dir: string, flags: { out?: string }, cmd: Command) => {
      const root = resolve(dir);
      const out = resolve(flags.out ?? `${root.replace(/[/\\]+$/, '')}.zip`);
      // A zip written inside the directory must not end up in the next build of it.
      const inside = out.startsWith(root + sep) ? [relative(root, out).split(sep).join('/')] : [];
      const files = await oneLine(async () => packageEntries(dir, { exclude: inside }));
      const zip = await zipCsar(files);
      const entries = files.map((e) => e.path);
      writeFileSync(out, zip);
      const sha256 = createHash('sha256').update(zip).digest('hex');
      print(
        cmd,
        { file: out, bytes: zip.length, sha256, entries },
        out,
        `${out}: ${entries.length} files, ${zip.length} bytes, SHA-256 ${sha256}`,
      );
    });

  pkg
    .command('init')
    .description(
      'scaffold a package directory from a Helm chart: a VDU per workload it renders, aspects for its replica values',
    )
    .requiredOption('--chart <chart>', 'a chart archive (.tgz) or a chart directory')
    .option('--out <dir>', 'the package directory to write (default: ./<chart name>-vnf)')
    .option('--vnfd-id <uuid>', 'descriptor_id of the VNFD (default: a new UUID)')
    .option('--provider <name>', 'the VNF provider (default: Helm VNFM)')
    .option('--product-name <name>', "the VNF product name (default: the chart's name)")
    .option(
      '--release <name>',
      "the Helm release name the chart is rendered and installed as (default: the chart's name)",
    )
    .option('--max-scale-level <n>', 'scaling steps of each aspect (default 2)')
    .option('--helm <binary>', 'the helm binary that renders the chart (env VNFM_HELM_BINARY, default helm)')
    .action(async (flags: Record<string, string | undefined>, cmd: Command) => {
      const chart = flags.chart as string;
      const name = basename(chart.replace(/[/\\]+$/, '')).replace(/(-\d+[^/]*)?\.tgz$/, '');
      const result = await oneLine(() =>
        initPackage({
          chart,
          out: flags.out ?? `${name}-vnf`,
          helmBinary: flags.helm ?? String(fromEnv().helmBinary ?? 'helm'),
          ...(flags.vnfdId ? { vnfdId: flags.vnfdId } : {}),
          ...(flags.provider ? { provider: flags.provider } : {}),
          ...(flags.productName ? { productName: flags.productName } : {}),
          ...(flags.release ? { release: flags.release } : {}),
          ...(flags.maxScaleLevel ? { maxScaleLevel: Number(flags.maxScaleLevel) } : {}),
        }),
      );
      const vdus = result.vdus.map((v) => `${v.id}=${v.kind}/${v.name}`).join(', ');
      const aspects = result.aspects.map((a) => `${a.id}=${a.value}`).join(', ') || 'none';
      print(
        cmd,
        result,
        result.dir,
        `${result.dir}: VNFD ${result.vnfdId}, ${vdus}; aspects ${aspects}. Next: vnfm package build ${result.dir}`,
      );
    });
}
