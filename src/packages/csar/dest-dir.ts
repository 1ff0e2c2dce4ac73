// The extraction directory: it must start empty, so that after a failure removing
// what is in it removes exactly what the rejected package wrote, and nothing else.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Creates `dir` if needed; answers whether it was created. Throws if it holds anything. */
export async function prepareDestDir(dir: string): Promise<boolean> {
  const created = (await mkdir(dir, { recursive: true, mode: 0o755 })) !== undefined;
  if (!created) {
    const present = await readdir(dir);
    // A caller bug, not a package problem: hence a plain Error, not a CsarError.
    if (present.length > 0) throw new Error(`extraction directory ${dir} is not empty`);
  }
  return created;
}

/** Undoes an extraction: removes `dir` if it was created for it, else empties it. */
export async function clearDestDir(dir: string, created: boolean): Promise<void> {
  if (created) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  const present = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(present.map((name) => rm(join(dir, name), { recursive: true, force: true })));
}
