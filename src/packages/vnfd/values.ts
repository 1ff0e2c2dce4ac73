// Property values as TOSCA gives them: a node template's value, else the node type's
// `default`, else a single allowed value (`valid_values: [x]` or `equal: x`), which is
// how Tacker-style VNFDs pin descriptor_id, provider and the like on the VNF type.
import type { ToscaTypes } from './types.ts';
import { isYamlMap, own, type YamlMap } from './yaml.ts';

/** A template's properties with the `inputs` of its topology, for `{get_input: …}`. */
export interface PropertySource {
  properties: unknown;
  inputs: unknown;
}

/** True for TOSCA intrinsic functions such as `{get_input: x}` or `{concat: […]}`. */
export function isFunctionCall(v: unknown): boolean {
  if (!isYamlMap(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && /^(get_|concat$|join$|token$)/.test(keys[0]!);
}

/** The value written in the template itself; intrinsic functions do not count. */
export function literal(properties: unknown, prop: string): unknown {
  const v = own(properties, prop);
  return v === null || isFunctionCall(v) ? undefined : v;
}

/** The template's value, resolving `get_input` to the input's `default` when it has one. */
export function templateValue(src: PropertySource, prop: string): unknown {
  const v = own(src.properties, prop);
  if (isYamlMap(v) && isFunctionCall(v)) {
    const input = own(v, 'get_input');
    if (typeof input !== 'string') return undefined;
    const d = own(own(src.inputs, input), 'default');
    return d === null ? undefined : d;
  }
  return v === null ? undefined : v;
}

/** The node type's value for a property: its `default`, else its only allowed value. */
export function typeValue(types: ToscaTypes, nodeType: string, prop: string): unknown {
  const def = types.propertyDefinition(nodeType, prop);
  if (!def) return undefined;
  const d = own(def, 'default');
  if (d !== undefined && d !== null && !isFunctionCall(d)) return d;
  const allowed = allowedValues(def);
  return allowed?.length === 1 ? allowed[0] : undefined;
}

/** `valid_values` (or `equal`) of a property definition's constraints. */
export function allowedValues(def: YamlMap | undefined): unknown[] | undefined {
  const constraints = own(def, 'constraints');
  if (!Array.isArray(constraints)) return undefined;
  for (const c of constraints) {
    const valid = own(c, 'valid_values');
    if (Array.isArray(valid)) return valid;
    if (isYamlMap(c) && Object.hasOwn(c, 'equal')) return [c.equal];
  }
  return undefined;
}

/** Template values in order of precedence, then the type's. */
export function propertyValue(
  types: ToscaTypes,
  nodeType: string,
  sources: readonly PropertySource[],
  prop: string,
): unknown {
  for (const src of sources) {
    const v = templateValue(src, prop);
    if (v !== undefined) return v;
  }
  return typeValue(types, nodeType, prop);
}

/** A scalar as text (YAML may have read `1` or `true` where TOSCA means a string). */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
