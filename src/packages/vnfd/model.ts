// The VNFD as the rest of the VNFM sees it: plain data (JSON-serialisable), read from a
// SOL001 v2.6.1 TOSCA VNFD by `loadVnfd`. Field names follow SOL003/IFA011 where the
// concept is theirs (vnfdId, flavourId, vduProfile, scaleInfo…).

export interface Vnfd {
  /** `descriptor_id` of the VNF node. */
  vnfdId: string;
  provider: string;
  productName: string;
  softwareVersion: string;
  /** `descriptor_version`. */
  vnfdVersion: string;
  vnfmInfo: string[];
  /** The node type derived from `tosca.nodes.nfv.VNF` that the flavours substitute. */
  vnfNodeType: string;
  flavours: Flavour[];
  /**
   * `Vnflcm` operations of the VNF: the node type's, overridden by the entry file's VNF
   * node template, completed by each flavour's (the first flavour defining an operation
   * wins). Per-flavour values are in `Flavour.lcmInterfaces`.
   */
  lcmInterfaces: Record<string, LcmOperation>;
  /** Package definitions files loaded (package-relative), entry first; bundled SOL001 files are not listed. */
  files: string[];
}

/** One operation of the `Vnflcm` interface (`instantiate_start`, `scale_end`, …). */
export interface LcmOperation {
  /** As written: an artifact name (or a file name when no artifact has that name). */
  implementation?: string;
  /** The artifact `implementation` names, from the node template's or node type's `artifacts`. */
  artifact?: { file: string; type: string };
}

export interface Flavour {
  flavourId: string;
  description: string;
  /** The definitions file describing this flavour. */
  file: string;
  vdus: Vdu[];
  aspects: ScalingAspect[];
  instantiationLevels: InstantiationLevel[];
  /** `default_level` of the InstantiationLevels policy, or the only level when there is one. */
  defaultLevel?: string;
  /** `Vnflcm` operations in effect for this flavour: node type < entry VNF template < flavour VNF template. */
  lcmInterfaces: Record<string, LcmOperation>;
}

export type VduKind = 'Compute' | 'OsContainer';

export interface Vdu {
  /** Node template name, e.g. `VDU1`. */
  id: string;
  /** `properties.name`: the workload name in Kubernetes manifest mode. */
  name: string;
  description?: string;
  /** The node template's type as written. */
  type: string;
  kind: VduKind;
  vduProfile: { minNumberOfInstances: number; maxNumberOfInstances: number };
  /** VduInitialDelta `number_of_instances`; `minNumberOfInstances` when no policy gives one. */
  initialDelta: number;
  /** VduInstantiationLevels: instances by instantiation level id. */
  levelInstances: Record<string, number>;
}

export interface ScalingAspect {
  id: string;
  name?: string;
  description?: string;
  maxScaleLevel: number;
  /** Delta ids applied by scaling steps: step i (0-based) uses `stepDeltas[min(i, length - 1)]`. */
  stepDeltas: string[];
  /** From VduScalingAspectDeltas: number_of_instances by VDU id and delta id. */
  vduDeltas: Record<string, Record<string, number>>;
}

export interface InstantiationLevel {
  id: string;
  description?: string;
  /** scale_level by aspect id; aspects not listed are at level 0. */
  scaleInfo: Record<string, number>;
}
