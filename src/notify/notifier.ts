// The delivery loop: keeps up to `maxInFlight` notifications in flight, each its own
// POST (src/notify/delivery.ts deliverRow), and claims more as soon as one finishes or
// new rows are written in this process (src/notify/wake.ts); otherwise it polls. A
// subscription has at most `perSubscription` in flight, so a receiver that is slow or
// keeps failing holds only its own slots and every other receiver keeps its pace. On
// PostgreSQL it also LISTENs for other processes' commits (pg_notify in the writing
// transaction), so their rows need not wait for the poll either. It runs
// wherever the LCM worker runs (`vnfm serve` with the embedded worker, every `vnfm
// worker`); several loops share the outbox safely (claims, SKIP LOCKED on PostgreSQL).
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { OUTBOX_CHANNEL, pruneOutbox, releaseAllClaims, releaseClaims } from '../db/queries/outbox.ts';
import { listenFor } from '../db/postgres.ts';
import type { NotificationOutboxRow } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { SecretBox } from '../secrets/box.ts';
import {
  type AttemptOutcome,
  attemptRow,
  claimDue,
  countOutcomes,
  type DeliveryDeps,
  recordOutcomes,
  writeOutcomes,
} from './delivery.ts';
import { ReceiverTokens } from './receiver-auth.ts';
import { onOutboxWritten } from './wake.ts';

/** Concurrency of one loop; fixed, as they bound sockets rather than express a policy. */
const LOOP_LIMITS = { maxInFlight: 64, perSubscription: 4 };
/** Finished rows are pruned once they are older than the maximum age, a batch at a time. */
const PRUNE_EVERY_MS = 60_000;
const PRUNE_BATCH = 1000;

export type NotifySettings = Pick<
  Config,
  | 'database'
  | 'publicUrl'
  | 'notifyMaxAgeSeconds'
  | 'notifyRetryBaseMs'
  | 'notifyRetryMaxMs'
  | 'notifyTimeoutMs'
  | 'notifyPollMs'
>;

export class Notifier {
  readonly #deps: DeliveryDeps;
  readonly #pollMs: number;
  readonly #log: Logger;
  /** In-flight deliveries by row id, and how many each subscription has. */
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #perSubscription = new Map<string, number>();
  /** Attempts made and not yet recorded: recorded together, one commit per loop round. */
  #outcomes: AttemptOutcome[] = [];
  #running = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;
  #woken = false;
  #unsubscribe: (() => void) | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  readonly #database: string;
  #prunedAt = 0;

