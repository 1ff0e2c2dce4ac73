// One deployment flavour from its topology template: the VDUs with their vdu_profile,
// and the SOL001 scaling and instantiation-level policies, checked against each other
// so that LCM can trust every aspect, delta and level it is asked for.
import { VnfdError, type VnfdErrorCode } from './errors.ts';
import type { Flavour, InstantiationLevel, LcmOperation, ScalingAspect, Vdu, VduKind } from './model.ts';
import { vduReplicas } from './replicas.ts';
import type { ToscaTypes } from './types.ts';
import { asText, isNonNegativeInteger } from './values.ts';
import { isYamlMap, own, type YamlMap } from './yaml.ts';

/** The topology template of one package definitions file. */
export interface Topology {
  file: string;
  template: YamlMap;
  inputs: unknown;
  nodeTemplates: [string, YamlMap][];
  substitution: YamlMap | undefined;
}

const VDU_KINDS: readonly [string, VduKind][] = [
  ['tosca.nodes.nfv.Vdu.Compute', 'Compute'],
  ['tosca.nodes.nfv.Vdu.OsContainer', 'OsContainer'],
];

const P = {
  aspects: 'tosca.policies.nfv.ScalingAspects',
  deltas: 'tosca.policies.nfv.VduScalingAspectDeltas',
  levels: 'tosca.policies.nfv.InstantiationLevels',
  vduLevels: 'tosca.policies.nfv.VduInstantiationLevels',
  initialDelta: 'tosca.policies.nfv.VduInitialDelta',
} as const;

type Fail = (code: VnfdErrorCode, msg: string) => never;

interface Policy {
  name: string;
  type: string;
  properties: YamlMap;
  targets: string[];
}

export function vduKind(types: ToscaTypes, type: string): VduKind | undefined {
  return VDU_KINDS.find(([base]) => types.derivesFrom(type, base))?.[1];
}

