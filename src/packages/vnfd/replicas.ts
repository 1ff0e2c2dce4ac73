// Instance counts from a flavour: what LCM needs to instantiate at a level and to
// scale an aspect. Pure functions over the model, so API validation, the LCM
// workflows and the tests all compute the same numbers.
import type { Flavour, ScalingAspect, Vdu, Vnfd } from './model.ts';

export function flavour(vnfd: Vnfd, flavourId: string): Flavour | undefined {
  return vnfd.flavours.find((f) => f.flavourId === flavourId);
}

export function maxScaleLevel(flavour: Flavour, aspectId: string): number | undefined {
  return flavour.aspects.find((a) => a.id === aspectId)?.maxScaleLevel;
}

/**
 * Scale level of every aspect of the flavour at an instantiation level (the default
 * level when none is given): the level's `scale_info`, 0 for aspects it omits.
 */
export function scaleLevelsAt(flavour: Flavour, levelId?: string): Record<string, number> {
  const level = instantiationLevel(flavour, levelId);
  const out: Record<string, number> = {};
  for (const a of flavour.aspects) out[a.id] = level?.scaleInfo[a.id] ?? 0;
  return out;
}

/**
 * Instances of `vduId` at instantiation level `levelId` (default: the flavour's default
 * level), with the aspects in `scaleLevels` at the given scale levels.
 *
 * - At the level itself: the VduInstantiationLevels count for that level when there is
 *   one; otherwise the VDU's initial delta plus its deltas for the level's scale_info
 *   (as below, from scale level 0). Without any level: the initial delta.
 * - Each aspect in `scaleLevels` then adds, for its scale level n, the VDU's deltas of
 *   steps 0..n-1 minus those of steps 0..m-1, m being the aspect's scale level in the
 *   level's scale_info (so n < m removes instances). Step i uses delta
 *   `stepDeltas[min(i, length - 1)]`: a single delta is a uniform step.
 *
 * The result is not clamped to the vdu_profile; callers check it against
 * `vdu.vduProfile`. Throws RangeError for an unknown VDU, level or aspect, or a scale
 * level outside 0..max_scale_level.
 */
export function vduReplicas(
  flavour: Flavour,
  vduId: string,
  levelId?: string,
  scaleLevels?: Record<string, number>,
): number {
  const vdu = flavour.vdus.find((v) => v.id === vduId);
  if (!vdu) throw new RangeError(`flavour "${flavour.flavourId}" has no VDU "${vduId}"`);
  const level = instantiationLevel(flavour, levelId);
  const atLevel = (a: ScalingAspect): number => level?.scaleInfo[a.id] ?? 0;

  let replicas = level !== undefined ? vdu.levelInstances[level.id] : undefined;
  if (replicas === undefined) {
    replicas = vdu.initialDelta;
    for (const a of flavour.aspects) replicas += stepsDelta(a, vdu, atLevel(a));
  }
  for (const [aspectId, n] of Object.entries(scaleLevels ?? {})) {
    const a = flavour.aspects.find((x) => x.id === aspectId);
    if (!a) throw new RangeError(`flavour "${flavour.flavourId}" has no scaling aspect "${aspectId}"`);
    if (!Number.isInteger(n) || n < 0 || n > a.maxScaleLevel) {
      throw new RangeError(`scale level ${n} of aspect "${aspectId}" is outside 0..${a.maxScaleLevel}`);
    }
    replicas += stepsDelta(a, vdu, n) - stepsDelta(a, vdu, atLevel(a));
  }
  return replicas;
}

/** Instances the first `steps` scaling steps of an aspect add to a VDU. */
export function stepsDelta(aspect: ScalingAspect, vdu: Pick<Vdu, 'id'>, steps: number): number {
  const deltas = aspect.vduDeltas[vdu.id];
  if (!deltas || aspect.stepDeltas.length === 0) return 0;
  const of = (i: number): number => deltas[aspect.stepDeltas[i]!] ?? 0;
  const listed = Math.min(steps, aspect.stepDeltas.length);
  let sum = 0;
  for (let i = 0; i < listed; i++) sum += of(i);
  // Steps past the list repeat its last delta (computed, not looped: levels may be large).
  return sum + (steps - listed) * of(aspect.stepDeltas.length - 1);
}

function instantiationLevel(flavour: Flavour, levelId: string | undefined) {
  const id = levelId ?? flavour.defaultLevel;
  if (id === undefined) return undefined;
  const level = flavour.instantiationLevels.find((l) => l.id === id);
  if (!level) throw new RangeError(`flavour "${flavour.flavourId}" has no instantiation level "${id}"`);
  return level;
}
