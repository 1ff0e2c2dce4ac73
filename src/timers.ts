// Durations handed to Node's timers. setTimeout takes a signed 32-bit count of
// milliseconds: anything above 2^31-1 ms (~24.8 days) — a gracefulTerminationTimeout
// of 2^31 s, say — makes the timer fire at once, as if the deadline had passed.
// Every timeout computed from a request or a configuration goes through here.

/** The longest delay a Node timer honours (2^31-1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay a timer honours: at most MAX_TIMER_MS, at least 0; infinity waits the longest. */
export function timerMs(ms: number): number {
  if (Number.isNaN(ms)) throw new RangeError('a timeout cannot be NaN');
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(ms)));
}

/** Milliseconds from now until `at` (a Date.now() value), as a timer delay. */
export const msUntil = (at: number): number => timerMs(at - Date.now());
