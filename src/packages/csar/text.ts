// Reads a metadata file of the package (TOSCA.meta, manifest) as UTF-8 text,
// refusing sizes no such file has, since these are read whole into memory.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsarError, q, type CsarErrorCode } from './errors.ts';
import type { ExtractedFile } from './extract.ts';

export const MAX_METADATA_BYTES = 16 * 1024 * 1024;

export async function readPackageText(
  root: string,
  file: ExtractedFile,
  code: CsarErrorCode,
): Promise<string> {
  if (file.size > MAX_METADATA_BYTES) {
    throw new CsarError(code, `${q(file.path)} is ${file.size} bytes; the limit is ${MAX_METADATA_BYTES}`);
  }
  const bytes = await readFile(join(root, file.path));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CsarError(code, `${q(file.path)} is not valid UTF-8 text`);
  }
}
