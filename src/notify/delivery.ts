// Delivery of queued notifications, one row at a time: claim the due rows that head their
// ordering key, POST each to its subscription's receiver with the subscription's
// authentication, and record the outcome. A 204 marks it DELIVERED; anything else is
// retried with exponential backoff until the row is older than `maxAgeMs`, then EXPIRED.
// At-least-once: a crash after the receiver's answer and before the record sends the row
// again. The loop that schedules these is src/notify/notifier.ts.
import type { Db } from '../db/connect.ts';
import { fetchFailure } from '../fetch-failure.ts';
import { claimDueNotifications, recordAttempt } from '../db/queries/outbox.ts';
import { findSubscription } from '../db/queries/subscriptions.ts';
import type { NotificationOutboxRow } from '../db/schema.ts';
import { notificationAttempted } from '../metrics/registry.ts';
import type { SecretBox } from '../secrets/box.ts';
import { SUBSCRIPTION_APIS } from './model.ts';
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
  /** The VNFM's URL for receivers (config publicUrl): relative links are made absolute with it. */
  publicUrl?: string;
}

/** The body as sent: stored with relative links, which the public URL (if any) makes absolute. */
function bodyToSend(body: Record<string, unknown>, publicUrl: string | undefined): string {
  const links = body._links as Record<string, { href?: unknown }> | undefined;
  if (!publicUrl || !links) return JSON.stringify(body);
  const absolute = Object.fromEntries(
    Object.entries(links).map(([k, v]) => [
      k,
      typeof v.href === 'string' && v.href.startsWith('/') ? { ...v, href: `${publicUrl}${v.href}` } : v,
    ]),
  );
  return JSON.stringify({ ...body, _links: absolute });
}

export function backoffMs(
  deps: Pick<DeliveryDeps, 'baseBackoffMs' | 'maxBackoffMs'>,
  attempts: number,
): number {
  return Math.min(deps.maxBackoffMs, deps.baseBackoffMs * 2 ** Math.min(40, Math.max(0, attempts - 1)));
}

/** One attempt at one row: undefined when delivered (or nothing is left to deliver to), else why not. */
async function post(deps: DeliveryDeps, row: NotificationOutboxRow): Promise<string | undefined> {
  const body = JSON.parse(row.body) as Record<string, unknown>;
  // Whichever API it belongs to (v1 and v2 LCM notifications have the same types).
  const sub = await findSubscription(deps.db, deps.secrets, row.subscription_id);
  // Deleted meanwhile: its rows go with it (deleteSubscription); nothing to send.
  if (!sub) return undefined;
  try {
    const headers = await receiverHeaders(sub.authentication, deps.tokens);
    const res = await fetch(sub.callbackUri, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json',
        version: SUBSCRIPTION_APIS[sub.api].version,
      },
      body: bodyToSend(body, deps.publicUrl),
      signal: AbortSignal.timeout(deps.requestTimeoutMs),
    });
    await res.body?.cancel();
    return res.status === 204 ? undefined : `the receiver answered ${res.status}, not 204`;
  } catch (e) {
    return `the receiver could not be reached: ${fetchFailure(e, deps.requestTimeoutMs)}`;
  }
}

/** Claims up to `limit` due heads at `now`, none of the subscriptions in `exclude`. */
export function claimDue(
  deps: DeliveryDeps,
  now: Date,
  limit: number,
  exclude: readonly string[] = [],
  db: Db = deps.db,
): Promise<NotificationOutboxRow[]> {
  // A claim outlives the POST it covers; if its worker dies it lapses and another sends the row.
  const claimUntil = new Date(now.getTime() + 2 * deps.requestTimeoutMs + 10_000).toISOString();
  return claimDueNotifications(
    db,
    deps.workerId,
    now.toISOString(),
    claimUntil,
    limit,
    deps.postgres,
    exclude,
  );
}

/** What one attempt came to, ready to be recorded (with others, in one transaction). */
export interface AttemptOutcome {
  row: NotificationOutboxRow;
  state: NotificationOutboxRow['state'];
  at: string;
  error?: string;
  nextAttemptAt?: string;
}

/** Sends one claimed row; `now` is the attempt's clock (tests give it). */
export async function attemptRow(
  deps: DeliveryDeps,
  row: NotificationOutboxRow,
  now = new Date(),
): Promise<AttemptOutcome> {
  const error = await post(deps, row);
  const at = new Date().toISOString();
  if (error === undefined) return { row, state: 'DELIVERED', at };
  const expired = now.getTime() - Date.parse(row.created_at) >= deps.maxAgeMs;
  if (expired) return { row, state: 'EXPIRED', at, error };
  const nextAttemptAt = new Date(now.getTime() + backoffMs(deps, row.attempts + 1)).toISOString();
  return { row, state: 'PENDING', at, error, nextAttemptAt };
}

/** Writes outcomes of rows this worker holds, inside the caller's transaction. */
export async function writeOutcomes(
  tx: Db,
  workerId: string,
  outcomes: readonly AttemptOutcome[],
): Promise<void> {
  for (const o of outcomes)
    await recordAttempt(tx, o.row.id, workerId, {
      state: o.state,
      at: o.at,
      ...(o.error ? { error: o.error } : {}),
      ...(o.nextAttemptAt ? { nextAttemptAt: o.nextAttemptAt } : {}),
    });
}

/** Counts outcomes that were recorded (after their commit). */
export function countOutcomes(outcomes: readonly AttemptOutcome[]): void {
  for (const o of outcomes) {
    if (o.state === 'DELIVERED')
      notificationAttempted('delivered', Math.max(0, Date.parse(o.at) - Date.parse(o.row.created_at)) / 1000);
    else notificationAttempted(o.state === 'EXPIRED' ? 'expired' : 'failed');
  }
}

/** Records outcomes of rows this worker holds, in one transaction (one commit for many POSTs). */
export async function recordOutcomes(deps: DeliveryDeps, outcomes: readonly AttemptOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await deps.db.transaction().execute((tx) => writeOutcomes(tx, deps.workerId, outcomes));
  countOutcomes(outcomes);
}

/** Sends one claimed row and records the outcome. */
export async function deliverRow(
  deps: DeliveryDeps,
  row: NotificationOutboxRow,
  now = new Date(),
): Promise<AttemptOutcome> {
  const outcome = await attemptRow(deps, row, now);
  await recordOutcomes(deps, [outcome]);
  return outcome;
}

/** One delivery pass at `now`, every claimed row awaited; returns how many rows were attempted. */
export async function deliverDue(deps: DeliveryDeps, now = new Date()): Promise<number> {
  const rows = await claimDue(deps, now, deps.batch);
  await recordOutcomes(deps, await Promise.all(rows.map((row) => attemptRow(deps, row, now))));
  return rows.length;
}
