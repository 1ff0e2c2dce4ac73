// `vnfm vnf …`: VNF instances and their lifecycle (SOL003 /vnflcm/v1/vnf_instances).
// An instance is named by its id or its vnfInstanceName. Each LCM operation prints the
// op occ id the VNFM answers with (its Location); --wait follows it to its end (wait.ts).
import type { Command } from 'commander';
import {
  type Body,
  collect,
  createBody,
  healBody,
  instantiateBody,
  readBodyFile,
  scaleBody,
  scaleToLevelBody,
  terminateBody,
  updateBody,
} from './lcm-requests.ts';
import { clientFor } from './context.ts';
import { LCM, listAll, reportOperation, vnfId, withFilter } from './lcm-client.ts';
import { type Column, outputOf, printDone, printList, printOne, renderTable } from './output.ts';
import { vimId } from './vim.ts';
import type { VnfmClient } from './vnfm-client.ts';

interface Vnfc {
  id: string;
  vduId: string;
  computeResource?: { resourceId?: string; vimLevelResourceType?: string };
  metadata?: { namespace?: string; workloadName?: string; status?: string };
}

interface VnfInstance {
  id: string;
  vnfInstanceName?: string;
  vnfInstanceDescription?: string;
  vnfdId: string;
  vnfProvider?: string;
  vnfProductName?: string;
  vnfSoftwareVersion?: string;
  instantiationState: string;
  vimConnectionInfo?: { vimId?: string }[];
  metadata?: Record<string, unknown>;
  instantiatedVnfInfo?: {
    flavourId?: string;
    vnfState?: string;
    scaleStatus?: { aspectId: string; scaleLevel: number }[];
    vnfcResourceInfo?: Vnfc[];
  };
}

const LIST_COLUMNS: Column<VnfInstance>[] = [
  { header: 'ID', get: (i) => i.id },
  { header: 'NAME', get: (i) => i.vnfInstanceName },
  { header: 'STATE', get: (i) => i.instantiationState },
  { header: 'PRODUCT', get: (i) => i.vnfProductName },
  { header: 'PROVIDER', get: (i) => i.vnfProvider, wide: true },
  { header: 'VERSION', get: (i) => i.vnfSoftwareVersion, wide: true },
  { header: 'VNFD_ID', get: (i) => i.vnfdId, wide: true },
  { header: 'DESCRIPTION', get: (i) => i.vnfInstanceDescription, wide: true },
];

const SHOW_FIELDS: Column<VnfInstance>[] = [
  { header: 'ID', get: (i) => i.id },
  { header: 'NAME', get: (i) => i.vnfInstanceName },
  { header: 'DESCRIPTION', get: (i) => i.vnfInstanceDescription },
  { header: 'STATE', get: (i) => i.instantiationState },
  {
    header: 'PRODUCT',
    get: (i) => [i.vnfProvider, i.vnfProductName, i.vnfSoftwareVersion].filter(Boolean).join(' '),
  },
  { header: 'VNFD_ID', get: (i) => i.vnfdId },
  { header: 'FLAVOUR', get: (i) => i.instantiatedVnfInfo?.flavourId },
  { header: 'VNF_STATE', get: (i) => i.instantiatedVnfInfo?.vnfState },
  {
    header: 'SCALE',
    get: (i) => (i.instantiatedVnfInfo?.scaleStatus ?? []).map((s) => `${s.aspectId}=${s.scaleLevel}`),
  },
  { header: 'VIM', get: (i) => (i.vimConnectionInfo ?? []).map((v) => v.vimId) },
  { header: 'METADATA', get: (i) => (i.metadata && Object.keys(i.metadata).length ? i.metadata : undefined) },
];

const VNFC_COLUMNS: Column<Vnfc>[] = [
  { header: 'VNFC', get: (v) => v.id },
  { header: 'VDU', get: (v) => v.vduId },
  { header: 'STATUS', get: (v) => v.metadata?.status },
  { header: 'WORKLOAD', get: (v) => v.metadata?.workloadName },
  { header: 'NAMESPACE', get: (v) => v.metadata?.namespace },
  { header: 'KIND', get: (v) => v.computeResource?.vimLevelResourceType, wide: true },
];

const instancePath = (id: string) => `${LCM}/vnf_instances/${encodeURIComponent(id)}`;

/** The --wait flag and -f of every LCM operation. */
function lcmCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(`${name} <vnf>`)
    .description(description)
    .option('-f, --file <file>', 'the request body, JSON or YAML (- for stdin); flags given are laid over it')
    .option('--wait', 'follow the operation to its end; exit 1 unless it COMPLETED');
}

