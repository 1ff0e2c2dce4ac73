// SOL013 §5.2 attribute-based filtering: `(op,attr/path,value1,value2);(...)`.
// Parsed once into a predicate over the resource's JSON representation. An
// attribute path crossing an array matches when any element matches. Every
// attribute is checked against the resource's attributes before anything is read.
import { badRequest } from '../../errors.ts';
import { brief } from '../brief.ts';
import { type AttributeTree, checkFilterAttribute } from './attributes.ts';

/** Bounds on one filter expression (the URL's own bound is far above them). */
export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_TERMS = 32;
export const MAX_FILTER_VALUES = 256;

export const OPS = ['eq', 'neq', 'gt', 'lt', 'gte', 'lte', 'cont', 'ncont', 'in', 'nin'] as const;
export type Op = (typeof OPS)[number];

export interface Term {
  op: Op;
  path: string[];
  values: string[];
}

/**
 * Splits on `sep` outside single-quoted strings; quotes are removed and `''` is a
 * literal quote, unless `keepQuotes` (terms are split first, then their values).
 */
function split(text: string, sep: string, keepQuotes = false): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      if (quoted && text[i + 1] === "'") {
        cur += keepQuotes ? "''" : "'";
        i++;
      } else {
        quoted = !quoted;
        if (keepQuotes) cur += c;
      }
    } else if (c === sep && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw badRequest(`filter: unterminated quote in '${text}'`);
  parts.push(cur);
  return parts;
}

/** The terms of `expr`, each naming an attribute of `attributes`; 400 for anything else. */
export function parseFilter(expr: string, attributes: AttributeTree): Term[] {
  if (expr.length > MAX_FILTER_LENGTH) {
    throw badRequest(`filter: longer than ${MAX_FILTER_LENGTH} characters`);
  }
  const raws = split(expr, ';', true);
  if (raws.length > MAX_FILTER_TERMS) throw badRequest(`filter: more than ${MAX_FILTER_TERMS} terms`);
  const terms: Term[] = [];
  let valueCount = 0;
  for (const raw of raws) {
    const m = /^\((.*)\)$/s.exec(raw.trim());
    if (!m?.[1]) throw badRequest(`filter: term '${brief(raw)}' must look like (op,attribute,value)`);
    const [op, attr, ...values] = split(m[1], ',');
    if (!OPS.includes(op as Op))
      throw badRequest(`filter: unknown operator '${brief(op ?? '')}' (one of ${OPS.join(', ')})`);
    if (!attr) throw badRequest(`filter: term '${brief(raw)}' names no attribute`);
    if (values.length === 0) throw badRequest(`filter: term '${brief(raw)}' has no value`);
    if (['gt', 'lt', 'gte', 'lte'].includes(op as string) && values.length !== 1) {
      throw badRequest(`filter: '${op}' takes exactly one value in '${brief(raw)}'`);
    }
    valueCount += values.length;
    if (valueCount > MAX_FILTER_VALUES) throw badRequest(`filter: more than ${MAX_FILTER_VALUES} values`);
    const path = attr.split('/');
    checkFilterAttribute(attributes, path);
    terms.push({ op: op as Op, path, values });
  }
  return terms;
}

/** The values at `path` under `value`, reading own properties only. */
function leaves(value: unknown, path: string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, path));
  if (path.length === 0) return [value];
  const [head, ...rest] = path as [string, ...string[]];
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, head)) return [];
  return leaves((value as Record<string, unknown>)[head], rest);
}

function compare(a: unknown, b: string): number {
  if (typeof a === 'number') return a - Number(b);
  return String(a) < b ? -1 : String(a) > b ? 1 : 0;
}

function termMatches(obj: unknown, t: Term): boolean {
  const found = leaves(obj, t.path).filter((v) => v !== undefined);
  const eq = (v: unknown) => t.values.some((x) => String(v) === x);
  switch (t.op) {
    case 'eq':
    case 'in':
      return found.some(eq);
    case 'neq':
    case 'nin':
      return !found.some(eq);
    case 'cont':
      return found.some((v) => t.values.some((x) => String(v).includes(x)));
    case 'ncont':
      return !found.some((v) => t.values.some((x) => String(v).includes(x)));
    case 'gt':
      return found.some((v) => compare(v, t.values[0] as string) > 0);
    case 'lt':
      return found.some((v) => compare(v, t.values[0] as string) < 0);
    case 'gte':
      return found.some((v) => compare(v, t.values[0] as string) >= 0);
    case 'lte':
      return found.some((v) => compare(v, t.values[0] as string) <= 0);
  }
}

export function matcher(terms: Term[]): (obj: unknown) => boolean {
  return (obj) => terms.every((t) => termMatches(obj, t));
}
