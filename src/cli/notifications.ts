// `vnfm notifications listen`: a notification receiver for an operator's terminal. It
// prints one line per notification on stdout (or the body as one JSON line with --json);
// everything else — the callback URI, the subscription, warnings — goes to stderr so
// stdout can be piped. With --subscribe it creates the subscription with its callback URI
// once it listens, and deletes it again on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { startListener } from '../notify/listener.ts';
import { type ConnectionFlags, clientFrom } from './context.ts';
import { oneLine, refusal, secretFromEnv, type VnfmClient } from './vnfm-client.ts';

type Api = 'vnflcm' | 'vnfpkgm';

interface ListenFlags extends ConnectionFlags {
  host: string;
  port: string;
  path: string;
  json?: boolean;
  callbackUrl?: string;
  subscribe?: string;
  api: Api;
  filterFile?: string;
  receiverBasicUser?: string;
  receiverBasicPasswordEnv?: string;
}

/** Fields worth a glance, per notification type (SOL003 §5.5.2.17-19, SOL005 §9.5.2.8-9). */
function keyFields(type: string): string[] {
  if (type === 'VnfLcmOperationOccurrenceNotification') {
    return ['operation', 'operationState', 'notificationStatus', 'vnfInstanceId'];
  }
  if (type.startsWith('VnfIdentifier')) return ['vnfInstanceId'];
  if (type.startsWith('VnfPackage')) return ['vnfPkgId', 'changeType', 'operationalState'];
  return ['vnfInstanceId', 'vnfPkgId'];
}

/**
 * `<time received> <notificationType> key=value … id=<id>`. The body comes from the network:
 * values are flattened to one line without control characters, so none can forge a line
 * or drive the terminal. The id is there because delivery is at-least-once.
 */
export function notificationLine(n: Record<string, unknown>, at: Date): string {
  const show = (v: unknown) => oneLine(typeof v === 'string' ? v : JSON.stringify(v), 200).replace(/ /g, '_');
  const type = typeof n.notificationType === 'string' ? show(n.notificationType) : '-';
  const fields = [...keyFields(type), 'id']
    .filter((k) => n[k] !== undefined)
    .map((k) => `${k}=${show(n[k])}`);
  return [at.toISOString(), type, ...fields].join(' ');
}

