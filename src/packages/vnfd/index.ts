// SOL001 v2.6.1 VNFD: load and check the TOSCA descriptor of an extracted VNF
// package, and the instance arithmetic (levels, aspects) LCM derives from it.
export { VnfdError, type VnfdErrorCode } from './errors.ts';
export type {
  Flavour,
  InstantiationLevel,
  LcmOperation,
  ScalingAspect,
  Vdu,
  VduKind,
  Vnfd,
} from './model.ts';
export { loadVnfd } from './vnfd.ts';
export { flavour, maxScaleLevel, scaleLevelsAt, stepsDelta, vduReplicas } from './replicas.ts';
export {
  type ArchiveFile,
  type DefinitionsFile,
  loadDefinitionsFiles,
  SOL001_FILES,
  vnfdArchiveFiles,
} from './imports.ts';
export { ToscaTypes, type TypeDefinition, type TypeKind } from './types.ts';
export { MAX_ALIAS_COUNT, MAX_DEFINITIONS_FILE_BYTES } from './yaml.ts';
