// `vnfm vim register|list|show|update|delete`: the VIM registry (/v1.0/vims). A VIM is
// registered from flags, from a Tacker VIM config file (--config-file), or from a
// kubeconfig context (--from-kubeconfig), flags overriding what a file gives. Secrets
// come from environment variables (--bearer-token-env, --masternode-password-env) or
// files (--client-key, --masternode-private-key), never from the command line.
// `-o json|yaml` prints the VIM object of Tacker's `{"vim": …}` answer.
import type { Command } from 'commander';
import { clientFor } from './context.ts';
import { collect, pair } from './lcm-requests.ts';
import { type Column, printDone, printList, printOne } from './output.ts';
import { fromKubeconfig, readText, tackerVimFile, type VimFields } from './vim-sources.ts';
import { oneLine, secretFromEnv, type VnfmClient } from './vnfm-client.ts';

const VIMS = '/v1.0/vims';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The VIM view as GET /v1.0/vims/{id} gives it (the fields shown). */
interface VimView {
  id: string;
  name: string;
  description?: string;
  type: string;
  status?: string;
  auth_url?: string;
  is_default?: boolean;
  vim_project?: { name?: string };
  extra?: { helm_info?: { masternode_ip?: string[] } | string; hosts?: unknown[] };
  created_at?: string;
  updated_at?: string | null;
}

interface VimFlags {
  name?: string;
  description?: string;
  type?: string;
  authUrl?: string;
  bearerTokenEnv?: string;
  username?: string;
  passwordEnv?: string;
  clientCert?: string;
  clientKey?: string;
  sslCaCert?: string;
  namespace?: string;
  default?: boolean;
  masternodeIp?: string[];
  masternodeUsername?: string;
  masternodePasswordEnv?: string;
  masternodePrivateKey?: string;
  masternodePort?: string;
  masternodeHostKey?: string[];
  configFile?: string;
  fromKubeconfig?: string;
  kubeContext?: string;
}

/** Where helm runs for the VIM: its master nodes, 'local' (the VNFM host), or '-' for a hostpool. */
function helmOf(v: VimView): string {
  if (v.type !== 'kubernetes') return '-';
  const h = v.extra?.helm_info;
  if (typeof h === 'string') return 'master nodes';
  return h?.masternode_ip?.length ? h.masternode_ip.join(',') : 'local';
}

const COLUMNS: Column<VimView>[] = [
  { header: 'ID', get: (v) => v.id },
  { header: 'NAME', get: (v) => v.name },
  { header: 'TYPE', get: (v) => v.type },
  { header: 'STATUS', get: (v) => v.status },
  { header: 'DEFAULT', get: (v) => (v.is_default ? 'yes' : 'no') },
  { header: 'AUTH_URL', get: (v) => v.auth_url },
  { header: 'NAMESPACE', get: (v) => v.vim_project?.name, wide: true },
  { header: 'HELM', get: helmOf, wide: true },
  { header: 'HOSTS', get: (v) => v.extra?.hosts?.length, wide: true },
  { header: 'DESCRIPTION', get: (v) => v.description, wide: true },
  { header: 'CREATED', get: (v) => v.created_at, wide: true },
];
const idOf = (v: VimView) => v.id;

/** The flags both register and update take. */
function vimOptions(cmd: Command): Command {
  return cmd
    .option(
      '--config-file <file>',
      'a Tacker VIM config file (YAML: auth_url, project_name, bearer_token, ssl_ca_cert, extra …)',
    )
    .option(
      '--from-kubeconfig <file>',
      'take the API server, CA and token (or client certificate) of a kubeconfig context',
    )
    .option('--kube-context <name>', "that kubeconfig's context (default: its current-context)")
    .option('--description <text>', 'a description')
    .option('--type <type>', 'kubernetes or hostpool (default kubernetes)')
    .option('--auth-url <url>', "the cluster's API server URL")
    .option(
      '--bearer-token-env <var>',
      'environment variable holding the bearer token (a ServiceAccount token)',
    )
    .option('--username <user>', 'a user name for the API server (with --password-env)')
    .option('--password-env <var>', "environment variable holding that user's password")
    .option('--client-cert <file>', 'PEM client certificate for the API server (with --client-key)')
    .option('--client-key <file>', 'PEM key of --client-cert')
    .option('--ssl-ca-cert <file>', 'PEM CA certificate of the API server')
    .option('--namespace <ns>', 'the project (the Kubernetes namespace; default: default)')
    .option(
      '--masternode-ip <address>',
      'helm_info: an SSH master node, host or host:port (repeat for several)',
      collect,
    )
    .option('--masternode-username <user>', 'helm_info: the SSH user on the master nodes')
    .option('--masternode-password-env <var>', "helm_info: environment variable holding that user's password")
    .option('--masternode-private-key <file>', 'helm_info: an SSH private key file for that user')
    .option('--masternode-port <port>', 'helm_info: the SSH port (default 22)')
    .option(
      '--masternode-host-key <address=key>',
      "helm_info: a master node's pinned host key (repeat per node)",
      collect,
    );
}

