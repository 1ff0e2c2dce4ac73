// `vnfm subscription create|list|show|delete`: notification subscriptions of the LCM API
// (SOL003, /vnflcm/v1/subscriptions) and of package management (SOL005,
// /vnfpkgm/v1/subscriptions). The receiver's credentials the VNFM is to use come from
// environment variables. `vnfm notifications listen` is the receiver for a terminal.
import { type Command, Option } from 'commander';
import { clientFor } from './context.ts';
import { listAll } from './lcm-client.ts';
import { readFilter } from './notifications.ts';
import { type Column, printDone, printList, printOne } from './output.ts';
import { oneLine, secretFromEnv, type VnfmClient } from './vnfm-client.ts';

const APIS = ['vnflcm', 'vnfpkgm'] as const;
type Api = (typeof APIS)[number];
const base = (api: Api) => `/${api}/v1/subscriptions`;

interface SubscriptionView {
  id: string;
  callbackUri: string;
  filter?: Record<string, unknown>;
  _links?: { self?: { href?: string } };
}

/** The API a subscription belongs to, from its self link. */
const apiOf = (s: SubscriptionView) =>
  /\/(vnflcm|vnfpkgm)\/v1\/subscriptions\//.exec(s._links?.self?.href ?? '')?.[1];

const COLUMNS: Column<SubscriptionView>[] = [
  { header: 'ID', get: (s) => s.id },
  { header: 'API', get: apiOf },
  { header: 'CALLBACK_URI', get: (s) => s.callbackUri },
  { header: 'FILTER', get: (s) => s.filter, wide: true },
];
const idOf = (s: SubscriptionView) => s.id;

/** GET /vnfm/v1/subscriptions/{id}/delivery (docs/notifications.md). */
interface Delivery {
  subscriptionId: string;
  api: string;
  callbackUri: string;
  pending: number;
  delivered: number;
  expired: number;
  oldestPendingAt?: string;
  nextAttemptAt?: string;
  lastAttemptAt?: string;
  lastError?: { notificationId: string; at: string; detail: string };
}

const DELIVERY: Column<Delivery>[] = [
  { header: 'SUBSCRIPTION', get: (d) => d.subscriptionId },
  { header: 'API', get: (d) => d.api },
  { header: 'CALLBACK_URI', get: (d) => d.callbackUri },
  { header: 'PENDING', get: (d) => d.pending },
  { header: 'DELIVERED', get: (d) => d.delivered },
  { header: 'EXPIRED', get: (d) => d.expired },
  { header: 'OLDEST_PENDING', get: (d) => d.oldestPendingAt },
  { header: 'NEXT_ATTEMPT', get: (d) => d.nextAttemptAt },
  { header: 'LAST_ATTEMPT', get: (d) => d.lastAttemptAt },
  { header: 'LAST_ERROR', get: (d) => (d.lastError ? `${d.lastError.at} ${d.lastError.detail}` : undefined) },
];

interface CreateFlags {
  api: Api;
  callbackUri: string;
  filterFile?: string;
  receiverBasicUser?: string;
  receiverBasicPasswordEnv?: string;
  receiverClientId?: string;
  receiverClientSecretEnv?: string;
  receiverTokenEndpoint?: string;
}

/** SOL013 §8.3.4 authentication for the receiver, from the flags (secrets from the environment). */
function authentication(f: CreateFlags): object | undefined {
  const basic = f.receiverBasicUser !== undefined || f.receiverBasicPasswordEnv !== undefined;
  const oauth =
    f.receiverClientId !== undefined ||
    f.receiverClientSecretEnv !== undefined ||
    f.receiverTokenEndpoint !== undefined;
  if (basic && oauth) throw new Error('give --receiver-basic-user or --receiver-client-id, not both');
  if (basic) {
    if (!f.receiverBasicUser || !f.receiverBasicPasswordEnv) {
      throw new Error('--receiver-basic-user needs --receiver-basic-password-env');
    }
    const password = secretFromEnv(f.receiverBasicPasswordEnv, '--receiver-basic-password-env');
    return { authType: ['BASIC'], paramsBasic: { userName: f.receiverBasicUser, password } };
  }
  if (oauth) {
    if (!f.receiverClientId || !f.receiverClientSecretEnv || !f.receiverTokenEndpoint) {
      throw new Error(
        '--receiver-client-id needs --receiver-client-secret-env and --receiver-token-endpoint',
      );
    }
    const clientPassword = secretFromEnv(f.receiverClientSecretEnv, '--receiver-client-secret-env');
    return {
      authType: ['OAUTH2_CLIENT_CREDENTIALS'],
      paramsOauth2ClientCredentials: {
        clientId: f.receiverClientId,
        clientPassword,
        tokenEndpoint: f.receiverTokenEndpoint,
      },
    };
  }
  return undefined;
}

