// Before acting on a release, determine its state from what helm has stored (in
// the manner of Flux's helm-controller): each state has a name and a reason an
// operator can read, and the callers pick the next action from it. This is how a
// retry after a crash "observes again, then continues" instead of replaying.
import type { HistoryEntry } from './helm-cli.ts';

export type ReleaseStateName =
  /** helm has no release of that name. */
  | 'Absent'
  /** The release exists but was not installed by this VNF instance: never touched. */
  | 'Unmanaged'
  /** The current revision is deployed. */
  | 'InSync'
  /** An install, upgrade or rollback was interrupted (pending-*): helm refuses new operations until it is resolved. */
  | 'Locked'
  /** The current revision failed (helm gave up, e.g. on its --wait timeout). */
  | 'Failed'
  /** An uninstall was interrupted, or the release was uninstalled with its history kept. */
  | 'Uninstalled';

export interface ReleaseState {
  state: ReleaseStateName;
  reason: string;
  current?: HistoryEntry;
  /** The newest earlier revision that was deployed: where a rollback returns to. */
  lastGood?: HistoryEntry;
}

/**
 * The state of a release from its history. `owner.owned`: the instance's state records
 * the release, or its revisions carry the instance's marks (ownership.ts).
 */
export function releaseState(
  release: string,
  history: HistoryEntry[] | undefined,
  owner: { vnfInstanceId: string; owned: boolean },
): ReleaseState {
  const current = history?.at(-1);
  if (!history || !current) return { state: 'Absent', reason: `release ${release} does not exist` };
  if (!owner.owned) {
    return {
      state: 'Unmanaged',
      reason: `release ${release} exists (revision ${current.revision}, ${current.status}) and was not installed by VNF instance ${owner.vnfInstanceId}`,
      current,
    };
  }
  const lastGood = [...history]
    .reverse()
    .find((h) => h.revision < current.revision && (h.status === 'deployed' || h.status === 'superseded'));
  const base = { current, ...(lastGood ? { lastGood } : {}) };
  const at = `revision ${current.revision} is ${current.status}`;
  switch (current.status) {
    case 'deployed':
      return { state: 'InSync', reason: `release ${release}: ${at}`, ...base };
    case 'pending-install':
    case 'pending-upgrade':
    case 'pending-rollback':
      return {
        state: 'Locked',
        reason: `release ${release}: ${at} (a helm ${current.status.slice('pending-'.length)} was interrupted)`,
        ...base,
      };
    case 'uninstalling':
    case 'uninstalled':
      return { state: 'Uninstalled', reason: `release ${release}: ${at}`, ...base };
    default:
      return {
        state: 'Failed',
        reason: `release ${release}: ${at}${current.description ? ` (${current.description})` : ''}`,
        ...base,
      };
  }
}
