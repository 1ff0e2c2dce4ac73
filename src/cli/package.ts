// `vnfm package …`: VNF packages through SOL005 (/vnfpkgm/v1/vnf_packages): create,
// upload (a zip, or from a URI), list, show, enable, disable, delete, download, vnfd,
// artifact, and onboard = (build a directory) + create + upload + wait for ONBOARDED.
// `-o json|yaml` prints the VnfPkgInfo as the API sends it.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { buildPackage } from '../packages/build.ts';
import type { VnfPkgInfo } from '../packages/model.ts';
import { clientFor } from './context.ts';
import { listAll, withFilter } from './lcm-client.ts';
import { collect, pair } from './lcm-requests.ts';
import { type Column, printDone, printList, printOne } from './output.ts';
import { addPackageAuthoringCommands } from './package-authoring.ts';
import { oneLine, secretFromEnv, type VnfmClient } from './vnfm-client.ts';

const PKGS = '/vnfpkgm/v1/vnf_packages';
const pkgPath = (id: string) => `${PKGS}/${encodeURIComponent(id)}`;

/** Bound on waiting for onboarding (it ends in ONBOARDED or ERROR on its own). */
const ONBOARD_TIMEOUT_S = 600;
const POLL_MS = 500;

/** The VnfPkgInfo as the API sends it (its own _links aside). */
type PkgView = VnfPkgInfo;

const COLUMNS: Column<PkgView>[] = [
  { header: 'ID', get: (p) => p.id },
  { header: 'VNFD_ID', get: (p) => p.vnfdId },
  { header: 'PRODUCT', get: (p) => p.vnfProductName },
  { header: 'VERSION', get: (p) => p.vnfSoftwareVersion },
  { header: 'ONBOARDING', get: (p) => p.onboardingState },
  { header: 'OPERATIONAL', get: (p) => p.operationalState },
  { header: 'USAGE', get: (p) => p.usageState },
  { header: 'PROVIDER', get: (p) => p.vnfProvider, wide: true },
  { header: 'VNFD_VERSION', get: (p) => p.vnfdVersion, wide: true },
  { header: 'USER_DATA', get: (p) => p.userDefinedData, wide: true },
];
/** A show adds what a list leaves out. */
const DETAIL: Column<PkgView>[] = [
  ...COLUMNS,
  { header: 'ARTIFACTS', get: (p) => p.additionalArtifacts?.map((a) => a.artifactPath), wide: true },
  { header: 'ERROR', get: (p) => p.onboardingFailureDetails?.detail },
];
const idOf = (p: PkgView) => p.id;

/** `--user-data key=value` pairs as userDefinedData. */
function userData(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  return Object.fromEntries(pairs.map((p) => pair(p, '--user-data')));
}

/** The package's one-line failure: `<id> onboarding failed: 422 Onboarding failed: <detail>`. */
function onboardingError(p: PkgView): Error {
  const d = p.onboardingFailureDetails;
  const why = d
    ? [d.status, d.title, d.detail]
        .filter((x) => x !== undefined)
        .join(': ')
        .replace(/^(\d+): /, '$1 ')
    : 'no details';
  return new Error(`VNF package ${p.id} onboarding failed: ${oneLine(why)}`);
}

