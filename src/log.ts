// The one logger factory. Secrets are redacted by key wherever they appear in a
// logged object, so a careless `log.info({vim})` cannot leak a token or password.
//
// Redaction is our own walk over the logged object rather than pino's `redact`
// paths: those traverse every enumerable property, getters included, and a Buffer
// anywhere in the object (Node's parse errors carry the raw packet) threw inside
// the logger and ended the process. The walk copies only plain data, never calls
// a getter, is bounded in depth and breadth, and cannot throw on any value.
import pino from 'pino';

export const REDACTED_KEYS = [
  'password',
  'masternode_password',
  'bearer_token',
  'client_key',
  'private_key',
  'masternode_private_key',
  'ssh_private_key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'token',
  'client_secret',
  'access_token',
  'secret_hash',
];

export type Logger = pino.Logger;

const SECRET = new Set(REDACTED_KEYS);
/** Deeper levels, and more keys or elements than this, are summarised, not copied. */
const MAX_DEPTH = 8;
const MAX_ENTRIES = 200;

const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** A JSON-safe copy of an own data property, or undefined for an accessor (never invoked). */
function ownValue(obj: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  return d && 'value' in d ? d.value : undefined;
}

function copyEntries(obj: object, keys: string[], depth: number, seen: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys.slice(0, MAX_ENTRIES)) {
    // defineProperty: a key named __proto__ stays a plain key of the copy.
    const value = SECRET.has(key.toLowerCase()) ? '***' : redactValue(ownValue(obj, key), depth + 1, seen);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (keys.length > MAX_ENTRIES) out['…'] = `${keys.length - MAX_ENTRIES} more keys`;
  return out;
}

/** V8's own `stack` accessor is safe to call; an error class's own getter might throw. */
function stackOf(err: Error): string {
  try {
    return String(err.stack ?? '');
  } catch {
    return '';
  }
}

function errorCopy(err: Error, depth: number, seen: Set<object>): Record<string, unknown> {
  const keys = Object.keys(err).filter((k) => k !== 'rawPacket');
  const copy = copyEntries(err, keys, depth, seen);
  const cause = ownValue(err, 'cause');
  return {
    type: typeof err.constructor === 'function' ? err.constructor.name : 'Error',
    message: String(ownValue(err, 'message') ?? ''),
    stack: stackOf(err),
    ...copy,
    ...(cause === undefined ? {} : { cause: redactValue(cause, depth + 1, seen) }),
  };
}

/**
 * `value` with secret keys masked, binary data summarised and cycles cut. Objects
 * that are neither plain, arrays nor errors (Fastify's request and reply) are kept
 * as they are: their pino serializers pick the few fields that are logged.
 */
export function redactValue(value: unknown, depth = 0, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.slice(0, MAX_ENTRIES).map((v: unknown) => redactValue(v, depth + 1, seen));
      if (value.length > MAX_ENTRIES) items.push(`${value.length - MAX_ENTRIES} more items`);
      return items;
    }
    if (value instanceof Error) return errorCopy(value, depth, seen);
    if (!isPlain(value)) return value;
    return copyEntries(value, Object.keys(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

const redactObject = (obj: Record<string, unknown>) => redactValue(obj) as Record<string, unknown>;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const root = pino(
    {
      level,
      formatters: { log: redactObject, bindings: redactObject },
      // Errors are already copied by redactValue; pino's own serializer would re-type them 'Object'.
      serializers: { err: (e: unknown) => e },
    },
    destination,
  );
  // pino applies the bindings formatter to the root only; children (which inherit
  // this property) get their bindings redacted here.
  const child = root.child;
  Object.defineProperty(root, 'child', {
    value: function (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
      return Reflect.apply(child, this, [redactObject(bindings), options]) as Logger;
    },
  });
  return root;
}
