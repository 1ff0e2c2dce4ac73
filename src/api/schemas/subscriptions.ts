// Subscription request bodies: SOL003 LccnSubscriptionRequest (/vnflcm/v1/subscriptions)
// and SOL005 PkgmSubscriptionRequest (/vnfpkgm/v1/subscriptions), filters exactly as
// SOL003 §5.5.3.12 / SOL005 §9.5.3.2 define them, and SOL013 §8.3.4 SubscriptionAuthentication
// towards the receiver. The stored subscription and its view take their types from here.
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { OPERATION_STATES } from '../../lcm/model.ts';
import { Id, LIMITS, Name, Password, strictObject, Url } from './primitives.ts';

/** Entries of a filter list (ids, names, providers). */
const MAX_FILTER_ITEMS = 100;
export const List = <T extends TSchema>(item: T) =>
  Type.Array(item, { minItems: 1, maxItems: MAX_FILTER_ITEMS });
const Version = () => Type.String({ minLength: 1, maxLength: LIMITS.name });

/** http(s) only (checked again with URL parsing in src/notify/callback.ts, for a clear detail). */
export const CallbackUri = () =>
  Type.String({
    minLength: 1,
    maxLength: LIMITS.url,
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$',
    description: 'an http:// or https:// URI of the notification receiver',
  });

/** SOL003/SOL005 vnfProductsFromProviders: provider → products → software versions → VNFD versions. */
export const VnfProductsFromProviders = List(
  strictObject({
    vnfProvider: Name(),
    vnfProducts: Type.Optional(
      List(
        strictObject({
          vnfProductName: Name(),
          versions: Type.Optional(
            List(
              strictObject({
                vnfSoftwareVersion: Version(),
                vnfdVersions: Type.Optional(List(Version())),
              }),
            ),
          ),
        }),
      ),
    ),
  }),
);

/** SOL003 VnfInstanceSubscriptionFilter (§4.4.1.5). */
export const VnfInstanceSubscriptionFilter = strictObject({
  vnfdIds: Type.Optional(List(Id())),
  vnfProductsFromProviders: Type.Optional(VnfProductsFromProviders),
  vnfInstanceIds: Type.Optional(List(Id())),
  vnfInstanceNames: Type.Optional(List(Name())),
});

export const LCM_NOTIFICATION_TYPES = [
  'VnfLcmOperationOccurrenceNotification',
  'VnfIdentifierCreationNotification',
  'VnfIdentifierDeletionNotification',
] as const;
export const LCM_OPERATION_TYPES = [
  'INSTANTIATE',
  'SCALE',
  'SCALE_TO_LEVEL',
  'CHANGE_FLAVOUR',
  'TERMINATE',
  'HEAL',
  'OPERATE',
  'CHANGE_EXT_CONN',
  'MODIFY_INFO',
] as const;
export const LCM_OPERATION_STATES = OPERATION_STATES;
export const PKG_NOTIFICATION_TYPES = [
  'VnfPackageOnboardingNotification',
  'VnfPackageChangeNotification',
] as const;

/** One of `values`, as a plain JSON-schema enum (Ajv's error then lists the allowed values). */
export const Enum = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** SOL003 LifecycleChangeNotificationsFilter (§5.5.3.12). */
export const LifecycleChangeNotificationsFilter = strictObject({
  vnfInstanceSubscriptionFilter: Type.Optional(VnfInstanceSubscriptionFilter),
  notificationTypes: Type.Optional(List(Enum(LCM_NOTIFICATION_TYPES))),
  operationTypes: Type.Optional(List(Enum(LCM_OPERATION_TYPES))),
  operationStates: Type.Optional(List(Enum(LCM_OPERATION_STATES))),
});

/**
 * SOL005 PkgmNotificationsFilter (§9.5.3.2). `notificationTypes` is a list as the
 * specification's table has it (0..N); the v2.6.1 conformance JSON schema says a
 * single string, which no client sends.
 */
export const PkgmNotificationsFilter = strictObject({
  notificationTypes: Type.Optional(List(Enum(PKG_NOTIFICATION_TYPES))),
  vnfProductsFromProviders: Type.Optional(VnfProductsFromProviders),
  vnfdId: Type.Optional(List(Id())),
  vnfPkgId: Type.Optional(List(Id())),
  operationalState: Type.Optional(List(Enum(['ENABLED', 'DISABLED'] as const))),
  usageState: Type.Optional(List(Enum(['IN_USE', 'NOT_IN_USE'] as const))),
});

/** SOL013 §8.3.4 SubscriptionAuthentication (TLS_CERT is not offered: the VNFM has no client certificate for receivers). */
export const SubscriptionAuthentication = strictObject({
  authType: List(Enum(['BASIC', 'OAUTH2_CLIENT_CREDENTIALS'] as const)),
  paramsBasic: Type.Optional(
    strictObject({
      userName: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.name })),
      password: Type.Optional(Password()),
    }),
  ),
  paramsOauth2ClientCredentials: Type.Optional(
    strictObject({
      clientId: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.name })),
      clientPassword: Type.Optional(Password()),
      tokenEndpoint: Type.Optional(Url()),
    }),
  ),
});

export const LccnSubscriptionRequest = strictObject({
  filter: Type.Optional(LifecycleChangeNotificationsFilter),
  callbackUri: CallbackUri(),
  authentication: Type.Optional(SubscriptionAuthentication),
});

export const PkgmSubscriptionRequest = strictObject({
  filter: Type.Optional(PkgmNotificationsFilter),
  callbackUri: CallbackUri(),
  authentication: Type.Optional(SubscriptionAuthentication),
});

export type LifecycleChangeNotificationsFilter = Static<typeof LifecycleChangeNotificationsFilter>;
export type PkgmNotificationsFilter = Static<typeof PkgmNotificationsFilter>;
export type SubscriptionAuthentication = Static<typeof SubscriptionAuthentication>;
export type LccnSubscriptionRequest = Static<typeof LccnSubscriptionRequest>;
export type PkgmSubscriptionRequest = Static<typeof PkgmSubscriptionRequest>;