/** Polls the package until onboarding ends; ONBOARDED returns it, ERROR throws its failure details. */
export async function waitOnboarded(
  client: VnfmClient,
  id: string,
  timeoutS = ONBOARD_TIMEOUT_S,
): Promise<PkgView> {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    const p = await client.get<PkgView>(pkgPath(id));
    if (p.onboardingState === 'ONBOARDED') return p;
    if (p.onboardingState === 'ERROR') throw onboardingError(p);
    if (p.onboardingState === 'CREATED')
      throw new Error(`VNF package ${id} has no content (CREATED): upload it first`);
    if (Date.now() > until)
      throw new Error(`VNF package ${id} is still ${p.onboardingState} after ${timeoutS} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface UploadFlags {
  uri?: string;
  uriUser?: string;
  uriPasswordEnv?: string;
  wait?: boolean;
  timeout?: string;
}

async function upload(
  client: VnfmClient,
  id: string,
  file: string | undefined,
  f: UploadFlags,
): Promise<void> {
  if ((file === undefined) === (f.uri === undefined))
    throw new Error('give the package zip or --uri, one of them');
  if (f.uri) {
    if ((f.uriUser === undefined) !== (f.uriPasswordEnv === undefined)) {
      throw new Error('--uri-user needs --uri-password-env');
    }
    const auth =
      f.uriUser && f.uriPasswordEnv
        ? {
            authType: 'BASIC',
            userName: f.uriUser,
            password: secretFromEnv(f.uriPasswordEnv, '--uri-password-env'),
          }
        : {};
    await client.post(`${pkgPath(id)}/package_content/upload_from_uri`, {
      addressInformation: f.uri,
      ...auth,
    });
    return;
  }
  if (f.uriUser || f.uriPasswordEnv) throw new Error('--uri-user is for --uri');
  await client.upload(`${pkgPath(id)}/package_content`, { file: file ?? '', contentType: 'application/zip' });
}

function timeoutOf(text: string | undefined): number {
  if (text === undefined) return ONBOARD_TIMEOUT_S;
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0)
    throw new Error(`--timeout: '${oneLine(text, 20)}' is not a number of seconds`);
  return Number(text);
}

/** Where a download goes: the FILE argument, '-' for stdout, else `default`. */
const target = (file: string | undefined, fallback: string) => file ?? fallback;

export function addPackageCommands(program: Command): void {
  const pkg = program.command('package').description('VNF packages (SOL004 CSARs) through SOL005');

  pkg
    .command('create')
    .description('create an empty package resource (then: vnfm package upload ID FILE.zip)')
    .option('--user-data <key=value>', 'userDefinedData entry (repeat for several)', collect)
    .action(async (f: { userData?: string[] }, cmd: Command) => {
      const data = userData(f.userData);
      const a = await clientFor(cmd).post(PKGS, data ? { userDefinedData: data } : {});
      printOne(cmd, a.body as PkgView, DETAIL, idOf);
    });

  pkg
    .command('upload')
    .description("upload a package's content: a zip file, or --uri for the VNFM to fetch it from")
    .argument('<id>', 'the package id')
    .argument('[file]', 'the package zip')
    .option('--uri <url>', 'the VNFM fetches the zip from this URL (http or https)')
    .option('--uri-user <user>', 'HTTP Basic user for --uri')
    .option('--uri-password-env <var>', "environment variable holding that user's password")
    .option('--wait', 'wait until onboarding ends (exit 1 with its failure details on ERROR)')
    .option('--timeout <seconds>', `bound on --wait (default ${ONBOARD_TIMEOUT_S})`)
    .action(async (id: string, file: string | undefined, f: UploadFlags, cmd: Command) => {
      const client = clientFor(cmd);
      const timeout = timeoutOf(f.timeout);
      await upload(client, id, file, f);
      if (!f.wait) return printDone(cmd, `VNF package ${id}: content accepted, onboarding`);
      printOne(cmd, await waitOnboarded(client, id, timeout), DETAIL, idOf);
    });

  pkg
    .command('onboard')
    .description(
      'create + upload + wait for ONBOARDED: a package zip, or a package directory (built first, as package build does)',
    )
    .argument('<path>', 'a package directory or zip')
    .option('--user-data <key=value>', 'userDefinedData entry (repeat for several)', collect)
    .option('--timeout <seconds>', `bound on waiting for onboarding (default ${ONBOARD_TIMEOUT_S})`)
    .action(async (path: string, f: { userData?: string[]; timeout?: string }, cmd: Command) => {
      const timeout = timeoutOf(f.timeout);
      const data = userData(f.userData);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch (e) {
        throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      // Built before anything is created: a directory that is no package leaves nothing behind.
      const body = isDir
        ? { data: await buildPackage(path), contentType: 'application/zip' }
        : { file: path, contentType: 'application/zip' };
      const client = clientFor(cmd);
      const created = (await client.post(PKGS, data ? { userDefinedData: data } : {})).body as PkgView;
      await client.upload(`${pkgPath(created.id)}/package_content`, body);
      printOne(cmd, await waitOnboarded(client, created.id, timeout), DETAIL, idOf);
    });

  pkg
    .command('list')
    .description('the packages (-o wide: provider, VNFD version, user data)')
    .option('--filter <expr>', 'an SOL013 filter, e.g. "(eq,operationalState,ENABLED)"')
    .option('--vnfd-id <id>', 'only packages of this VNFD')
    .action(async (f: { filter?: string; vnfdId?: string }, cmd: Command) => {
      const terms = f.vnfdId ? [`(eq,vnfdId,${f.vnfdId})`] : [];
      const wide = cmd.optsWithGlobals<{ output?: string }>().output === 'wide';
      let path = withFilter(PKGS, terms, f.filter);
      // userDefinedData is left out of lists unless asked for (SOL005 §9.4.2.3.2).
      if (wide) path += `${path.includes('?') ? '&' : '?'}fields=userDefinedData`;
      printList(cmd, await listAll<PkgView>(clientFor(cmd), path), COLUMNS, idOf);
    });

  pkg
    .command('show')
    .description('one package (with its artifacts and any onboarding error)')
    .argument('<id>', 'the package id')
    .action(async (id: string, _f, cmd: Command) => {
      printOne(cmd, await clientFor(cmd).get<PkgView>(pkgPath(id)), DETAIL, idOf);
    });

  for (const [name, state] of [
    ['enable', 'ENABLED'],
    ['disable', 'DISABLED'],
  ] as const) {
    pkg
      .command(name)
      .description(`set the package's operational state to ${state}`)
      .argument('<id...>', 'package ids')
      .action(async (ids: string[], _f, cmd: Command) => {
        const client = clientFor(cmd);
        for (const id of ids) {
          await client.patch(pkgPath(id), { operationalState: state }, 'application/merge-patch+json');
          printDone(cmd, `VNF package ${id} ${state}`);
        }
      });
  }

  pkg
    .command('delete')
    .description('delete packages (a package must be DISABLED and NOT_IN_USE, or never onboarded)')
    .argument('<id...>', 'package ids')
    .action(async (ids: string[], _f, cmd: Command) => {
      const client = clientFor(cmd);
      for (const id of ids) {
        await client.delete(pkgPath(id));
        printDone(cmd, `VNF package ${id} deleted`);
      }
    });

  pkg
    .command('download')
    .description("download a package's content (the zip as uploaded)")
    .argument('<id>', 'the package id')
    .argument('[file]', "where to write it ('-' for stdout; default <id>.zip)")
    .action(async (id: string, file: string | undefined, _f, cmd: Command) => {
      const to = target(file, `${id}.zip`);
      const { bytes } = await clientFor(cmd).download(
        `${pkgPath(id)}/package_content`,
        to,
        'application/zip',
      );
      if (to !== '-') printDone(cmd, `${to}: ${bytes} bytes`);
    });

  pkg
    .command('vnfd')
    .description("the package's VNFD: the one YAML file on stdout, or --zip for all of its files")
    .argument('<id>', 'the package id')
    .argument('[file]', "where to write it (default stdout; '-' is stdout)")
    .option('--zip', 'the VNFD and every file it imports, as a zip (needed when the VNFD has several files)')
    .action(async (id: string, file: string | undefined, f: { zip?: boolean }, cmd: Command) => {
      const to = target(file, '-');
      if (f.zip && to === '-' && process.stdout.isTTY)
        throw new Error('--zip: give a file to write the zip to');
      try {
        await clientFor(cmd).download(`${pkgPath(id)}/vnfd`, to, f.zip ? 'application/zip' : 'text/plain');
      } catch (e) {
        if (!f.zip && /^406 /.test((e as Error).message))
          throw new Error(`${(e as Error).message} (use --zip FILE)`);
        throw e;
      }
      if (to !== '-') printDone(cmd, `${to} written`);
    });

  pkg
    .command('artifact')
    .description('one artifact of the package (a path from `vnfm package show -o wide`)')
    .argument('<id>', 'the package id')
    .argument('<path>', "the artifact's path in the package, e.g. Files/kubernetes/app-0.1.0.tgz")
    .argument('[file]', "where to write it (default stdout; '-' is stdout)")
    .action(async (id: string, path: string, file: string | undefined, _f, cmd: Command) => {
      const to = target(file, '-');
      const encoded = path.split('/').map(encodeURIComponent).join('/');
      await clientFor(cmd).download(`${pkgPath(id)}/artifacts/${encoded}`, to);
      if (to !== '-') printDone(cmd, `${to} written`);
    });

  addPackageAuthoringCommands(pkg);
}
