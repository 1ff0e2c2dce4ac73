// Creating, reading and deleting subscriptions: the request's rules beyond its schema
// (SOL003/SOL005 "shall be absent otherwise", SOL013 authentication parameters), the
// receiver check (SOL013 §5.9.3.3: a GET to the callback URI must answer 204 before the
// subscription exists) and SOL013's 303 for a subscription identical to an existing one.
import { randomUUID } from 'node:crypto';
import type {
  LccnSubscriptionRequest,
  PkgmSubscriptionRequest,
  SubscriptionAuthentication,
} from '../api/schemas/index.ts';
import type { Db } from '../db/connect.ts';
import { findIdenticalSubscription, insertSubscription } from '../db/queries/subscriptions.ts';
import { badRequest } from '../errors.ts';
import type { SecretBox } from '../secrets/box.ts';
import { brief } from '../api/brief.ts';
import { fetchFailure } from '../fetch-failure.ts';
import { SUBSCRIPTION_APIS, type Subscription, type SubscriptionApi } from './model.ts';
import { receiverHeaders, type ReceiverTokens } from './receiver-auth.ts';

export interface SubscriptionDeps {
  db: Db;
  secrets: SecretBox;
  tokens: ReceiverTokens;
  /** Upper bound of the receiver check's GET. */
  callbackTimeoutMs: number;
}

/** An http(s) URL without user info (credentials belong in `authentication`, where they are sealed). */
function checkHttpUrl(value: string, field: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest(`${field}: '${brief(value)}' is not a URI`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badRequest(`${field}: only http and https URIs are accepted`);
  }
  if (url.username || url.password) {
    throw badRequest(`${field}: must not carry credentials; give them in authentication`);
  }
}

function checkAuthentication(auth: SubscriptionAuthentication): void {
  const f = 'body/authentication';
  const basic = auth.authType.includes('BASIC');
  const oauth = auth.authType.includes('OAUTH2_CLIENT_CREDENTIALS');
  // The VNFM has no out-of-band provisioning of receiver credentials: each type listed brings its own.
  if (basic && (!auth.paramsBasic?.userName || auth.paramsBasic.password === undefined)) {
    throw badRequest(`${f}/paramsBasic: userName and password are required with authType BASIC`);
  }
  if (!basic && auth.paramsBasic) throw badRequest(`${f}/paramsBasic: given without authType BASIC`);
  const o = auth.paramsOauth2ClientCredentials;
  if (oauth) {
    if (!o?.clientId || o.clientPassword === undefined || !o.tokenEndpoint) {
      throw badRequest(
        `${f}/paramsOauth2ClientCredentials: clientId, clientPassword and tokenEndpoint are required with authType OAUTH2_CLIENT_CREDENTIALS`,
      );
    }
    checkHttpUrl(o.tokenEndpoint, `${f}/paramsOauth2ClientCredentials/tokenEndpoint`);
  } else if (o) {
    throw badRequest(`${f}/paramsOauth2ClientCredentials: given without authType OAUTH2_CLIENT_CREDENTIALS`);
  }
}

/** SOL003 §5.5.3.12: operationTypes/operationStates only with the op occ notification type. */
function checkLcmFilter(filter: LccnSubscriptionRequest['filter']): void {
  const types = filter?.notificationTypes;
  if (!types || types.includes('VnfLcmOperationOccurrenceNotification')) return;
  for (const field of ['operationTypes', 'operationStates'] as const) {
    if (filter[field]) {
      throw badRequest(
        `body/filter/${field}: only with notificationTypes including VnfLcmOperationOccurrenceNotification`,
      );
    }
  }
}

/** SOL005 §9.5.3.2: vnfPkgId, operationalState, usageState only with the change notification type. */
function checkPkgmFilter(filter: PkgmSubscriptionRequest['filter']): void {
  const types = filter?.notificationTypes;
  if (!types || types.includes('VnfPackageChangeNotification')) return;
  for (const field of ['vnfPkgId', 'operationalState', 'usageState'] as const) {
    if (filter[field]) {
      throw badRequest(
        `body/filter/${field}: only with notificationTypes including VnfPackageChangeNotification`,
      );
    }
  }
}

/** SOL013 §5.9.3.3: the receiver answers a GET with 204, with the authentication it will see on notifications. */
async function checkReceiver(deps: SubscriptionDeps, s: Subscription): Promise<void> {
  let status: number;
  try {
    const headers = await receiverHeaders(s.authentication, deps.tokens);
    const res = await fetch(s.callbackUri, {
      method: 'GET',
      redirect: 'manual',
      headers: { ...headers, version: SUBSCRIPTION_APIS[s.api].version },
      signal: AbortSignal.timeout(deps.callbackTimeoutMs),
    });
    await res.body?.cancel();
    status = res.status;
  } catch (e) {
    throw badRequest(
      `callbackUri: the receiver could not be tested: ${fetchFailure(e, deps.callbackTimeoutMs)}`,
    );
  }
  if (status !== 204) {
    throw badRequest(`callbackUri: the receiver answered the test GET with ${status}, not 204`);
  }
}

export type CreateResult = { created: Subscription } | { existing: string };

export async function createSubscription(
  deps: SubscriptionDeps,
  api: SubscriptionApi,
  req: LccnSubscriptionRequest | PkgmSubscriptionRequest,
): Promise<CreateResult> {
  checkHttpUrl(req.callbackUri, 'body/callbackUri');
  if (req.authentication) checkAuthentication(req.authentication);
  if (api !== 'vnfpkgm') checkLcmFilter((req as LccnSubscriptionRequest).filter);
  else checkPkgmFilter((req as PkgmSubscriptionRequest).filter);
  const filter = req.filter ?? {};
  const existing = await findIdenticalSubscription(deps.db, api, req.callbackUri, filter);
  if (existing) return { existing };
  const s: Subscription = {
    id: randomUUID(),
    api,
    callbackUri: req.callbackUri,
    filter,
    ...(req.authentication ? { authentication: req.authentication } : {}),
    createdAt: new Date().toISOString(),
  };
  await checkReceiver(deps, s);
  try {
    await insertSubscription(deps.db, deps.secrets, s);
  } catch (e) {
    // The unique identity index: an identical request was created meanwhile.
    const raced = await findIdenticalSubscription(deps.db, api, req.callbackUri, filter);
    if (raced) return { existing: raced };
    throw e;
  }
  return { created: s };
}
