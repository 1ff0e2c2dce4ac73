// A subscription as the VNFM keeps it, and its representation (SOL003 LccnSubscription,
// SOL005 PkgmSubscription). The authentication towards the receiver is never part of a
// view: SOL013 returns no credentials, so the view has no authentication attribute at all.
import { API_VERSIONS, VNFLCM_V2_VERSION } from '../api/sol013/versions.ts';
import type {
  LifecycleChangeNotificationsFilter,
  PkgmNotificationsFilter,
  SubscriptionAuthentication,
} from '../api/schemas/index.ts';

/** `vnflcmV2`: /vnflcm/v2's subscriptions, notified in SOL003 v3.3.1's shapes. */
export type SubscriptionApi = 'vnflcm' | 'vnflcmV2' | 'vnfpkgm';

/** Each subscription API's resource path, and the `Version` its receiver check and notifications carry. */
export const SUBSCRIPTION_APIS: Record<SubscriptionApi, { path: string; version: string }> = {
  vnflcm: { path: '/vnflcm/v1/subscriptions', version: API_VERSIONS.vnflcm },
  vnflcmV2: { path: '/vnflcm/v2/subscriptions', version: VNFLCM_V2_VERSION },
  vnfpkgm: { path: '/vnfpkgm/v1/subscriptions', version: API_VERSIONS.vnfpkgm },
};

export interface Subscription {
  id: string;
  api: SubscriptionApi;
  callbackUri: string;
  /** `{}` when the request had none (matches everything). */
  filter: LifecycleChangeNotificationsFilter | PkgmNotificationsFilter;
  authentication?: SubscriptionAuthentication;
  createdAt: string;
}

/** The resource path of the subscriptions of `api`. */
export const subscriptionsPath = (api: SubscriptionApi) => SUBSCRIPTION_APIS[api].path;

export function subscriptionView(s: Subscription): Record<string, unknown> {
  return {
    id: s.id,
    ...(Object.keys(s.filter).length > 0 ? { filter: s.filter } : {}),
    callbackUri: s.callbackUri,
    _links: { self: { href: `${subscriptionsPath(s.api)}/${s.id}` } },
  };
}

/** JSON with object keys sorted at every level: two equal filters give one string. */
export function canonicalJson(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, walk((v as Record<string, unknown>)[k])]),
    );
  };
  return JSON.stringify(walk(value));
}

/**
 * What makes two subscriptions "the same" for SOL013's 303: the callback URI and the
 * filter (authentication aside: it does not change which notifications go where).
 */
export const subscriptionIdentity = (callbackUri: string, filter: unknown) =>
  canonicalJson({ callbackUri, filter });