export function buildFlavour(
  types: ToscaTypes,
  topo: Topology,
  flavourId: string,
  description: string,
  lcmInterfaces: Record<string, LcmOperation>,
): Flavour {
  const fail: Fail = (code, msg) => {
    throw new VnfdError(code, topo.file, `flavour "${flavourId}": ${msg}`);
  };

  const vdus = readVdus(types, topo, fail);
  const vduById = new Map(vdus.map((v) => [v.id, v]));
  const policies = readPolicies(types, topo, fail);
  const groups = own(topo.template, 'groups');

  // Every policy names existing node templates or groups; the VDU policies, VDUs only.
  const nodeNames = new Set(topo.nodeTemplates.map(([n]) => n));
  for (const p of policies) {
    for (const t of p.targets) {
      if (!nodeNames.has(t) && own(groups, t) === undefined) {
        fail('POLICY_INVALID', `policy "${p.name}": target "${t}" is neither a node template nor a group`);
      }
    }
  }

  const of = (base: string) => policies.filter((p) => types.derivesFrom(p.type, base, 'policy_types'));
  const label = (p: Policy) => `policy "${p.name}" (${p.type})`;

  /** The VDUs a policy applies to: VDU node templates, or groups whose members are VDUs. */
  const vduTargets = (p: Policy): Vdu[] => {
    if (p.targets.length === 0) fail('POLICY_INVALID', `${label(p)} has no targets`);
    return p.targets.flatMap((t) => {
      const vdu = vduById.get(t);
      if (vdu) return [vdu];
      const members = own(own(groups, t), 'members');
      if (Array.isArray(members)) {
        return members.map((m) => {
          const member = typeof m === 'string' ? vduById.get(m) : undefined;
          return (
            member ??
            fail('POLICY_INVALID', `${label(p)}: member "${String(m)}" of group "${t}" is not a VDU`)
          );
        });
      }
      return fail('POLICY_INVALID', `${label(p)}: target "${t}" is not a VDU of the flavour`);
    });
  };

  // Scaling aspects.
  const aspects = new Map<string, ScalingAspect>();
  for (const p of of(P.aspects)) {
    const defs = own(p.properties, 'aspects');
    if (!isYamlMap(defs) || Object.keys(defs).length === 0) {
      fail('POLICY_INVALID', `${label(p)}: properties.aspects must be a non-empty mapping`);
    }
    for (const [id, def] of Object.entries(defs as YamlMap)) {
      const where = `${label(p)}: aspect "${id}"`;
      if (aspects.has(id)) fail('POLICY_INVALID', `${where} is defined twice`);
      if (!isYamlMap(def)) fail('POLICY_INVALID', `${where} is not a mapping`);
      const max = own(def, 'max_scale_level');
      if (!isNonNegativeInteger(max)) {
        fail(
          'POLICY_INVALID',
          `${where}: max_scale_level ${JSON.stringify(max)} is not a non-negative integer`,
        );
      }
      const steps = own(def, 'step_deltas') ?? [];
      if (!Array.isArray(steps) || !steps.every((s) => typeof s === 'string')) {
        fail('POLICY_INVALID', `${where}: step_deltas must be a list of delta ids`);
      }
      aspects.set(id, {
        id,
        ...optionalText('name', own(def, 'name')),
        ...optionalText('description', own(def, 'description')),
        maxScaleLevel: max as number,
        stepDeltas: steps as string[],
        vduDeltas: {},
      });
    }
  }

  // Per-VDU deltas of each aspect.
  for (const p of of(P.deltas)) {
    const aspectId = own(p.properties, 'aspect');
    if (typeof aspectId !== 'string') fail('POLICY_INVALID', `${label(p)}: properties.aspect is missing`);
    const aspect = aspects.get(aspectId as string);
    if (!aspect) fail('ASPECT_INCONSISTENT', `${label(p)}: aspect "${aspectId}" is not a scaling aspect`);
    const deltas = own(p.properties, 'deltas');
    if (!isYamlMap(deltas) || Object.keys(deltas).length === 0) {
      fail('POLICY_INVALID', `${label(p)}: properties.deltas must be a non-empty mapping`);
    }
    const counts: Record<string, number> = {};
    for (const [deltaId, d] of Object.entries(deltas as YamlMap)) {
      const n = own(d, 'number_of_instances');
      if (!isNonNegativeInteger(n)) {
        fail(
          'POLICY_INVALID',
          `${label(p)}: delta "${deltaId}" number_of_instances is not a non-negative integer`,
        );
      }
      counts[deltaId] = n as number;
    }
    for (const vdu of vduTargets(p)) {
      if (aspect!.vduDeltas[vdu.id]) {
        fail(
          'POLICY_INVALID',
          `${label(p)}: deltas of aspect "${aspect!.id}" for ${vdu.id} are defined twice`,
        );
      }
      aspect!.vduDeltas[vdu.id] = { ...counts };
    }
  }
  for (const a of aspects.values()) {
    const defined = new Set(Object.values(a.vduDeltas).flatMap((d) => Object.keys(d)));
    for (const s of a.stepDeltas) {
      if (!defined.has(s)) {
        fail(
          'ASPECT_INCONSISTENT',
          `aspect "${a.id}": step delta "${s}" is not defined by any VduScalingAspectDeltas policy for it`,
        );
      }
    }
  }

  // Instantiation levels.
  const levels = new Map<string, InstantiationLevel>();
  let defaultLevel: string | undefined;
  const levelPolicies = of(P.levels);
  if (levelPolicies.length > 1) {
    fail(
      'POLICY_INVALID',
      `more than one InstantiationLevels policy (${levelPolicies.map((p) => p.name).join(', ')})`,
    );
  }
  for (const p of levelPolicies) {
    const defs = own(p.properties, 'levels');
    if (!isYamlMap(defs) || Object.keys(defs).length === 0) {
      fail('POLICY_INVALID', `${label(p)}: properties.levels must be a non-empty mapping`);
    }
    for (const [id, def] of Object.entries(defs as YamlMap)) {
      if (!isYamlMap(def)) fail('POLICY_INVALID', `${label(p)}: level "${id}" is not a mapping`);
      const scaleInfo: Record<string, number> = {};
      const info = own(def, 'scale_info') ?? {};
      if (!isYamlMap(info)) fail('POLICY_INVALID', `${label(p)}: level "${id}" scale_info is not a mapping`);
      for (const [aspectId, si] of Object.entries(info as YamlMap)) {
        const where = `${label(p)}: level "${id}" scale_info`;
        const aspect = aspects.get(aspectId);
        if (!aspect)
          fail('LEVEL_INCONSISTENT', `${where} names "${aspectId}", which is not a scaling aspect`);
        const n = own(si, 'scale_level');
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > aspect!.maxScaleLevel) {
          fail(
            'LEVEL_INCONSISTENT',
            `${where}: scale_level ${JSON.stringify(n)} of aspect "${aspectId}" is outside 0..${aspect!.maxScaleLevel}`,
          );
        }
        scaleInfo[aspectId] = n as number;
      }
      levels.set(id, { id, ...optionalText('description', own(def, 'description')), scaleInfo });
    }
    const dl = own(p.properties, 'default_level');
    if (dl !== undefined && dl !== null) {
      if (typeof dl !== 'string' || !levels.has(dl)) {
        fail('LEVEL_INCONSISTENT', `${label(p)}: default_level "${String(dl)}" is not one of its levels`);
      }
      defaultLevel = dl as string;
    } else if (levels.size === 1) {
      defaultLevel = [...levels.keys()][0];
    }
  }

  // Instances per VDU and level.
  const inProfile = (vdu: Vdu, n: number) =>
    n >= vdu.vduProfile.minNumberOfInstances && n <= vdu.vduProfile.maxNumberOfInstances;
  const profile = (vdu: Vdu) =>
    `its vdu_profile ${vdu.vduProfile.minNumberOfInstances}..${vdu.vduProfile.maxNumberOfInstances}`;
  for (const p of of(P.vduLevels)) {
    const defs = own(p.properties, 'levels');
    if (!isYamlMap(defs) || Object.keys(defs).length === 0) {
      fail('POLICY_INVALID', `${label(p)}: properties.levels must be a non-empty mapping`);
    }
    const targets = vduTargets(p);
    for (const [levelId, def] of Object.entries(defs as YamlMap)) {
      if (!levels.has(levelId)) {
        fail(
          'LEVEL_INCONSISTENT',
          `${label(p)}: level "${levelId}" is not an instantiation level of the flavour`,
        );
      }
      const n = own(def, 'number_of_instances');
      if (!isNonNegativeInteger(n)) {
        fail(
          'POLICY_INVALID',
          `${label(p)}: level "${levelId}" number_of_instances is not a non-negative integer`,
        );
      }
      for (const vdu of targets) {
        if (vdu.levelInstances[levelId] !== undefined) {
          fail(
            'POLICY_INVALID',
            `${label(p)}: instances of ${vdu.id} at level "${levelId}" are defined twice`,
          );
        }
        if (!inProfile(vdu, n as number)) {
          fail(
            'LEVEL_INCONSISTENT',
            `${label(p)}: level "${levelId}" sets ${n} instances of ${vdu.id}, outside ${profile(vdu)}`,
          );
        }
        vdu.levelInstances[levelId] = n as number;
      }
    }
  }
  const initialSet = new Set<string>();
  for (const p of of(P.initialDelta)) {
    const n = own(own(p.properties, 'initial_delta'), 'number_of_instances');
    if (!isNonNegativeInteger(n)) {
      fail('POLICY_INVALID', `${label(p)}: initial_delta.number_of_instances is not a non-negative integer`);
    }
    for (const vdu of vduTargets(p)) {
      if (initialSet.has(vdu.id))
        fail('POLICY_INVALID', `${label(p)}: the initial delta of ${vdu.id} is defined twice`);
      if (!inProfile(vdu, n as number)) {
        fail(
          'POLICY_INVALID',
          `${label(p)}: initial delta of ${n} instances of ${vdu.id} is outside ${profile(vdu)}`,
        );
      }
      initialSet.add(vdu.id);
      vdu.initialDelta = n as number;
    }
  }

  const flavour: Flavour = {
    flavourId,
    description,
    file: topo.file,
    vdus,
    aspects: [...aspects.values()],
    instantiationLevels: [...levels.values()],
    ...(defaultLevel !== undefined ? { defaultLevel } : {}),
    lcmInterfaces,
  };
  // Levels given by scale_info only: the instances they imply must fit each vdu_profile too.
  for (const level of flavour.instantiationLevels) {
    for (const vdu of vdus) {
      const n = vduReplicas(flavour, vdu.id, level.id);
      if (!inProfile(vdu, n)) {
        fail(
          'LEVEL_INCONSISTENT',
          `instantiation level "${level.id}" gives ${vdu.id} ${n} instances, outside ${profile(vdu)}`,
        );
      }
    }
  }
  return flavour;
}

