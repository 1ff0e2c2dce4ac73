// The one error a CSAR can fail onboarding with. Its message becomes the
// package's `onboardingFailureDetails.detail`, so it names the exact problem and
// the file or zip entry concerned; `code` lets callers branch without parsing text.

export type CsarErrorCode =
  | 'ZIP_INVALID' // not a zip, corrupt, encrypted, unsupported compression, CRC mismatch
  | 'ZIP_UNSAFE_PATH' // entry name absolute, with '..', backslash, control character…
  | 'ZIP_SYMLINK' // entry is a symbolic link
  | 'ZIP_SPECIAL_FILE' // entry is a device, FIFO or socket
  | 'ZIP_TOO_LARGE' // a limit on entries, sizes or compression ratio exceeded
  | 'ZIP_SIZE_MISMATCH' // inflated bytes differ from the declared size
  | 'META_MISSING' // no usable TOSCA.meta and no manifest-only layout
  | 'META_INVALID' // TOSCA.meta malformed or naming what is not there
  | 'ENTRY_DEFINITIONS_MISSING'
  | 'MANIFEST_INVALID'
  | 'HASH_MISMATCH'
  | 'ARTIFACT_MISSING'
  | 'PATH_OUTSIDE_PACKAGE'; // a path that does not stay inside the package

export class CsarError extends Error {
  readonly code: CsarErrorCode;
  constructor(code: CsarErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CsarError';
    this.code = code;
  }
}

/** Shows a name from a package with quotes, and with any control character escaped. */
export function q(name: string): string {
  return JSON.stringify(name);
}
