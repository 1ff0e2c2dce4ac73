// Validators for the ETSI response schemas in ../shared/etsi (conformance data).
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: false });
const cache = new Map<string, ValidateFunction>();

export function etsiValidator(relPath: string): (value: unknown) => string[] {
  let validate = cache.get(relPath);
  if (!validate) {
    const file = new URL(`../../../shared/etsi/${relPath}`, import.meta.url);
    const schema = JSON.parse(readFileSync(file, 'utf8')) as object & { $schema?: string };
    delete schema.$schema;
    validate = ajv.compile(schema);
    cache.set(relPath, validate);
  }
  const v = validate;
  return (value) => (v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
