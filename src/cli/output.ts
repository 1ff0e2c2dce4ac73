// What the `vnfm` commands print on stdout: a table for people (`-o table`, the default;
// `-o wide` adds columns), the API's representation exactly (`-o json`, `-o yaml`), or
// only the ids, one a line (`-q`). Nothing else ever goes to stdout, so `-o json` parses.
// Values from the VNFM are flattened to one line without control characters: a name
// cannot forge a row or drive the terminal.
import { type Command, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { oneLine } from './vnfm-client.ts';

export const FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

export interface OutputFlags {
  output?: Format;
  quiet?: boolean;
}

/** One column of a resource's table. */
export interface Column<T> {
  header: string;
  get: (row: T) => unknown;
  /** Shown only with `-o wide`. */
  wide?: boolean;
}

/** Declares -o/--output and -q/--quiet on the program: accepted before or after any subcommand. */
export function addOutputOptions(program: Command): Command {
  return program
    .addOption(
      new Option('-o, --output <format>', 'table, wide (more columns), json or yaml (the API representation)')
        .choices(FORMATS)
        .default('table'),
    )
    .option('-q, --quiet', 'print only the ids, one a line');
}

export function outputOf(cmd: Command): { format: Format; quiet: boolean } {
  const o = cmd.optsWithGlobals<OutputFlags>();
  return { format: o.output ?? 'table', quiet: o.quiet === true };
}

/** A cell: '-' for nothing, lists joined with ',', objects as compact JSON, all on one line. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (Array.isArray(value)) return value.length ? oneLine(value.map(cell).join(','), 200) : '-';
  if (typeof value === 'object') return oneLine(JSON.stringify(value), 200);
  return oneLine(String(value), 200);
}

/** Rows under their headers, columns two spaces apart (the last one not padded). */
export function renderTable<T>(rows: T[], columns: Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => cell(c.get(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => [...(line[i] ?? '')].length)));
  return cells
    .map((line) =>
      line
        .map((v, i) => (i === line.length - 1 ? v : v + ' '.repeat((widths[i] ?? 0) - [...v].length)))
        .join('  ')
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join('');
}

/** `FIELD  value` lines for one resource (a `show` in table format). */
export function renderFields<T>(item: T, columns: Column<T>[]): string {
  const width = Math.max(...columns.map((c) => c.header.length));
  return columns.map((c) => `${c.header.padEnd(width)}  ${cell(c.get(item))}\n`).join('');
}

export function serialize(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value);
}

const visible = <T>(columns: Column<T>[], format: Format) =>
  columns.filter((c) => !c.wide || format === 'wide');
const write = (text: string): void => void process.stdout.write(text);

/**
 * A list: `raw` (default: the rows) exactly as the API sent it for json/yaml, a table
 * otherwise, the ids with -q. An empty table says so on stderr, keeping stdout empty.
 */
export function printList<T>(
  cmd: Command,
  rows: T[],
  columns: Column<T>[],
  id: (row: T) => unknown,
  raw?: unknown,
): void {
  const { format, quiet } = outputOf(cmd);
  if (quiet) return write(rows.map((r) => `${cell(id(r))}\n`).join(''));
  if (format === 'json' || format === 'yaml') return write(serialize(raw ?? rows, format));
  if (rows.length === 0) {
    process.stderr.write('vnfm: none\n');
    return;
  }
  write(renderTable(rows, visible(columns, format)));
}

/** One resource: json/yaml exactly `raw` (default: the item), FIELD value lines otherwise, its id with -q. */
export function printOne<T>(
  cmd: Command,
  item: T,
  columns: Column<T>[],
  id: (row: T) => unknown,
  raw?: unknown,
): void {
  const { format, quiet } = outputOf(cmd);
  if (quiet) return write(`${cell(id(item))}\n`);
  if (format === 'json' || format === 'yaml') return write(serialize(raw ?? item, format));
  write(renderFields(item, visible(columns, format)));
}

/**
 * A message for people about an action done (`VIM x deleted`): stdout in table format,
 * stderr with -q/json/yaml, so machine-read output holds only what was asked for.
 */
export function printDone(cmd: Command, message: string): void {
  const { format, quiet } = outputOf(cmd);
  const line = `${oneLine(message)}\n`;
  if (quiet || format === 'json' || format === 'yaml') process.stderr.write(`vnfm: ${line}`);
  else write(line);
}
