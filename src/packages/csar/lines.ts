// The line syntax TOSCA.meta and manifest files share: `Key: value` lines, grouped
// in blocks separated by blank lines. Line numbers are kept for error messages.

export interface Line {
  /** 1-based line number in the file. */
  no: number;
  /** The line without surrounding whitespace. */
  text: string;
  /** Leading spaces and tabs. */
  indent: number;
}

export function toLines(text: string): Line[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((raw, i) => ({ no: i + 1, text: raw.trim(), indent: raw.length - raw.trimStart().length }));
}

/** Consecutive non-blank lines, each group one block. */
export function toBlocks(lines: readonly Line[]): Line[][] {
  const blocks: Line[][] = [];
  let current: Line[] = [];
  for (const line of lines) {
    if (line.text !== '') {
      current.push(line);
      continue;
    }
    if (current.length > 0) blocks.push(current);
    current = [];
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

export interface KeyValue {
  key: string;
  value: string;
}

/** `Key: value` split at the first colon; a reason string when the line is not of that form. */
export function splitKeyValue(text: string): KeyValue | string {
  const colon = text.indexOf(':');
  if (colon < 0) return `expected "Key: value" but the line has no ':': ${JSON.stringify(text)}`;
  const key = text.slice(0, colon).trim();
  if (key === '' || /\s/.test(key)) return `expected "Key: value" but found ${JSON.stringify(text)}`;
  return { key, value: text.slice(colon + 1).trim() };
}
