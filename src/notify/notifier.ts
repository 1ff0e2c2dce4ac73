// The delivery loop: runs delivery passes (src/notify/delivery.ts) while there is due
// work, and polls when there is none. It runs wherever the LCM worker runs (`vnfm serve`
// with the embedded worker, every `vnfm worker`); several loops share the outbox safely.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import type { SecretBox } from '../secrets/box.ts';
import { deliverDue, type DeliveryDeps } from './delivery.ts';
import { ReceiverTokens } from './receiver-auth.ts';

/** Delivery settings; the defaults suit a receiver that is down for minutes to hours. */
export const DELIVERY_DEFAULTS = {
  requestTimeoutMs: 10_000,
  baseBackoffMs: 1000,
  maxBackoffMs: 5 * 60_000,
  maxAgeMs: 24 * 3600_000,
  batch: 32,
  pollMs: 500,
};

export class Notifier {
  readonly #deps: DeliveryDeps;
  readonly #pollMs: number;
  readonly #log: Logger;
  #running = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;

  constructor(
    ctx: { db: Db; secrets: SecretBox; log: Logger },
    opts: { postgres: boolean; maxAgeMs?: number },
  ) {
    const { pollMs, ...d } = DELIVERY_DEFAULTS;
    this.#deps = {
      ...d,
      ...(opts.maxAgeMs ? { maxAgeMs: opts.maxAgeMs } : {}),
      db: ctx.db,
      secrets: ctx.secrets,
      tokens: new ReceiverTokens(),
      workerId: `notifier-${randomUUID()}`,
      postgres: opts.postgres,
    };
    this.#pollMs = pollMs;
    this.#log = ctx.log;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let n = 0;
      try {
        n = await deliverDue(this.#deps);
      } catch (err) {
        this.#log.error({ err }, 'a notification delivery pass failed');
      }
      if (n === 0 && this.#running) await this.#idle();
    }
  }

  /** Waits for the poll interval, or less when stopped. */
  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, this.#pollMs);
      t.unref();
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wakeUp = done;
    });
  }
}
