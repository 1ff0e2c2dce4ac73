// Data at rest: the data directory is the VNFM user's alone (0700), and the SQLite
// store and the secret key are 0600, whatever the process umask.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startVnfm } from '../helpers/vnfm.ts';

const mode = (p: string) => statSync(p).mode & 0o777;

test('data directory 0700, database files and secret key 0600, under a permissive umask', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'vnfm-rest-')), 'data');
  const db = join(dataDir, 'store', 'vnfm.sqlite');
  const before = process.umask(0o022);
  let vnfm;
  try {
    vnfm = await startVnfm(`sqlite:${db}`, { dataDir, worker: false });
  } finally {
    process.umask(before);
  }
  try {
    // A write, so SQLite has its WAL files.
    const r = await vnfm.request('POST', '/vnfpkgm/v1/vnf_packages', {});
    assert.equal(r.status, 201);
    assert.equal(mode(dataDir), 0o700);
    assert.equal(mode(join(dataDir, 'store')), 0o700);
    assert.equal(mode(join(dataDir, 'secret.key')), 0o600);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) assert.equal(mode(f), 0o600, f);
  } finally {
    await vnfm.close();
  }
});