  constructor(
    ctx: { db: Db; secrets: SecretBox; log: Logger },
    opts: { postgres: boolean } & NotifySettings,
  ) {
    this.#deps = {
      db: ctx.db,
      secrets: ctx.secrets,
      tokens: new ReceiverTokens(),
      workerId: `notifier-${randomUUID()}`,
      postgres: opts.postgres,
      requestTimeoutMs: opts.notifyTimeoutMs,
      baseBackoffMs: opts.notifyRetryBaseMs,
      maxBackoffMs: opts.notifyRetryMaxMs,
      maxAgeMs: opts.notifyMaxAgeSeconds * 1000,
      batch: LOOP_LIMITS.maxInFlight,
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
    };
    this.#pollMs = opts.notifyPollMs;
    this.#database = opts.database;
    this.#log = ctx.log;
  }

  /**
   * Alone on the store (SQLite), every claim left is a dead process's: give them back so
   * their rows are sent at once rather than when the claims lapse. On PostgreSQL claims
   * may be live workers'; they are left to lapse.
   */
  async recover(): Promise<void> {
    if (this.#deps.postgres) return;
    const n = await releaseAllClaims(this.#deps.db);
    if (n > 0)
      this.#log.info({ notifications: n }, 'notifications a stopped process had taken are due again');
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = onOutboxWritten(() => this.#wake());
    // Rows other processes commit (an API server's instance creations, another worker's op occs).
    if (this.#deps.postgres)
      this.#unlisten = listenFor(
        this.#database,
        OUTBOX_CHANNEL,
        () => this.#wake(),
        (err) => this.#log.warn({ err }, 'outbox LISTEN connection lost; polling until it is back'),
      );
    this.#loop = this.#run();
  }

  /** Stops claiming, and waits for the deliveries in flight to be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    await this.#unlisten?.();
    this.#wake();
    await this.#loop;
    await Promise.all(this.#inFlight.values());
    await this.#flush().catch((err: unknown) =>
      this.#log.error({ err }, 'notification outcomes not recorded at stop; they will be sent again'),
    );
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      let again = false;
      try {
        again = await this.#round();
        await this.#pruneNowAndThen();
      } catch (err) {
        this.#log.error({ err }, 'a notification delivery round failed');
      }
      if (this.#running && !again && !this.#woken) await this.#idle();
    }
  }

  /**
   * One round, one transaction: records the attempts finished since the last round
   * (freeing their slots), claims due rows for the free slots, and gives back those of
   * subscriptions at their share. True when some were given back: rows of other
   * subscriptions may be waiting behind them.
   */
  async #round(): Promise<boolean> {
    const outcomes = this.#takeOutcomes();
    const free = LOOP_LIMITS.maxInFlight - this.#inFlight.size;
    if (outcomes.length === 0 && free === 0) return false;
    const full = [...this.#perSubscription]
      .filter(([, n]) => n >= LOOP_LIMITS.perSubscription)
      .map(([id]) => id);
    const taken = new Map<string, number>();
    const { start, surplus } = await this.#deps.db.transaction().execute(async (tx) => {
      await writeOutcomes(tx, this.#deps.workerId, outcomes);
      const rows = free > 0 ? await claimDue(this.#deps, new Date(), free, full, tx) : [];
      const start: NotificationOutboxRow[] = [];
      const surplus: string[] = [];
      for (const row of rows) {
        const sub = row.subscription_id;
        const n = (this.#perSubscription.get(sub) ?? 0) + (taken.get(sub) ?? 0);
        if (n >= LOOP_LIMITS.perSubscription) surplus.push(row.id);
        else {
          taken.set(sub, (taken.get(sub) ?? 0) + 1);
          start.push(row);
        }
      }
      await releaseClaims(tx, surplus, this.#deps.workerId);
      return { start, surplus };
    });
    countOutcomes(outcomes);
    this.#logOutcomes(outcomes);
    for (const row of start) this.#start(row);
    return surplus.length > 0;
  }

  /** The finished attempts, their slots freed (if they are not recorded, their claims lapse: sent again). */
  #takeOutcomes(): AttemptOutcome[] {
    const outcomes = this.#outcomes;
    this.#outcomes = [];
    for (const o of outcomes) this.#free(o.row);
    return outcomes;
  }

  /** At stop: records what finished, outside any round. */
  async #flush(): Promise<void> {
    const outcomes = this.#takeOutcomes();
    await recordOutcomes(this.#deps, outcomes);
    this.#logOutcomes(outcomes);
  }

  #logOutcomes(outcomes: readonly AttemptOutcome[]): void {
    for (const o of outcomes) {
      if (o.state === 'PENDING')
        this.#log.debug(
          {
            subscriptionId: o.row.subscription_id,
            notification: o.row.id,
            error: o.error,
            next: o.nextAttemptAt,
          },
          'notification not delivered; will retry',
        );
      else if (o.state === 'EXPIRED')
        this.#log.warn(
          { subscriptionId: o.row.subscription_id, notification: o.row.id, error: o.error },
          'notification given up: older than the maximum age',
        );
    }
  }

  #start(row: NotificationOutboxRow): void {
    const sub = row.subscription_id;
    this.#perSubscription.set(sub, (this.#perSubscription.get(sub) ?? 0) + 1);
    const done = attemptRow(this.#deps, row).then(
      (outcome) => {
        this.#outcomes.push(outcome);
        this.#wake();
      },
      (err: unknown) => {
        // Not even attempted (the store failed): the claim lapses and the row is sent later.
        this.#log.error({ err, notification: row.id }, 'a notification could not be attempted');
        this.#free(row);
        this.#wake();
      },
    );
    this.#inFlight.set(row.id, done);
  }

  #free(row: NotificationOutboxRow): void {
    if (!this.#inFlight.delete(row.id)) return;
    const sub = row.subscription_id;
    const left = (this.#perSubscription.get(sub) ?? 1) - 1;
    if (left > 0) this.#perSubscription.set(sub, left);
    else this.#perSubscription.delete(sub);
  }

  async #pruneNowAndThen(): Promise<void> {
    const now = Date.now();
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    const before = new Date(now - this.#deps.maxAgeMs).toISOString();
    const n = await pruneOutbox(this.#deps.db, before, PRUNE_BATCH);
    if (n > 0) this.#log.debug({ pruned: n }, 'finished notifications older than the maximum age removed');
  }

  #wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Waits for the poll interval, or less when woken (a delivery finished, rows written, stopped). */
  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.#wakeUp === done) this.#wakeUp = undefined;
        resolve();
      };
      const t = setTimeout(done, this.#pollMs);
      t.unref();
      this.#wakeUp = done;
    });
  }
}
