// Subscriptions (SOL003 /vnflcm/v1/subscriptions, SOL005 /vnfpkgm/v1/subscriptions) and
// the notification outbox: a notification is a row written in the same transaction as
// the state change it reports, so a crash can neither lose nor invent one; the delivery
// worker sends each subscription's rows in `sequence` order per ordering key.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** 'vnflcm' or 'vnfpkgm': which API the subscription belongs to. */
    .addColumn('api', 'text', (c) => c.notNull())
    .addColumn('callback_uri', 'text', (c) => c.notNull())
    /** JSON: the request's filter ('{}' without one). */
    .addColumn('filter', 'text', (c) => c.notNull())
    /** Canonical JSON of callback URI + filter: equal keys are "the same subscription" (SOL013 303). */
    .addColumn('identity', 'text', (c) => c.notNull())
    /** SecretBox-sealed JSON of the request's authentication; null without one. */
    .addColumn('authentication', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Unique: two identical POSTs at once create one subscription, the other gets its 303.
  await db.schema
    .createIndex('subscriptions_identity')
    .unique()
    .on('subscriptions')
    .columns(['api', 'identity'])
    .execute();
  await db.schema
    .createTable('notification_outbox')
    /** The notification's own id (its `id` attribute). */
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    /** Subscription + VNF instance (or package): notifications with one key are delivered in order. */
    .addColumn('ordering_key', 'text', (c) => c.notNull())
    /** Position within the ordering key, from 1. */
    .addColumn('sequence', 'integer', (c) => c.notNull())
    /** JSON: the notification body as it is sent. */
    .addColumn('body', 'text', (c) => c.notNull())
    /** 'PENDING' until delivered ('DELIVERED') or given up ('EXPIRED'). */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_error', 'text')
    /** The delivering worker's claim on the row, and until when it holds (a dead worker's claim lapses). */
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('outbox_order', ['ordering_key', 'sequence'])
    .execute();
  // The queue is the PENDING rows: partial indexes keep a claim as fast with a million
  // delivered rows as with none. One walks due rows in claim order; one finds a key's head.
  await db.schema
    .createIndex('outbox_pending_due')
    .on('notification_outbox')
    .columns(['next_attempt_at', 'created_at', 'sequence'])
    .where(sql.ref('state'), '=', 'PENDING')
    .execute();
  await db.schema
    .createIndex('outbox_pending_key')
    .on('notification_outbox')
    .columns(['ordering_key', 'sequence'])
    .where(sql.ref('state'), '=', 'PENDING')
    .execute();
  await db.schema
    .createIndex('outbox_subscription')
    .on('notification_outbox')
    .column('subscription_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_outbox').execute();
  await db.schema.dropTable('subscriptions').execute();
}