function readVdus(types: ToscaTypes, topo: Topology, fail: Fail): Vdu[] {
  const vdus: Vdu[] = [];
  for (const [id, tpl] of topo.nodeTemplates) {
    const type = own(tpl, 'type') as string;
    const kind = vduKind(types, type);
    if (!kind) continue;
    const props = own(tpl, 'properties');
    const name = asText(own(props, 'name'));
    if (name === undefined || name === '') fail('FLAVOUR_INVALID', `VDU ${id} has no properties.name`);
    const vp = own(props, 'vdu_profile');
    const min = own(vp, 'min_number_of_instances');
    const max = own(vp, 'max_number_of_instances');
    if (!isNonNegativeInteger(min) || !isNonNegativeInteger(max) || min > max) {
      fail(
        'FLAVOUR_INVALID',
        `VDU ${id}: vdu_profile needs integers 0 <= min_number_of_instances <= max_number_of_instances ` +
          `(has ${JSON.stringify(min)}, ${JSON.stringify(max)})`,
      );
    }
    vdus.push({
      id,
      name: name as string,
      ...optionalText('description', own(props, 'description')),
      type,
      kind,
      vduProfile: { minNumberOfInstances: min as number, maxNumberOfInstances: max as number },
      initialDelta: min as number,
      levelInstances: {},
    });
  }
  return vdus;
}

