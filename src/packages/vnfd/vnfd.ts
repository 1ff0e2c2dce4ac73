// loadVnfd: from an extracted VNF package and its entry definitions file to the
// checked `Vnfd` model. Steps: load the files (imports), build the type system,
// check every node template's type, find the VNF node type, then read each
// deployment flavour and the VNF's identity and LCM interface.
import { VnfdError } from './errors.ts';
import { buildFlavour, type Topology, vduKind } from './flavour.ts';
import { type DefinitionsFile, loadDefinitionsFiles } from './imports.ts';
import type { Flavour, LcmOperation, Vnfd } from './model.ts';
import { ToscaTypes } from './types.ts';
import { allowedValues, asText, literal, type PropertySource, propertyValue, typeValue } from './values.ts';
import { isYamlMap, own, type YamlMap } from './yaml.ts';

const VNF_BASE = 'tosca.nodes.nfv.VNF';

/**
 * Loads and checks the VNFD whose entry definitions file is `entryDefinitions`
 * (package-relative posix path, as TOSCA.meta's Entry-Definitions) in the extracted
 * package directory `root`. Throws VnfdError.
 */
export function loadVnfd(root: string, entryDefinitions: string): Vnfd {
  const files = loadDefinitionsFiles(root, entryDefinitions);
  const types = ToscaTypes.fromFiles(files);
  const topologies = files.filter((f) => !f.bundled).flatMap((f) => readTopology(f, types) ?? []);
  const entry = topologies.find((t) => t.file === files[0]!.name);

  const isVnf = (tpl: YamlMap) => types.derivesFrom(own(tpl, 'type') as string, VNF_BASE);
  const vnfTemplates = (t: Topology) => t.nodeTemplates.filter(([, tpl]) => isVnf(tpl));

  // Flavour files: a substitution mapping, a VNF node template with a literal
  // flavour_id, or VDUs (a single-file VNFD).
  const candidates = topologies.filter(
    (t) =>
      t.substitution !== undefined ||
      vnfTemplates(t).some(([, tpl]) => literal(own(tpl, 'properties'), 'flavour_id') !== undefined) ||
      t.nodeTemplates.some(([, tpl]) => vduKind(types, own(tpl, 'type') as string) !== undefined),
  );

  const vnfType = findVnfType(types, files, entry, candidates, vnfTemplates);
  for (const t of topologies) {
    for (const [name, tpl] of vnfTemplates(t)) {
      if (own(tpl, 'type') !== vnfType) {
        throw new VnfdError(
          candidates.includes(t) ? 'FLAVOUR_INVALID' : 'NO_VNF_NODE',
          t.file,
          `VNF node template "${name}" is of type "${String(own(tpl, 'type'))}", but the VNF is "${vnfType}"`,
        );
      }
    }
  }
  const single = (t: Topology): [string, YamlMap] | undefined => {
    const vnfs = vnfTemplates(t);
    if (vnfs.length > 1) {
      throw new VnfdError(
        candidates.includes(t) ? 'FLAVOUR_INVALID' : 'NO_VNF_NODE',
        t.file,
        `more than one VNF node template (${vnfs.map(([n]) => n).join(', ')})`,
      );
    }
    return vnfs[0];
  };
  const source = (t: Topology, tpl: YamlMap): PropertySource => ({
    properties: own(tpl, 'properties'),
    inputs: t.inputs,
  });

  const entryVnf = entry ? single(entry) : undefined;
  const entrySources = entry && entryVnf ? [source(entry, entryVnf[1])] : [];
  const entryTemplates = entryVnf ? [entryVnf[1]] : [];

  // Deployment flavours.
  const flavourIdDef = types.propertyDefinition(vnfType, 'flavour_id');
  const allowedIds = allowedValues(flavourIdDef)?.map(asText);
  const flavours: Flavour[] = [];
  const flavourSources: PropertySource[] = [];
  for (const t of candidates) {
    const vnf = single(t);
    const smNodeType = own(t.substitution, 'node_type');
    if (t.substitution !== undefined && smNodeType !== vnfType) {
      throw new VnfdError(
        'FLAVOUR_INVALID',
        t.file,
        `substitution_mappings.node_type is "${String(smNodeType)}", but the VNF is "${vnfType}"`,
      );
    }
    const props = vnf ? own(vnf[1], 'properties') : undefined;
    const flavourId = asText(
      literal(own(t.substitution, 'properties'), 'flavour_id') ??
        literal(props, 'flavour_id') ??
        typeValue(types, vnfType, 'flavour_id'),
    );
    if (flavourId === undefined || flavourId === '') {
      throw new VnfdError('FLAVOUR_INVALID', t.file, 'a deployment flavour with no flavour_id');
    }
    if (allowedIds && allowedIds.length > 1 && !allowedIds.includes(flavourId)) {
      throw new VnfdError(
        'FLAVOUR_INVALID',
        t.file,
        `flavour_id "${flavourId}" is not among the valid_values of ${vnfType} (${allowedIds.join(', ')})`,
      );
    }
    const dup = flavours.find((f) => f.flavourId === flavourId);
    if (dup) {
      throw new VnfdError('FLAVOUR_INVALID', t.file, `flavour "${flavourId}" is also defined in ${dup.file}`);
    }
    const flavourTemplates = vnf && vnf[1] !== entryVnf?.[1] ? [vnf[1]] : [];
    const description =
      asText(
        literal(props, 'flavour_description') ??
          literal(own(t.substitution, 'properties'), 'flavour_description') ??
          typeValue(types, vnfType, 'flavour_description'),
      ) ?? '';
    const ops = lcmOperations(types, vnfType, [...entryTemplates, ...flavourTemplates], t.file);
    flavours.push(buildFlavour(types, t, flavourId, description, ops));
    if (vnf) flavourSources.push(source(t, vnf[1]));
  }
  if (flavours.length === 0) {
    throw new VnfdError(
      'FLAVOUR_INVALID',
      files[0]!.name,
      'no deployment flavour: no definitions file has topology_template.substitution_mappings for the VNF',
    );
  }

  // Identity of the VNF: entry VNF node template, else a flavour's, else the type's.
  const sources = [...entrySources, ...flavourSources];
  const text = (prop: string): string => {
    const v = asText(propertyValue(types, vnfType, sources, prop));
    if (v === undefined || v === '') {
      throw new VnfdError(
        'NO_VNF_NODE',
        files[0]!.name,
        `VNF ${vnfType}: property "${prop}" has no value (not in the VNF node template, ` +
          `no default and no single valid value in the node type)`,
      );
    }
    return v;
  };
  const vnfmRaw = propertyValue(types, vnfType, sources, 'vnfm_info');
  const vnfmInfo = (Array.isArray(vnfmRaw) ? vnfmRaw : vnfmRaw === undefined ? [] : [vnfmRaw])
    .map(asText)
    .filter((s): s is string => s !== undefined);

  const lcmInterfaces: Record<string, LcmOperation> = {};
  for (const f of flavours) {
    for (const [op, def] of Object.entries(f.lcmInterfaces)) lcmInterfaces[op] ??= def;
  }

  return {
    vnfdId: text('descriptor_id'),
    provider: text('provider'),
    productName: text('product_name'),
    softwareVersion: text('software_version'),
    vnfdVersion: text('descriptor_version'),
    vnfmInfo,
    vnfNodeType: vnfType,
    flavours,
    lcmInterfaces,
    files: files.filter((f) => !f.bundled).map((f) => f.name),
  };
}

