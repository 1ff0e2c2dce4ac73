// What an install script's run tells the VNFM (docs/mgmt-driver.md, "The install-script
// contract"): success is the exit code alone; the result is the last stdout line
// starting with `MGMT_RESULT `, one JSON object. Nothing else of the output is parsed;
// on failure its tail goes into the op occ's error with every known secret replaced.
import { redactSecrets } from '../../infra/helm/transport.ts';

export const RESULT_PREFIX = 'MGMT_RESULT ';
/** Lines of output an error quotes. */
export const TAIL_LINES = 20;
/** Characters of output an error quotes, at most (a line can be long). */
const TAIL_CHARS = 4000;

export class ResultLineError extends Error {
  override name = 'ResultLineError';
}

/** The JSON object of the last `MGMT_RESULT ` line of stdout; throws ResultLineError when there is none or it is no object. */
export function parseResultLine(stdout: string): Record<string, unknown> {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.startsWith(RESULT_PREFIX)) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.slice(RESULT_PREFIX.length));
    } catch {
      throw new ResultLineError('its MGMT_RESULT line is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ResultLineError('its MGMT_RESULT line is not a JSON object');
    return value as Record<string, unknown>;
  }
  throw new ResultLineError('it printed no MGMT_RESULT line');
}

/** Every string inside a value (join data is opaque: all of it is treated as secret). */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/**
 * What to replace for a set of secrets: each one trimmed, and each line of a multi-line one
 * (a PEM key printed line by line, or cut by the tail, must not show any of its lines).
 * Longest first, so a secret containing another is replaced whole.
 */
function redactionPieces(secrets: readonly string[]): string[] {
  const pieces = new Set<string>();
  for (const s of secrets) {
    if (s.trim().length >= 4) pieces.add(s.trim());
    for (const line of s.split(/\r?\n/)) if (line.trim().length >= 6) pieces.add(line.trim());
  }
  return [...pieces].sort((a, b) => b.length - a.length);
}

/**
 * The last lines of a command's output (stdout, then stderr), secrets replaced by `***`,
 * result lines left out (they hold tokens). Redacted before the cut and again after it.
 */
export function outputTail(stdout: string, stderr: string, secrets: readonly string[]): string {
  const pieces = redactionPieces(secrets);
  const lines = redactSecrets(`${stdout}\n${stderr}`, pieces)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !l.startsWith(RESULT_PREFIX));
  const tail = redactSecrets(lines.slice(-TAIL_LINES).join('\n'), pieces);
  return tail.length > TAIL_CHARS ? `…${tail.slice(-TAIL_CHARS)}` : tail;
}