/** `policies`: a list of single-entry mappings `{name: {type, properties, targets}}` (or one mapping). */
function readPolicies(types: ToscaTypes, topo: Topology, fail: Fail): Policy[] {
  const raw = own(topo.template, 'policies');
  if (raw === undefined || raw === null) return [];
  let entries: [string, unknown][];
  if (Array.isArray(raw)) {
    entries = raw.map((item, i) => {
      if (!isYamlMap(item) || Object.keys(item).length !== 1) {
        return fail('POLICY_INVALID', `policies item #${i + 1} is not a single {name: definition} entry`);
      }
      return Object.entries(item)[0]!;
    });
  } else if (isYamlMap(raw)) {
    entries = Object.entries(raw);
  } else {
    return fail('POLICY_INVALID', 'policies is neither a list nor a mapping');
  }
  const seen = new Set<string>();
  return entries.map(([name, body]) => {
    if (seen.has(name)) fail('POLICY_INVALID', `policy "${name}" is defined twice`);
    seen.add(name);
    const type = own(body, 'type');
    if (typeof type !== 'string') return fail('POLICY_INVALID', `policy "${name}" has no type`);
    if (!types.isKnown(type, 'policy_types')) {
      fail('POLICY_INVALID', `policy "${name}" has type "${type}", which is not a known policy type`);
    }
    const properties = own(body, 'properties') ?? {};
    if (!isYamlMap(properties)) fail('POLICY_INVALID', `policy "${name}": properties is not a mapping`);
    const targets = own(body, 'targets') ?? [];
    if (!Array.isArray(targets) || !targets.every((t) => typeof t === 'string')) {
      fail('POLICY_INVALID', `policy "${name}": targets must be a list of node template or group names`);
    }
    return { name, type, properties: properties as YamlMap, targets: targets as string[] };
  });
}

function optionalText<K extends string>(key: K, v: unknown): Partial<Record<K, string>> {
  const text = asText(v);
  return (text === undefined ? {} : { [key]: text }) as Partial<Record<K, string>>;
}