/** The filter of --filter-file: a YAML or JSON mapping (the request's `filter` as SOL003/SOL005 define it). */
export function readFilter(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--filter-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    // The YAML parser's message quotes the offending lines below its first one.
    throw new Error(
      `--filter-file ${file}: not YAML or JSON: ${oneLine((e as Error).message.split('\n')[0] ?? '').replace(/:$/, '')}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`--filter-file ${file}: must hold a mapping (the subscription's filter)`);
  }
  return value as Record<string, unknown>;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new Error(`--port: '${oneLine(text, 20)}' is not a TCP port`);
  return port;
}

const say = (line: string) => process.stderr.write(`vnfm: ${line}\n`);

async function listen(f: ListenFlags): Promise<void> {
  // Everything that can be wrong with the flags is found before anything listens.
  if (!f.subscribe) {
    for (const [flag, given] of [
      ['--filter-file', f.filterFile],
      ['--token-env', f.tokenEnv],
      ['--basic-user', f.basicUser],
      ['--client-id', f.clientId],
    ] as const) {
      if (given !== undefined) throw new Error(`${flag} is for --subscribe`);
    }
  }
  const port = parsePort(f.port);
  const filter = f.filterFile ? readFilter(f.filterFile) : undefined;
  let basic: { user: string; password: string } | undefined;
  if (f.receiverBasicUser !== undefined || f.receiverBasicPasswordEnv !== undefined) {
    if (!f.receiverBasicUser || !f.receiverBasicPasswordEnv) {
      throw new Error('--receiver-basic-user needs --receiver-basic-password-env');
    }
    const password = secretFromEnv(f.receiverBasicPasswordEnv, '--receiver-basic-password-env');
    basic = { user: f.receiverBasicUser, password };
  }
  // The VNFM named by --subscribe, with the global credentials and CA (flags, else environment).
  const client = f.subscribe ? clientFrom({ ...f, server: f.subscribe, context: undefined }) : undefined;
  if (client && !f.callbackUrl && ['0.0.0.0', '::', '[::]'].includes(f.host)) {
    throw new Error(`the VNFM cannot call back ${f.host}: give --callback-url with an address it reaches`);
  }

  const listener = await startListener({
    host: f.host,
    port,
    path: f.path,
    basic,
    onNotification: (body) =>
      process.stdout.write(`${f.json ? JSON.stringify(body) : notificationLine(body, new Date())}\n`),
    onRejected: (reason) => say(`warning: ${oneLine(reason, 300)}`),
  });
  const callbackUri = f.callbackUrl ?? listener.url;
  say(`callback URI ${callbackUri}`);

  // The subscription, once created (undefined: none, or not ours to delete).
  let created: Promise<string | undefined> = Promise.resolve(undefined);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    let code = 0;
    const id = await created.catch(() => undefined);
    if (client && id) {
      try {
        const a = await client.request('DELETE', `/${f.api}/v1/subscriptions/${encodeURIComponent(id)}`);
        if (a.status === 204) say(`subscription ${id} deleted`);
        else if (a.status === 404) say(`subscription ${id} was deleted already`);
        else {
          say(`subscription ${id} not deleted: ${refusal(a)}`);
          code = 1;
        }
      } catch (e) {
        say(`subscription ${id} not deleted: ${(e as Error).message}`);
        code = 1;
      }
    }
    await listener.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  // A closed pipe (`… | head`) ends the listener as a signal would, subscription deleted.
  process.stdout.on('error', () => void stop());

  if (!client) return;
  const request = {
    callbackUri,
    ...(filter ? { filter } : {}),
    ...(basic
      ? {
          authentication: {
            authType: ['BASIC'],
            paramsBasic: { userName: basic.user, password: basic.password },
          },
        }
      : {}),
  };
  created = subscribe(client, f.api, request);
  await created;
}

/** POSTs the subscription; its id, or undefined for an identical one that exists already (left as it was). */
async function subscribe(client: VnfmClient, api: Api, request: object): Promise<string | undefined> {
  const a = await client.request('POST', `/${api}/v1/subscriptions`, request);
  if (a.status === 201) {
    const id = String((a.body as { id?: unknown }).id);
    say(`subscription ${id} created at ${client.base}/${api}/v1/subscriptions/${id}`);
    return id;
  }
  if (a.status === 303) {
    // SOL013: the VNFM keeps one of identical subscriptions; that one is someone's (or an earlier run's).
    const existing = (a.headers.get('location') ?? '').split('/').pop();
    say(`an identical subscription ${existing} exists already: listening for it, it stays on exit`);
    return undefined;
  }
  throw new Error(`the VNFM refused the subscription: ${refusal(a)}`);
}

export function addNotificationsCommand(program: Command): void {
  program
    .command('notifications')
    .description('see what the VNFM notifies')
    .command('listen')
    .description(
      'receive notifications (SOL013 callback) and print one line each on stdout; the callback URI goes to stderr',
    )
    .option('--host <address>', 'bind address', '127.0.0.1')
    .option('--port <port>', 'TCP port (0: any free one)', '0')
    .option('--path <path>', 'path of the callback URI', '/')
    .option('--json', 'print each notification body as one JSON line')
    .option('--callback-url <url>', 'the callback URI the VNFM is given (default: the one listened on)')
    .option('--subscribe <vnfm-url>', 'create a subscription at this VNFM, deleted again on SIGINT/SIGTERM')
    .addOption(
      new Option('--api <api>', 'the API to subscribe to').choices(['vnflcm', 'vnfpkgm']).default('vnflcm'),
    )
    .option('--filter-file <file>', "the subscription's filter, YAML or JSON (SOL003/SOL005)")
    .option('--receiver-basic-user <user>', 'demand HTTP Basic from the VNFM (and subscribe with it)')
    .option('--receiver-basic-password-env <var>', 'environment variable holding that password')
    // The VNFM API credentials (--token-env, --basic-user, --client-id…) are the program's global flags.
    .action((_flags, cmd: Command) => listen(cmd.optsWithGlobals<ListenFlags>()));
}
