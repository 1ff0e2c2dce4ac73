// The JSON request body parser. JSON.parse recurses on nesting and everything that
// later walks a body (schema validation, structuredClone, the store) recurses too,
// so a body nested thousands deep ended in a stack overflow and a 500. The depth is
// counted first in one flat pass over the text, then the text is parsed, then keys
// that could reach an object's prototype are refused (as Fastify's own parser does).
import { badRequest } from '../errors.ts';

/** Deepest nesting of objects and arrays a body may have (SOL003 bodies need under 10). */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** Whether `text`, read as JSON, nests objects and arrays deeper than `max` (one flat pass). */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPENERS.has(c)) {
      if (++depth > max) return true;
    } else if (CLOSERS.has(c)) depth--;
  }
  return false;
}

/** The path (`metadata/a/0`) of the first key that would touch a prototype, if any. */
function prototypeKey(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}/${key}` : key;
      if (key === '__proto__') return at;
      if (
        key === 'constructor' &&
        child !== null &&
        typeof child === 'object' &&
        Object.hasOwn(child, 'prototype')
      )
        return `${at}/prototype`;
      stack.push([child, at]);
    }
  }
  return undefined;
}

/** Parses a request body; 400 for bad JSON, not an object, nesting over MAX_JSON_DEPTH, or a prototype key. */
export function parseJsonBody(text: string): unknown {
  // A JSON content type with no body is a request without one (POST …/retry from some clients).
  if (text.trim() === '') return undefined;
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw badRequest(`body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw badRequest(`body: not valid JSON (${(err as Error).message})`);
  }
  // Every request body of these APIs is an object; `null` would read as "no body" to the schemas.
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      `body: must be a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`,
    );
  }
  const bad = prototypeKey(body);
  if (bad !== undefined) throw badRequest(`body/${bad}: this key is not allowed`);
  return body;
}
