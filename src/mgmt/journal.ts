// StepJournal and InstanceStore over the store (src/db/queries/mgmt-journal.ts), sealed:
// step outputs may hold join tokens and keys, the driver's store a cluster's credentials.
import type { Db } from '../db/connect.ts';
import { journalEntry, mgmtStore, recordJournalEntry, setMgmtStore } from '../db/queries/mgmt-journal.ts';
import type { SecretBox } from '../secrets/box.ts';
import type { InstanceStore, StepJournal } from './driver.ts';

/** A step's output is kept wrapped, so that a step returning nothing is recorded as done too. */
interface Recorded {
  v?: unknown;
}

export function stepJournal(db: Db, secrets: SecretBox, opOccId: string): StepJournal {
  const done = async <T>(name: string): Promise<{ value: T } | undefined> => {
    const sealed = await journalEntry(db, opOccId, name);
    return sealed === undefined ? undefined : { value: secrets.openJson<Recorded>(sealed).v as T };
  };
  return {
    async step<T>(name: string, run: () => Promise<T>): Promise<T> {
      const recorded = await done<T>(name);
      if (recorded) return recorded.value;
      const value = await run();
      await recordJournalEntry(db, opOccId, name, secrets.sealJson({ v: value } satisfies Recorded));
      return value;
    },
    async done<T>(name: string): Promise<T | undefined> {
      return (await done<T>(name))?.value;
    },
  };
}

export function instanceStore(db: Db, secrets: SecretBox, vnfInstanceId: string): InstanceStore {
  return {
    async get<T>(): Promise<T | undefined> {
      const sealed = await mgmtStore(db, vnfInstanceId);
      return sealed === undefined ? undefined : secrets.openJson<T>(sealed);
    },
    async set<T>(value: T): Promise<void> {
      await setMgmtStore(db, vnfInstanceId, value === undefined ? null : secrets.sealJson(value));
    },
  };
}
