// An extracted CNF package for the Helm driver's tests: the sample VNFD (flavour
// `helmchart`, VDU1/VDU2, one aspect each) and the real chart archive at
// Files/kubernetes/app-0.1.0.tgz, written to a temp dir as onboarding leaves it.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { flavour as flavourOf, loadVnfd, type Flavour } from '../../src/packages/vnfd/index.ts';
import { CHART_PATH, chartTgz, vnfdFiles } from './cnf-package.ts';

export interface HelmPackage {
  root: string;
  flavour: Flavour;
  chart: Buffer;
}

export async function helmPackage(): Promise<HelmPackage> {
  const root = mkdtempSync(join(tmpdir(), 'helm-pkg-'));
  const files = new Map<string, string | Buffer>(vnfdFiles(randomUUID()));
  const chart = await chartTgz();
  files.set(CHART_PATH, chart);
  for (const [p, data] of files) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  const vnfd = loadVnfd(root, 'Definitions/sample_cnf_top.vnfd.yaml');
  const flavour = flavourOf(vnfd, 'helmchart');
  if (!flavour) throw new Error('sample VNFD has no helmchart flavour');
  return { root, flavour, chart };
}
