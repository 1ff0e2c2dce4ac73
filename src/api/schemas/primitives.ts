// Bounded building blocks for the request body schemas: every string has a length
// limit, every array a maximum count, every free-form object a maximum number of
// keys, so no request can make the VNFM store, log or pass on an unbounded value.
// (Nesting depth of free-form values is bounded by the JSON body parser.)
import { type ObjectOptions, type TProperties, type TSchema, Type } from '@sinclair/typebox';

/** The limits themselves, named so that docs and tests can refer to them. */
export const LIMITS = {
  id: 255,
  name: 255,
  description: 1024,
  url: 2048,
  /** PEM certificates and keys (a CA bundle or a 4096-bit RSA key fit easily). */
  pem: 64 * 1024,
  /** Bearer tokens (service-account JWTs are 1-2 KiB; OIDC tokens can be larger). */
  token: 16 * 1024,
  password: 1024,
  /** Keys of free-form objects (metadata, userDefinedData, ...). */
  key: 255,
  /** Keys per free-form object. */
  keys: 100,
  /** Entries of a list of identifiers (vnfcInstanceId, scaleInfo, ...). */
  items: 1000,
} as const;

/** Objects are strict: a field that is not declared is a 400 naming it. */
export function strictObject<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const Id = (options: { minLength?: number; maxLength?: number } = {}) =>
  Type.String({ minLength: 1, maxLength: LIMITS.id, ...options });
export const Name = () => Type.String({ maxLength: LIMITS.name });
export const Description = () => Type.String({ maxLength: LIMITS.description });
export const Url = () => Type.String({ minLength: 1, maxLength: LIMITS.url });
export const Pem = () => Type.String({ maxLength: LIMITS.pem });
export const Password = () => Type.String({ maxLength: LIMITS.password });

/** A map with string keys of bounded length and at most `maxProperties` entries. */
export function BoundedMap<T extends TSchema>(value: T, maxProperties: number = LIMITS.keys) {
  return Type.Record(Type.String(), value, {
    maxProperties,
    propertyNames: { maxLength: LIMITS.key },
  });
}

/** SOL013 KeyValuePairs: free-form values, bounded in keys (depth: the body parser). */
export const KeyValuePairs = () => BoundedMap(Type.Unknown());

/** `true`/`false`, or the strings "true"/"false" in any case, as Tacker's samples send them. */
export const BooleanOrString = () =>
  Type.Union([Type.Boolean(), Type.String({ pattern: '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$' })], {
    description: 'true or false (a boolean, or the string "true" or "false")',
  });

/** A body that may be absent (Fastify validates a missing body as null). */
export const OptionalBody = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
