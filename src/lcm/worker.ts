// The worker: claims queued op occs from the store and runs them, several at a
// time. It can run inside the API server (embedded default) or in other
// processes sharing PostgreSQL. Locks are renewed while held; an op occ whose
// lock went stale (its process died) is moved to FAILED_TEMP for the operator to
// retry, roll back or fail — an accepted request is never silently lost.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { getInstance } from '../db/queries/instances.ts';
import {
  abandonedOpOccs,
  claimNextOpOcc,
  fromRow,
  getOpOcc,
  renewLocks,
  transitionOpOcc,
} from '../db/queries/op-occs.ts';
import { ProblemError, type ProblemDetails } from '../errors.ts';
import type { LcmContext } from './context.ts';
import type { VnfLcmOpOcc } from './model.ts';
import { type Engine, HANDLERS, moved } from './occurrences.ts';
import { ProgressReporter } from './progress.ts';
import { refreshVnfcs } from './refresh.ts';
import { observeOperation, secondsSince, workerRunning } from '../metrics/registry.ts';

export interface WorkerOptions {
  id?: string;
  postgres: boolean;
  concurrency?: number;
  pollMs?: number;
  /** A lock not renewed for this long belongs to a dead worker. */
  leaseMs?: number;
  /** How often vnfcResourceInfo of idle instances is re-read from the clusters (0: never). */
  refreshMs?: number;
}

function problem(e: unknown): ProblemDetails {
  if (e instanceof ProblemError) return e.toProblem();
  return { status: 500, title: 'Operation failed', detail: (e as Error)?.message ?? String(e) };
}

