// Reads the Python-literal form in which existing deployments store `helm_info`
// (e.g. "{'masternode_ip': ['10.0.0.1'], 'masternode_password': 'x'}"): dicts,
// lists, quoted strings, numbers, True/False/None. Nothing is evaluated. The text's
// length and nesting depth are bounded, so hostile input is refused, never a crash.

export class PythonLiteralError extends Error {
  override name = 'PythonLiteralError';
}

/** helm_info is a few addresses, names, a key and host keys: far below these. */
export const PYTHON_LITERAL_LIMITS = { maxLength: 64 * 1024, maxDepth: 16 };

export function parsePythonLiteral(text: string, limits = PYTHON_LITERAL_LIMITS): unknown {
  if (text.length > limits.maxLength)
    throw new PythonLiteralError(`longer than ${limits.maxLength} characters`);
  let i = 0;
  let depth = 0;
  const fail = (what: string): never => {
    throw new PythonLiteralError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const q = text[i++];
    let out = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        const c = text[i + 1];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
        out += (c !== undefined && map[c]) ?? c ?? '';
        i += 2;
      } else out += text[i++];
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return out;
  };
  /** Items up to `close`, each read by `item`, separated by commas (a trailing comma allowed). */
  const items = (close: string, item: () => void) => {
    if (++depth > limits.maxDepth) fail(`nested deeper than ${limits.maxDepth}`);
    i++;
    ws();
    while (text[i] !== close) {
      if (i >= text.length) fail(`expected '${close}'`);
      item();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      ws();
    }
    i++;
    depth--;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      const obj: Record<string, unknown> = {};
      items('}', () => {
        const key = value();
        if (typeof key !== 'string') fail('dict key must be a string');
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        // An own property even for '__proto__': the result is plain data, never a prototype change.
        Object.defineProperty(obj, key as string, {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return obj;
    }
    if (c === '[' || c === '(') {
      const arr: unknown[] = [];
      items(c === '[' ? ']' : ')', () => arr.push(value()));
      return arr;
    }
    if (c === "'" || c === '"') return str();
    const word = /^(True|False|None|-?\d{1,32}(\.\d{1,32})?)/.exec(text.slice(i, i + 80))?.[0];
    if (!word) return fail('unexpected character');
    i += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    return Number(word);
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}