/** The subscription `id` of `api`, or of whichever API has it when none is given. */
async function find(client: VnfmClient, id: string, api?: Api): Promise<{ api: Api; s: SubscriptionView }> {
  for (const a of api ? [api] : APIS) {
    const r = await client.send('GET', `${base(a)}/${encodeURIComponent(id)}`, { ok: [200, 404] });
    if (r.status === 200) return { api: a, s: r.body as SubscriptionView };
  }
  throw new Error(`no subscription ${oneLine(id, 100)}${api ? ` of ${api}` : ''}`);
}

const apiOption = (what: string) => new Option('--api <api>', what).choices(APIS);

export function addSubscriptionCommands(program: Command): void {
  const sub = program
    .command('subscription')
    .description('notification subscriptions (LCM and package management)');

  sub
    .command('create')
    .description('subscribe a receiver (the VNFM checks it answers first); an identical one is shown instead')
    .addOption(apiOption('vnflcm (LCM notifications) or vnfpkgm (package notifications)').default('vnflcm'))
    .requiredOption('--callback-uri <url>', "the receiver's URI")
    .option(
      '--filter-file <file>',
      'the filter, YAML or JSON (SOL003 LifecycleChangeNotificationsFilter or SOL005 PkgmNotificationsFilter)',
    )
    .option(
      '--receiver-basic-user <user>',
      'the VNFM authenticates to the receiver with HTTP Basic as this user',
    )
    .option('--receiver-basic-password-env <var>', "environment variable holding that user's password")
    .option('--receiver-client-id <id>', 'the VNFM gets OAuth 2.0 tokens for the receiver as this client')
    .option('--receiver-client-secret-env <var>', "environment variable holding that client's secret")
    .option('--receiver-token-endpoint <url>', 'the token endpoint for that client')
    .action(async (f: CreateFlags, cmd: Command) => {
      const filter = f.filterFile ? readFilter(f.filterFile) : undefined;
      const auth = authentication(f);
      const client = clientFor(cmd);
      const a = await client.send('POST', base(f.api), {
        body: {
          json: {
            callbackUri: f.callbackUri,
            ...(filter ? { filter } : {}),
            ...(auth ? { authentication: auth } : {}),
          },
        },
        ok: [201, 303],
      });
      if (a.status === 303) {
        const existing = await client.follow<SubscriptionView>(a);
        process.stderr.write(`vnfm: an identical subscription exists already: ${existing.id}\n`);
        return printOne(cmd, existing, COLUMNS, idOf);
      }
      printOne(cmd, a.body as SubscriptionView, COLUMNS, idOf);
    });

  sub
    .command('list')
    .description('the subscriptions of both APIs, or of --api')
    .addOption(apiOption('only this API'))
    .action(async (f: { api?: Api }, cmd: Command) => {
      const client = clientFor(cmd);
      const all: SubscriptionView[] = [];
      for (const api of f.api ? [f.api] : APIS)
        all.push(...(await listAll<SubscriptionView>(client, base(api))));
      printList(cmd, all, COLUMNS, idOf);
    });

  sub
    .command('show')
    .description('one subscription')
    .argument('<id>', 'the subscription id')
    .addOption(apiOption('its API (default: whichever has it)'))
    .action(async (id: string, f: { api?: Api }, cmd: Command) => {
      printOne(cmd, (await find(clientFor(cmd), id, f.api)).s, COLUMNS, idOf);
    });

  sub
    .command('delivery')
    .description(
      "how its notifications' delivery goes: pending, delivered, given up, the next attempt and the last error (scope vnfm:admin)",
    )
    .argument('<id>', 'the subscription id')
    .action(async (id: string, _f, cmd: Command) => {
      const d = await clientFor(cmd).get<Delivery>(
        `/vnfm/v1/subscriptions/${encodeURIComponent(id)}/delivery`,
      );
      printOne(cmd, d, DELIVERY, (x) => x.subscriptionId);
    });

  sub
    .command('delete')
    .description('delete subscriptions')
    .argument('<id...>', 'subscription ids')
    .addOption(apiOption('their API (default: whichever has each)'))
    .action(async (ids: string[], f: { api?: Api }, cmd: Command) => {
      const client = clientFor(cmd);
      for (const id of ids) {
        const { api } = await find(client, id, f.api);
        await client.delete(`${base(api)}/${encodeURIComponent(id)}`);
        printDone(cmd, `subscription ${id} (${api}) deleted`);
      }
    });
}
