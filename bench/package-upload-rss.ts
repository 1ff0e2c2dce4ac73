// Memory of the VNFM while it receives and onboards a large package. A ~200 MiB
// CSAR (the test suite's sample CNF package plus one incompressible artifact
// declared with its SHA-256 in TOSCA.meta) is PUT to `bin/vnfm serve`, streamed
// from a file; the server's RSS is read from /proc every 50 ms from before the
// upload until the package is ONBOARDED. Target: growth < 64 MiB.
//
//   node_modules/.bin/node bench/package-upload-rss.ts [--quick] [--size-mib N]
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromBufferPromise } from 'yauzl';
import { ZipFile } from 'yazl';
import { cnfPackage } from '../test/helpers/cnf-package.ts';
import { onboardPackage } from '../test/helpers/lcm.ts';
import { fixed, median, MiB, options, summary, table, verdict } from './lib/report.ts';
import { asHelperVnfm, peakRssBytes, resetPeakRss, rssBytes, startVnfmProcess } from './lib/server.ts';

const TARGET_GROWTH_MIB = 64;
const BIG_ARTIFACT = 'Files/images/blob.bin';

const opts = options({ 'size-mib': { type: 'string' } });
const sizeMiB = Number(opts['size-mib'] ?? (opts.quick ? 20 : 200));

/** Writes `bytes` random bytes to `path` 1 MiB at a time; returns their SHA-256. */
async function randomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= MiB) {
    const part = randomBytes(Math.min(left, MiB));
    hash.update(part);
    if (!out.write(part)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return hash.digest('hex');
}

/** cnfPackage()'s entries, TOSCA.meta extended with the big artifact's block, and the artifact itself. */
async function buildCsar(dir: string, artifactBytes: number): Promise<string> {
  const blob = join(dir, 'blob.bin');
  const blobHash = await randomFile(blob, artifactBytes);
  const small = await fromBufferPromise((await cnfPackage()).zip);
  const zip = new ZipFile();
  for await (const entry of small.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await small.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    let data = Buffer.concat(chunks);
    if (entry.fileName === 'TOSCA-Metadata/TOSCA.meta') {
      const block = `Name: ${BIG_ARTIFACT}\nContent-Type: application/octet-stream\nAlgorithm: SHA-256\nHash: ${blobHash}\n`;
      data = Buffer.from(`${data.toString('utf8').trimEnd()}\n\n${block}`);
    }
    zip.addBuffer(data, entry.fileName);
  }
  small.close();
  zip.addFile(blob, BIG_ARTIFACT); // deflated as usual; random bytes do not shrink
  zip.end();
  const csar = join(dir, 'package.zip');
  await pipeline(zip.outputStream, createWriteStream(csar));
  rmSync(blob);
  return csar;
}

/** PUT package_content, streaming the file (never held in memory here either). */
function upload(url: string, pkgId: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/vnfpkgm/v1/vnf_packages/${pkgId}/package_content`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/zip', 'content-length': statSync(file).size },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    createReadStream(file).on('error', reject).pipe(req);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bench-upload-'));
let vnfm: Awaited<ReturnType<typeof startVnfmProcess>> | undefined;
try {
  console.log(`building a CSAR with a ${sizeMiB} MiB incompressible artifact…`);
  const csar = await buildCsar(dir, sizeMiB * MiB);
  const csarBytes = statSync(csar).size;
  vnfm = await startVnfmProcess({
    database: `sqlite:${join(dir, 'vnfm.sqlite')}`,
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'vnfm.log'),
  });
  const { pid } = vnfm;
  // Warm-up: one small package onboarded first, so that one-time costs (loading the
  // SOL001 type definitions, first use of the code paths) are in the baseline.
  await onboardPackage(asHelperVnfm(vnfm));
  const pkg = (await vnfm.request('POST', '/vnfpkgm/v1/vnf_packages', {})).body as { id: string };
  const idle: number[] = [];
  for (let i = 0; i < 20; i++, await sleep(50)) idle.push(rssBytes(pid));
  const baseline = median(idle);

  // Peak: the largest 50 ms sample, and the kernel's own high-water mark (VmHWM,
  // restarted here) which no sample can miss.
  let sampled = baseline;
  const sample = () => {
    sampled = Math.max(sampled, rssBytes(pid));
  };
  const sampler = setInterval(sample, 50);
  const kernelPeak = resetPeakRss(pid);
  const t0 = performance.now();
  const status = await upload(vnfm.url, pkg.id, csar);
  const uploadMs = performance.now() - t0;
  sample();
  const receivedPeak = Math.max(sampled, kernelPeak ? peakRssBytes(pid) : 0);
  if (status !== 202) throw new Error(`upload answered ${status}; see ${vnfm.logFile}`);
  let state = '';
  let details: unknown;
  while (state !== 'ONBOARDED' && state !== 'ERROR') {
    await sleep(100);
    const p = (await vnfm.request('GET', `/vnfpkgm/v1/vnf_packages/${pkg.id}`)).body as Record<
      string,
      unknown
    >;
    state = String(p.onboardingState);
    details = p.onboardingFailureDetails;
  }
  const totalMs = performance.now() - t0;
  clearInterval(sampler);
  sample();
  const peak = Math.max(sampled, kernelPeak ? peakRssBytes(pid) : 0);
  if (state !== 'ONBOARDED') throw new Error(`onboarding ended in ${state}: ${JSON.stringify(details)}`);

  const growth = (peak - baseline) / MiB;
  const met = growth < TARGET_GROWTH_MIB;
  const mibOf = (bytes: number) => `${fixed(bytes / MiB)} MiB`;
  console.log(
    `\npackage upload + onboarding of a ${mibOf(csarBytes)} CSAR (bin/vnfm serve, SQLite, pid ${pid})\n`,
  );
  console.log(
    table([
      ['figure', 'value'],
      ['baseline RSS (idle, after a small warm-up package)', mibOf(baseline)],
      ['peak RSS until the 202 (upload received)', mibOf(receivedPeak)],
      ['peak RSS until ONBOARDED', `${mibOf(peak)}${kernelPeak ? '' : ' (50 ms samples only)'}`],
      [
        'growth (peak - baseline)',
        `${fixed(growth)} MiB  (target < ${TARGET_GROWTH_MIB} MiB: ${verdict(met)})`,
      ],
      [
        'upload until 202',
        `${fixed(uploadMs / 1000, 2)} s (${fixed(csarBytes / MiB / (uploadMs / 1000))} MiB/s)`,
      ],
      ['upload → ONBOARDED', `${fixed(totalMs / 1000, 2)} s`],
    ]),
  );
  summary('package-upload-rss', {
    csarMiB: +fixed(csarBytes / MiB),
    baselineRssMiB: +fixed(baseline / MiB),
    peakRssMiB: +fixed(peak / MiB),
    growthMiB: +fixed(growth),
    receivedGrowthMiB: +fixed((receivedPeak - baseline) / MiB),
    targetGrowthMiB: TARGET_GROWTH_MIB,
    met,
    uploadSeconds: +fixed(uploadMs / 1000, 2),
    onboardedSeconds: +fixed(totalMs / 1000, 2),
  });
} finally {
  await vnfm?.stop();
  rmSync(dir, { recursive: true, force: true });
}