/** The topology template of a file, with every node template's type checked. */
function readTopology(file: DefinitionsFile, types: ToscaTypes): Topology | undefined {
  const tt = own(file.data, 'topology_template');
  if (tt === undefined || tt === null) return undefined;
  if (!isYamlMap(tt)) throw new VnfdError('YAML_INVALID', file.name, 'topology_template is not a mapping');
  const nt = own(tt, 'node_templates') ?? {};
  if (!isYamlMap(nt)) throw new VnfdError('YAML_INVALID', file.name, 'node_templates is not a mapping');
  const nodeTemplates: [string, YamlMap][] = [];
  for (const [name, tpl] of Object.entries(nt)) {
    const type = own(tpl, 'type');
    if (!isYamlMap(tpl) || typeof type !== 'string') {
      throw new VnfdError('YAML_INVALID', file.name, `node template "${name}" has no type`);
    }
    if (!types.isKnown(type)) {
      throw new VnfdError(
        'UNKNOWN_NODE_TYPE',
        file.name,
        `node template "${name}" has type "${type}", which is not defined by the VNFD or SOL001 ` +
          `(or does not derive from a TOSCA base type)`,
      );
    }
    nodeTemplates.push([name, tpl]);
  }
  const sm = own(tt, 'substitution_mappings');
  if (sm !== undefined && sm !== null && !isYamlMap(sm)) {
    throw new VnfdError('YAML_INVALID', file.name, 'substitution_mappings is not a mapping');
  }
  const smType = own(sm, 'node_type');
  if (sm && (typeof smType !== 'string' || !types.isKnown(smType))) {
    throw new VnfdError(
      'UNKNOWN_NODE_TYPE',
      file.name,
      `substitution_mappings.node_type "${String(smType)}" is not a defined node type`,
    );
  }
  return {
    file: file.name,
    template: tt,
    inputs: own(tt, 'inputs'),
    nodeTemplates,
    substitution: isYamlMap(sm) ? sm : undefined,
  };
}

