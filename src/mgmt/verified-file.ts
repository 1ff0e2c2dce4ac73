// HookContext.verifiedFile: a package file a driver may use (an install script, an
// archive it copies to hosts) only when the package's manifest or TOSCA.meta declared
// its digest at onboarding, and only while the file still has it. The digests are read
// from the store (recorded at onboarding), not from the extracted copy that is checked.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import { getPackageVnfd } from '../db/queries/packages.ts';
import { resolveInPackage } from '../packages/csar/read.ts';
import type { DeclaredDigests } from '../packages/onboard.ts';

const NODE_HASH: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export function verifiedFileReader(db: Db, vnfPkgId: string, packageRoot: string) {
  return async (path: string): Promise<Buffer> => {
    const stored = await getPackageVnfd<{ declaredDigests?: DeclaredDigests }>(db, vnfPkgId);
    const rel = path.replace(/^\.?\//, '');
    const declared = stored?.declaredDigests?.[rel];
    if (!declared)
      throw new Error(
        `package file ${path} has no digest in the package's manifest or TOSCA.meta: it is not used`,
      );
    const abs = resolveInPackage(packageRoot, rel);
    const bytes = await readFile(abs);
    const actual = createHash(NODE_HASH[declared.algorithm] ?? 'sha256')
      .update(bytes)
      .digest('hex');
    if (actual !== declared.hash.toLowerCase())
      throw new Error(
        `package file ${path} changed since onboarding: ${declared.algorithm} ${actual}, declared ${declared.hash}`,
      );
    return bytes;
  };
}
