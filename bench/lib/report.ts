// What every benchmark prints: aligned tables, percentiles and medians, a verdict
// against its target, and one final line of JSON for machines.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const MiB = 1024 * 1024;

/** Command-line options of a benchmark; `--quick` is common to all. */
export function options<T extends NonNullable<ParseArgsConfig['options']>>(spec: T) {
  return parseArgs({ options: { quick: { type: 'boolean', default: false }, ...spec }, strict: true }).values;
}

/** The p-th percentile (0-100) of ascending `sorted`, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function verdict(met: boolean): string {
  return met ? 'meets target' : 'MISSES target';
}

/** Rows of cells as aligned columns; the first row is the header. */
export function table(rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = cells;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The last line a benchmark prints: its figures as one JSON object. */
export function summary(bench: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, ...figures }));
}
