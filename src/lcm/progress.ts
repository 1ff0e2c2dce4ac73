// The op occ's `_progress` as the worker writes it while an operation runs: the drivers
// and hooks tell the step they are on (a ProgressSink), this writes it to the op occ row
// — at most one write per `minIntervalMs`, the last one always written — so a readiness
// wait that reports every poll costs the store a few writes a second, not hundreds.
import { setOpOccProgress } from '../db/queries/op-occs.ts';
import type { Db } from '../db/connect.ts';
import { brief } from '../api/brief.ts';
import type { ProgressSink, VduReadiness } from '../infra/driver.ts';
import type { Logger } from '../log.ts';
import type { OperationState, OpOccProgress } from './model.ts';

/** Longest `_progress.message` kept: a line for an operator, not a log. */
export const MAX_PROGRESS_MESSAGE = 300;

export class ProgressReporter implements ProgressSink {
  readonly #db: Db;
  readonly #id: string;
  readonly #state: OperationState;
  readonly #log: Logger;
  readonly #minIntervalMs: number;
  #current: OpOccProgress | undefined;
  #early: Record<string, VduReadiness> | undefined;
  #dirty = false;
  #closed = false;
  #lastWrite = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;

  /** `state`: the op occ's state while this runs (PROCESSING, ROLLING_BACK); a write after it left that state is a no-op. */
  constructor(db: Db, opOccId: string, state: OperationState, log: Logger, minIntervalMs = 250) {
    this.#db = db;
    this.#id = opOccId;
    this.#state = state;
    this.#log = log;
    this.#minIntervalMs = minIntervalMs;
  }

  step(name: string, count?: { done: number; total: number }): void {
    const vdus = this.#current?.vdus ?? this.#early;
    this.#set({ step: brief(name, 120), ...(count ?? {}), ...(vdus ? { vdus } : {}) });
  }

  message(text: string): void {
    const message = brief(text, MAX_PROGRESS_MESSAGE);
    if (!this.#current || this.#current.message === message) return; // a message belongs to a step
    this.#set({ ...this.#current, message });
  }

  vdus(counts: Record<string, VduReadiness>): void {
    // Counts read before the first step go out with it: a step is what the field is about.
    if (!this.#current) {
      this.#early = { ...this.#early, ...counts };
      return;
    }
    const base: Omit<OpOccProgress, 'updatedAt'> = this.#current;
    const merged = { ...base.vdus, ...counts };
    if (JSON.stringify(merged) === JSON.stringify(base.vdus)) return; // nothing new: no write
    this.#set({ ...base, vdus: merged });
  }

  /** What was last reported (undefined before the first step). */
  get current(): OpOccProgress | undefined {
    return this.#current;
  }

  /** Writes what is pending and stops: call before the op occ's transition out of its state. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    if (this.#dirty) await this.#write();
  }

  #set(p: Omit<OpOccProgress, 'updatedAt'>): void {
    if (this.#closed) return;
    this.#current = { ...p, updatedAt: new Date().toISOString() };
    this.#dirty = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#writing || this.#closed) return;
    const wait = Math.max(0, this.#lastWrite + this.#minIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#writing = this.#write().finally(() => {
        this.#writing = undefined;
        if (this.#dirty) this.#schedule();
      });
    }, wait);
  }

  async #write(): Promise<void> {
    const p = this.#current;
    this.#dirty = false;
    if (!p) return;
    this.#lastWrite = Date.now();
    try {
      await setOpOccProgress(this.#db, this.#id, this.#state, p);
    } catch (err) {
      // Progress is for people watching; the operation goes on without it.
      this.#log.warn({ err }, 'op occ progress not recorded');
    }
  }
}
