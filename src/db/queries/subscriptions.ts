// Named queries over `subscriptions`. The authentication is sealed here, on its way in,
// and opened only for the code that talks to the receiver.
import type { Db } from '../connect.ts';
import type { SubscriptionRow } from '../schema.ts';
import type { SecretBox } from '../../secrets/box.ts';
import { type Subscription, type SubscriptionApi, subscriptionIdentity } from '../../notify/model.ts';

function fromRow(r: SubscriptionRow, secrets: SecretBox): Subscription {
  return {
    id: r.id,
    api: r.api,
    callbackUri: r.callback_uri,
    filter: JSON.parse(r.filter) as Subscription['filter'],
    ...(r.authentication ? { authentication: secrets.openJson(r.authentication) } : {}),
    createdAt: r.created_at,
  };
}

export async function insertSubscription(db: Db, secrets: SecretBox, s: Subscription): Promise<void> {
  await db
    .insertInto('subscriptions')
    .values({
      id: s.id,
      api: s.api,
      callback_uri: s.callbackUri,
      filter: JSON.stringify(s.filter),
      identity: subscriptionIdentity(s.callbackUri, s.filter),
      authentication: s.authentication ? secrets.sealJson(s.authentication) : null,
      created_at: s.createdAt,
    })
    .execute();
}

export async function getSubscription(
  db: Db,
  secrets: SecretBox,
  api: SubscriptionApi,
  id: string,
): Promise<Subscription | undefined> {
  const row = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('api', '=', api)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && fromRow(row, secrets);
}

/** The subscription `id`, whichever API it belongs to (delivery: the row names only the id). */
export async function findSubscription(
  db: Db,
  secrets: SecretBox,
  id: string,
): Promise<Subscription | undefined> {
  const row = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && fromRow(row, secrets);
}

/** Which API a subscription belongs to and where it sends, whatever its API (operators' delivery view). */
export async function subscriptionTarget(
  db: Db,
  id: string,
): Promise<{ api: SubscriptionApi; callbackUri: string } | undefined> {
  const row = await db
    .selectFrom('subscriptions')
    .select(['api', 'callback_uri'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { api: row.api, callbackUri: row.callback_uri };
}

/** The subscription of `api` with the same callback URI and filter, if there is one. */
export async function findIdenticalSubscription(
  db: Db,
  api: SubscriptionApi,
  callbackUri: string,
  filter: unknown,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('subscriptions')
    .select('id')
    .where('api', '=', api)
    .where('identity', '=', subscriptionIdentity(callbackUri, filter))
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.id;
}

/** Every subscription of `api`, oldest first (the list order paging relies on). */
export async function listSubscriptions(
  db: Db,
  secrets: SecretBox,
  api: SubscriptionApi,
): Promise<Subscription[]> {
  const rows = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('api', '=', api)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => fromRow(r, secrets));
}

/** Deletes the subscription and, in the same transaction, whatever of its notifications is still queued. */
export async function deleteSubscription(db: Db, api: SubscriptionApi, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const res = await tx
      .deleteFrom('subscriptions')
      .where('api', '=', api)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return false;
    await tx.deleteFrom('notification_outbox').where('subscription_id', '=', id).execute();
    return true;
  });
}
