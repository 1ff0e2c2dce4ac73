// Paths inside a package. Zip entry names, TOSCA.meta and manifest references
// and request parameters such as helmchartfile_path all name files relative to
// the package root; each must stay inside it, whatever the text says.
import { resolve, sep } from 'node:path';
import { CsarError, q } from './errors.ts';

/** Why `p` is not a plain relative path, or undefined when it is one. */
export function unsafePathReason(p: string): string | undefined {
  if (p === '') return 'it is empty';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'it contains a control character';
  // A backslash is a separator on Windows and a name character on Linux: ambiguous.
  if (p.includes('\\')) return 'it contains a backslash';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'it is absolute';
  if (p.split('/').includes('..')) return "it has a '..' segment";
  return undefined;
}

/** `relPath` as a canonical posix relative path ('./a//b' → 'a/b'); rejects anything leaving the root. */
export function normalizePackagePath(relPath: string): string {
  const reason = unsafePathReason(relPath);
  if (reason)
    throw new CsarError('PATH_OUTSIDE_PACKAGE', `path ${q(relPath)} is not usable in the package: ${reason}`);
  const normalized = relPath
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
  if (normalized === '') {
    throw new CsarError(
      'PATH_OUTSIDE_PACKAGE',
      `path ${q(relPath)} names the package root, not a file in it`,
    );
  }
  return normalized;
}

/** The absolute path of `relPath` under `root`; CsarError 'PATH_OUTSIDE_PACKAGE' if it would leave root. */
export function resolveInPackage(root: string, relPath: string): string {
  const base = resolve(root);
  const abs = resolve(base, normalizePackagePath(relPath));
  // Redundant after the segment checks; kept so a future change there cannot open a hole.
  if (!abs.startsWith(base + sep)) {
    throw new CsarError('PATH_OUTSIDE_PACKAGE', `path ${q(relPath)} resolves outside the package`);
  }
  return abs;
}
