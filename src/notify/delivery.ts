// Delivery of queued notifications (one pass; the loop that repeats it is the caller's):
// claim the due rows that head their ordering key, POST each to its subscription's
// receiver with the subscription's authentication, and record the outcome. A 204 marks
// it DELIVERED; anything else is retried with exponential backoff until the row is older
// than `maxAgeMs`, then EXPIRED. At-least-once: a crash after the receiver's answer and
// before the record sends the row again.
import type { Db } from '../db/connect.ts';
import { claimDueNotifications, recordAttempt } from '../db/queries/outbox.ts';
import { getSubscription } from '../db/queries/subscriptions.ts';
import type { NotificationOutboxRow } from '../db/schema.ts';
import type { SecretBox } from '../secrets/box.ts';
import { brief } from '../api/brief.ts';
import type { SubscriptionApi } from './model.ts';
import { receiverHeaders, type ReceiverTokens } from './receiver-auth.ts';

export interface DeliveryDeps {
  db: Db;
  secrets: SecretBox;
  tokens: ReceiverTokens;
  workerId: string;
  postgres: boolean;
  /** Upper bound of one POST to a receiver (also how long a claim holds, with margin). */
  requestTimeoutMs: number;
  /** First retry delay; doubled per attempt up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A notification older than this is given up (EXPIRED) instead of retried. */
  maxAgeMs: number;
  /** Rows claimed per pass (different ordering keys, delivered concurrently). */
  batch: number;
}

export function backoffMs(
  deps: Pick<DeliveryDeps, 'baseBackoffMs' | 'maxBackoffMs'>,
  attempts: number,
): number {
  return Math.min(deps.maxBackoffMs, deps.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
}

const API_OF_TYPE = (type: unknown): SubscriptionApi =>
  typeof type === 'string' && type.startsWith('VnfPackage') ? 'vnfpkgm' : 'vnflcm';

/** One attempt at one row: the receiver's status, or the reason there was none. */
async function post(deps: DeliveryDeps, row: NotificationOutboxRow): Promise<string | undefined> {
  const body = JSON.parse(row.body) as { notificationType?: unknown };
  const sub = await getSubscription(
    deps.db,
    deps.secrets,
    API_OF_TYPE(body.notificationType),
    row.subscription_id,
  );
  // Deleted meanwhile: its rows go with it (deleteSubscription); nothing to send.
  if (!sub) return undefined;
  try {
    const headers = await receiverHeaders(sub.authentication, deps.tokens);
    const res = await fetch(sub.callbackUri, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body: row.body,
      signal: AbortSignal.timeout(deps.requestTimeoutMs),
    });
    await res.body?.cancel();
    return res.status === 204 ? undefined : `the receiver answered ${res.status}, not 204`;
  } catch (e) {
    return `the receiver could not be reached: ${brief((e as Error).message, 200)}`;
  }
}

/** One delivery pass at `now`; returns how many rows were attempted. */
export async function deliverDue(deps: DeliveryDeps, now = new Date()): Promise<number> {
  const claimUntil = new Date(now.getTime() + 2 * deps.requestTimeoutMs + 10_000).toISOString();
  const rows = await claimDueNotifications(
    deps.db,
    deps.workerId,
    now.toISOString(),
    claimUntil,
    deps.batch,
    deps.postgres,
  );
  await Promise.all(
    rows.map(async (row) => {
      const error = await post(deps, row);
      const at = new Date().toISOString();
      if (error === undefined) {
        await recordAttempt(deps.db, row.id, deps.workerId, { state: 'DELIVERED', at });
        return;
      }
      const expired = now.getTime() - Date.parse(row.created_at) >= deps.maxAgeMs;
      const nextAttemptAt = new Date(now.getTime() + backoffMs(deps, row.attempts + 1)).toISOString();
      await recordAttempt(deps.db, row.id, deps.workerId, {
        state: expired ? 'EXPIRED' : 'PENDING',
        at,
        error,
        ...(expired ? {} : { nextAttemptAt }),
      });
    }),
  );
  return rows.length;
}
