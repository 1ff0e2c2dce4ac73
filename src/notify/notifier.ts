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
import { OUTBOX_CHANNEL, pruneOutbox, releaseClaims } from '../db/queries/outbox.ts';
import { listenFor } from '../db/postgres.ts';
import type { NotificationOutboxRow } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { SecretBox } from '../secrets/box.ts';
import { claimDue, deliverRow, type DeliveryDeps } from './delivery.ts';
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
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      const free = LOOP_LIMITS.maxInFlight - this.#inFlight.size;
      let again = false;
      if (free > 0) {
        try {
          again = await this.#claimAndStart(free);
          await this.#pruneNowAndThen();
        } catch (err) {
          this.#log.error({ err }, 'a notification delivery pass failed');
        }
      }
      if (this.#running && !again && !this.#woken) await this.#idle();
    }
  }

  /**
   * Claims up to `free` due rows and starts them; true when rows of a subscription that
   * reached its share were given back, so other subscriptions' rows may be waiting behind.
   */
  async #claimAndStart(free: number): Promise<boolean> {
    const full = [...this.#perSubscription].filter(([, n]) => n >= LOOP_LIMITS.perSubscription);
    const rows = await claimDue(
      this.#deps,
      new Date(),
      free,
      full.map(([id]) => id),
    );
    const surplus: string[] = [];
    for (const row of rows) {
      if ((this.#perSubscription.get(row.subscription_id) ?? 0) >= LOOP_LIMITS.perSubscription) {
        surplus.push(row.id);
        continue;
      }
      this.#start(row);
    }
    await releaseClaims(this.#deps.db, surplus, this.#deps.workerId);
    return surplus.length > 0;
  }

  #start(row: NotificationOutboxRow): void {
    const sub = row.subscription_id;
    this.#perSubscription.set(sub, (this.#perSubscription.get(sub) ?? 0) + 1);
    const done = deliverRow(this.#deps, row)
      .catch((err: unknown) => {
        // The claim lapses and the row is sent again: at-least-once.
        this.#log.error({ err, notification: row.id }, 'a notification delivery could not be recorded');
      })
      .finally(() => {
        this.#inFlight.delete(row.id);
        const left = (this.#perSubscription.get(sub) ?? 1) - 1;
        if (left > 0) this.#perSubscription.set(sub, left);
        else this.#perSubscription.delete(sub);
        this.#wake();
      });
    this.#inFlight.set(row.id, done);
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
