// How Fastify validates request parts against the schemas of src/api/schemas: Ajv
// without Fastify's defaults that would hide bad input (removing unknown fields,
// coercing "1" or true to 1, filling defaults), and an error formatter that names the
// field at fault ("body/vnfcInstanceIds: unknown field") where Ajv's own text says only
// "body must NOT have additional properties". Unions (anyOf) report the branch that got
// furthest, or what the value may be.
import type { FastifyServerOptions, FastifySchemaValidationError } from 'fastify';
import { brief } from './brief.ts';

type AjvError = FastifySchemaValidationError & {
  schemaPath: string;
  parentSchema?: { description?: string };
};

/** Keywords that only say "this branch wants another type". */
const TYPE_KEYWORDS = new Set(['type', 'const', 'enum']);
/** Keywords whose error names a field (so the branch was the right type). */
const FIELD_KEYWORDS = new Set(['additionalProperties', 'required']);
const MAX_NAME = 100;

function fieldName(name: unknown): string {
  const s = String(name);
  return /^[\w.@-]{1,100}$/.test(s) ? s : JSON.stringify(brief(s, MAX_NAME));
}

function pathOf(dataVar: string, instancePath: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => fieldName(s.replaceAll('~1', '/').replaceAll('~0', '~')));
  return [dataVar, ...segments].join('/');
}

function alternative(e: AjvError): string {
  if (e.keyword === 'type') return String(e.params.type);
  if (e.keyword === 'const') return JSON.stringify(e.params.allowedValue);
  if (e.keyword === 'enum')
    return (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
  return e.message ?? e.keyword;
}

/** Replaces each anyOf error and its branches' errors by the errors worth showing (innermost first). */
function resolveUnions(errors: AjvError[]): AjvError[] {
  let rest = errors.filter((e) => e.keyword !== 'anyOf');
  const unions = errors
    .filter((e) => e.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const u of unions) {
    const inside = (e: AjvError) => e.schemaPath.startsWith(`${u.schemaPath}/`);
    const members = rest.filter(inside);
    const deep = members.filter((m) => m.instancePath !== u.instancePath || !TYPE_KEYWORDS.has(m.keyword));
    const description = u.parentSchema?.description;
    let shown: AjvError[];
    if (deep.some((m) => m.instancePath !== u.instancePath || FIELD_KEYWORDS.has(m.keyword))) shown = deep;
    else if (deep.length > 0 && !(description && deep.some((m) => m.keyword === 'pattern'))) shown = deep;
    else {
      const message = description
        ? `must be ${description}`
        : `must be ${[...new Set(members.map(alternative))].join(' or ')}`;
      shown = [{ ...u, keyword: 'union', message }];
    }
    rest = [...rest.filter((e) => !inside(e)), ...shown];
  }
  return rest;
}

function describe(e: AjvError, dataVar: string): string {
  const path = pathOf(dataVar, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties':
      return `${path}/${fieldName(e.params.additionalProperty)}: unknown field`;
    case 'required':
      return `${path}/${fieldName(e.params.missingProperty)}: is required`;
    case 'propertyNames':
      return `${path}: key ${fieldName(e.params.propertyName)} is too long`;
    case 'type':
    case 'const':
    case 'enum':
      return `${path}: must be ${alternative(e)}`;
    default:
      return `${path}: ${e.message ?? e.keyword}`;
  }
}

export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const lines = resolveUnions(errors as AjvError[])
    .filter((e) => !(e.keyword !== 'propertyNames' && e.schemaPath.includes('/propertyNames/')))
    .map((e) => describe(e, dataVar));
  return new Error([...new Set(lines)].join('; '));
}

/** Fastify constructor options: strict Ajv and the formatter above. */
export const VALIDATION_OPTIONS = {
  ajv: {
    customOptions: {
      removeAdditional: false,
      coerceTypes: false,
      useDefaults: false,
      // Errors carry their schema, so a union's `description` can say what the value may be.
      verbose: true,
    },
  },
  schemaErrorFormatter: formatSchemaErrors,
} satisfies FastifyServerOptions;
