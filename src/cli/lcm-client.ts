// What `vnfm vnf` and `vnfm op` share: whole lists (following the VNFM's Link paging),
// instances named by id or by name, starting an LCM operation and telling the operator
// about it (the op occ id; with --wait, how it goes and how it ends).
import type { Command } from 'commander';
import { outputOf, serialize } from './output.ts';
import { oneLine, type VnfmAnswer, type VnfmClient } from './vnfm-client.ts';
import { getOpOcc, opOccIdOf, type OpOccSnapshot, waitForOpOcc } from './wait.ts';

export const LCM = '/vnflcm/v1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An SOL013 filter value, quoted so that commas, parentheses and quotes in it stay literal. */
export const filterValue = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** Every item of a list resource: pages are followed through their `Link: <…>; rel="next"`. */
export async function listAll<T>(client: VnfmClient, path: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined = path;
  // Bounded: a VNFM that kept answering with a next page would otherwise never end.
  for (let pages = 0; next && pages < 10_000; pages++) {
    const a: VnfmAnswer = await client.send('GET', next);
    if (!Array.isArray(a.body)) throw new Error(`GET ${path}: the VNFM answered no list`);
    items.push(...(a.body as T[]));
    next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(a.headers.get('link') ?? '')?.[1];
  }
  return items;
}

/** A list path with an SOL013 filter made of `terms` (`(eq,attr,value)`), none when empty. */
export function withFilter(path: string, terms: string[], raw?: string): string {
  const all = [...terms, ...(raw ? [raw] : [])];
  return all.length ? `${path}?filter=${encodeURIComponent(all.join(';'))}` : path;
}

/** The id of VNF instance `ref`: an id as given, or the one instance named so. */
export async function vnfId(client: VnfmClient, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const named = await listAll<{ id: string }>(
    client,
    withFilter(`${LCM}/vnf_instances`, [`(eq,vnfInstanceName,${filterValue(ref)})`]),
  );
  if (named.length === 1 && named[0]) return named[0].id;
  if (named.length === 0) throw new Error(`no VNF instance has the id or name '${oneLine(ref, 100)}'`);
  throw new Error(`${named.length} VNF instances are named '${oneLine(ref, 100)}': give the id`);
}

export interface FollowFlags {
  wait?: boolean;
  /** No "accepted" line: nothing was just accepted (`vnfm op wait`). */
  quietStart?: boolean;
}

/**
 * After the VNFM accepted an operation (`answer`, a 202 naming the op occ in its Location):
 * the op occ id (-q, or a line for people), or its JSON/YAML; with --wait it is followed to
 * its end first (the display on stderr) and a failure throws its one line after stdout is written.
 */
export async function reportOperation(
  cmd: Command,
  client: VnfmClient,
  answer: VnfmAnswer,
  flags: FollowFlags,
  success = 'COMPLETED',
): Promise<void> {
  await reportOpOcc(cmd, client, opOccIdOf(answer), flags, success);
}

/** reportOperation for op occ `id` (`vnfm op wait` names it itself). */
export async function reportOpOcc(
  cmd: Command,
  client: VnfmClient,
  id: string,
  flags: FollowFlags,
  success = 'COMPLETED',
): Promise<void> {
  const { format, quiet } = outputOf(cmd);
  const machine = format === 'json' || format === 'yaml';
  if (quiet) process.stdout.write(`${id}\n`);
  if (!flags.wait) {
    if (machine && !quiet) process.stdout.write(serialize(await getOpOcc(client, id), format));
    else if (!quiet) process.stdout.write(`operation ${id} accepted (follow it: vnfm op wait ${id})\n`);
    return;
  }
  if (!quiet && !machine)
    process.stdout.write(`operation ${id} accepted; waiting (Ctrl-C stops waiting, not the operation)\n`);
  let final: OpOccSnapshot | undefined;
  let failure: unknown;
  try {
    final = await waitForOpOcc(client, id, { success });
  } catch (e) {
    failure = e;
  }
  if (machine && !quiet) process.stdout.write(serialize(final ?? (await getOpOcc(client, id)), format));
  if (failure) throw failure;
}
