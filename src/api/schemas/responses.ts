// Response schemas, made from the model's own TypeBox schemas (src/lcm/model.ts), so
// Fastify serialises the representations with fast-json-stringify instead of
// JSON.stringify. They describe the shape only loosely on purpose: a serialiser
// drops what its schema does not declare and fails on a missing `required`, and an
// answer must be exactly the object the route returns (attribute selectors leave
// attributes out; extensions such as `_links` and `_progress` are kept). So every
// object keeps additional properties, nothing is required, a leaf may also be null
// (fast-json-stringify would write a null string as ""), and free-form maps
// (metadata, operationParams) are written by JSON.stringify as they are.
import type { TSchema } from '@sinclair/typebox';
import { VnfInstance, VnfLcmOpOcc } from '../../lcm/model.ts';

type JsonSchema = Record<string, unknown>;

const LEAF_TYPES = new Set(['string', 'number', 'integer', 'boolean']);

/** The serialisation schema of one model schema: its JSON keys only (TypeBox's symbols dropped). */
export function serialisationSchema(schema: TSchema | JsonSchema): JsonSchema {
  const s = schema as JsonSchema;
  if (s.type === 'object' && s.properties && typeof s.properties === 'object') {
    const properties = Object.fromEntries(
      Object.entries(s.properties as Record<string, JsonSchema>).map(([k, v]) => [k, serialisationSchema(v)]),
    );
    return { type: 'object', properties, additionalProperties: true };
  }
  if (s.type === 'array' && s.items)
    return { type: 'array', items: serialisationSchema(s.items as JsonSchema) };
  if (typeof s.type === 'string' && LEAF_TYPES.has(s.type) && s.const === undefined) {
    return { type: [s.type, 'null'] };
  }
  // Records, unions and literals (states, enumerations): JSON.stringify writes them as they are.
  return {};
}

/** A representation of the API: the model's attributes and the VNFM's `_links`. */
const view = (model: TSchema) => {
  const s = serialisationSchema(model);
  return { ...s, properties: { ...(s.properties as object), _links: {} } };
};

export const VnfInstanceView = view(VnfInstance);
export const VnfLcmOpOccView = view(VnfLcmOpOcc);

/** Fastify `schema.response` of a route answering one representation / a list page of them. */
export const one = (v: JsonSchema, status = 200) => ({ [status]: v });
export const listOf = (v: JsonSchema) => ({ 200: { type: 'array', items: v } });
