// Zip bombs and the storage quota through /vnfpkgm/v1 (real HTTP, SQLite): a zip
// bomb split into 3000 entries of 1 MiB of zeros (3.4 MB uploaded) ends in ERROR
// naming the whole-archive ratio, with nothing of it left on disk; packages beyond
// the quota are refused (413 at upload, ERROR at onboarding) and fit again once
// another is deleted; a legitimate package with large artifacts still onboards.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { extractZip } from '../../src/packages/csar/index.ts';
import { PackageStorage } from '../../src/packages/storage.ts';
import { writeZipStreaming } from '../helpers/bombs.ts';
import { cnfPackage, vnfdFiles } from '../helpers/cnf-package.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const BASE = '/vnfpkgm/v1/vnf_packages';
const MiB = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), 'package-bombs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Create, upload, and wait until onboarding ends; the PUT's answer when it is not 202. */
async function onboardZip(vnfm: TestVnfm, zip: Buffer) {
  const pkg = (await vnfm.request('POST', BASE, {})).body;
  const put = await vnfm.request('PUT', `${BASE}/${pkg.id}/package_content`, zip);
  if (put.status !== 202) return { id: pkg.id as string, put };
  const done = await eventually(
    `package ${pkg.id} to finish onboarding`,
    async () => (await vnfm.request('GET', `${BASE}/${pkg.id}`)).body,
    (p) => p.onboardingState === 'ONBOARDED' || p.onboardingState === 'ERROR',
    60_000,
  );
  return { id: pkg.id as string, put, done };
}

async function remove(vnfm: TestVnfm, id: string) {
  await vnfm.request('PATCH', `${BASE}/${id}`, { operationalState: 'DISABLED' });
  assert.equal((await vnfm.request('DELETE', `${BASE}/${id}`)).status, 204);
}

describe('zip bombs and sizes', () => {
  let vnfm: TestVnfm;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'));
  });
  after(() => vnfm?.close());

  test('a bomb split into 3000 entries of 1 MiB: ERROR naming the whole-archive ratio, nothing on disk', async () => {
    const file = join(tmp, 'split.zip');
    const meta =
      'TOSCA-Meta-File-Version: 1.0\nCreated-by: test\nCSAR-Version: 1.1\n' +
      'Entry-Definitions: Definitions/sample_cnf_top.vnfd.yaml\n';
    const entries = [
      { name: 'TOSCA-Metadata/TOSCA.meta', data: meta },
      ...[...vnfdFiles(randomUUID())].map(([name, data]) => ({ name, data })),
      ...Array.from({ length: 3000 }, (_, i) => ({ name: `Files/split/${i}.bin`, zeros: MiB })),
    ];
    const size = await writeZipStreaming(file, entries);
    assert.ok(size < 4 * MiB, `the upload is ${size} bytes`);
    const { id, done } = await onboardZip(vnfm, readFileSync(file));
    assert.equal(done.onboardingState, 'ERROR');
    assert.equal(done.onboardingFailureDetails.status, 422);
    assert.match(
      done.onboardingFailureDetails.detail,
      new RegExp(
        `^the zip's ${entries.length} entries would inflate \\d+ bytes to 3145\\d{6} in total ` +
          `\\(ratio \\d+:1\\); the limit for the whole archive is 200:1, a sign of a zip bomb$`,
      ),
    );
    const storage = new PackageStorage(vnfm.ctx.config.dataDir);
    assert.equal(existsSync(storage.dir(id)), false, 'neither the zip nor any content is kept');
    assert.equal((await vnfm.request('DELETE', `${BASE}/${id}`)).status, 204);
  });

  test('a legitimate package with large artifacts (an image, a long manifest) onboards', async () => {
    // Incompressible like an image layer, and YAML that compresses as real YAML does.
    const image = randomBytes(8 * MiB);
    const manifest = Array.from(
      { length: 20_000 },
      (_, i) => `- name: item-${i}\n  value: "${randomBytes(24).toString('base64')}"\n`,
    ).join('');
    const { zip } = await cnfPackage({
      edit: (f) => {
        f.set('Files/images/layer.tar', image);
        f.set('Files/kubernetes/values-long.yaml', manifest);
      },
    });
    const { done } = await onboardZip(vnfm, zip);
    assert.equal(done.onboardingState, 'ONBOARDED', JSON.stringify(done.onboardingFailureDetails));
    assert.ok(done.additionalArtifacts.some((a: any) => a.artifactPath === 'Files/images/layer.tar'));
  });
});

describe('the storage quota for all packages', () => {
  let vnfm: TestVnfm;
  let small: Buffer;
  let second: Buffer;
  let extracted: number;
  let quota: number;
  before(async () => {
    small = (await cnfPackage()).zip;
    // Measured on the package refused below: two builds may differ by a byte (the chart's gzip).
    second = (await cnfPackage()).zip;
    const files = await extractZip(writeTo('measure.zip', second), join(tmp, 'measure'));
    extracted = files.reduce((n, f) => n + f.size, 0);
    // Room for one package and a second one's zip, not for its extraction.
    quota = 2 * small.length + extracted + Math.floor(extracted / 2);
    vnfm = await startVnfm(await freshStore('sqlite'), { packageQuotaBytes: quota });
  });
  after(() => vnfm?.close());

  function writeTo(name: string, data: Buffer) {
    const path = join(tmp, name);
    writeFileSync(path, data);
    return path;
  }

  test('over the quota: ERROR at onboarding, 413 at upload; after a delete, packages fit again', async () => {
    const storage = new PackageStorage(vnfm.ctx.config.dataDir);
    const first = await onboardZip(vnfm, small);
    assert.equal(
      first.done.onboardingState,
      'ONBOARDED',
      JSON.stringify(first.done.onboardingFailureDetails),
    );

    // Its zip fits in what is left, its extracted files do not.
    const refused = await onboardZip(vnfm, second);
    assert.equal(refused.done.onboardingState, 'ERROR');
    assert.match(
      refused.done.onboardingFailureDetails.detail,
      new RegExp(
        `^extracting the package needs ${extracted} bytes, but the storage quota for all packages ` +
          `\\(packageQuotaBytes, VNFM_PACKAGE_QUOTA_BYTES: ${quota} bytes\\) has \\d+ left; delete packages or raise the quota$`,
      ),
    );
    assert.equal(existsSync(storage.dir(refused.id)), false, 'the refused package keeps nothing');

    // A zip larger than what is left is refused while it arrives.
    const big = (await cnfPackage({ edit: (f) => f.set('Files/blob.bin', randomBytes(quota)) })).zip;
    const third = await onboardZip(vnfm, big);
    assert.equal(third.put.status, 413, JSON.stringify(third.put.body));
    assert.equal(third.put.body.status, 413);
    assert.match(third.put.body.detail, /left in the storage quota for all packages \(packageQuotaBytes/);
    const after413 = (await vnfm.request('GET', `${BASE}/${third.id}`)).body;
    assert.equal(after413.onboardingState, 'CREATED', 'the package can be uploaded again');
    assert.equal(existsSync(storage.upload(third.id)), false, 'no partial upload kept');
    assert.equal(existsSync(storage.zip(third.id)), false);

    await remove(vnfm, first.id);
    const again = await onboardZip(vnfm, (await cnfPackage()).zip);
    assert.equal(
      again.done.onboardingState,
      'ONBOARDED',
      JSON.stringify(again.done.onboardingFailureDetails),
    );
  });
});
