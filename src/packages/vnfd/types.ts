// The TOSCA type system of one VNFD: every `*_types` section of every loaded file
// (the bundled SOL001 ones included), with `derived_from` chains, so the rest of the
// loader asks "is this a VDU?" by derivation, never by type name.
import { isDeepStrictEqual } from 'node:util';
import { VnfdError } from './errors.ts';
import type { DefinitionsFile } from './imports.ts';
import { isYamlMap, own, type YamlMap } from './yaml.ts';

export type TypeKind =
  | 'artifact_types'
  | 'data_types'
  | 'capability_types'
  | 'interface_types'
  | 'relationship_types'
  | 'node_types'
  | 'group_types'
  | 'policy_types';

const KINDS: readonly TypeKind[] = [
  'artifact_types',
  'data_types',
  'capability_types',
  'interface_types',
  'relationship_types',
  'node_types',
  'group_types',
  'policy_types',
];

/** TOSCA Simple Profile normative types, which no file defines but every processor knows. */
const NORMATIVE: Partial<Record<TypeKind, ReadonlySet<string>>> = {
  node_types: new Set(
    [
      'Root',
      'Abstract.Compute',
      'Compute',
      'SoftwareComponent',
      'WebServer',
      'WebApplication',
      'DBMS',
      'Database',
      'Abstract.Storage',
      'Storage.ObjectStorage',
      'Storage.BlockStorage',
      'Container.Runtime',
      'Container.Application',
      'LoadBalancer',
      'network.Network',
      'network.Port',
    ].map((n) => `tosca.nodes.${n}`),
  ),
  policy_types: new Set(
    ['Root', 'Placement', 'Scaling', 'Update', 'Performance'].map((n) => `tosca.policies.${n}`),
  ),
};

export interface TypeDefinition {
  name: string;
  kind: TypeKind;
  derivedFrom: string | undefined;
  /** The definitions file that defines it. */
  file: string;
  /** Defined by a bundled SOL001 file. */
  bundled: boolean;
  def: YamlMap;
}

export class ToscaTypes {
  readonly #types = new Map<TypeKind, Map<string, TypeDefinition>>();

  /** Collects the types of all files; a type defined differently by two package files is refused. */
  static fromFiles(files: readonly DefinitionsFile[]): ToscaTypes {
    const types = new ToscaTypes();
    // Bundled SOL001 first: a package that carries its own copy of a SOL001 type does
    // not replace ETSI's definition.
    const ordered = [...files.filter((f) => f.bundled), ...files.filter((f) => !f.bundled)];
    for (const file of ordered) {
      for (const kind of KINDS) {
        const section = own(file.data, kind);
        if (section === undefined || section === null) continue;
        if (!isYamlMap(section)) throw new VnfdError('YAML_INVALID', file.name, `"${kind}" is not a mapping`);
        for (const [name, def] of Object.entries(section)) {
          if (!isYamlMap(def)) {
            throw new VnfdError('YAML_INVALID', file.name, `${kind} "${name}" is not a mapping`);
          }
          types.#add(kind, name, def, file);
        }
      }
    }
    return types;
  }

  #add(kind: TypeKind, name: string, def: YamlMap, file: DefinitionsFile): void {
    let byName = this.#types.get(kind);
    if (!byName) this.#types.set(kind, (byName = new Map()));
    const prev = byName.get(name);
    if (prev) {
      if (prev.bundled || isDeepStrictEqual(prev.def, def)) return;
      throw new VnfdError(
        'TYPE_CONFLICT',
        file.name,
        `${kind} "${name}" is already defined differently in ${prev.file}`,
      );
    }
    const derivedFrom = own(def, 'derived_from');
    if (derivedFrom !== undefined && typeof derivedFrom !== 'string') {
      throw new VnfdError('YAML_INVALID', file.name, `${kind} "${name}": derived_from is not a type name`);
    }
    byName.set(name, { name, kind, derivedFrom, file: file.name, bundled: file.bundled, def });
  }

  get(kind: TypeKind, name: string): TypeDefinition | undefined {
    return this.#types.get(kind)?.get(name);
  }

  /** Names of all types of a kind, in definition order. */
  names(kind: TypeKind): string[] {
    return [...(this.#types.get(kind)?.keys() ?? [])];
  }

  /**
   * `name` and its ancestors, nearest first. Stops at an undefined type (which is then
   * the last entry) or where a derivation cycle would repeat a type.
   */
  chain(name: string, kind: TypeKind = 'node_types'): string[] {
    const out: string[] = [];
    let cur: string | undefined = name;
    while (cur !== undefined && !out.includes(cur)) {
      out.push(cur);
      cur = this.get(kind, cur)?.derivedFrom;
    }
    return out;
  }

  /** Whether `type` is `base` or derives from it through `derived_from`. */
  derivesFrom(type: string, base: string, kind: TypeKind = 'node_types'): boolean {
    return this.chain(type, kind).includes(base);
  }

  /**
   * Whether `type` is usable: its chain of definitions ends in a TOSCA normative type or
   * in a defined type without `derived_from`, and has no cycle.
   */
  isKnown(type: string, kind: TypeKind = 'node_types'): boolean {
    const chain = this.chain(type, kind);
    const last = chain[chain.length - 1]!;
    const lastDef = this.get(kind, last);
    if (lastDef) return lastDef.derivedFrom === undefined; // otherwise: a cycle
    return (NORMATIVE[kind]?.has(last) ?? false) || /^tosca\.[a-z]+\.Root$/.test(last);
  }

  /** The nearest definition of property `prop` along the derivation chain of a type. */
  propertyDefinition(type: string, prop: string, kind: TypeKind = 'node_types'): YamlMap | undefined {
    for (const name of this.chain(type, kind)) {
      const def = own(own(this.get(kind, name)?.def, 'properties'), prop);
      if (isYamlMap(def)) return def;
    }
    return undefined;
  }
}
