// Reads the Python-literal form in which existing deployments store `helm_info`
// (e.g. "{'masternode_ip': ['10.0.0.1'], 'masternode_password': 'x'}"): dicts,
// lists, quoted strings, numbers, True/False/None. Nothing is evaluated.

export class PythonLiteralError extends Error {
  override name = 'PythonLiteralError';
}

export function parsePythonLiteral(text: string): unknown {
  let i = 0;
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
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      while (text[i] !== '}') {
        ws();
        const key = value();
        if (typeof key !== 'string') fail('dict key must be a string');
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        obj[key as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
        ws();
      }
      i++;
      return obj;
    }
    if (c === '[' || c === '(') {
      const close = c === '[' ? ']' : ')';
      i++;
      const arr: unknown[] = [];
      ws();
      while (text[i] !== close) {
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
        ws();
      }
      i++;
      return arr;
    }
    if (c === "'" || c === '"') return str();
    const word = /^(True|False|None|-?\d+(\.\d+)?)/.exec(text.slice(i))?.[0];
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