export class Worker implements Engine {
  readonly ctx: LcmContext;
  readonly id: string;
  readonly #opts: Required<Omit<WorkerOptions, 'id'>>;
  #running = false;
  /** Set while the claim loop turns; false once it ended (stopped, or died on an unexpected error). */
  #looping = false;
  #active = 0;
  #wakeUp: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #refreshTimer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(ctx: LcmContext, opts: WorkerOptions) {
    this.ctx = ctx;
    this.id = opts.id ?? `worker-${randomUUID()}`;
    this.#opts = { concurrency: 8, pollMs: 500, leaseMs: 30_000, refreshMs: 15_000, ...opts };
  }

  wake = (): void => {
    this.#wakeUp?.();
  };

  /** Fails abandoned op occs: every locked one when this is the only process (SQLite), stale ones otherwise. */
  async recover(everyLock: boolean): Promise<number> {
    const staleBefore = new Date(
      everyLock ? Date.now() + 1000 : Date.now() - this.#opts.leaseMs,
    ).toISOString();
    let n = 0;
    for (const row of await abandonedOpOccs(this.ctx.db, staleBefore)) {
      const op = fromRow(row);
      const from = op.operationState;
      const failed = moved(op, 'FAILED_TEMP', {
        error: {
          status: 500,
          title: 'Operation interrupted',
          detail: `the VNFM process running this operation stopped while it was ${from}; retry, roll back or fail it`,
        },
      });
      if (await transitionOpOcc(this.ctx.db, failed, [from], null)) n++;
    }
    if (n > 0)
      this.ctx.log.warn({ count: n }, 'operations interrupted by a stopped VNFM moved to FAILED_TEMP');
    return n;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#renewTimer = setInterval(() => {
      void renewLocks(this.ctx.db, this.id).catch((err) =>
        this.ctx.log.error({ err }, 'lock renewal failed'),
      );
      if (this.#opts.postgres) void this.recover(false).catch(() => {});
    }, this.#opts.leaseMs / 3);
    this.#renewTimer.unref();
    if (this.#opts.refreshMs > 0) {
      let refreshing = false;
      this.#refreshTimer = setInterval(() => {
        if (refreshing) return;
        refreshing = true;
        void refreshVnfcs(this.ctx)
          .catch((err) => this.ctx.log.error({ err }, 'vnfcResourceInfo refresh failed'))
          .finally(() => {
            refreshing = false;
          });
      }, this.#opts.refreshMs);
      this.#refreshTimer.unref();
    }
    this.#looping = true;
    this.#loop = this.#run()
      .catch((err) => this.ctx.log.error({ err }, 'the worker loop stopped on an error'))
      .finally(() => {
        this.#looping = false;
      });
  }

  /** Whether this worker claims and runs operations (what /readyz reports). */
  get running(): boolean {
    return this.#running && this.#looping;
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#renewTimer);
    clearInterval(this.#refreshTimer);
    this.wake();
    await this.#loop;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      if (this.#active >= this.#opts.concurrency) {
        await this.#idle();
        continue;
      }
      let claimed;
      try {
        claimed = await claimNextOpOcc(this.ctx.db, this.id, this.#opts.postgres);
      } catch (err) {
        this.ctx.log.error({ err }, 'claiming an operation failed');
      }
      if (!claimed) {
        await this.#idle();
        continue;
      }
      this.#active++;
      const p = this.#execute(claimed.opOcc, claimed.pending).finally(() => {
        this.#active--;
        this.#inFlight.delete(p);
        this.wake();
      });
      this.#inFlight.add(p);
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const ac = new AbortController();
      this.#wakeUp = () => ac.abort();
      void sleep(this.#opts.pollMs, undefined, { signal: ac.signal })
        .catch(() => {})
        .then(() => {
          this.#wakeUp = undefined;
          resolve();
        });
    });
  }

  async #execute(op: VnfLcmOpOcc, pending: 'run' | 'rollback'): Promise<void> {
    const log = this.ctx.log.child({
      vnfLcmOpOccId: op.id,
      vnfInstanceId: op.vnfInstanceId,
      operation: op.operation,
    });
    const handler = HANDLERS[op.operation];
    const from = op.operationState;
    const started = performance.now();
    let outcome: VnfLcmOpOcc['operationState'] = 'FAILED_TEMP';
    // Flushed before each transition out of the running state (its writes compare on that state).
    const progress = new ProgressReporter(
      this.ctx.db,
      op.id,
      pending === 'run' ? 'PROCESSING' : 'ROLLING_BACK',
      log,
    );
    const ctx: LcmContext = { ...this.ctx, progress };
    workerRunning(1);
    try {
      if (!handler) throw new Error(`no handler for ${op.operation}`);
      if (pending === 'run') {
        let current = op;
        if (op.operationState === 'STARTING') {
          current = moved(op, 'PROCESSING');
          await transitionOpOcc(this.ctx.db, current, ['STARTING'], 'run', true);
        }
        log.info({ from }, 'operation running');
        const stored = await getInstance(this.ctx.db, op.vnfInstanceId);
        if (!stored) throw new Error(`VNF instance ${op.vnfInstanceId} no longer exists`);
        const affectedVnfcs = await handler.run(ctx, current, stored);
        await progress.close();
        const latest = (await getOpOcc(this.ctx.db, op.id)) ?? current;
        if (latest.isCancelPending) throw new Error('cancelled by request while PROCESSING');
        // _progress stays: the last step and the final pod counts per VDU.
        await transitionOpOcc(
          this.ctx.db,
          moved(latest, 'COMPLETED', { resourceChanges: { affectedVnfcs } }),
          ['PROCESSING'],
          null,
        );
        outcome = 'COMPLETED';
        log.info('operation COMPLETED');
      } else {
        if (!handler.rollback) throw new Error(`${op.operation} cannot be rolled back`);
        const stored = await getInstance(this.ctx.db, op.vnfInstanceId);
        if (!stored) throw new Error(`VNF instance ${op.vnfInstanceId} no longer exists`);
        await handler.rollback(ctx, op, stored);
        await progress.close();
        const rolledBack = (await getOpOcc(this.ctx.db, op.id)) ?? op;
        await transitionOpOcc(this.ctx.db, moved(rolledBack, 'ROLLED_BACK'), ['ROLLING_BACK'], null);
        outcome = 'ROLLED_BACK';
        log.info('operation ROLLED_BACK');
      }
    } catch (e) {
      const error = problem(e);
      log.warn({ detail: error.detail }, 'operation FAILED_TEMP');
      // The failing step stays in _progress: where the operator looks first.
      await progress.close();
      const latest = (await getOpOcc(this.ctx.db, op.id).catch(() => undefined)) ?? op;
      const state = latest.operationState;
      await transitionOpOcc(
        this.ctx.db,
        moved(latest, 'FAILED_TEMP', { error, isCancelPending: false }),
        [state],
        null,
      ).catch((err) => log.error({ err }, 'could not record FAILED_TEMP'));
    } finally {
      workerRunning(-1);
      observeOperation(op.operation, pending, outcome, secondsSince(started));
    }
  }
}