/** The body's fields from the files and flags given, flags last (they win). */
function vimFields(f: VimFlags): VimFields {
  if (f.configFile && f.fromKubeconfig) throw new Error('give --config-file or --from-kubeconfig, not both');
  if (f.kubeContext && !f.fromKubeconfig) throw new Error('--kube-context is for --from-kubeconfig');
  const base: VimFields = f.configFile
    ? tackerVimFile(f.configFile)
    : f.fromKubeconfig
      ? fromKubeconfig(f.fromKubeconfig, f.kubeContext)
      : {};
  const v: VimFields = { ...base };
  if (f.name !== undefined) v.name = f.name;
  if (f.description !== undefined) v.description = f.description;
  if (f.type !== undefined) v.type = f.type;
  if (f.authUrl !== undefined) v.auth_url = f.authUrl;
  if (f.namespace !== undefined) v.vim_project = { name: f.namespace };
  if (f.default !== undefined) v.is_default = f.default;

  const cred: Record<string, string> = {};
  if (f.bearerTokenEnv) cred.bearer_token = secretFromEnv(f.bearerTokenEnv, '--bearer-token-env');
  if ((f.username === undefined) !== (f.passwordEnv === undefined)) {
    throw new Error('--username needs --password-env (and --password-env --username)');
  }
  if (f.username && f.passwordEnv) {
    cred.username = f.username;
    cred.password = secretFromEnv(f.passwordEnv, '--password-env');
  }
  if ((f.clientCert === undefined) !== (f.clientKey === undefined)) {
    throw new Error('--client-cert needs --client-key (and --client-key --client-cert)');
  }
  if (f.clientCert) cred.client_cert = readText(f.clientCert, '--client-cert');
  if (f.clientKey) cred.client_key = readText(f.clientKey, '--client-key');
  if (f.sslCaCert) cred.ssl_ca_cert = readText(f.sslCaCert, '--ssl-ca-cert');
  if (Object.keys(cred).length) {
    // A credential flag replaces the file's credential of the other kinds (the CA stays unless given).
    const kept = Object.fromEntries(
      Object.entries(base.auth_cred ?? {}).filter(([k]) => k === 'ssl_ca_cert' && !cred.ssl_ca_cert),
    );
    const onlyCa = Object.keys(cred).every((k) => k === 'ssl_ca_cert');
    v.auth_cred = onlyCa ? { ...(base.auth_cred ?? {}), ...cred } : { ...kept, ...cred };
  }

  const helm: Record<string, unknown> = {};
  if (f.masternodeIp) helm.masternode_ip = f.masternodeIp;
  if (f.masternodeUsername !== undefined) helm.masternode_username = f.masternodeUsername;
  if (f.masternodePasswordEnv) {
    helm.masternode_password = secretFromEnv(f.masternodePasswordEnv, '--masternode-password-env');
  }
  if (f.masternodePrivateKey)
    helm.masternode_private_key = readText(f.masternodePrivateKey, '--masternode-private-key');
  if (f.masternodePort !== undefined) {
    if (!/^\d{1,5}$/.test(f.masternodePort))
      throw new Error(`--masternode-port: '${oneLine(f.masternodePort, 20)}' is not a port`);
    helm.masternode_port = Number(f.masternodePort);
  }
  if (f.masternodeHostKey) {
    helm.masternode_host_keys = Object.fromEntries(
      f.masternodeHostKey.map((p) => pair(p, '--masternode-host-key')),
    );
  }
  if (Object.keys(helm).length) {
    const fileHelm = base.extra?.helm_info;
    if (typeof fileHelm === 'string') {
      throw new Error(
        '--config-file gives helm_info as a Python-dict string: put the --masternode-* values in it instead',
      );
    }
    v.extra = { ...(base.extra ?? {}), helm_info: { ...((fileHelm as object | undefined) ?? {}), ...helm } };
  }
  return v;
}

