// Delivery state of notifications, for operators (scope vnfm:admin: the routes are
// outside every ETSI API): per subscription, how many are pending, delivered and given
// up, when the last attempt was, when the next is due and the last error; and the queue
// itself, row by row (without bodies). SOL003/SOL005 define no such resource, so it is
// not an extension of the subscription representations ETSI clients validate.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { lastOutboxError, listOutbox, outboxSummary } from '../db/queries/outbox.ts';
import { subscriptionTarget } from '../db/queries/subscriptions.ts';
import type { NotificationOutboxRow } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { Id, strictObject } from './schemas/primitives.ts';

const BASE = '/vnfm/v1';
const STATES = ['PENDING', 'DELIVERED', 'EXPIRED'] as const;

const SubscriptionParams = strictObject({ subscriptionId: Id({ maxLength: 64 }) });
const NotificationsQuery = strictObject({
  subscriptionId: Type.Optional(Id({ maxLength: 64 })),
  state: Type.Optional(Type.Union(STATES.map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,2}|1000)$', description: '1 to 1000' })),
});

/** A queued notification without its body: what it is about and how its delivery went. */
function rowView(r: NotificationOutboxRow): Record<string, unknown> {
  const body = JSON.parse(r.body) as Record<string, unknown>;
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    notificationType: body.notificationType,
    subjectId: r.ordering_key.slice(r.ordering_key.indexOf('/') + 1),
    sequence: Number(r.sequence),
    state: r.state,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    ...(r.last_attempt_at ? { lastAttemptAt: r.last_attempt_at } : {}),
    ...(r.state === 'PENDING' ? { nextAttemptAt: r.next_attempt_at } : {}),
    ...(r.last_error ? { lastError: r.last_error } : {}),
  };
}

export function notificationDeliveryRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<{ Params: { subscriptionId: string } }>(
    `${BASE}/subscriptions/:subscriptionId/delivery`,
    { schema: { params: SubscriptionParams } },
    async (req) => {
      const id = req.params.subscriptionId;
      const sub = await subscriptionTarget(ctx.db, id);
      if (!sub) throw notFound(`subscription ${id} does not exist`);
      const byState = new Map((await outboxSummary(ctx.db, id)).map((s) => [s.state, s]));
      const pending = byState.get('PENDING');
      const lastAttempts = [...byState.values()].map((s) => s.last_attempt).filter((t) => t !== null);
      const failed = await lastOutboxError(ctx.db, id);
      return {
        subscriptionId: id,
        api: sub.api,
        callbackUri: sub.callbackUri,
        pending: Number(pending?.n ?? 0),
        delivered: Number(byState.get('DELIVERED')?.n ?? 0),
        expired: Number(byState.get('EXPIRED')?.n ?? 0),
        ...(pending ? { oldestPendingAt: pending.oldest, nextAttemptAt: pending.next_attempt } : {}),
        ...(lastAttempts.length > 0 ? { lastAttemptAt: lastAttempts.sort().at(-1) } : {}),
        ...(failed
          ? {
              lastError: {
                notificationId: failed.id,
                at: failed.last_attempt_at,
                detail: failed.last_error,
              },
            }
          : {}),
      };
    },
  );

  app.get<{ Querystring: { subscriptionId?: string; state?: (typeof STATES)[number]; limit?: string } }>(
    `${BASE}/notifications`,
    { schema: { querystring: NotificationsQuery } },
    async (req) => {
      const rows = await listOutbox(ctx.db, {
        ...(req.query.subscriptionId ? { subscriptionId: req.query.subscriptionId } : {}),
        ...(req.query.state ? { state: req.query.state } : {}),
        limit: Number(req.query.limit ?? 100),
      });
      return rows.map(rowView);
    },
  );
}