/**
 * The VNF node type: that of the entry file's VNF node template, else the flavours'
 * substitution_mappings node_type, else any VNF node template's, else the one node
 * type the package derives from tosca.nodes.nfv.VNF.
 */
function findVnfType(
  types: ToscaTypes,
  files: readonly DefinitionsFile[],
  entry: Topology | undefined,
  candidates: readonly Topology[],
  vnfTemplates: (t: Topology) => [string, YamlMap][],
): string {
  const entryName = files[0]!.name;
  const entryVnfs = entry ? vnfTemplates(entry) : [];
  let type: unknown = entryVnfs[0] ? own(entryVnfs[0][1], 'type') : undefined;
  type ??= candidates.map((t) => own(t.substitution, 'node_type')).find((x) => x !== undefined);
  if (type === undefined) {
    for (const t of candidates) type ??= vnfTemplates(t).map(([, tpl]) => own(tpl, 'type'))[0];
  }
  if (type === undefined) {
    const defined = types
      .names('node_types')
      .filter(
        (n) => n !== VNF_BASE && !types.get('node_types', n)!.bundled && types.derivesFrom(n, VNF_BASE),
      );
    if (defined.length > 1) {
      throw new VnfdError(
        'NO_VNF_NODE',
        entryName,
        `several node types derive from ${VNF_BASE} (${defined.join(', ')}) and no VNF node template or ` +
          `substitution_mappings says which one is the VNF`,
      );
    }
    type = defined[0];
  }
  if (typeof type !== 'string') {
    throw new VnfdError(
      'NO_VNF_NODE',
      entryName,
      `no VNF: no node template, substitution_mappings or node type derived from ${VNF_BASE}`,
    );
  }
  if (!types.derivesFrom(type, VNF_BASE)) {
    throw new VnfdError(
      'NO_VNF_NODE',
      entryName,
      `the VNF node type "${type}" does not derive from ${VNF_BASE}`,
    );
  }
  return type;
}

const INTERFACE_KEYWORDS = new Set([
  'type',
  'inputs',
  'description',
  'notifications',
  'derived_from',
  'operations',
]);

/**
 * `Vnflcm` operations and the artifacts they name: the VNF node type's (base types
 * first), then each template's in order; later ones override earlier ones.
 */
function lcmOperations(
  types: ToscaTypes,
  vnfType: string,
  templates: readonly YamlMap[],
  file: string,
): Record<string, LcmOperation> {
  const holders: unknown[] = [
    ...types
      .chain(vnfType)
      .reverse()
      .map((t) => types.get('node_types', t)?.def),
    ...templates,
  ];
  const artifacts = new Map<string, { file: string; type: string }>();
  const impls = new Map<string, string | undefined>();
  for (const h of holders) {
    const arts = own(h, 'artifacts');
    if (isYamlMap(arts)) {
      for (const [name, a] of Object.entries(arts)) {
        const f = typeof a === 'string' ? a : asText(own(a, 'file'));
        if (f !== undefined) artifacts.set(name, { file: f, type: asText(own(a, 'type')) ?? '' });
      }
    }
    const iface = own(own(h, 'interfaces'), 'Vnflcm');
    if (iface === undefined || iface === null) continue;
    if (!isYamlMap(iface)) throw new VnfdError('YAML_INVALID', file, 'interfaces.Vnflcm is not a mapping');
    const ops = {
      ...iface,
      ...(isYamlMap(own(iface, 'operations')) ? (own(iface, 'operations') as YamlMap) : {}),
    };
    for (const [op, def] of Object.entries(ops)) {
      if (INTERFACE_KEYWORDS.has(op)) continue;
      impls.set(op, implementationOf(def));
    }
  }
  const out: Record<string, LcmOperation> = {};
  for (const [op, implementation] of impls) {
    const artifact = implementation !== undefined ? artifacts.get(implementation) : undefined;
    out[op] = {
      ...(implementation !== undefined ? { implementation } : {}),
      ...(artifact ? { artifact: { ...artifact } } : {}),
    };
  }
  return out;
}

/** An operation's implementation: `op: name`, `op: {implementation: name}` or `{implementation: {primary: name}}`. */
function implementationOf(def: unknown): string | undefined {
  if (typeof def === 'string') return def;
  const impl = own(def, 'implementation');
  if (typeof impl === 'string') return impl;
  const primary = own(impl, 'primary');
  if (typeof primary === 'string') return primary;
  return asText(own(primary, 'file'));
}