/** The id of VIM `ref`: an id as given, or the one VIM named so. */
export async function vimId(client: VnfmClient, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const { vims } = await client.get<{ vims: VimView[] }>(`${VIMS}?name=${encodeURIComponent(ref)}`);
  if (vims.length === 1 && vims[0]) return vims[0].id;
  if (vims.length === 0) throw new Error(`no VIM has the id or name '${oneLine(ref, 100)}'`);
  throw new Error(`${vims.length} VIMs are named '${oneLine(ref, 100)}': give the id`);
}

export function addVimCommands(program: Command): void {
  const vim = program
    .command('vim')
    .description('the Kubernetes clusters (and host pools) the VNFM deploys to');

  vimOptions(vim.command('register'))
    .description('register a VIM: a cluster from flags, a Tacker VIM config file, or a kubeconfig context')
    .argument('<name>', "the VIM's name")
    .option('--default', 'make it the default VIM (instantiate uses it when the request names none)')
    .action(async (name: string, f: VimFlags, cmd: Command) => {
      const fields = vimFields({ ...f, name });
      const body = { type: 'kubernetes', vim_project: { name: 'default' }, ...fields };
      const client = clientFor(cmd);
      const a = await client.post(VIMS, { vim: body });
      const created = (a.body as { vim: VimView }).vim;
      printOne(cmd, created, COLUMNS, idOf);
    });

  vim
    .command('list')
    .description('the VIMs (-o wide: namespace, helm, hosts, description, creation)')
    .option('--name <name>', 'only VIMs of this name')
    .option('--type <type>', 'only VIMs of this type')
    .option('--default', 'only the default VIM')
    .action(async (f: { name?: string; type?: string; default?: boolean }, cmd: Command) => {
      const query = new URLSearchParams();
      if (f.name) query.set('name', f.name);
      if (f.type) query.set('type', f.type);
      if (f.default) query.set('is_default', 'true');
      const q = query.toString();
      const { vims } = await clientFor(cmd).get<{ vims: VimView[] }>(`${VIMS}${q ? `?${q}` : ''}`);
      printList(cmd, vims, COLUMNS, idOf);
    });

  vim
    .command('show')
    .description('one VIM (secrets shown as ***)')
    .argument('<vim>', 'its id or name')
    .action(async (ref: string, _f, cmd: Command) => {
      const client = clientFor(cmd);
      const { vim: v } = await client.get<{ vim: VimView }>(
        `${VIMS}/${encodeURIComponent(await vimId(client, ref))}`,
      );
      printOne(cmd, v, COLUMNS, idOf);
    });

  vimOptions(vim.command('update'))
    .description('change a VIM: only what is given changes (auth_cred and helm_info are merged)')
    .argument('<vim>', 'its id or name')
    .option('--name <name>', 'a new name')
    .option('--default', 'make it the default VIM')
    .option('--no-default', 'make it no longer the default VIM')
    .action(async (ref: string, f: VimFlags, cmd: Command) => {
      // commander sets `default` only when a flag is given (no default value declared).
      const fields = vimFields(f);
      if (Object.keys(fields).length === 0) throw new Error('nothing to change: give the fields to update');
      const client = clientFor(cmd);
      const id = await vimId(client, ref);
      const a = await client.patch(`${VIMS}/${encodeURIComponent(id)}`, { vim: fields });
      printOne(cmd, (a.body as { vim: VimView }).vim, COLUMNS, idOf);
    });

  vim
    .command('delete')
    .description('delete VIMs (refused while a VNF instance uses one)')
    .argument('<vim...>', 'ids or names')
    .action(async (refs: string[], _f, cmd: Command) => {
      const client = clientFor(cmd);
      // All found first: a name that matches nothing deletes none of the others.
      const ids: string[] = [];
      for (const ref of refs) ids.push(await vimId(client, ref));
      for (const id of ids) {
        await client.delete(`${VIMS}/${encodeURIComponent(id)}`);
        printDone(cmd, `VIM ${id} deleted`);
      }
    });
}