async function startLcm(
  cmd: Command,
  ref: string,
  task: string,
  body: Body,
  wait?: boolean,
  vim?: string,
): Promise<void> {
  const client = clientFor(cmd);
  const id = await vnfId(client, ref);
  // --vim names the VIM by id or name; the request carries its id.
  if (vim !== undefined)
    body.vimConnectionInfo = [{ id: 'vim-0', vimId: await vimId(client, vim), vimType: 'kubernetes' }];
  const answer = await client.post(`${instancePath(id)}/${task}`, body);
  await reportOperation(cmd, client, answer, { wait });
}

async function showInstance(cmd: Command, client: VnfmClient, id: string): Promise<void> {
  const instance = await client.get<VnfInstance>(instancePath(id));
  printOne(cmd, instance, SHOW_FIELDS, (i) => i.id);
  const { format, quiet } = outputOf(cmd);
  const vnfcs = instance.instantiatedVnfInfo?.vnfcResourceInfo ?? [];
  if (!quiet && (format === 'table' || format === 'wide') && vnfcs.length) {
    process.stdout.write(
      `\n${renderTable(
        vnfcs,
        VNFC_COLUMNS.filter((c) => !c.wide || format === 'wide'),
      )}`,
    );
  }
}

export function addVnfCommands(program: Command): void {
  const vnf = program.command('vnf').description('VNF instances and their lifecycle (SOL003 vnflcm)');

  vnf
    .command('create')
    .description('create a VNF instance (NOT_INSTANTIATED) from an onboarded VNFD')
    .option(
      '-f, --file <file>',
      'the CreateVnfRequest, JSON or YAML (- for stdin); flags given are laid over it',
    )
    .option('--vnfd-id <id>', 'the VNFD (vnfdId of an onboarded package)')
    .option('--package <id>', 'take the VNFD of this onboarded package (its vnfdId)')
    .option('--name <name>', 'vnfInstanceName')
    .option('--description <text>', 'vnfInstanceDescription')
    .option('--metadata <key=value>', 'a metadata entry (repeatable)', collect)
    .action(
      async (
        o: {
          file?: string;
          package?: string;
          vnfdId?: string;
          name?: string;
          description?: string;
          metadata?: string[];
        },
        cmd: Command,
      ) => {
        const client = clientFor(cmd);
        if (o.package && o.vnfdId) throw new Error('give --vnfd-id or --package, not both');
        const vnfdId = o.package
          ? (
              await client.get<{ vnfdId?: string }>(
                `/vnfpkgm/v1/vnf_packages/${encodeURIComponent(o.package)}`,
              )
            ).vnfdId
          : o.vnfdId;
        if (o.package && !vnfdId) throw new Error(`package ${o.package} has no VNFD yet (is it ONBOARDED?)`);
        const answer = await client.post(
          `${LCM}/vnf_instances`,
          createBody(readBodyFile(o.file), { ...o, vnfdId }),
        );
        printOne(cmd, answer.body as VnfInstance, SHOW_FIELDS, (i) => i.id);
      },
    );

  vnf
    .command('list')
    .description('the VNF instances')
    .option('--state <state>', 'only INSTANTIATED or NOT_INSTANTIATED ones')
    .option('--filter <expr>', "an SOL013 filter, e.g. '(eq,vnfProductName,Sample CNF)'")
    .action(async (o: { state?: string; filter?: string }, cmd: Command) => {
      const terms = o.state ? [`(eq,instantiationState,${o.state})`] : [];
      const rows = await listAll<VnfInstance>(
        clientFor(cmd),
        withFilter(`${LCM}/vnf_instances`, terms, o.filter),
      );
      printList(cmd, rows, LIST_COLUMNS, (i) => i.id);
    });

  vnf
    .command('show <vnf>')
    .description('one VNF instance (by id or name) with its VNFCs (pods)')
    .action(async (ref: string, _o, cmd: Command) => {
      const client = clientFor(cmd);
      await showInstance(cmd, client, await vnfId(client, ref));
    });

  vnf
    .command('update <vnf>')
    .description('change name, description or metadata (PATCH: a MODIFY_INFO operation)')
    .option(
      '-f, --file <file>',
      'the VnfInfoModificationRequest, JSON or YAML (- for stdin); flags given are laid over it',
    )
    .option('--name <name>', 'new vnfInstanceName')
    .option('--description <text>', 'new vnfInstanceDescription')
    .option('--metadata <key=value>', 'set a metadata entry (repeatable)', collect)
    .option('--wait', 'follow the operation to its end; exit 1 unless it COMPLETED')
    .action(
      async (
        ref: string,
        o: { file?: string; name?: string; description?: string; metadata?: string[]; wait?: boolean },
        cmd: Command,
      ) => {
        const client = clientFor(cmd);
        const id = await vnfId(client, ref);
        const answer = await client.patch(
          instancePath(id),
          updateBody(readBodyFile(o.file), o),
          'application/merge-patch+json',
        );
        await reportOperation(cmd, client, answer, o);
      },
    );

  vnf
    .command('delete <vnf>')
    .description('delete a NOT_INSTANTIATED VNF instance')
    .action(async (ref: string, _o, cmd: Command) => {
      const client = clientFor(cmd);
      const id = await vnfId(client, ref);
      await client.delete(instancePath(id));
      printDone(cmd, `VNF instance ${id} deleted`);
    });

  lcmCommand(vnf, 'instantiate', 'deploy the VNF (INSTANTIATE)')
    .option('--flavour <id>', "the deployment flavour (default simple, or the file's flavourId)")
    .option('--vim <vim>', 'the VIM to deploy on, by id or name (default: the default VIM)')
    .option(
      '--helm-chart <path>',
      'Helm mode: a chart archive in the package, one release each (repeatable)',
      collect,
    )
    .option(
      '--release <name>',
      'the release name of the --helm-chart at the same position (default: the chart name)',
      collect,
    )
    .option(
      '--set <key=value>',
      'a Helm value for every --helm-chart release, or RELEASE:key=value for one (repeatable)',
      collect,
    )
    .option('--manifest <path>', 'manifest mode: a Kubernetes manifest in the package (repeatable)', collect)
    .option('--namespace <ns>', 'the Kubernetes namespace')
    .option('--instantiation-level <id>', "the instantiation level (default: the flavour's default)")
    .action(
      async (
        ref: string,
        o: Parameters<typeof instantiateBody>[1] & { file?: string; wait?: boolean },
        cmd: Command,
      ) => startLcm(cmd, ref, 'instantiate', instantiateBody(readBodyFile(o.file), o), o.wait, o.vim),
    );

  lcmCommand(vnf, 'scale', 'scale an aspect out or in by steps (SCALE)')
    .option('--aspect <id>', 'the scaling aspect')
    .option('--steps <n>', 'number of steps (default 1)')
    .option('--out', 'SCALE_OUT')
    .option('--in', 'SCALE_IN')
    .action(
      async (
        ref: string,
        o: Parameters<typeof scaleBody>[1] & { file?: string; wait?: boolean },
        cmd: Command,
      ) => startLcm(cmd, ref, 'scale', scaleBody(readBodyFile(o.file), o), o.wait),
    );

  lcmCommand(
    vnf,
    'scale-to-level',
    'scale to an instantiation level or to levels per aspect (SCALE_TO_LEVEL)',
  )
    .option('--level <id>', 'the target instantiation level')
    .option('--aspect-level <aspect=level>', 'a scale level of one aspect (repeatable)', collect)
    .action(
      async (
        ref: string,
        o: { file?: string; level?: string; aspectLevel?: string[]; wait?: boolean },
        cmd: Command,
      ) => startLcm(cmd, ref, 'scale_to_level', scaleToLevelBody(readBodyFile(o.file), o), o.wait),
    );

  lcmCommand(vnf, 'heal', 'replace VNFCs (pods), or without --vnfc the whole VNF (HEAL)')
    .option('--vnfc <id>', 'a VNFC (pod) to heal, as `vnfm vnf show` lists it (repeatable)', collect)
    .option('--cause <text>', 'why')
    .action(
      async (
        ref: string,
        o: { file?: string; vnfc?: string[]; cause?: string; wait?: boolean },
        cmd: Command,
      ) => startLcm(cmd, ref, 'heal', healBody(readBodyFile(o.file), o), o.wait),
    );

  lcmCommand(vnf, 'terminate', 'remove the VNF from its VIM (TERMINATE); FORCEFUL unless --graceful')
    .option('--graceful', 'GRACEFUL termination')
    .option('--timeout <seconds>', 'gracefulTerminationTimeout (with --graceful)')
    .action(
      async (
        ref: string,
        o: { file?: string; graceful?: boolean; timeout?: string; wait?: boolean },
        cmd: Command,
      ) => startLcm(cmd, ref, 'terminate', terminateBody(readBodyFile(o.file), o), o.wait),
    );
}
