// Why a VNFD was rejected. Operators read these as the onboarding failure details of
// a VNF package, so every message names the definitions file and the element.

export type VnfdErrorCode =
  | 'YAML_INVALID'
  | 'IMPORT_MISSING'
  | 'IMPORT_CYCLE'
  | 'IMPORT_OUTSIDE_PACKAGE'
  | 'TYPE_CONFLICT'
  | 'UNKNOWN_NODE_TYPE'
  | 'NO_VNF_NODE'
  | 'FLAVOUR_INVALID'
  | 'POLICY_INVALID'
  | 'ASPECT_INCONSISTENT'
  | 'LEVEL_INCONSISTENT';

export class VnfdError extends Error {
  override name = 'VnfdError';
  readonly code: VnfdErrorCode;
  /** The definitions file at fault (package-relative), when there is one. */
  readonly file: string | undefined;

  constructor(code: VnfdErrorCode, file: string | undefined, message: string) {
    super(file === undefined ? message : `${file}: ${message}`);
    this.code = code;
    this.file = file;
  }
}
